"""The migrations build the schema the models describe: every index and unique constraint, on SQLite too.

Tortoise's SQLite schema editor rebuilds a table to alter a column and, in
doing so, drops the table's other indexes and unique constraints. This test
compares the migrated schema with one generated straight from the models.
"""

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def indexes(path: Path) -> dict[str, set[tuple[bool, tuple[str, ...]]]]:
    """Per table: (unique?, columns) of every index, whatever it is named."""
    connection = sqlite3.connect(path)
    result: dict[str, set] = {}
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        if table.startswith("sqlite_") or table == "tortoise_migrations":
            continue
        found = set()
        for _, name, unique, *_ in connection.execute(f'PRAGMA index_list("{table}")'):
            columns = tuple(row[2] for row in connection.execute(f'PRAGMA index_info("{name}")'))
            found.add((bool(unique), columns))
        result[table] = found
    connection.close()
    return result


def run(code: str, database: Path) -> None:
    env = {"DATABASE_URL": f"sqlite://{database}", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT, check=True, timeout=120,
                   capture_output=True)


def test_migrated_sqlite_schema_has_every_index_and_unique_constraint_of_the_models(tmp_path):
    migrated, generated = tmp_path / "migrated.sqlite3", tmp_path / "generated.sqlite3"
    run("from backend.__main__ import main; main(['migrate'])", migrated)
    run("""
        import asyncio
        from tortoise import Tortoise
        from backend.config import Settings
        from backend.infra.db import tortoise_config

        async def build():
            await Tortoise.init(config=tortoise_config(Settings.from_env()))
            await Tortoise.generate_schemas()
            await Tortoise.close_connections()

        asyncio.run(build())
    """, generated)
    from_migrations, from_models = indexes(migrated), indexes(generated)
    assert from_migrations.keys() == from_models.keys()
    missing = {table: from_models[table] - from_migrations[table] for table in from_models
               if from_models[table] - from_migrations[table]}
    assert missing == {}
