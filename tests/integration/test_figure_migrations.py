"""Migration 0010 takes the unread turnaround cells out of the figure rollups, and going back restores them.

Each step runs `migrate` in a child process on a database of its own, as `python -m backend migrate`
would, then checks what PostgreSQL holds and that every path of the fold still runs.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
TABLE = "figure_turnaround_cell"
UNUSED = ("figure_apply_orders", "figure_mark_presence", "figure_apply_visits", "figure_apply_ledger",
          "figure_refresh_presence", "figure_refresh_visit_presence", "figure_count_day",
          "figure_refresh_expert_day", "figure_refresh_ledger_days")


def _url(database: str) -> str:
    return urlunsplit(urlsplit(os.environ["TEST_DATABASE_URL"])._replace(path=f"/{database}"))


def migrate(url: str, target: str | None = None) -> None:
    code = f"""
        import asyncio
        from tortoise.migrations.api.migrate import migrate
        from backend.config import Settings
        from backend.infra.db import tortoise_config

        asyncio.run(migrate(config=tortoise_config(Settings.from_env()), target={target!r}))
    """
    env = {"DATABASE_URL": url, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT, timeout=180,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture
async def database():
    name = f"zjfw_migrations_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(_url("postgres"))
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield _url(name)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


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
        }
    finally:
        await conn.close()


async def test_0010_drops_the_turnaround_cells_and_going_back_restores_them(database):
    migrate(database)
    latest = await state(database)
    assert latest["table"] is False
    assert latest["readers"] == []
    assert latest["unused"] == []
    assert "first_visit_at" not in latest["trigger"] and "status" in latest["trigger"]
    assert latest["queued"] == 0

    migrate(database, "models.0009_figure_queue")
    before = await state(database)
    assert before["table"] is True and before["indexes"] == 3
    assert before["readers"] == sorted(["figure_apply_orders", "figure_rollup_fold", "figure_rollup_merge",
                                        "figure_rollup_recompute"])
    assert before["unused"] == sorted(UNUSED)
    assert "first_visit_at" in before["trigger"]
    assert before["queued"] == 0

    migrate(database)
    assert await state(database) == latest
