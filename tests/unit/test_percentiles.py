"""percentile_cont over packed float8 samples, checked against values worked out by hand."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from backend.domain.percentiles import percentile_cont, unpack


def packed(*values: float) -> bytes:
    return b"".join(struct.pack(">d", value) for value in values)


def test_unpack_reads_big_endian_float8_across_parts():
    values = unpack([packed(1.5, -2.25), b"", packed(1e-9)])
    assert values.dtype == np.float64
    assert values.tolist() == [1.5, -2.25, 1e-9]


def test_the_median_of_an_even_count_lies_halfway_and_p90_interpolates():
    # Ranks 0..3 hold 1, 2, 3, 4: the median at 1.5 → 2.5; p90 at 0.9 × 3 = 2.7 → 3 + 0.7 × (4 − 3).
    median, p90 = percentile_cont(np.array([4.0, 1.0, 3.0, 2.0]), [0.5, 0.9])
    assert median == 2.5
    assert p90 == 3.0 + 0.7 * 1.0


def test_an_exact_rank_needs_no_interpolation():
    # Five values: the median is rank 2, p90 is at 3.6 between 40 and 1000.
    median, p90 = percentile_cont(np.array([1000.0, 10.0, 30.0, 20.0, 40.0]), [0.5, 0.9])
    assert median == 30.0
    assert p90 == 40.0 + (0.9 * 4 - 3) * 960.0


def test_one_value_is_every_percentile_and_ties_stay_ties():
    assert percentile_cont(np.array([7.25]), [0.0, 0.5, 0.9, 1.0]) == [7.25] * 4
    assert percentile_cont(np.array([3.0, 3.0, 3.0, 9.0]), [0.5]) == [3.0]


def test_the_callers_array_is_left_as_it_was():
    values = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    percentile_cont(values, [0.5, 0.9])
    assert values.tolist() == [5.0, 1.0, 4.0, 2.0, 3.0]


def test_no_values_is_an_error_not_a_made_up_answer():
    with pytest.raises(ValueError):
        percentile_cont(np.array([], dtype=np.float64), [0.5])
