"""上门签到 / 签退 through the API: every way a code is refused, the geofence, retries, flags and the ledger."""

from datetime import timedelta

import jwt
import pytest

from backend.infra.clock import frozen, now
from backend.models import LedgerEntry, Order, Visit
from support.auth import bearer, login
from support.factories import MINLE_POINT, expert_tokens, scheduled_order, visit_times

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}


@pytest.fixture
async def booked(client):
    return await scheduled_order(client)


async def code_for(client, booked) -> str:
    _, response = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code",
                                   headers=bearer(booked["farmer"]))
    assert response.status == 200, response.json
    assert response.json["expires_in"] == 60
    assert response.headers["cache-control"] == "no-store"
    return response.json["token"]


async def check_in(client, booked, token, location=ON_SITE, tokens=None):
    body = {"token": token} | ({"location": location} if location else {})
    _, response = await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in", json=body,
                                    headers=bearer(tokens or booked["expert"]))
    return response


async def rate(client, booked, visit_id, overall):
    _, response = await client.post(f"/api/v1/visits/{visit_id}/rating",
                                    json={"overall": overall, "attitude": 5, "expertise": 5, "solved": "solved"},
                                    headers=bearer(booked["farmer"]))
    assert response.status == 201, response.json


async def test_the_assigned_expert_checks_in_by_scanning_the_requesters_code(client, booked):
    response = await check_in(client, booked, await code_for(client, booked))
    assert response.status == 201
    assert response.json["status"] == "open"
    assert response.json["flags"] == []
    assert response.json["in_distance_m"] == pytest.approx(111, abs=2)
    assert (await Order.get(id=booked["order"]["id"])).status == "in_service"


async def test_retrying_the_same_scan_returns_the_same_visit(client, booked):
    token = await code_for(client, booked)
    first = await check_in(client, booked, token)
    again = await check_in(client, booked, token)
    assert again.status == 200
    assert again.json["id"] == first.json["id"]
    assert again.json["repeated"] is True
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 1


async def test_a_code_used_by_one_expert_is_refused_to_another(client, booked):
    token = await code_for(client, booked)
    await check_in(client, booked, token)
    other, _ = await expert_tokens(client, "code-borrower")
    response = await check_in(client, booked, token, tokens=other)
    assert response.status == 403
    assert response.json["error"]["code"] == "not_assigned"


async def test_an_expired_code_is_refused_saying_so(client, booked):
    token = await code_for(client, booked)
    with frozen(now() + timedelta(seconds=90)):
        response = await check_in(client, booked, token)
    assert response.status == 400
    assert response.json["error"]["code"] == "code_expired"
    assert "过期" in response.json["error"]["message"]


async def test_a_tampered_code_is_refused(client, booked):
    token = await code_for(client, booked)
    header, payload, signature = token.split(".")
    forged = jwt.utils.base64url_encode(b'{"aud":"zjfw:checkin","o":1,"jti":"x","iat":1,"exp":9999999999}').decode()
    response = await check_in(client, booked, f"{header}.{forged}.{signature}")
    assert response.status == 400
    assert response.json["error"]["code"] == "code_invalid"


async def test_a_login_token_is_not_a_check_in_code(client, booked):
    response = await check_in(client, booked, booked["farmer"]["access_token"])
    assert response.status == 400
    assert response.json["error"]["code"] == "code_invalid"


async def test_a_code_for_another_order_is_refused(app, client, booked):
    token, _ = app.ctx.resources.checkin_codes.issue(booked["order"]["id"] + 1000)
    response = await check_in(client, booked, token)
    assert response.status == 400
    assert response.json["error"]["code"] == "code_other_order"


async def test_an_expert_not_assigned_to_the_order_cannot_check_in(client, booked):
    stranger, _ = await expert_tokens(client, "stranger-expert")
    response = await check_in(client, booked, await code_for(client, booked), tokens=stranger)
    assert response.status == 403


async def test_only_the_orders_requester_can_show_its_code(client, booked):
    neighbour = await login(client, "code-neighbour")
    _, response = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code", headers=bearer(neighbour))
    assert response.status == 404


async def test_a_scan_from_another_county_is_refused_and_one_nearby_is_flagged(client, booked):
    far = {"latitude": MINLE_POINT[0] + 0.5, "longitude": MINLE_POINT[1], "accuracy": 10}
    refused = await check_in(client, booked, await code_for(client, booked), location=far)
    assert refused.status == 422
    assert refused.json["error"]["code"] == "too_far_away"
    near = {"latitude": MINLE_POINT[0] + 0.01, "longitude": MINLE_POINT[1], "accuracy": 10}
    flagged = await check_in(client, booked, await code_for(client, booked), location=near)
    assert flagged.status == 201
    assert flagged.json["flags"] == ["out_of_area"]


