from backend.domain import text


def test_a_long_word_also_yields_its_shorter_words():
    tokens = text.tokens("苹果树叶子发黄")
    assert {"苹果", "果树", "苹果树"} <= set(tokens)


def test_punctuation_spaces_and_function_words_are_not_tokens():
    tokens = text.tokens("想请专家来看看，果子有黑斑！")
    assert "，" not in tokens and "！" not in tokens
    assert not {"想", "请", "专家", "来", "看看", "有"} & set(tokens)
    assert "黑斑" in tokens


def test_words_in_another_order_give_the_same_words():
    assert {"水稻", "育秧"} <= set(text.query_terms("水稻育秧"))
    assert {"水稻", "育秧"} <= set(text.query_terms("育秧的水稻"))


def test_agricultural_terms_are_kept_whole_besides_their_parts():
    assert "腐烂病" in text.tokens("苹果腐烂病")
    assert "乳房炎" in text.tokens("奶牛乳房炎")


def test_query_terms_are_distinct_and_bounded():
    terms = text.query_terms("黑斑 黑斑 黑斑 苹果", limit=16)
    assert terms == ["黑斑", "苹果"]
    assert len(text.query_terms("，".join(f"词{i}" for i in range(40)), limit=5)) == 5


def test_a_rare_term_weighs_more_than_a_common_one():
    weights = text.term_weights(["黑斑", "苹果"], 1000, {"黑斑": 3, "苹果": 400})
    assert weights["黑斑"] > weights["苹果"] > 0


def test_a_term_in_every_document_still_weighs_something():
    assert text.idf(100, 100) > 0
