from tortoise import fields
from tortoise.models import Model


class ServiceCategory(Model):
    """A section of the 点餐 menu, e.g. 种植技术, whose code doubles as the expert field it needs."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=32)
    description = fields.CharField(max_length=200, default="")
    icon = fields.CharField(max_length=32, default="")
    sort_order = fields.IntField(default=0)
    is_active = fields.BooleanField(default=True)

    items: fields.ReverseRelation["ServiceItem"]

    class Meta:
        table = "service_category"
        ordering = ["sort_order", "id"]


class ServiceItem(Model):
    """One dish on the menu, e.g. 果树病虫害诊断. Retired items stay for the orders that used them."""

    id = fields.IntField(primary_key=True)
    category: fields.ForeignKeyRelation[ServiceCategory] = fields.ForeignKeyField(
        "models.ServiceCategory", related_name="items", on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=48, unique=True)
    name = fields.CharField(max_length=48)
    description = fields.CharField(max_length=300, default="")
    field = fields.CharField(max_length=32, db_index=True)
    typical_hours = fields.FloatField(default=4.0)
    sort_order = fields.IntField(default=0)
    retired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "service_item"
        ordering = ["sort_order", "id"]
