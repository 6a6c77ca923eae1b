from tortoise import fields
from tortoise.models import Model


class Certificate(Model):
    """A 服务基层时长证明 as issued: what it certifies, that content's digest, and the PDF itself.

    The digest covers the canonical JSON of `content` (issuer included), so an unchanged year
    reuses its certificate. The PDF is kept byte for byte with its SHA-256, so an uploaded copy
    can be checked against what was issued.
    """

    id = fields.UUIDField(primary_key=True)
    expert = fields.ForeignKeyField("models.ExpertProfile", related_name="certificates", on_delete=fields.RESTRICT)
    year = fields.IntField()
    content = fields.JSONField()
    digest = fields.CharField(max_length=64)
    issuer = fields.CharField(max_length=100)
    issued_at = fields.DatetimeField()
    pdf = fields.BinaryField()
    pdf_sha256 = fields.CharField(max_length=64, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "certificate"
        unique_together = (("expert", "year", "digest"),)