async def test_a_refused_location_permission_is_recorded_not_blocked(client, booked):
    response = await check_in(client, booked, await code_for(client, booked), location=None)
    assert response.status == 201
    assert response.json["flags"] == ["no_location"]


async def test_a_second_open_visit_for_the_same_order_is_refused(client, booked):
    await check_in(client, booked, await code_for(client, booked))
    response = await check_in(client, booked, await code_for(client, booked))
    assert response.status == 409
    assert response.json["error"]["code"] == "visit_already_open"


async def test_a_three_hour_visit_lands_in_the_ledger_and_closes_the_service(client, booked):
    start, end = visit_times(timedelta(hours=3))
    with frozen(start):
        visit = (await check_in(client, booked, await code_for(client, booked))).json
    with frozen(end):
        _, out = await client.post(f"/api/v1/visits/{visit['id']}/check-out", json={"location": ON_SITE},
                                   headers=bearer(booked["expert"]))
    assert out.status == 200
    assert out.json["status"] == "completed"
    assert out.json["duration_minutes"] == 180
    assert (await Order.get(id=booked["order"]["id"])).status == "serviced"
    entries = await LedgerEntry.filter(visit_id=visit["id"])
    # The hours wait for the requester's rating before they count.
    assert [(float(e.hours), e.status, e.source) for e in entries] == [(3.0, "pending", "scan")]
    _, ledger = await client.get("/api/v1/ledger/me", params={"year": entries[0].year},
                                 headers=bearer(booked["expert"]))
    assert (ledger.json["hours"], ledger.json["pending_hours"]) == (0.0, 3.0)
    await rate(client, booked, visit["id"], 4)
    _, ledger = await client.get("/api/v1/ledger/me", params={"year": entries[0].year},
                                 headers=bearer(booked["expert"]))
    assert (ledger.json["hours"], ledger.json["pending_hours"]) == (3.0, 0.0)
    assert ledger.json["service_days"] == 0
    assert ledger.json["target_days"] == 10


async def test_a_ten_minute_visit_is_flagged_and_counts_only_after_an_admin_approves(client, booked):
    start, end = visit_times(timedelta(minutes=10))
    with frozen(start):
        visit = (await check_in(client, booked, await code_for(client, booked))).json
    with frozen(end):
        _, out = await client.post(f"/api/v1/visits/{visit['id']}/check-out", json={"location": ON_SITE},
                                   headers=bearer(booked["expert"]))
    assert out.json["status"] == "flagged"
    assert out.json["flags"] == ["too_short"]
    assert (await LedgerEntry.get(visit_id=visit["id"])).status == "pending"

    _, queue = await client.get("/api/v1/visits/flagged", headers=bearer(booked["county"]))
    assert [item["id"] for item in queue.json["items"]] == [visit["id"]]
    assert queue.json["total"] == 1
    _, no_reason = await client.post(f"/api/v1/visits/{visit['id']}/review", json={"approve": True},
                                     headers=bearer(booked["county"]))
    assert no_reason.status == 422
    _, approved = await client.post(f"/api/v1/visits/{visit['id']}/review",
                                    json={"approve": True, "reason": "电话回访确认专家到场指导"},
                                    headers=bearer(booked["county"]))
    assert approved.json["status"] == "approved"
    assert (await LedgerEntry.get(visit_id=visit["id"])).status == "pending"
    await rate(client, booked, visit["id"], 5)
    assert (await LedgerEntry.get(visit_id=visit["id"])).status == "counted"


async def test_a_rejected_visit_keeps_its_rows_but_withholds_the_hours(client, booked):
    start, end = visit_times(timedelta(hours=2))
    with frozen(start):
        visit = (await check_in(client, booked, await code_for(client, booked), location=None)).json
    with frozen(end):
        await client.post(f"/api/v1/visits/{visit['id']}/check-out", json={}, headers=bearer(booked["expert"]))
    _, rejected = await client.post(f"/api/v1/visits/{visit['id']}/review",
                                    json={"approve": False, "reason": "回访得知专家未到场"},
                                    headers=bearer(booked["county"]))
    assert rejected.json["status"] == "rejected"
    assert (await LedgerEntry.get(visit_id=visit["id"])).status == "withheld"


