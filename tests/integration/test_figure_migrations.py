"""Migration 0010 takes the unread turnaround cells out of the figure rollups, and going back restores them;
migration 0015 adds the packed turnaround samples and 0016 the expert counts, and going back takes them out again.

Each step runs `migrate` in a child process on a database of its own, as `python -m backend migrate`
would, then checks what PostgreSQL holds and that every path of the fold still runs.
"""

from __future__ import annotations

import asyncpg
import pytest

from support.migrations import migrate

pytestmark = pytest.mark.postgres

TABLE = "figure_turnaround_cell"
SAMPLES = "figure_turnaround_sample"
UNUSED = ("figure_apply_orders", "figure_mark_presence", "figure_apply_visits", "figure_apply_ledger",
          "figure_refresh_presence", "figure_refresh_visit_presence", "figure_count_day",
          "figure_refresh_expert_day", "figure_refresh_ledger_days")


async def state(url: str) -> dict:
    """What the rollups look like, after running every path of the fold and a rebuild."""
    conn = await asyncpg.connect(url)
    try:
        # One queued key of each kind, so the fold runs every recount it has.
        await conn.execute("""
            INSERT INTO figure_dirty (kind, county, expert_id, day) VALUES
                ('o', '230102', NULL, current_date), ('v', '230102', NULL, current_date),
                ('l', '230102', NULL, current_date), ('p', NULL, 1, current_date), ('e', NULL, 1, current_date)""")
        await conn.execute("SELECT figure_rollup_fold()")
        await conn.execute("SELECT figure_rollup_rebuild()")
        return {
            "table": await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", TABLE),
            "indexes": await conn.fetchval("SELECT count(*) FROM pg_indexes WHERE tablename = $1", TABLE),
            "readers": sorted(await conn.fetchval(
                "SELECT coalesce(array_agg(proname::text), '{}') FROM pg_proc WHERE prosrc LIKE '%' || $1 || '%'",
                TABLE)),
            "unused": sorted(await conn.fetchval(
                "SELECT coalesce(array_agg(proname::text), '{}') FROM pg_proc WHERE proname = ANY($1::text[])",
                list(UNUSED))),
            "trigger": await conn.fetchval(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'figure_service_order_queue_update'"),
            "queued": await conn.fetchval("SELECT count(*) FROM figure_dirty"),
            "samples": await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", SAMPLES),
            "sample_readers": sorted(await conn.fetchval(
                "SELECT coalesce(array_agg(proname::text), '{}') FROM pg_proc WHERE prosrc LIKE '%' || $1 || '%'",
                SAMPLES)),
            "fold_refreshes_samples": await conn.fetchval(
                "SELECT prosrc LIKE '%figure_turnaround_refresh(o_counties, o_days)%' FROM pg_proc "
                "WHERE proname = 'figure_rollup_fold'"),
            "counts": await conn.fetchval("SELECT to_regclass('figure_expert_count') IS NOT NULL"),
            "count_triggers": await conn.fetchval(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'figure_expert_presence'::regclass "
                "AND NOT tgisinternal"),
            "rebuild_rebuilds_counts": await conn.fetchval(
                "SELECT prosrc LIKE '%figure_expert_count_rebuild()%' FROM pg_proc WHERE proname = 'figure_rollup_rebuild'"),
            "rebuild_rebuilds_samples": await conn.fetchval(
                "SELECT prosrc LIKE '%figure_turnaround_rebuild()%' FROM pg_proc WHERE proname = 'figure_rollup_rebuild'"),
        }
    finally:
        await conn.close()


async def test_0010_drops_the_turnaround_cells_and_going_back_restores_them(migration_database):
    migrate(migration_database, "models.0010_drop_turnaround_cells")
    latest = await state(migration_database)
    assert latest["table"] is False
    assert latest["readers"] == []
    assert latest["unused"] == []
    assert "first_visit_at" not in latest["trigger"] and "status" in latest["trigger"]
    assert latest["queued"] == 0

    migrate(migration_database, "models.0009_figure_queue")
    before = await state(migration_database)
    assert before["table"] is True and before["indexes"] == 3
    assert before["readers"] == sorted(["figure_apply_orders", "figure_rollup_fold", "figure_rollup_merge",
                                        "figure_rollup_recompute"])
    assert before["unused"] == sorted(UNUSED)
    assert "first_visit_at" in before["trigger"]
    assert before["queued"] == 0

    migrate(migration_database, "models.0010_drop_turnaround_cells")
    assert await state(migration_database) == latest


async def test_0015_and_0016_add_samples_and_counts_and_going_back_takes_them_out(migration_database):
    migrate(migration_database)
    latest = await state(migration_database)
    assert latest["samples"] is True
    assert latest["sample_readers"] == ["figure_turnaround_rebuild", "figure_turnaround_refresh"]
    assert latest["fold_refreshes_samples"] is True and latest["rebuild_rebuilds_samples"] is True
    assert latest["counts"] is True and latest["count_triggers"] == 2 and latest["rebuild_rebuilds_counts"] is True
    # A change of accepted_at, dispatched_at or first_visit_at alone queues the order's cell again.
    assert "first_visit_at" in latest["trigger"] and "accepted_at" in latest["trigger"]
    assert latest["queued"] == 0

    migrate(migration_database, "models.0015_turnaround_samples")
    samples_only = await state(migration_database)
    assert samples_only["counts"] is False and samples_only["count_triggers"] == 0
    assert samples_only["rebuild_rebuilds_counts"] is False and samples_only["rebuild_rebuilds_samples"] is True

    migrate(migration_database, "models.0014_unread_indexes")
    before = await state(migration_database)
    assert before["samples"] is False and before["sample_readers"] == []
    assert before["fold_refreshes_samples"] is False and before["rebuild_rebuilds_samples"] is False
    assert "first_visit_at" not in before["trigger"]

    migrate(migration_database)
    assert await state(migration_database) == latest
