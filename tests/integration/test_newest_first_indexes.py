"""Migration 0017 orders four indexes by id after their key, on PostgreSQL, and going back undoes it.

That the expert's list still answers as the ORM's query does, for experts with a long history, is in
test_expert_list_sql.py.
"""

from __future__ import annotations

import importlib
import re

import asyncpg
import pytest

from support.migrations import migrate

pytestmark = pytest.mark.postgres

INDEXES = importlib.import_module("backend.migrations.0017_newest_first_indexes").INDEXES


async def _keys(url: str) -> dict[str, str]:
    """The key columns of each of the migration's indexes, as PostgreSQL describes them."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY($1::text[])",
                                [name for name, *_ in INDEXES])
    finally:
        await conn.close()
    return {row["indexname"]: re.search(r"\((.*)\)", row["indexdef"]).group(1) for row in rows}


async def test_0017_adds_the_id_to_each_key_and_going_back_takes_it_off(migration_database):
    migrate(migration_database, "models.0017_newest_first_indexes")
    assert await _keys(migration_database) == {name: after for name, _, _, after in INDEXES}

    migrate(migration_database, "models.0016_expert_counts")
    assert await _keys(migration_database) == {name: before for name, _, before, _ in INDEXES}

    migrate(migration_database, "models.0017_newest_first_indexes")
    assert await _keys(migration_database) == {name: after for name, _, _, after in INDEXES}


async def test_a_requesters_newest_orders_are_read_in_order_from_the_index(resources, settings):
    """No sort of all their orders: the (requester_id, id) index is walked backwards and stops after a page."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("SET enable_seqscan = off")
        plan = "\n".join(row[0] for row in await conn.fetch(
            "EXPLAIN SELECT id FROM service_order WHERE requester_id = $1 ORDER BY id DESC LIMIT 21", 1))
    finally:
        await conn.close()
    assert "Scan Backward using idx_service_order_requester_id" in plan
    assert "Sort" not in plan
