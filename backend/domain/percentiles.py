"""PostgreSQL's percentile_cont, over float8 samples packed by float8send (big-endian, 8 bytes each).

percentile_cont(p) WITHIN GROUP (ORDER BY v) over n values takes the values at 0-based ranks
⌊p·(n−1)⌋ and ⌈p·(n−1)⌉ in ascending order and interpolates: lo + frac·(hi − lo), with frac the
fractional part of p·(n−1). The same float operations in the same order give the same float8, so
the answers equal PostgreSQL's to the last bit. Only the ranks asked for are put in place
(numpy's introselect, linear time), not the whole array sorted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

PACKED = np.dtype(">f8")


def unpack(parts: Iterable[bytes]) -> np.ndarray:
    """The float8 values of packed parts, in native byte order."""
    return np.frombuffer(b"".join(parts), dtype=PACKED).astype(np.float64)


def percentile_cont(values: np.ndarray, fractions: Sequence[float]) -> list[float]:
    """percentile_cont at each fraction (0 ≤ f ≤ 1) of a non-empty array. The array is not changed."""
    n = len(values)
    if n == 0:
        raise ValueError("percentile_cont needs at least one value")
    positions = [fraction * (n - 1) for fraction in fractions]
    ranks = sorted({rank for position in positions for rank in (math.floor(position), math.ceil(position))})
    placed = np.partition(values, ranks)
    answers = []
    for position in positions:
        low = math.floor(position)
        lo, hi = float(placed[low]), float(placed[math.ceil(position)])
        answers.append(lo + (position - low) * (hi - lo))
    return answers
