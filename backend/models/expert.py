from tortoise import fields
from tortoise.models import Model


class ExpertProfile(Model):
    """An expert in the 专家库: what they know, where they are, whether an admin verified them."""

    id = fields.BigIntField(primary_key=True)
    user = fields.OneToOneField("models.User", related_name="expert_profile", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=32)
    gender = fields.CharField(max_length=8, default="")
    title = fields.CharField(max_length=32, description="职称，如 高级农艺师")
    # senior (正高级), associate_senior (副高级), intermediate (中级)
    title_level = fields.CharField(max_length=24, db_index=True)
    field = fields.CharField(max_length=32, db_index=True, description="主要领域，对应服务菜单分类")
    specialties = fields.JSONField(default=list)
    employer = fields.CharField(max_length=100, default="")
    region_code = fields.CharField(max_length=12, db_index=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    service_radius_km = fields.FloatField(default=100.0)
    honours = fields.JSONField(default=list)
    retired = fields.BooleanField(default=False)
    available = fields.BooleanField(default=True)
    # pending, verified, rejected
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    status_reason = fields.CharField(max_length=200, null=True)
    verified_at = fields.DatetimeField(null=True)
    # Who verified it: an admin's user id (an import's starter for imported experts), None from the CLI.
    verified_by_id = fields.BigIntField(null=True)
    # HMAC-SHA256 of the 身份证号 under the first signing key: finds the same person on the next
    # import without keeping the number. Only the last four characters are kept for display.
    id_number_hash = fields.CharField(max_length=64, null=True, unique=True)
    id_number_last4 = fields.CharField(max_length=4, null=True)
    availability_note = fields.CharField(max_length=200, null=True, description="暂不接单的原因或可服务时间")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "expert_profile"
