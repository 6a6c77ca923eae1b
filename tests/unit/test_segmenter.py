"""The compact dictionary cuts exactly as jieba's own does, and answers jieba's lookups the same way."""

import random

import jieba
import pytest

from backend.domain import segmenter, text

EXTRA = dict.fromkeys(text.AGRICULTURAL_TERMS, 20_000)


@pytest.fixture(scope="module")
def jieba_own():
    """jieba's Tokenizer with its dict of every word and prefix, given the same extra words."""
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word, freq in EXTRA.items():
        tokenizer.add_word(word, freq=freq)
    return tokenizer


@pytest.fixture(scope="module")
def compact():
    return segmenter.load(EXTRA)


def _sentences(words: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    separators = "，。 、！？ab12"
    sentences = []
    for _ in range(count):
        parts = [rng.choice(words) for _ in range(rng.randint(3, 40))]
        sentences.append("".join(part + (rng.choice(separators) if rng.random() < 0.2 else "") for part in parts))
    return sentences


def test_both_cut_random_text_into_the_same_tokens(jieba_own, compact):
    # Whole words, prefixes that are not words, single characters and the agricultural terms, run together.
    keys = list(jieba_own.FREQ)
    words = random.Random(7).sample(keys, 4000) + list(EXTRA)
    sentences = _sentences(words, 1500, seed=11) + [
        "我家苹果树得了腐烂病，叶子发黄，想请专家来看看怎么治",
        "水稻育秧期间出现立枯病，秧苗成片死亡，急需技术指导",
        "2026年草地贪夜蛾防治与玉米螟绿色防控",
        "奶牛乳房炎反复发作，犊牛腹泻",
    ]
    differing = [s for s in sentences if list(compact.cut_for_search(s)) != list(jieba_own.cut_for_search(s))]
    assert differing == []
    assert [list(compact.cut(s)) for s in sentences[:200]] == [list(jieba_own.cut(s)) for s in sentences[:200]]


def test_every_word_and_prefix_has_jiebas_frequency(jieba_own, compact):
    assert compact.total == jieba_own.total
    assert len(compact.FREQ) == len(jieba_own.FREQ)
    for word in random.Random(3).sample(list(jieba_own.FREQ), 20_000) + list(EXTRA):
        assert word in compact.FREQ
        assert compact.FREQ[word] == jieba_own.FREQ[word]
        assert compact.FREQ.get(word) == jieba_own.FREQ.get(word)


def test_an_unknown_word_is_absent(compact):
    table = compact.FREQ
    assert "腐烂病" in table and table["腐烂病"] == 20_000
    assert "草地贪" in table and table["草地贪"] == 0  # a prefix of a word is present, with 0 unless it is a word
    assert "㐀㐁㐂" not in table
    assert table.get("㐀㐁㐂") is None and table.get("㐀㐁㐂", 1) == 1
    with pytest.raises(KeyError):
        table["㐀㐁㐂"]


def test_a_later_line_replaces_a_words_frequency_and_both_count_in_the_total(tmp_path):
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("苹果 10 n\n苹果树 4 n\n苹果 7 n\n黑斑 3\n", encoding="utf-8")
    tokenizer = segmenter.load({"果树": 2}, path=str(dictionary))
    table = tokenizer.FREQ
    assert (table["苹果"], table["苹果树"], table["黑斑"], table["果树"]) == (7, 4, 3, 2)
    assert (table["苹"], table["黑"], table["果"]) == (0, 0, 0)
    assert tokenizer.total == 10 + 4 + 7 + 3 + 2
    assert len(table) == 7  # 苹 苹果 苹果树 黑 黑斑 果 果树


def test_a_word_added_afterwards_is_found_with_its_prefixes(tmp_path):
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("看 50\n了 50\n麦 5\n", encoding="utf-8")
    tokenizer = segmenter.load(path=str(dictionary))
    assert list(tokenizer.cut("看麦兆了", HMM=False)) == ["看", "麦", "兆", "了"]
    tokenizer.add_word("麦兆堡", freq=9)
    assert tokenizer.FREQ["麦兆堡"] == 9 and tokenizer.FREQ["麦兆"] == 0 and tokenizer.FREQ["麦"] == 5
    assert list(tokenizer.cut("看麦兆堡了", HMM=False)) == ["看", "麦兆堡", "了"]


def test_a_malformed_line_names_its_file_and_line(tmp_path):
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("苹果 10\n黑斑\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        segmenter.load(path=str(dictionary))


def test_an_extra_word_needs_a_positive_frequency():
    with pytest.raises(ValueError):
        segmenter.load({"腐烂病": 0})
