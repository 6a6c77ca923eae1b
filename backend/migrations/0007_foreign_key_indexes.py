"""Indexes on the foreign keys that had none; each recorded state-only, the index made by RunSQL (see _state_only)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

from backend.migrations._state_only import StateOnlyAlterField


class Migration(migrations.Migration):
    dependencies = [('models', '0006_libraries')]

    initial = False

    operations = [
        StateOnlyAlterField(
            model_name='FollowUp',
            name='order',
            field=fields.ForeignKeyField('models.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.CASCADE),
        ),
        StateOnlyAlterField(
            model_name='LedgerEntry',
            name='visit',
            field=fields.ForeignKeyField('models.Visit', source_field='visit_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='ledger_entries', on_delete=OnDelete.RESTRICT),
        ),
        StateOnlyAlterField(
            model_name='Order',
            name='expert',
            field=fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='dispatched_orders', on_delete=OnDelete.SET_NULL),
        ),
        StateOnlyAlterField(
            model_name='Order',
            name='requester',
            field=fields.ForeignKeyField('models.User', source_field='requester_id', db_index=True, db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.RESTRICT),
        ),
        StateOnlyAlterField(
            model_name='Order',
            name='team',
            field=fields.ForeignKeyField('models.ServiceTeam', source_field='team_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.SET_NULL),
        ),
        StateOnlyAlterField(
            model_name='OrderAssignee',
            name='expert',
            field=fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_index=True, db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.RESTRICT),
        ),
        StateOnlyAlterField(
            model_name='OrderItem',
            name='order',
            field=fields.ForeignKeyField('models.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE),
        ),
        StateOnlyAlterField(
            model_name='Rating',
            name='order',
            field=fields.ForeignKeyField('models.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE),
        ),
        StateOnlyAlterField(
            model_name='Rating',
            name='rater',
            field=fields.ForeignKeyField('models.User', source_field='rater_id', db_index=True, db_constraint=True, to_field='id', related_name='ratings_given', on_delete=OnDelete.RESTRICT),
        ),
        StateOnlyAlterField(
            model_name='TeamMember',
            name='expert',
            field=fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_index=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE),
        ),
        StateOnlyAlterField(
            model_name='Visit',
            name='expert',
            field=fields.ForeignKeyField('models.ExpertProfile', source_field='expert_id', db_index=True, db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.RESTRICT),
        ),
        StateOnlyAlterField(
            model_name='Visit',
            name='order',
            field=fields.ForeignKeyField('models.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='visits', on_delete=OnDelete.RESTRICT),
        ),
        ops.RunSQL(
            [
            "CREATE INDEX IF NOT EXISTS idx_follow_up_order_id ON follow_up (order_id)",
            "CREATE INDEX IF NOT EXISTS idx_ledger_entry_visit_id ON ledger_entry (visit_id)",
            "CREATE INDEX IF NOT EXISTS idx_service_order_expert_id ON service_order (expert_id)",
            "CREATE INDEX IF NOT EXISTS idx_service_order_requester_id ON service_order (requester_id)",
            "CREATE INDEX IF NOT EXISTS idx_service_order_team_id ON service_order (team_id)",
            "CREATE INDEX IF NOT EXISTS idx_order_assignee_expert_id ON order_assignee (expert_id)",
            "CREATE INDEX IF NOT EXISTS idx_order_item_order_id ON order_item (order_id)",
            "CREATE INDEX IF NOT EXISTS idx_rating_order_id ON rating (order_id)",
            "CREATE INDEX IF NOT EXISTS idx_rating_rater_id ON rating (rater_id)",
            "CREATE INDEX IF NOT EXISTS idx_team_member_expert_id ON team_member (expert_id)",
            "CREATE INDEX IF NOT EXISTS idx_visit_expert_id ON visit (expert_id)",
            "CREATE INDEX IF NOT EXISTS idx_visit_order_id ON visit (order_id)",
            ],
            reverse_sql=[
            "DROP INDEX IF EXISTS idx_follow_up_order_id",
            "DROP INDEX IF EXISTS idx_ledger_entry_visit_id",
            "DROP INDEX IF EXISTS idx_service_order_expert_id",
            "DROP INDEX IF EXISTS idx_service_order_requester_id",
            "DROP INDEX IF EXISTS idx_service_order_team_id",
            "DROP INDEX IF EXISTS idx_order_assignee_expert_id",
            "DROP INDEX IF EXISTS idx_order_item_order_id",
            "DROP INDEX IF EXISTS idx_rating_order_id",
            "DROP INDEX IF EXISTS idx_rating_rater_id",
            "DROP INDEX IF EXISTS idx_team_member_expert_id",
            "DROP INDEX IF EXISTS idx_visit_expert_id",
            "DROP INDEX IF EXISTS idx_visit_order_id",
            ],
        ),
    ]
