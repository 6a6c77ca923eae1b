"""Five indexes no query reads are dropped: each cost every write of its table.

- audit_record.actor_id, .action and .created_at: the trail is read by area (region_code), by subject
  (subject_id) and by id (the trail's and the search index's cursors), never by these. Check-in, check-out,
  placing an order and every other step of the core loop write an audit record.
- service_order.status: the (status, region_code) index leads with status and serves filters on status
  alone. Placing an order inserts a row and every step of the loop changes its status.
- notification.created_at: the message centre reads a person's entries by user_id, newest first by id.
  Placing an order writes one for each local admin of the village.

The names are those Tortoise gave the indexes on either database; reversing makes them again.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from backend.migrations._state_only import StateOnlyAlterField

# (model, field as it is now, table, column, index name)
DROPPED = (
    ("AuditRecord", fields.BigIntField(null=True), "audit_record", "actor_id", "idx_audit_recor_actor_i_ed24c1"),
    ("AuditRecord", fields.CharField(max_length=48), "audit_record", "action", "idx_audit_recor_action_b08f8b"),
    ("AuditRecord", fields.DatetimeField(auto_now_add=True), "audit_record", "created_at",
     "idx_audit_recor_created_166782"),
    ("Order", fields.CharField(default='submitted', max_length=16), "service_order", "status",
     "idx_service_ord_status_5b6f9c"),
    ("Notification", fields.DatetimeField(auto_now_add=True), "notification", "created_at",
     "idx_notificatio_created_0db009"),
)


class Migration(migrations.Migration):
    dependencies = [('models', '0013_region_prefix_indexes')]

    initial = False

    operations = [
        *(StateOnlyAlterField(model_name=model, name=column, field=field) for model, field, _, column, _ in DROPPED),
        ops.RunSQL(
            [f'DROP INDEX IF EXISTS "{name}"' for *_, name in DROPPED],
            reverse_sql=[f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
                         for _, _, table, column, name in DROPPED],
        ),
    ]