async def test_checking_out_by_scanning_a_fresh_code_is_idempotent_too(client, booked):
    start, end = visit_times(timedelta(hours=2))
    with frozen(start):
        visit = (await check_in(client, booked, await code_for(client, booked))).json
    with frozen(end):
        token = await code_for(client, booked)
        _, first = await client.post(f"/api/v1/visits/{visit['id']}/check-out",
                                     json={"token": token, "location": ON_SITE}, headers=bearer(booked["expert"]))
        _, again = await client.post(f"/api/v1/visits/{visit['id']}/check-out",
                                     json={"token": token, "location": ON_SITE}, headers=bearer(booked["expert"]))
    assert first.status == 200 and again.status == 200
    assert again.json["repeated"] is True
    assert await LedgerEntry.filter(visit_id=visit["id"]).count() == 1


async def test_the_service_log_is_written_after_check_out_only(client, booked):
    start, end = visit_times(timedelta(hours=2))
    with frozen(start):
        visit = (await check_in(client, booked, await code_for(client, booked))).json
    log = {"content": "查看果园病害，确诊为苹果腐烂病，现场示范刮治", "problems_solved": 2, "people_trained": 12}
    _, early = await client.put(f"/api/v1/visits/{visit['id']}/log", json=log, headers=bearer(booked["expert"]))
    assert early.status == 409
    with frozen(end):
        await client.post(f"/api/v1/visits/{visit['id']}/check-out", json={"location": ON_SITE},
                          headers=bearer(booked["expert"]))
    _, written = await client.put(f"/api/v1/visits/{visit['id']}/log", json=log, headers=bearer(booked["expert"]))
    assert written.status == 200
    assert written.json["problems_solved"] == 2
    other, _ = await expert_tokens(client, "log-snoop")
    _, snoop = await client.put(f"/api/v1/visits/{visit['id']}/log", json=log, headers=bearer(other))
    assert snoop.status == 404


async def test_a_county_admin_of_another_county_cannot_review_the_visit(client, booked):
    from backend.domain.roles import Role
    from support.factories import FANGZHENG, admin_tokens

    start, end = visit_times(timedelta(hours=2))
    with frozen(start):
        visit = (await check_in(client, booked, await code_for(client, booked), location=None)).json
    with frozen(end):
        await client.post(f"/api/v1/visits/{visit['id']}/check-out", json={}, headers=bearer(booked["expert"]))
    other = await admin_tokens(client, "fz-reviewer", Role.LOCAL_ADMIN, FANGZHENG)
    _, response = await client.post(f"/api/v1/visits/{visit['id']}/review",
                                    json={"approve": True, "reason": "看起来没问题"}, headers=bearer(other))
    assert response.status == 404


async def test_a_code_scanned_first_by_an_expert_not_assigned_still_works_for_the_one_who_is(client, booked):
    token = await code_for(client, booked)
    stranger, _ = await expert_tokens(client, "early-stranger")
    refused = await check_in(client, booked, token, tokens=stranger)
    assert refused.status == 403
    assert refused.json["error"]["code"] == "not_assigned"
    response = await check_in(client, booked, token)
    assert response.status == 201
    assert response.json["repeated"] is False


async def test_a_scan_whose_site_was_not_noted_reads_the_order_and_checks_in(app, client, booked):
    from backend.infra import keys
    from backend.infra.scans import SITE_TTL

    token = await code_for(client, booked)
    # Redis restarted, or the note expired: the scan falls back to reading the order's site.
    assert await app.ctx.resources.redis.delete(keys.order_site(booked["order"]["id"], SITE_TTL).name) == 1
    response = await check_in(client, booked, token)
    assert response.status == 201, response.json
    assert response.json["in_distance_m"] == pytest.approx(111, abs=2)
    assert response.json["expert_id"] == booked["expert_id"]
    assert (await Order.get(id=booked["order"]["id"])).status == "in_service"


async def test_a_code_shown_before_the_order_was_cancelled_is_refused_with_its_status(client, booked):
    token = await code_for(client, booked)
    _, cancelled = await client.post(f"/api/v1/orders/{booked['order']['id']}/cancel", json={"reason": "问题已自行解决"},
                                     headers=bearer(booked["farmer"]))
    assert cancelled.status == 200, cancelled.json
    response = await check_in(client, booked, token)
    assert response.status == 409
    assert response.json["error"]["code"] == "invalid_transition"
    assert response.json["error"]["current_status"] == "cancelled"
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 0

