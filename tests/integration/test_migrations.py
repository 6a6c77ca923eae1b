"""The migrations build the schema the models describe: every index and unique constraint and no other, on SQLite too.

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
    # And no index the models no longer describe: one left behind would still cost every write.
    extra = {table: from_migrations[table] - from_models[table] for table in from_models
             if from_migrations[table] - from_models[table]}
    assert extra == {}


def test_the_migrations_describe_the_models_as_they_are(tmp_path):
    """Tortoise's makemigrations finds nothing to add: no model change lacks its migration."""
    run("""
        import asyncio
        from tortoise.cli.cli import tortoise_cli_context
        from tortoise.migrations.autodetector import MigrationAutodetector
        from backend.config import Settings
        from backend.infra.db import tortoise_config

        async def main():
            config = tortoise_config(Settings.from_env())
            async with tortoise_cli_context(config) as ctx:
                writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
            pending = [(op.model_name, getattr(op, "name", "")) for w in writers for op in w.operations]
            assert not pending, f"models changed without a migration: {pending}"

        asyncio.run(main())
    """, tmp_path / "detect.sqlite3")


def test_migration_0011_settles_the_visits_already_rated_followed_up_or_rejected(tmp_path):
    database = tmp_path / "settle.sqlite3"
    migrate_to = """
        import asyncio
        from tortoise import Tortoise
        from tortoise.migrations.api.migrate import migrate
        from backend.config import Settings
        from backend.infra.db import tortoise_config

        async def main():
            try:
                await migrate(config=tortoise_config(Settings.from_env()), target={target!r})
            finally:
                await Tortoise.close_connections()  # aiosqlite's thread would keep the process alive

        asyncio.run(main())
    """
    run(migrate_to.format(target="models.0010_drop_turnaround_cells"), database)
    before = indexes(database)["visit"]
    connection = sqlite3.connect(database)
    at = "2026-11-02 09:00:00+08:00"
    # Foreign keys are not enforced on this plain connection: the visits need no orders or experts here.
    for visit_id, status in ((1, "completed"), (2, "completed"), (3, "rejected"), (4, "completed"), (5, "open")):
        connection.execute(
            "INSERT INTO visit (id, order_id, expert_id, source, status, check_in_at, check_out_at, check_in_code,"
            " flags, region_code, created_at) VALUES (?, 1, 1, 'scan', ?, ?, ?, ?, '[]', '230102', ?)",
            (visit_id, status, at, None if status == "open" else at, f"code-{visit_id}", at))
    connection.execute(
        "INSERT INTO rating (visit_id, order_id, rater_id, overall, attitude, expertise, solved, comment, photo_ids,"
        " region_code, expert_id, editable_until, created_at, updated_at)"
        " VALUES (1, 1, 1, 5, 5, 5, 'solved', '', '[]', '230102', 1, ?, ?, ?)", (at, at, at))
    connection.execute("INSERT INTO follow_up (visit_id, order_id, region_code, reason, status, created_at)"
                       " VALUES (2, 1, '230102', 'no_rating', 'open', ?)", (at,))
    connection.commit()
    connection.close()

    run(migrate_to.format(target=None), database)
    connection = sqlite3.connect(database)
    settled = dict(connection.execute("SELECT id, feedback_settled FROM visit ORDER BY id"))
    index = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'visit_feedback_unsettled'").fetchone()
    connection.close()
    assert settled == {1: 1, 2: 1, 3: 1, 4: 0, 5: 0}
    assert "WHERE feedback_settled = false" in index[0]

    run(migrate_to.format(target="models.0010_drop_turnaround_cells"), database)
    connection = sqlite3.connect(database)
    columns = [row[1] for row in connection.execute('PRAGMA table_info("visit")')]
    connection.close()
    assert "feedback_settled" not in columns and len(columns) > 20
    # Dropped in place: the visit table keeps every other index and unique constraint.
    assert indexes(database)["visit"] == before
