from tortoise import fields
from tortoise.models import Model


class ImportJob(Model):
    """A bulk import of the 专家库 from an office's Excel roster, checked in full before anything is written."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharField(max_length=16, default="experts")
    # The admin who started it, None when run from the command line.
    created_by_id = fields.BigIntField(null=True, db_index=True)
    created_by_role = fields.CharField(max_length=16, null=True)
    # The area the roster may cover: the starter's own area, or --region on the command line.
    region_code = fields.CharField(max_length=12, db_index=True)
    filename = fields.CharField(max_length=200, default="")
    # queued, validating, importing, done, failed
    status = fields.CharField(max_length=16, default="queued", db_index=True)
    total_rows = fields.IntField(default=0)
    processed_rows = fields.IntField(default=0)
    # [{"row", "column", "message", "text"}], at most a few hundred, error_count has them all.
    errors = fields.JSONField(default=list)
    error_count = fields.IntField(default=0)
    message = fields.CharField(max_length=200, null=True)
    created_count = fields.IntField(default=0)
    updated_count = fields.IntField(default=0)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "import_job"
