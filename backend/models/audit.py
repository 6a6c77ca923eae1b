from tortoise import fields
from tortoise.models import Model


class AuditRecord(Model):
    """Append-only record of a state change or an admin action, never updated or deleted."""

    # Read by area, by subject and by id only, so those are its only indexes: every step of the core loop
    # writes a record, and each index more is paid on each of them (migration 0014).

    id = fields.BigIntField(primary_key=True)
    actor_id = fields.BigIntField(null=True)
    actor_role = fields.CharField(max_length=16, null=True)
    action = fields.CharField(max_length=48)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.CharField(max_length=64, db_index=True)
    # Region the subject belongs to, so admins read only their own area's trail.
    region_code = fields.CharField(max_length=12, null=True, db_index=True)
    from_state = fields.CharField(max_length=32, null=True)
    to_state = fields.CharField(max_length=32, null=True)
    reason = fields.TextField(null=True)
    detail = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_record"
