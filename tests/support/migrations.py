"""Migrations as `python -m backend migrate` runs them: in a child process, on a database of their own."""

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

ROOT = Path(__file__).resolve().parents[2]


def database_url(database: str) -> str:
    """TEST_DATABASE_URL's server, another database."""
    return urlunsplit(urlsplit(os.environ["TEST_DATABASE_URL"])._replace(path=f"/{database}"))


def migrate(url: str, target: str | None = None) -> None:
    """Migrate the database at `url` forward to the latest migration, or forward or back to `target`."""
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
async def migration_database():
    """An empty database on the test server, dropped afterwards; yields its URL."""
    name = f"zjfw_migrations_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database_url("postgres"))
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url(name)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def index_names(url: str, table: str | None = None) -> set[str]:
    """The names of the indexes in the database at `url` (of one table when `table` is given)."""
    conn = await asyncpg.connect(url)
    try:
        return {row["indexname"] for row in await conn.fetch(
            "SELECT indexname FROM pg_indexes"
            " WHERE schemaname = current_schema() AND ($1::text IS NULL OR tablename = $1)", table)}
    finally:
        await conn.close()
