"""基层反向评价, the gate it puts on the hours, 回访, and closing the order."""

from datetime import timedelta

import pytest

from backend.domain.roles import Role
from backend.infra.clock import frozen, now
from backend.models import FollowUp, LedgerEntry, Notification, Order, Visit
from backend.services import sweeper
from support.auth import bearer, login
from support.factories import FANGZHENG, MINLE_POINT, admin_tokens, expert_tokens, scheduled_order, visit_times

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}
GOOD = {"overall": 5, "attitude": 5, "expertise": 4, "solved": "solved", "comment": "讲得明白，当场解决了"}
POOR = {"overall": 2, "attitude": 3, "expertise": 2, "solved": "unsolved", "comment": "没说清楚"}


@pytest.fixture
async def visited(client):
    """A scheduled order with one visit of three hours, checked out."""
    booked = await scheduled_order(client)
    start, end = visit_times(timedelta(hours=3))
    with frozen(start):
        _, code = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code",
                                   headers=bearer(booked["farmer"]))
        _, visit = await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                                     json={"token": code.json["token"], "location": ON_SITE},
                                     headers=bearer(booked["expert"]))
    with frozen(end):
        _, out = await client.post(f"/api/v1/visits/{visit.json['id']}/check-out", json={"location": ON_SITE},
                                   headers=bearer(booked["expert"]))
    assert out.json["status"] == "completed"
    return booked | {"visit": out.json}


async def rate(client, visited, body, tokens=None, method="post"):
    call = client.post if method == "post" else client.put
    _, response = await call(f"/api/v1/visits/{visited['visit']['id']}/rating", json=body,
                             headers=bearer(tokens or visited["farmer"]))
    return response


async def ledger_status(visited) -> str:
    return (await LedgerEntry.get(visit_id=visited["visit"]["id"])).status


async def test_the_code_screen_learns_that_the_visit_ended_and_turns_into_the_rating_form(client, visited):
    _, code = await client.get(f"/api/v1/orders/{visited['order']['id']}/checkin-code",
                               headers=bearer(visited["farmer"]))
    assert code.json["open_visit"] is False
    assert code.json["rate_visit_id"] == visited["visit"]["id"]
    await rate(client, visited, GOOD)
    _, after = await client.get(f"/api/v1/orders/{visited['order']['id']}/checkin-code",
                                headers=bearer(visited["farmer"]))
    assert after.json["rate_visit_id"] is None


async def test_the_requester_rates_the_visit_once_and_the_hours_then_count(client, visited):
    assert await ledger_status(visited) == "pending"
    first = await rate(client, visited, GOOD)
    assert first.status == 201
    assert first.json["solved_label"] == "已解决"
    assert await ledger_status(visited) == "counted"
    second = await rate(client, visited, GOOD)
    assert second.status == 409
    assert second.json["error"]["code"] == "already_rated"


async def test_the_expert_cannot_rate_their_own_visit(client, visited):
    response = await rate(client, visited, GOOD, tokens=visited["expert"])
    assert response.status == 403


async def test_another_requester_and_admins_cannot_rate(client, visited):
    stranger = await login(client, "other-villager")
    assert (await rate(client, visited, GOOD, tokens=stranger)).status == 404
    assert (await rate(client, visited, GOOD, tokens=visited["county"])).status == 403


async def test_a_visit_still_open_cannot_be_rated(client):
    booked = await scheduled_order(client, suffix="-open")
    _, code = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code", headers=bearer(booked["farmer"]))
    _, visit = await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                                 json={"token": code.json["token"], "location": ON_SITE},
                                 headers=bearer(booked["expert"]))
    _, response = await client.post(f"/api/v1/visits/{visit.json['id']}/rating", json=GOOD,
                                    headers=bearer(booked["farmer"]))
    assert response.status == 409
    assert response.json["error"]["code"] == "visit_open"


async def test_scores_outside_one_to_five_are_refused(client, visited):
    response = await rate(client, visited, GOOD | {"overall": 6, "solved": "maybe"})
    assert response.status == 422
    assert set(response.json["error"]["fields"]) == {"overall", "solved"}


async def test_a_rating_can_be_changed_within_24_hours_but_not_after(client, visited):
    await rate(client, visited, GOOD)
    changed = await rate(client, visited, GOOD | {"overall": 4, "comment": "想了想，再补充一句"}, method="put")
    assert changed.status == 200 and changed.json["overall"] == 4
    with frozen(now() + timedelta(hours=25)):
        late = await rate(client, visited, GOOD, method="put")
    assert late.status == 409
    assert late.json["error"]["code"] == "rating_locked"


async def test_a_low_rating_holds_the_hours_and_sends_the_visit_to_follow_up(client, visited):
    await rate(client, visited, POOR)
    assert await ledger_status(visited) == "pending"
    _, queue = await client.get("/api/v1/follow-ups", params={"status": "open"}, headers=bearer(visited["county"]))
    assert [(item["visit_id"], item["reason"]) for item in queue.json["items"]] == [(visited["visit"]["id"], "low_rating")]
    assert queue.json["total"] == 1
    assert await Notification.filter(user_id=visited["county"]["user"]["id"], event="follow_up").count() == 1

    follow_up_id = queue.json["items"][0]["id"]
    _, closed = await client.post(f"/api/v1/follow-ups/{follow_up_id}/close",
                                  json={"outcome": "电话回访：专家讲解到位，农户对用药时间有误解", "approve": True},
                                  headers=bearer(visited["county"]))
    assert closed.json["decision"] == "approve"
    assert await ledger_status(visited) == "counted"
    _, again = await client.post(f"/api/v1/follow-ups/{follow_up_id}/close", json={"outcome": "重复", "approve": False},
                                 headers=bearer(visited["county"]))
    assert again.status == 409


