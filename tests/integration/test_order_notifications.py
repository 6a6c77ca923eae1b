"""A failed WeChat send never undoes a transition: the message waits in the outbox and is retried."""

from datetime import timedelta

from backend.domain.roles import Role
from backend.infra.clock import now
from backend.models import Order, OutboxMessage
from backend.services import outbox
from support.auth import bearer, login
from support.factories import WUCHANG, admin_tokens, place_order

SUBSCRIBE = "/cgi-bin/message/subscribe/send"


async def test_a_failed_wechat_send_leaves_the_order_accepted_and_the_message_is_retried(resources, client):
    resources.fake_wechat.reset()
    farmer = await login(client, "notified-farmer")
    county = await admin_tokens(client, "notifying-county", Role.LOCAL_ADMIN, WUCHANG)
    order = await place_order(client, farmer)
    await outbox.drain(resources)  # the county's "new order" message goes out first
    resources.fake_wechat.fail_next(SUBSCRIBE, -1)

    _, accepted = await client.post(f"/api/v1/orders/{order['id']}/accept", json={}, headers=bearer(county))
    assert accepted.status == 200

    first = await outbox.drain(resources)
    assert first["retried"] == 1
    assert (await Order.get(id=order["id"])).status == "accepted"
    message = await OutboxMessage.filter(status="pending").get()
    assert message.attempts == 1
    assert message.payload["openid"] == "fake-openid-notified-farmer"

    later = await outbox.drain(resources, now=now() + timedelta(minutes=5))
    assert later["sent"] == 1
    assert (await OutboxMessage.get(id=message.id)).status == "sent"
    sent_to = [m["touser"] for m in resources.fake_wechat.messages]
    assert sent_to.count("fake-openid-notified-farmer") == 1


async def test_the_requester_finds_the_news_in_the_message_centre(client):
    farmer = await login(client, "reading-farmer")
    county = await admin_tokens(client, "reading-county", Role.LOCAL_ADMIN, WUCHANG)
    order = await place_order(client, farmer)
    await client.post(f"/api/v1/orders/{order['id']}/accept", json={}, headers=bearer(county))
    _, count = await client.get("/api/v1/notifications/unread-count", headers=bearer(farmer))
    assert count.json["count"] == 1
    _, listing = await client.get("/api/v1/notifications", headers=bearer(farmer))
    assert listing.json["items"][0]["title"] == "您的需求已受理"
