"""The message centre over HTTP: my notifications, newest first, and marking them read."""

from backend.services.notifications import Event, notify
from support.auth import bearer, login

URL = "/api/v1/notifications"


async def tell(app, user_id: int, count: int = 1, event: Event = Event.ORDER_ACCEPTED) -> None:
    """Notifications arrive through order transitions; here the service is called directly as a factory."""
    for n in range(count):
        await notify([user_id], event, order_id=100 + n, body=f"第 {n + 1} 条消息", data={"thing1": "果树病虫害诊断"},
                     page=None, dedupe_key=None, settings=app.ctx.settings)


async def test_the_unread_count_counts_only_my_own_unread_notifications(app, client):
    me, other = await login(client, "counting-farmer"), await login(client, "other-farmer")
    await tell(app, me["user"]["id"], 3)
    await tell(app, other["user"]["id"], 2)

    _, response = await client.get(f"{URL}/unread-count", headers=bearer(me))

    assert response.status == 200
    assert response.json == {"count": 3}


async def test_the_list_is_newest_first_and_pages_through_everything_with_an_opaque_cursor(app, client):
    me = await login(client, "paging-farmer")
    await tell(app, me["user"]["id"], 5)

    seen, cursor, pages = [], None, 0
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        _, response = await client.get(f"{URL}{query}", headers=bearer(me))
        assert response.status == 200
        seen += response.json["items"]
        pages += 1
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
        assert not cursor.isdigit()

    assert pages == 3
    assert [item["body"] for item in seen] == ["第 5 条消息", "第 4 条消息", "第 3 条消息", "第 2 条消息", "第 1 条消息"]
    first = seen[0]
    assert first["title"] == "您的需求已受理"
    assert first["event"] == "order_accepted"
    assert first["order_id"] == 104
    assert first["read"] is False


async def test_a_page_holds_at_most_fifty_notifications(app, client):
    me = await login(client, "swamped-admin")
    await tell(app, me["user"]["id"], 52)

    _, too_many = await client.get(f"{URL}?limit=500", headers=bearer(me))
    _, response = await client.get(f"{URL}?limit=50", headers=bearer(me))

    assert too_many.status == 422
    assert response.status == 200
    assert len(response.json["items"]) == 50
    assert response.json["next_cursor"] is not None


async def test_marking_one_notification_read_takes_it_out_of_the_unread_list_and_count(app, client):
    me = await login(client, "reading-farmer")
    await tell(app, me["user"]["id"], 2)
    _, listing = await client.get(URL, headers=bearer(me))
    newest = listing.json["items"][0]["id"]

    _, response = await client.post(f"{URL}/{newest}/read", headers=bearer(me))

    assert response.status == 204
    _, count = await client.get(f"{URL}/unread-count", headers=bearer(me))
    assert count.json == {"count": 1}
    _, unread = await client.get(f"{URL}?unread=1", headers=bearer(me))
    assert [item["id"] for item in unread.json["items"]] == [listing.json["items"][1]["id"]]
    _, everything = await client.get(URL, headers=bearer(me))
    assert everything.json["items"][0]["read"] is True
    assert everything.json["items"][0]["read_at"] is not None


async def test_marking_a_notification_read_twice_is_harmless(app, client):
    me = await login(client, "twice-farmer")
    await tell(app, me["user"]["id"])
    _, listing = await client.get(URL, headers=bearer(me))
    notification_id = listing.json["items"][0]["id"]

    for _ in range(2):
        _, response = await client.post(f"{URL}/{notification_id}/read", headers=bearer(me))
        assert response.status == 204


async def test_nobody_can_mark_another_persons_notification_read(app, client):
    owner, snoop = await login(client, "owner-farmer"), await login(client, "snooping-farmer")
    await tell(app, owner["user"]["id"])
    _, listing = await client.get(URL, headers=bearer(owner))
    notification_id = listing.json["items"][0]["id"]

    _, response = await client.post(f"{URL}/{notification_id}/read", headers=bearer(snoop))

    assert response.status == 404
    assert response.json["error"]["code"] == "notification_not_found"
    _, count = await client.get(f"{URL}/unread-count", headers=bearer(owner))
    assert count.json == {"count": 1}


async def test_another_persons_notifications_never_appear_in_my_list(app, client):
    me, other = await login(client, "private-farmer"), await login(client, "neighbour-farmer")
    await tell(app, other["user"]["id"], 2)

    _, response = await client.get(URL, headers=bearer(me))

    assert response.json == {"items": [], "next_cursor": None}


async def test_read_all_marks_every_notification_read(app, client):
    me = await login(client, "tidy-farmer")
    await tell(app, me["user"]["id"], 4)

    _, response = await client.post(f"{URL}/read-all", headers=bearer(me))

    assert response.status == 204
    _, count = await client.get(f"{URL}/unread-count", headers=bearer(me))
    assert count.json == {"count": 0}


async def test_a_garbled_cursor_is_refused_with_a_field_error(client):
    me = await login(client, "garbling-farmer")

    _, response = await client.get(f"{URL}?cursor=%%%not-a-cursor", headers=bearer(me))

    assert response.status == 422
    assert "cursor" in response.json["error"]["fields"]


async def test_the_message_centre_needs_a_login(client):
    _, response = await client.get(f"{URL}/unread-count")
    assert response.status == 401
