"""Placing an order in one PostgreSQL statement writes and answers exactly what the ORM path does."""

import pytest

from backend.domain.roles import Role
from backend.errors import ValidationFailed
from backend.infra.clock import frozen, now
from backend.models import AuditRecord, Notification, Order, OrderItem, OutboxMessage
from backend.schemas.orders import OrderCreate
from backend.services import orders
from support.auth import login
from support.factories import HARBIN, WUCHANG, admin_tokens, order_body

pytestmark = pytest.mark.postgres


def _claims(app, tokens):
    return app.ctx.resources.access_tokens.verify(tokens["access_token"])


def _answer(answer: dict) -> dict:
    """The answer without what differs between two orders: the id, and when the audit row was stamped."""
    return answer | {"id": None, "timeline": [step | {"at": None} for step in answer["timeline"]]}


async def _written(order_id: int) -> dict:
    order = await Order.get(id=order_id).values()
    key = f"order:{order_id}:"
    return {
        "order": order | {"id": None, "updated_at": None},
        "items": await OrderItem.filter(order_id=order_id).order_by("id")
        .values("item_id", "item_code", "item_name", "category_name", "field"),
        "audit": await AuditRecord.filter(subject_type="order", subject_id=str(order_id))
        .values("actor_id", "actor_role", "action", "region_code", "from_state", "to_state", "reason", "detail"),
        "told": sorted((n["user_id"], n["event"], n["title"], n["body"], n["dedupe_key"].replace(key, ""))
                       for n in await Notification.filter(order_id=order_id).values()),
        "sent": sorted((m["kind"], m["status"], m["attempts"], m["payload"]["openid"], m["payload"]["template_id"],
                        m["payload"]["data"] == {"order_id": order_id},
                        m["payload"]["page"].replace(str(order_id), "ID"), m["dedupe_key"].replace(key, ""))
                       for m in await OutboxMessage.filter(dedupe_key__startswith=key).values()),
    }


async def test_both_paths_write_the_same_order_items_audit_messages_and_answer(app, client, settings):
    farmer = await login(client, "sql-place-farmer")
    await admin_tokens(client, "sql-place-county", Role.LOCAL_ADMIN, WUCHANG)
    await admin_tokens(client, "sql-place-city", Role.LOCAL_ADMIN, HARBIN)
    claims = _claims(app, farmer)
    data = OrderCreate.model_validate(order_body(on_behalf_of="金大爷", contact_name="金小川"))
    with frozen(now()):
        fast = await orders.place_order(settings, claims, data)
        slow = await orders._place_with_orm(settings, claims, data)
    assert fast["id"] != slow["id"]
    assert _answer(fast) == _answer(slow)
    fast_rows, slow_rows = await _written(fast["id"]), await _written(slow["id"])
    assert fast_rows == slow_rows
    # Both admins were told, each once, and each has a WeChat message waiting.
    assert len(fast_rows["told"]) == 2 and len(fast_rows["sent"]) == 2


async def test_an_unknown_village_or_a_retired_item_writes_nothing_on_either_path(app, client, settings):
    farmer = await login(client, "sql-place-refused")
    claims = _claims(app, farmer)
    before = await Order.all().count(), await AuditRecord.all().count(), await Notification.all().count()
    for body in (order_body(village="230184299999"), order_body(items=["no-such-item"])):
        data = OrderCreate.model_validate(body)
        with pytest.raises(ValidationFailed) as fast:
            await orders.place_order(settings, claims, data)
        with pytest.raises(ValidationFailed) as slow:
            await orders._place_with_orm(settings, claims, data)
        assert fast.value.fields == slow.value.fields
    assert (await Order.all().count(), await AuditRecord.all().count(), await Notification.all().count()) == before
