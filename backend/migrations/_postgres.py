"""An operation that runs SQL on PostgreSQL only, for the parts of the schema SQLite does without.

The figure rollups (0008 to 0010, 0015, 0016) and the prefix operator class of 0013 exist on PostgreSQL
alone: SQLite, the embedded default, computes the figures from the source tables. (Module names starting
with "_" are not migrations to Tortoise's loader.)
"""

from tortoise.migrations import operations as ops


def postgres_only(forward_sql: str, backward_sql: str) -> ops.RunPython:
    """RunPython that runs `forward_sql` (and `backward_sql` going back) as one script, on PostgreSQL only."""

    def runner(sql: str):
        async def run(apps, schema_editor) -> None:
            if schema_editor.client.capabilities.dialect == "postgres":
                await schema_editor.client.execute_script(sql)

        return run

    return ops.RunPython(runner(forward_sql), runner(backward_sql))
