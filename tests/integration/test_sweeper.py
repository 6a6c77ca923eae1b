"""The sweeper on a frozen clock: deadlines counted in working days across 国庆 and its 调休."""

from datetime import datetime

from backend.domain.roles import Role
from backend.infra.clock import CHINA, frozen
from backend.models import Notification, Order
from backend.services import sweeper
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order


NOTHING = {"reminded": 0, "escalated": 0, "timed_out": 0, "claims_expired": 0, "rating_reminders": 0,
           "followed_up": 0}


def at(month, day, hour, minute=0, year=2025):
    return datetime(year, month, day, hour, minute, tzinfo=CHINA)


async def test_an_order_placed_before_national_day_is_due_after_the_holiday_and_reminded_then(app, client):
    settings = app.ctx.settings
    farmer = await login(client, "holiday-farmer")
    county = await admin_tokens(client, "holiday-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "holiday-province", Role.PROVINCE_ADMIN, PROVINCE)
    with frozen(at(9, 30, 10)):  # Tuesday; 1–8 October are holidays
        order = await place_order(client, farmer)
    stored = await Order.get(id=order["id"])
    # Two working days: Thursday 9 October, then Friday 10 October.
    assert stored.due_at == at(10, 10, 10)

    assert await sweeper.sweep(settings, at(10, 8, 23)) == NOTHING
    first = await sweeper.sweep(settings, at(10, 10, 10, 30))
    assert first["reminded"] == 1
    county_id, province_id = county["user"]["id"], province["user"]["id"]
    assert await Notification.filter(user_id=county_id, event="reminder").count() == 1

    again = await sweeper.sweep(settings, at(10, 10, 11))
    assert again == NOTHING

    # Saturday 11 October is a make-up working day (调休): one working day after the reminder.
    escalated = await sweeper.sweep(settings, at(10, 11, 10, 31))
    assert escalated["escalated"] == 1
    assert await Notification.filter(user_id=province_id, event="reminder").count() == 1
    assert await Notification.filter(user_id=county_id, event="reminder").count() == 1


async def test_an_unanswered_dispatch_goes_back_for_dispatch_once(app, client):
    settings = app.ctx.settings
    farmer = await login(client, "quiet-farmer")
    county = await admin_tokens(client, "quiet-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "quiet-province", Role.PROVINCE_ADMIN, PROVINCE)
    expert, expert_id = await expert_tokens(client, "silent-expert")
    with frozen(at(11, 3, 9, year=2026)):
        order = await place_order(client, farmer)
        await client.post(f"/api/v1/orders/{order['id']}/accept", json={}, headers=bearer(county))
        await client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"expert_id": expert_id},
                          headers=bearer(province))
    assert await sweeper.sweep(settings, at(11, 4, 8, year=2026)) == NOTHING
    swept = await sweeper.sweep(settings, at(11, 4, 9, 1, year=2026))
    assert swept["timed_out"] == 1
    stored = await Order.get(id=order["id"])
    assert (stored.status, stored.expert_id) == ("accepted", None)
    assert await Notification.filter(user_id=expert["user"]["id"], event="order_recalled").count() == 1
    assert (await sweeper.sweep(settings, at(11, 4, 9, 2, year=2026)))["timed_out"] == 0


async def test_a_board_order_nobody_claims_returns_to_the_dispatchers_after_its_deadline(app, client):
    settings = app.ctx.settings
    farmer = await login(client, "board-farmer2")
    county = await admin_tokens(client, "board-county2", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "board-province2", Role.PROVINCE_ADMIN, PROVINCE)
    with frozen(at(11, 3, 9, year=2026)):
        order = await place_order(client, farmer)
        await client.post(f"/api/v1/orders/{order['id']}/accept", json={}, headers=bearer(county))
        await client.post(f"/api/v1/orders/{order['id']}/publish",
                          json={"claim_deadline": "2026-11-05T18:00:00+08:00"}, headers=bearer(province))
    swept = await sweeper.sweep(settings, at(11, 5, 18, 1, year=2026))
    assert swept["claims_expired"] == 1
    assert (await Order.get(id=order["id"])).status == "accepted"


async def test_orders_escalated_long_ago_do_not_keep_a_newer_overdue_order_from_its_reminder(app, client):
    settings = app.ctx.settings
    farmer = await login(client, "stuck-farmer")
    county = await admin_tokens(client, "stuck-county", Role.LOCAL_ADMIN, WUCHANG)
    await admin_tokens(client, "stuck-province", Role.PROVINCE_ADMIN, PROVINCE)
    with frozen(at(3, 4, 9, year=2024)):  # Monday: due on Wednesday 6 March
        for _ in range(3):
            await place_order(client, farmer)
    assert (await sweeper.sweep(settings, at(3, 6, 10, year=2024)))["reminded"] == 3
    assert (await sweeper.sweep(settings, at(3, 7, 10, 1, year=2024)))["escalated"] == 3
    with frozen(at(3, 7, 9, year=2024)):  # Thursday: due on Monday 11 March
        newer = await place_order(client, farmer)

    # The three still wait for their admins, and their deadlines come first.
    swept = await sweeper.sweep(settings, at(3, 11, 10, year=2024), batch=2)
    assert swept["reminded"] == 1
    assert (await Order.get(id=newer["id"])).reminded_at == at(3, 11, 10, year=2024)
    assert await Notification.filter(user_id=county["user"]["id"], event="reminder", order_id=newer["id"]).count() == 1
