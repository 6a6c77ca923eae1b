"""Chinese text as search tokens: jieba's search-mode cut, agricultural terms, IDF weights.

Pure apart from jieba's dictionary, which loads once per process (about a
second, into the compact table of `segmenter`): call `await ready()` before
the first cut in async code so the load runs off the event loop. `tokens()`
falls back to loading synchronously.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading

import jieba

from backend.domain import segmenter

# Terms jieba's general dictionary splits or misses; kept whole so a query for
# 「腐烂病」 does not match every 「病」. cut_for_search still emits their parts.
AGRICULTURAL_TERMS = (
    "腐烂病", "黑斑病", "黑星病", "轮纹病", "炭疽病", "白粉病", "霜霉病", "灰霉病", "根腐病", "立枯病", "稻瘟病",
    "纹枯病", "恶苗病", "赤霉病", "锈病", "枯萎病", "青枯病", "病毒病", "疫病", "食心虫", "蚜虫", "红蜘蛛",
    "玉米螟", "草地贪夜蛾", "水稻育秧", "育秧", "壮秧", "插秧", "大棚育秧", "测土配方", "配方施肥", "水肥一体化",
    "秸秆还田", "黑土地保护", "带状复合种植", "合理密植", "黑木耳", "食用菌", "菌包", "设施蔬菜", "温室大棚",
    "果树修剪", "疏花疏果", "嫁接", "非洲猪瘟", "猪瘟", "口蹄疫", "禽流感", "乳房炎", "犊牛", "羔羊", "人工授精",
    "青贮", "全混合日粮", "饲料配方", "规模化养殖", "生物安全", "冷链物流", "农产品加工", "电商直播", "农村电商",
    "品牌营销", "乡村旅游", "中药材", "人参", "五味子", "寒地水稻", "鲜食玉米", "蓝莓", "榛子", "苹果树",
)

# Function words and chatter common to every order; they only add noise.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 有 没 没有 也 都 就 要 想 请 来 去 把 被 给 让 对 从 向 这 那 这个 那个 一个 一些 "
    "我 我们 你 您 他 她 它 他们 自己 什么 怎么 如何 为什么 还是 但是 而且 因为 所以 如果 可以 能 能够 需要 希望 "
    "帮助 帮忙 看看 看 一下 问题 情况 现在 目前 今年 去年 已经 比较 非常 很 太 最 更 不 不能 不会 个 些 里 上 下 中 "
    "专家 请问 谢谢 麻烦".split()
)

_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
_init_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def load() -> None:
    """Load jieba's dictionary on this thread, once per process."""
    global _tokenizer
    with _init_lock:
        if _tokenizer is not None:
            return
        jieba.setLogLevel(60)
        _tokenizer = segmenter.load(dict.fromkeys(AGRICULTURAL_TERMS, 20_000))


async def ready() -> None:
    """Load jieba's dictionary in a worker thread, once per process."""
    if _tokenizer is not None:
        return
    await asyncio.to_thread(load)


def tokens(text: str) -> list[str]:
    """Search tokens of `text` in order of appearance, repeats kept, stopwords and punctuation dropped."""
    if _tokenizer is None:
        load()
    result = []
    for piece in _tokenizer.cut_for_search(text.lower()):
        piece = piece.strip()
        if not piece or piece in STOPWORDS or not _WORD.fullmatch(piece):
            continue
        if len(piece) > 32:
            continue
        result.append(piece)
    return result


def term_counts(text: str) -> dict[str, int]:
    """How often each token occurs in `text`."""
    counts: dict[str, int] = {}
    for token in tokens(text):
        counts[token] = counts.get(token, 0) + 1
    return counts


def query_terms(text: str, limit: int = 16) -> list[str]:
    """The distinct tokens of a query, in order, at most `limit` of them."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        seen.setdefault(token, None)
    return list(seen)[:limit]


def idf(document_count: int, document_frequency: int) -> float:
    """Smoothed inverse document frequency: rare terms weigh more, none weighs zero or less."""
    return math.log((document_count + 1) / (document_frequency + 1)) + 1.0


def term_weights(terms: list[str], document_count: int, frequencies: dict[str, int]) -> dict[str, float]:
    """IDF weight of each term in a corpus of `document_count` documents."""
    return {term: round(idf(document_count, frequencies.get(term, 0)), 4) for term in terms}
