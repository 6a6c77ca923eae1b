"""Migration 0018: the outbox's claim reads one partial index of the pending messages, on PostgreSQL.

The SQLite side (the migrated schema matches the models) is in test_migrations.py.
"""

from __future__ import annotations

import importlib
import json
from datetime import datetime, timezone

import asyncpg
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.services import outbox
from support.migrations import migrate

pytestmark = pytest.mark.postgres

MIGRATION = importlib.import_module("backend.migrations.0018_outbox_due_index")
DROPPED = {name for *_, name in MIGRATION.DROPPED}


async def _index_names(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        return {row["indexname"] for row in await conn.fetch(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'outbox_message'")}
    finally:
        await conn.close()


async def test_0018_trades_the_two_indexes_for_the_partial_one_and_going_back_undoes_it(migration_database):
    migrate(migration_database, "models.0018_outbox_due_index")
    after = await _index_names(migration_database)
    assert MIGRATION.DUE_INDEX in after and not after & DROPPED

    migrate(migration_database, "models.0017_newest_first_indexes")
    assert await _index_names(migration_database) == after - {MIGRATION.DUE_INDEX} | DROPPED

    migrate(migration_database, "models.0018_outbox_due_index")
    assert await _index_names(migration_database) == after


async def test_the_claim_reads_the_due_index_among_many_sent_messages(resources):
    conn = connections.get("default")
    await conn.execute_script("""
        INSERT INTO outbox_message (kind, payload, status, attempts, next_attempt_at, created_at)
        SELECT 'wechat_subscribe', '{}'::jsonb, CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'sent' END, 1,
               now() - i * interval '1 second', now()
        FROM generate_series(1, 5000) AS i;
        ANALYZE outbox_message;
    """)
    async with in_transaction() as tx:
        sql = outbox.due(datetime.now(timezone.utc), 50, tx).sql(params_inline=True)
        plan = (await tx.execute_query_dict(f"EXPLAIN (FORMAT JSON) {sql}"))[0]["QUERY PLAN"]
        claimed = await outbox.due(datetime.now(timezone.utc), 50, tx)
    assert MIGRATION.DUE_INDEX in json.dumps(plan)
    assert len(claimed) == 50 and {m.status for m in claimed} == {"pending"}
