"""jieba's segmenter over its own dictionary, held compactly.

jieba keeps its dictionary as a dict of every word and every prefix of a word
(498,000 keys), about 59 MB in each process that cuts text. Here the same table
is a marisa trie (word → id, about 1 MB) and an array of frequencies indexed
by id (about 2 MB). jieba reads the table only through `in`, `[]` and `get()`,
so its own cutting code runs unchanged on it and cuts the same tokens
(`tests/unit/test_segmenter.py` compares the two on random text); a cut takes
about 1.6 times as long (about 5 µs a character, so under half a millisecond
for the longest query allowed, 100 characters).

Building it reads jieba's dictionary file twice and takes about a second,
peaking about 35 MB above what it keeps. That memory goes back to the system
only when the C library is asked to (`backend.infra.heap`), and fully only if
the build ran on the main thread: `backend/api/search.py` does both.
"""

from __future__ import annotations

import array
import os
from collections.abc import Iterator, Mapping
from itertools import chain

import jieba
import marisa_trie


class Frequencies:
    """Word → frequency, for every word of the dictionary and 0 for each prefix of one that is not a word.

    Words added after loading (jieba's `add_word`) sit in a small dict of their own.
    """

    __slots__ = ("_ids", "_freqs", "_added")

    def __init__(self, ids: marisa_trie.Trie, freqs: array.array):
        self._ids = ids
        self._freqs = freqs
        self._added: dict[str, int] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._added or word in self._ids

    def __getitem__(self, word: str) -> int:
        freq = self.get(word)
        if freq is None:
            raise KeyError(word)
        return freq

    def get(self, word: str, default: int | None = None) -> int | None:
        freq = self._added.get(word)
        if freq is not None:
            return freq
        word_id = self._ids.get(word)
        return default if word_id is None else self._freqs[word_id]

    def __setitem__(self, word: str, freq: int) -> None:
        self._added[word] = freq

    def __len__(self) -> int:
        return len(self._ids) + sum(1 for word in self._added if word not in self._ids)


def _entries(path: str) -> Iterator[tuple[str, int]]:
    """(word, frequency) per line of a jieba dictionary file ("word freq [tag]")."""
    with open(path, "rb") as file:
        for number, line in enumerate(file, 1):
            try:
                word, freq = line.strip().decode("utf-8").split(" ")[:2]
                yield word, int(freq)
            except ValueError:
                raise ValueError(f"invalid dictionary entry in {path} at line {number}: {line!r}") from None


def _keys(path: str, extra_words: Mapping[str, int]) -> Iterator[str]:
    for word in chain((word for word, _ in _entries(path)), extra_words):
        for end in range(1, len(word) + 1):
            yield word[:end]


def load(extra_words: Mapping[str, int] | None = None, path: str | None = None) -> jieba.Tokenizer:
    """A jieba Tokenizer on the compact table of `path` (jieba's own dictionary by default) and `extra_words`.

    The result cuts exactly as a Tokenizer that loaded the same file and was then given each extra word
    with `add_word(word, freq)`: a later line for the same word replaces its frequency, and every line and
    extra word adds to the total.
    """
    extra_words = dict(extra_words or {})
    if any(freq <= 0 for freq in extra_words.values()):
        # jieba gives a word of frequency 0 a meaning of its own (always split it), which this table does not.
        raise ValueError("extra words need a positive frequency")
    path = path or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    tokenizer = jieba.Tokenizer()
    ids = marisa_trie.Trie(_keys(path, extra_words))
    freqs = array.array("I", bytes(array.array("I").itemsize * len(ids)))
    total = 0
    for word, freq in chain(_entries(path), extra_words.items()):
        freqs[ids[word]] = freq
        total += freq
    tokenizer.FREQ = Frequencies(ids, freqs)
    tokenizer.total = total
    # jieba's initialize() would load its own table over this one: the tokenizer counts as loaded.
    tokenizer.initialized = True
    return tokenizer
