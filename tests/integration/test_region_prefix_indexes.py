"""An area's lists read their region-code index, whatever the database's collation (migration 0013).

Admins' lists, queues, exports and the audit trail filter on a region-code prefix. Under a collation
other than C a default B-tree cannot serve `LIKE '230102%'`, and a quiet area's list read the whole
table. These tests use the catalog and the planner, never timings.
"""

from __future__ import annotations

import json

import asyncpg
import pytest

from backend.models import AuditRecord, FollowUp, Order, Visit
from support.migrations import migrate

pytestmark = pytest.mark.postgres

QUIET_AREA = "230102"  # 哈尔滨市道里区: a prefix, as regions.prefix_of() gives for a district admin

# Every index keyed on region_code as a plain column, with the operator class of that column.
REGION_INDEXES = """
SELECT i.relname AS index, t.relname AS tbl, o.opcname AS opclass
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
JOIN LATERAL unnest(x.indkey::int2[], x.indclass::oid[]) AS k(attnum, opclass) ON true
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
JOIN pg_opclass o ON o.oid = k.opclass
WHERE a.attname = 'region_code'
ORDER BY 1
"""


async def _region_indexes(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        return {row["index"]: row["opclass"] for row in await conn.fetch(REGION_INDEXES)}
    finally:
        await conn.close()


async def test_every_region_code_index_can_serve_a_prefix_search(resources, settings):
    found = await _region_indexes(settings.database_url)
    assert len(found) >= 14
    assert {index for index, opclass in found.items() if opclass != "varchar_pattern_ops"} == set(), (
        "a region_code index needs varchar_pattern_ops (see migration 0013) for admins' prefix filters to use it")


def _index_conditions(plan: dict):
    """(index, condition) of every index scan in the plan."""
    if "Index Name" in plan:
        yield plan["Index Name"], plan.get("Index Cond", "")
    for child in plan.get("Plans", []):
        yield from _index_conditions(child)


@pytest.mark.parametrize("model", [AuditRecord, Visit, FollowUp, Order], ids=lambda model: model.__name__)
async def test_an_area_filter_as_the_orm_writes_it_can_read_the_region_index(resources, settings, model):
    sql = model.filter(region_code__startswith=QUIET_AREA).values_list("id", flat=True).sql(params_inline=True)
    assert f"LIKE '{QUIET_AREA}%'" in sql
    conn = await asyncpg.connect(settings.database_url)
    try:
        # Without sequential scans the planner shows whether an index can take the prefix: with the default
        # operator class it could only walk an index whole and filter every row.
        await conn.execute("SET enable_seqscan = off")
        rows = await conn.fetch("EXPLAIN (FORMAT JSON) " + sql)
    finally:
        await conn.close()
    plan = json.loads(rows[0][0])[0]["Plan"]
    scans = list(_index_conditions(plan))
    assert any("~>=~" in condition and "~<~" in condition for _, condition in scans), scans


async def test_0013_rebuilds_the_indexes_and_going_back_restores_the_default_ones(migration_database):
    migrate(migration_database)
    latest = await _region_indexes(migration_database)
    assert set(latest.values()) == {"varchar_pattern_ops"}

    migrate(migration_database, "models.0012_visit_status_index")
    before = await _region_indexes(migration_database)
    assert set(before) == set(latest)
    assert set(before.values()) == {"text_ops"}

    migrate(migration_database)
    assert await _region_indexes(migration_database) == latest
