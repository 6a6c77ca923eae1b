"""A field change recorded in the migration state only, for migrations that add or drop an index themselves.

Tortoise's AlterField rebuilds the table on SQLite to change a column, and the rebuilt table loses its
other indexes and unique constraints. A migration that only adds or drops an index records the field's new
`db_index` with this operation and changes the index itself with RunSQL, the same on either database.
(Module names starting with "_" are not migrations to Tortoise's loader.)
"""

from tortoise.migrations import operations as ops


class StateOnlyAlterField(ops.AlterField):
    """AlterField without any schema change: the state learns the new field, the database is left alone."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None
