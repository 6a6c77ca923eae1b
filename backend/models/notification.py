from tortoise import fields
from tortoise.indexes import PartialIndex
from tortoise.models import Model


class Notification(Model):
    """One entry in a person's message centre, about something that happened to an order they take part in."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    event = fields.CharField(max_length=32)
    title = fields.CharField(max_length=64)
    body = fields.CharField(max_length=500, default="")
    order_id = fields.BigIntField(null=True, db_index=True)
    # Read by person, newest first by id: created_at needs no index (migration 0014).
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    # Per person: a job that runs again (a sweeper after a crash) must not tell them twice.
    dedupe_key = fields.CharField(max_length=160, null=True, unique=True)

    class Meta:
        table = "notification"


class OutboxMessage(Model):
    """A message to another system, queued in the transaction that caused it and sent later by the outbox drain."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=32, default="wechat_subscribe")
    # For wechat_subscribe: openid, template_id, data, page.
    payload = fields.JSONField()
    # pending, sent or dead. Only pending and dead messages are looked up, each through a partial index below;
    # sent and dead ones are deleted after OUTBOX_KEEP_DAYS (outbox.purge).
    status = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    # An error code or exception type only, never a token, secret or response body.
    last_error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    dedupe_key = fields.CharField(max_length=160, null=True, unique=True)

    class Meta:
        table = "outbox_message"
        # The drain's claim (due pending messages, oldest first) and the metrics scrape's count of the messages
        # given up on (migration 0018).
        indexes = [PartialIndex(fields=("next_attempt_at", "id"), condition={"status": "pending"},
                                name="outbox_message_due"),
                   PartialIndex(fields=("id",), condition={"status": "dead"}, name="outbox_message_dead")]
