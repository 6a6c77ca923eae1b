"""Migration 0014 drops five indexes no query reads, on PostgreSQL, and going back makes them again.

The SQLite side (the migrated schema has no index the models do not describe) is in test_migrations.py.
"""

from __future__ import annotations

import importlib
import json

import asyncpg
import pytest

from support.migrations import index_names, migrate

pytestmark = pytest.mark.postgres

DROPPED = importlib.import_module("backend.migrations.0014_unread_indexes").DROPPED
NAMES = {name for *_, name in DROPPED}


async def test_0014_drops_the_indexes_and_going_back_makes_them_again(migration_database):
    migrate(migration_database, "models.0014_unread_indexes")
    after = await index_names(migration_database)
    assert after & NAMES == set()

    migrate(migration_database, "models.0013_region_prefix_indexes")
    assert await index_names(migration_database) == after | NAMES

    migrate(migration_database, "models.0014_unread_indexes")
    assert await index_names(migration_database) == after


async def test_a_filter_on_order_status_alone_still_reads_an_index(resources, settings):
    """The sweeper's and the queues' `status = …` is served by the (status, region_code) index."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("SET enable_seqscan = off")
        plan = json.loads(await conn.fetchval(
            "EXPLAIN (FORMAT JSON) SELECT id FROM service_order WHERE status = ANY($1::text[])",
            ["submitted", "accepted"]))
    finally:
        await conn.close()
    text = json.dumps(plan)
    assert "idx_service_ord_status_399115" in text
