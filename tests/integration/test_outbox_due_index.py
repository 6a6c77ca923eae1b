"""Migration 0018: the outbox's claim and the metrics scrape read partial indexes, on PostgreSQL.

The SQLite side (the migrated schema matches the models) is in test_migrations.py.
"""

from __future__ import annotations

import importlib
import json
from datetime import datetime, timezone

import pytest
from prometheus_client import REGISTRY
from tortoise import connections
from tortoise.transactions import in_transaction

from backend.models import OutboxMessage
from backend.services import outbox
from backend.services.metrics_scrape import refresh_gauges
from support.migrations import index_names, migrate

pytestmark = pytest.mark.postgres

MIGRATION = importlib.import_module("backend.migrations.0018_outbox_due_index")
DROPPED = {name for *_, name in MIGRATION.DROPPED}


async def test_0018_trades_the_two_indexes_for_the_partial_ones_and_going_back_undoes_it(migration_database):
    migrate(migration_database, "models.0018_outbox_due_index")
    after = await index_names(migration_database, "outbox_message")
    added = {MIGRATION.DUE_INDEX, MIGRATION.DEAD_INDEX}
    assert added <= after and not after & DROPPED

    migrate(migration_database, "models.0017_newest_first_indexes")
    assert await index_names(migration_database, "outbox_message") == after - added | DROPPED

    migrate(migration_database, "models.0018_outbox_due_index")
    assert await index_names(migration_database, "outbox_message") == after


async def _many_sent_some_pending_a_few_dead() -> None:
    await connections.get("default").execute_script("""
        INSERT INTO outbox_message (kind, payload, status, attempts, next_attempt_at, created_at)
        SELECT 'wechat_subscribe', '{}'::jsonb,
               CASE WHEN i % 100 = 0 THEN 'pending' WHEN i % 100 = 1 THEN 'dead' ELSE 'sent' END, 1,
               now() - i * interval '1 second', now()
        FROM generate_series(1, 5000) AS i;
        ANALYZE outbox_message;
    """)


async def test_the_claim_reads_the_due_index_among_many_sent_messages(resources):
    await _many_sent_some_pending_a_few_dead()
    async with in_transaction() as tx:
        sql = outbox.due(datetime.now(timezone.utc), 50, tx).sql(params_inline=True)
        plan = (await tx.execute_query_dict(f"EXPLAIN (FORMAT JSON) {sql}"))[0]["QUERY PLAN"]
        claimed = await outbox.due(datetime.now(timezone.utc), 50, tx)
    assert MIGRATION.DUE_INDEX in json.dumps(plan)
    assert len(claimed) == 50 and {m.status for m in claimed} == {"pending"}


@pytest.mark.parametrize("status, index", [("pending", MIGRATION.DUE_INDEX), ("dead", MIGRATION.DEAD_INDEX)])
async def test_the_scrape_counts_pending_and_dead_messages_from_their_index(resources, status, index):
    await _many_sent_some_pending_a_few_dead()
    count = OutboxMessage.filter(status=status).count().sql(params_inline=True)
    plan = (await connections.get("default").execute_query_dict(f"EXPLAIN (FORMAT JSON) {count}"))[0]["QUERY PLAN"]
    assert index in json.dumps(plan) and "Seq Scan" not in json.dumps(plan)

    await refresh_gauges(resources)
    assert REGISTRY.get_sample_value("zjfw_outbox_messages", {"status": status}) == 50
