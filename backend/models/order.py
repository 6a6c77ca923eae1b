from tortoise import fields
from tortoise.models import Model


class Order(Model):
    """A requester's order for expert help (需求单), from 下单 to 办结."""

    id = fields.BigIntField(primary_key=True)
    requester = fields.ForeignKeyField("models.User", related_name="orders", on_delete=fields.RESTRICT, db_index=True)
    # A village cadre may order on behalf of a named villager.
    on_behalf_of = fields.CharField(max_length=32, null=True)
    status = fields.CharField(max_length=16, default="submitted")
    field = fields.CharField(max_length=32, db_index=True, description="主要领域（首个服务项目的领域）")
    description = fields.TextField()
    region_code = fields.CharField(max_length=12, db_index=True, description="村（社区）12 位区划代码")
    address = fields.CharField(max_length=200)
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    contact_name = fields.CharField(max_length=32, default="")
    contact_phone = fields.CharField(max_length=20)
    window_start = fields.DateField()
    window_end = fields.DateField()
    photo_ids = fields.JSONField(default=list)
    # Dispatch: one expert, or a team through its leader.
    expert = fields.ForeignKeyField("models.ExpertProfile", related_name="dispatched_orders", null=True,
                                    on_delete=fields.SET_NULL, db_index=True)
    team = fields.ForeignKeyField("models.ServiceTeam", related_name="orders", null=True, on_delete=fields.SET_NULL,
                                  db_index=True)
    claim_deadline = fields.DatetimeField(null=True)
    # Deadlines and reminders, kept on the row so the sweeper's query is one index scan.
    due_at = fields.DatetimeField(null=True, db_index=True, description="当前环节的办理期限")
    reminded_at = fields.DatetimeField(null=True)
    escalated_at = fields.DatetimeField(null=True)
    last_reason = fields.CharField(max_length=300, null=True)
    submitted_at = fields.DatetimeField(db_index=True)
    accepted_at = fields.DatetimeField(null=True)
    dispatched_at = fields.DatetimeField(null=True)
    scheduled_at = fields.DatetimeField(null=True)
    first_visit_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    agreed_visit_at = fields.DatetimeField(null=True, description="专家与需求方约定的上门时间")
    version = fields.IntField(default=1)
    updated_at = fields.DatetimeField(auto_now=True)

    items: fields.ReverseRelation["OrderItem"]
    assignees: fields.ReverseRelation["OrderAssignee"]

    class Meta:
        table = "service_order"
        # Also serves filters on status alone, which need no index of their own (migration 0014).
        indexes = (("status", "region_code"),)


class OrderItem(Model):
    """What was ordered, copied from the menu so retiring an item changes no order."""

    id = fields.BigIntField(primary_key=True)
    order = fields.ForeignKeyField("models.Order", related_name="items", on_delete=fields.CASCADE, db_index=True)
    item = fields.ForeignKeyField("models.ServiceItem", related_name="ordered", on_delete=fields.RESTRICT)
    item_code = fields.CharField(max_length=48)
    item_name = fields.CharField(max_length=48)
    category_name = fields.CharField(max_length=32)
    field = fields.CharField(max_length=32)

    class Meta:
        table = "order_item"


class OrderAssignee(Model):
    """An expert who goes on site for an order: the dispatched expert, or the members a team leader names."""

    id = fields.BigIntField(primary_key=True)
    order = fields.ForeignKeyField("models.Order", related_name="assignees", on_delete=fields.CASCADE)
    expert = fields.ForeignKeyField("models.ExpertProfile", related_name="assignments", on_delete=fields.RESTRICT,
                                    db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "order_assignee"
        unique_together = (("order", "expert"),)
