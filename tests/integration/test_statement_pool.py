"""The hand-written hot statements run on their own pool, whose sessions keep generic plans."""

import pytest
from tortoise import connections

from backend.infra import db, metrics
from backend.services import metrics_scrape

pytestmark = pytest.mark.postgres


async def test_hot_statements_use_generic_plans_and_orm_queries_keep_postgres_choice(resources):
    async with db.raw_connection() as conn:
        assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
    rows = await connections.get("default").execute_query_dict("SHOW plan_cache_mode")
    assert rows[0]["plan_cache_mode"] == "auto"


async def test_the_pool_gauge_counts_the_statement_pool_apart(resources):
    async with db.raw_connection():
        await metrics_scrape.refresh_gauges(resources)
        in_use = metrics.POOL_IN_USE.labels("statements")._value.get()
    assert in_use >= 1
