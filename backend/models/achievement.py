from tortoise import fields
from tortoise.models import Model


class Achievement(Model):
    """A technical achievement in the 成果库 that its owner offers for transfer, licence, equity or cooperation."""

    id = fields.BigIntField(primary_key=True)
    owner = fields.ForeignKeyField("models.ExpertProfile", related_name="achievements", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=100)
    field = fields.CharField(max_length=32, description="领域，对应服务菜单分类")
    description = fields.TextField()
    # transfer (转让), license (许可), equity (入股), cooperation (合作)
    mode = fields.CharField(max_length=16)
    # draft, published
    status = fields.CharField(max_length=16, default="draft")
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "achievement"
        indexes = (("status", "field"), ("owner_id", "status"))


class AchievementOrder(Model):
    """An order a requester placed through an achievement, naming its owner as the wished-for expert."""

    id = fields.BigIntField(primary_key=True)
    achievement = fields.ForeignKeyField("models.Achievement", related_name="orders", on_delete=fields.CASCADE)
    order = fields.OneToOneField("models.Order", related_name="achievement_link", on_delete=fields.CASCADE)
    preferred_expert = fields.ForeignKeyField("models.ExpertProfile", related_name="wished_orders",
                                              on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "achievement_order"
