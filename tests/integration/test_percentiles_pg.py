"""The packed-sample percentiles equal PostgreSQL's percentile_cont to the last bit."""

from __future__ import annotations

import pytest
from tortoise import connections

from backend.domain.percentiles import percentile_cont, unpack

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("count", [1, 2, 7, 1000, 4097])
async def test_selection_over_float8send_matches_percentile_cont(resources, count):
    rows = await connections.get("default").execute_query_dict(f"""
        WITH v AS (
            SELECT date_part('epoch', interval '1 second' * (random() * 900000)::int
                                      + interval '1 microsecond' * (random() * 999999)::int) / 3600.0 AS h
            FROM generate_series(1, {count}))
        SELECT string_agg(float8send(h), ''::bytea) AS packed,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY h) AS median,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY h) AS p90,
               percentile_cont(0.25) WITHIN GROUP (ORDER BY h) AS p25
        FROM v""")
    row = rows[0]
    median, p90, p25 = percentile_cont(unpack([row["packed"]]), [0.5, 0.9, 0.25])
    assert (median, p90, p25) == (row["median"], row["p90"], row["p25"])
