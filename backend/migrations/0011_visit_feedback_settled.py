"""visit.feedback_settled: whether a visit is done with the rating sweep, and an index of those that are not.

The rating sweep (feedback.sweep_ratings) looks for checked-out visits with neither a rating nor a
follow-up: after a day it reminds the requester, after a week it opens a follow-up. It read every
visit ever checked out to find them; on the bench's million visits each of its two queries took
1–2 s and found nothing. A visit once rated, followed up or rejected stays so, and the sweep now
marks it settled; the partial index holds only the others, so the sweep reads the last week's visits.

Existing visits are settled here by the same rule the sweep uses, before the index is built. That
rewrites most of the table once: 33 s for the bench's million visits, then 0.3 s for the index.
"""

from tortoise import fields, migrations
from tortoise.indexes import PartialIndex
from tortoise.migrations import operations as ops

SETTLE = """
UPDATE visit SET feedback_settled = TRUE
WHERE feedback_settled = FALSE
  AND (status = 'rejected'
       OR EXISTS (SELECT 1 FROM rating r WHERE r.visit_id = visit.id)
       OR EXISTS (SELECT 1 FROM follow_up f WHERE f.visit_id = visit.id))
"""


class DroppedInPlaceAddField(ops.AddField):
    """Going back drops the column in place.

    Tortoise's SQLite editor would rebuild the table to remove it, which drops the table's other
    indexes and unique constraints; SQLite has dropped a column in place since 3.35.
    """

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor:
            await state_editor.client.execute_script(f"ALTER TABLE visit DROP COLUMN {self.name}")


async def settle_existing(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(SETTLE)


async def nothing_to_undo(apps, schema_editor) -> None:
    """The column goes with the step before."""


class Migration(migrations.Migration):
    dependencies = [('models', '0010_drop_turnaround_cells')]

    initial = False

    operations = [
        DroppedInPlaceAddField(
            model_name='Visit',
            name='feedback_settled',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunPython(settle_existing, nothing_to_undo),
        ops.AddIndex(
            model_name='Visit',
            index=PartialIndex(fields=('check_out_at',), condition={'feedback_settled': False},
                               name='visit_feedback_unsettled'),
        ),
    ]