async def test_a_follow_up_may_withhold_the_hours(client, visited):
    await rate(client, visited, POOR)
    item = await FollowUp.get(visit_id=visited["visit"]["id"])
    await client.post(f"/api/v1/follow-ups/{item.id}/close", json={"outcome": "回访核实专家仅停留十分钟", "approve": False},
                      headers=bearer(visited["county"]))
    assert await ledger_status(visited) == "withheld"


async def test_raising_a_low_rating_within_the_edit_window_closes_its_follow_up(client, visited):
    await rate(client, visited, POOR)
    await rate(client, visited, GOOD, method="put")
    item = await FollowUp.get(visit_id=visited["visit"]["id"])
    assert (item.status, item.decision) == ("closed", "approve")
    assert await ledger_status(visited) == "counted"


async def test_an_admin_of_another_county_cannot_close_the_follow_up(client, visited):
    await rate(client, visited, POOR)
    item = await FollowUp.get(visit_id=visited["visit"]["id"])
    other = await admin_tokens(client, "fz-followup", Role.LOCAL_ADMIN, FANGZHENG)
    _, response = await client.post(f"/api/v1/follow-ups/{item.id}/close", json={"outcome": "越权", "approve": True},
                                    headers=bearer(other))
    assert response.status == 404


async def test_no_rating_gets_a_reminder_after_a_day_and_a_follow_up_after_a_week(app, client, visited):
    settings = app.ctx.settings
    counts = await sweeper.sweep(settings, now() + timedelta(hours=30))
    assert counts["rating_reminders"] == 1
    assert (await sweeper.sweep(settings, now() + timedelta(hours=31)))["rating_reminders"] == 0
    assert await Notification.filter(user_id=visited["farmer"]["user"]["id"], event="rate_visit").count() == 1
    counts = await sweeper.sweep(settings, now() + timedelta(days=8))
    assert counts["followed_up"] == 1
    assert (await FollowUp.get(visit_id=visited["visit"]["id"])).reason == "no_rating"
    assert (await sweeper.sweep(settings, now() + timedelta(days=9)))["followed_up"] == 0


async def settled(visited) -> bool:
    return (await Visit.get(id=visited["visit"]["id"])).feedback_settled


async def test_a_rated_visit_is_settled_by_the_next_sweep_and_never_reminded(app, client, visited):
    settings = app.ctx.settings
    await sweeper.sweep(settings, now() + timedelta(hours=1))
    assert not await settled(visited)  # checked out, waiting for its rating
    await rate(client, visited, GOOD)
    assert not await settled(visited)  # only the sweep settles
    counts = await sweeper.sweep(settings, now() + timedelta(days=8))
    assert (counts["rating_reminders"], counts["followed_up"]) == (0, 0)
    assert await settled(visited)


async def test_a_visit_followed_up_for_want_of_a_rating_is_settled_on_the_following_pass(app, client, visited):
    settings = app.ctx.settings
    assert (await sweeper.sweep(settings, now() + timedelta(days=8)))["followed_up"] == 1
    assert not await settled(visited)
    await sweeper.sweep(settings, now() + timedelta(days=8, minutes=10))
    assert await settled(visited)


async def test_a_rejected_visit_is_settled_without_a_reminder(app, client, visited):
    settings = app.ctx.settings
    await Visit.filter(id=visited["visit"]["id"]).update(status="rejected")
    counts = await sweeper.sweep(settings, now() + timedelta(days=8))
    assert (counts["rating_reminders"], counts["followed_up"]) == (0, 0)
    assert await settled(visited)


async def test_the_requester_confirms_the_problem_solved_and_the_order_closes(client, visited):
    await rate(client, visited, GOOD)
    _, closed = await client.post(f"/api/v1/orders/{visited['order']['id']}/confirm-solved",
                                  headers=bearer(visited["farmer"]))
    assert closed.json["status"] == "closed"


async def test_the_requester_asks_for_another_visit_and_the_order_is_scheduled_again(client, visited):
    _, again = await client.post(f"/api/v1/orders/{visited['order']['id']}/request-revisit",
                                 json={"reason": "打药后还有新的病斑，想请专家再看看"}, headers=bearer(visited["farmer"]))
    assert again.json["status"] == "scheduled"
    _, code = await client.get(f"/api/v1/orders/{visited['order']['id']}/checkin-code",
                               headers=bearer(visited["farmer"]))
    assert code.status == 200


async def test_an_admin_closes_an_order_with_a_reason(client, visited):
    _, missing = await client.post(f"/api/v1/orders/{visited['order']['id']}/close", json={},
                                   headers=bearer(visited["county"]))
    assert missing.status == 422
    _, closed = await client.post(f"/api/v1/orders/{visited['order']['id']}/close",
                                  json={"reason": "需求方外出务工，电话确认已解决"}, headers=bearer(visited["county"]))
    assert closed.json["status"] == "closed"
    assert (await Order.get(id=visited["order"]["id"])).closed_at is not None


async def test_the_requester_sees_each_visit_and_whether_it_was_rated(client, visited):
    _, before = await client.get(f"/api/v1/orders/{visited['order']['id']}/visits", headers=bearer(visited["farmer"]))
    assert before.json["items"][0]["can_rate"] is True
    await rate(client, visited, GOOD)
    _, after = await client.get(f"/api/v1/orders/{visited['order']['id']}/visits", headers=bearer(visited["farmer"]))
    assert after.json["items"][0]["rating"]["overall"] == 5
    expert, _ = await expert_tokens(client, "nosy-expert")
    _, hidden = await client.get(f"/api/v1/orders/{visited['order']['id']}/visits", headers=bearer(expert))
    assert hidden.status == 403
