"""visit.status loses its own index; the admins' queue of flagged visits gets a partial one.

Check-out (visit_store._PG_CHECK_OUT, on a cached generic plan) updates the visit `WHERE id = $1 AND
status = 'open'` and checks that no other visit of the order is still open. Statistics gathered
when few visits were open made "status = 'open'" look like one row, so PostgreSQL read the status
index instead of the primary key and the order's visits: every open visit in the table, twice per
check-out. With 21,000 visits left open on the bench data a check-out cost 10 ms of PostgreSQL,
and a storm of 500 experts checking in and out waited up to 2.7 s. Without the index only the
primary key and visit.order_id remain to choose from. The one list that filters on status alone,
the local admin's flagged visits in an area, reads the partial index instead.
"""

from tortoise import fields, migrations
from tortoise.indexes import PartialIndex
from tortoise.migrations import operations as ops

from backend.migrations._state_only import StateOnlyAlterField

OLD_INDEX = "idx_visit_status_de06cc"


class Migration(migrations.Migration):
    dependencies = [('models', '0011_visit_feedback_settled')]

    initial = False

    operations = [
        StateOnlyAlterField(
            model_name='Visit',
            name='status',
            field=fields.CharField(default='open', max_length=16),
        ),
        ops.RunSQL(
            [f"DROP INDEX IF EXISTS {OLD_INDEX}"],
            reverse_sql=[f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX}" ON "visit" ("status")'],
        ),
        ops.AddIndex(
            model_name='Visit',
            index=PartialIndex(fields=('region_code',), condition={'status': 'flagged'}, name='visit_flagged_region'),
        ),
    ]
