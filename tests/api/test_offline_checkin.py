"""离线签到 through the API: a requester's phone without signal shows time-based codes, the expert uploads later."""

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest

from backend.domain import offline_codes
from backend.infra.clock import CHINA, frozen, now
from backend.models import AuditRecord, LedgerEntry, OfflineScan, Order, Visit
from support.auth import bearer, login
from support.factories import MINLE_POINT, expert_tokens, scheduled_order

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}
STEP = 60


@pytest.fixture
async def booked(client):
    return await scheduled_order(client)


@pytest.fixture
def visit_day():
    """Tomorrow in China: after the expert accepted, inside the days of secrets fetched today."""
    tomorrow = now().astimezone(CHINA).date() + timedelta(days=1)
    return lambda hh_mm: datetime.fromisoformat(f"{tomorrow.isoformat()}T{hh_mm}:00+08:00")


async def fetch_secrets(client, booked) -> dict[str, str]:
    _, response = await client.get(f"/api/v1/orders/{booked['order']['id']}/offline-secret",
                                   headers=bearer(booked["farmer"]))
    assert response.status == 200, response.json
    assert response.headers["cache-control"] == "no-store"
    assert (response.json["step_seconds"], response.json["digits"]) == (STEP, 8)
    return {item["date"]: item["secret"] for item in response.json["secrets"]}


def phone_code(secrets: dict[str, str], order_id: int, moment: datetime) -> str:
    """What the requester's phone shows, computed as the mini-program does from the documented algorithm."""
    counter = int(moment.timestamp()) // STEP
    day = (datetime.fromtimestamp(counter * STEP, timezone.utc) + timedelta(hours=8)).date().isoformat()
    mac = hmac.new(bytes.fromhex(secrets[day]), counter.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = mac[31] & 0x0F
    code = (int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** 8
    return f"OFF1.{order_id}.{counter}.{code:08d}"


def scan(code: str, scanned_at: datetime, location=ON_SITE) -> dict:
    return {"code": code, "scanned_at": scanned_at.isoformat(), "location": location}


async def upload(client, booked, check_in: dict, check_out: dict | None = None, tokens=None, order_id=None):
    _, response = await client.post(f"/api/v1/orders/{order_id or booked['order']['id']}/offline-visits",
                                    json={"check_in": check_in, "check_out": check_out},
                                    headers=bearer(tokens or booked["expert"]))
    return response


async def a_visit(client, booked, visit_day, start="09:00", end="12:00") -> dict:
    """A check-in and check-out record, as the expert's phone stored them (its clock 40 s off)."""
    secrets = await fetch_secrets(client, booked)
    order_id = booked["order"]["id"]
    arrive, leave = visit_day(start), visit_day(end)
    return {"check_in": scan(phone_code(secrets, order_id, arrive), arrive + timedelta(seconds=40)),
            "check_out": scan(phone_code(secrets, order_id, leave), leave + timedelta(seconds=40))}


async def test_an_offline_visit_uploaded_later_gets_the_times_its_codes_prove_and_its_hours(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    with frozen(visit_day("14:00")):
        response = await upload(client, booked, record["check_in"], record["check_out"])
    assert response.status == 201, response.json
    visit = response.json
    assert (visit["source"], visit["status"], visit["flags"]) == ("offline", "completed", [])
    assert visit["check_in_at"] == visit_day("09:00").isoformat()
    assert visit["check_out_at"] == visit_day("12:00").isoformat()
    assert visit["duration_minutes"] == 180
    assert (await Order.get(id=booked["order"]["id"])).status == "serviced"
    entries = await LedgerEntry.filter(visit_id=visit["id"])
    assert [(float(e.hours), e.status, e.source) for e in entries] == [(3.0, "pending", "offline")]

    _, rated = await client.post(f"/api/v1/visits/{visit['id']}/rating",
                                 json={"overall": 5, "attitude": 5, "expertise": 5, "solved": "solved"},
                                 headers=bearer(booked["farmer"]))
    assert rated.status == 201, rated.json
    _, ledger = await client.get("/api/v1/ledger/me", params={"year": entries[0].year},
                                 headers=bearer(booked["expert"]))
    assert ledger.json["hours"] == 3.0
    scans = await OfflineScan.filter(visit_id=visit["id"]).order_by("counter")
    assert [(s.kind, s.skew_seconds) for s in scans] == [("check_in", 40), ("check_out", 40)]


async def test_uploading_the_same_record_twice_gives_one_visit(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    with frozen(visit_day("14:00")):
        first = await upload(client, booked, record["check_in"], record["check_out"])
        again = await upload(client, booked, record["check_in"], record["check_out"])
    assert (first.status, again.status) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert again.json["repeated"] is True
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 1
    assert await LedgerEntry.filter(visit_id=first.json["id"]).count() == 1


async def test_a_check_in_uploaded_alone_is_completed_by_uploading_it_with_its_check_out(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    with frozen(visit_day("10:00")):
        opened = await upload(client, booked, record["check_in"])
    assert (opened.status, opened.json["status"]) == (201, "open")
    assert (await Order.get(id=booked["order"]["id"])).status == "in_service"
    with frozen(visit_day("14:00")):
        closed = await upload(client, booked, record["check_in"], record["check_out"])
    assert closed.json["id"] == opened.json["id"]
    assert (closed.json["status"], closed.json["duration_minutes"]) == ("completed", 180)
    assert (await Order.get(id=booked["order"]["id"])).status == "serviced"


async def test_a_visit_checked_in_online_can_be_checked_out_offline(client, booked, visit_day):
    secrets = await fetch_secrets(client, booked)
    with frozen(visit_day("09:00")):
        _, code = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code",
                                   headers=bearer(booked["farmer"]))
        _, opened = await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                                      json={"token": code.json["token"], "location": ON_SITE},
                                      headers=bearer(booked["expert"]))
    assert opened.status == 201
    leave = visit_day("11:30")
    with frozen(visit_day("15:00")):
        _, closed = await client.post(
            f"/api/v1/visits/{opened.json['id']}/offline-check-out",
            json={"check_out": scan(phone_code(secrets, booked["order"]["id"], leave), leave)},
            headers=bearer(booked["expert"]))
    assert closed.status == 200, closed.json
    assert (closed.json["source"], closed.json["status"], closed.json["duration_minutes"]) == \
        ("offline", "completed", 150)
    assert (await Order.get(id=booked["order"]["id"])).status == "serviced"


async def test_a_phone_clock_a_few_minutes_off_is_flagged_not_refused(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    record["check_in"]["scanned_at"] = (visit_day("09:00") + timedelta(minutes=5)).isoformat()
    with frozen(visit_day("14:00")):
        response = await upload(client, booked, record["check_in"], record["check_out"])
    assert response.status == 201
    assert (response.json["status"], response.json["flags"]) == ("flagged", ["offline_clock"])
    assert response.json["flag_labels"] == ["离线签到时间存疑"]
    assert response.json["check_in_at"] == visit_day("09:00").isoformat()


async def test_a_code_scanned_far_from_the_time_it_shows_is_refused(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    # A photo of the 09:00 code scanned at 11:00, as if passed on to someone not there.
    record["check_in"]["scanned_at"] = visit_day("11:00").isoformat()
    with frozen(visit_day("14:00")):
        response = await upload(client, booked, record["check_in"], record["check_out"])
    assert response.status == 422
    assert response.json["error"]["code"] == "offline_time_mismatch"
    assert "相差太大" in response.json["error"]["message"]
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 0


async def test_a_code_used_in_an_earlier_visit_cannot_be_used_again(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    with frozen(visit_day("14:00")):
        await upload(client, booked, record["check_in"], record["check_out"])
    secrets = await fetch_secrets(client, booked)
    later = visit_day("15:30")
    with frozen(visit_day("16:00")):
        replayed = await upload(client, booked, record["check_out"],
                                scan(phone_code(secrets, booked["order"]["id"], later), later))
    assert replayed.status == 409
    assert replayed.json["error"]["code"] == "offline_code_used"
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 1


async def test_a_second_visit_overlapping_the_first_is_refused(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    inner = await a_visit(client, booked, visit_day, "10:00", "11:00")
    with frozen(visit_day("14:00")):
        await upload(client, booked, record["check_in"], record["check_out"])
        response = await upload(client, booked, inner["check_in"], inner["check_out"])
    assert response.status == 409
    assert response.json["error"]["code"] == "visit_overlaps"


async def test_a_code_of_another_order_is_refused(client, booked, visit_day):
    other = await scheduled_order(client, "-other")
    other_record = await a_visit(client, other, visit_day)
    with frozen(visit_day("14:00")):
        response = await upload(client, booked, other_record["check_in"], other_record["check_out"])
        assert response.status == 400
        assert response.json["error"]["code"] == "code_other_order"
        # The other order's digits under this order's number are not a valid code either.
        forged = other_record["check_in"] | {
            "code": other_record["check_in"]["code"].replace(f"OFF1.{other['order']['id']}.",
                                                             f"OFF1.{booked['order']['id']}.")}
        response = await upload(client, booked, forged)
    assert response.status == 400
    assert response.json["error"]["code"] == "code_invalid"


async def test_an_expert_not_assigned_to_the_order_cannot_upload(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    stranger, _ = await expert_tokens(client, "offline-stranger")
    with frozen(visit_day("14:00")):
        response = await upload(client, booked, record["check_in"], record["check_out"], tokens=stranger)
    assert response.status == 403
    assert response.json["error"]["code"] == "not_assigned"


async def test_an_upload_after_the_deadline_is_refused_and_a_late_one_flagged(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    with frozen(visit_day("14:00") + timedelta(days=16)):
        too_old = await upload(client, booked, record["check_in"], record["check_out"])
    assert too_old.status == 422
    assert too_old.json["error"]["code"] == "offline_upload_too_late"
    assert "15 天" in too_old.json["error"]["message"]
    with frozen(visit_day("14:00") + timedelta(days=4)):
        late = await upload(client, booked, record["check_in"], record["check_out"])
    assert late.status == 201
    assert late.json["flags"] == ["late_upload"]


async def test_a_code_from_the_future_is_refused_until_the_server_reaches_it(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    with frozen(visit_day("10:00")):
        response = await upload(client, booked, record["check_in"], record["check_out"])
    assert response.status == 422
    assert response.json["error"]["code"] == "offline_code_in_future"


async def test_a_check_in_before_the_expert_accepted_the_order_is_refused(app, client, booked):
    order = await Order.get(id=booked["order"]["id"])
    _, key = app.ctx.resources.settings.signing_keys[0]
    before = order.scheduled_at - timedelta(hours=2)
    code = offline_codes.code_for(key, order.id, offline_codes.counter_at(before, STEP), STEP)
    response = await upload(client, booked, scan(code.text, before))
    assert response.status == 422
    assert response.json["error"]["code"] == "offline_before_schedule"


async def test_a_scan_far_from_the_site_is_refused(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    record["check_in"]["location"] = {"latitude": MINLE_POINT[0] + 0.5, "longitude": MINLE_POINT[1], "accuracy": 10}
    with frozen(visit_day("14:00")):
        response = await upload(client, booked, record["check_in"], record["check_out"])
    assert response.status == 422
    assert response.json["error"]["code"] == "too_far_away"


async def test_secrets_from_a_removed_signing_key_no_longer_verify(app, client, booked, visit_day, monkeypatch):
    record = await a_visit(client, booked, visit_day)
    res = app.ctx.resources
    old = res.settings.jwt_keys
    monkeypatch.setattr(res, "settings", res.settings.with_overrides(
        jwt_keys="k2:rotated-signing-secret-abcdefghijklmnopqrstuvwxyz"))
    with frozen(visit_day("14:00")):
        refused = await upload(client, booked, record["check_in"], record["check_out"])
        assert refused.status == 400
        assert refused.json["error"]["code"] == "code_invalid"
        # While the old key is still listed for verification, records made with it stay valid.
        monkeypatch.setattr(res, "settings", res.settings.with_overrides(
            jwt_keys=f"k2:rotated-signing-secret-abcdefghijklmnopqrstuvwxyz,{old}"))
        accepted = await upload(client, booked, record["check_in"], record["check_out"])
    assert accepted.status == 201


async def test_only_the_orders_requester_can_fetch_its_offline_secrets(client, booked):
    neighbour = await login(client, "offline-neighbour")
    _, response = await client.get(f"/api/v1/orders/{booked['order']['id']}/offline-secret", headers=bearer(neighbour))
    assert response.status == 404
    assert response.json["error"]["code"] == "order_not_found"
    _, as_expert = await client.get(f"/api/v1/orders/{booked['order']['id']}/offline-secret",
                                    headers=bearer(booked["expert"]))
    assert as_expert.status == 403


async def test_the_upload_is_kept_in_the_audit_trail_with_both_clocks(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    with frozen(visit_day("14:00")):
        visit = (await upload(client, booked, record["check_in"], record["check_out"])).json
    actions = await AuditRecord.filter(subject_type="visit", subject_id=str(visit["id"])) \
        .order_by("id").values_list("action", flat=True)
    assert actions == ["offline_check_in", "offline_check_out"]
    detail = (await AuditRecord.get(subject_id=str(visit["id"]), action="offline_check_in")).detail
    assert (detail["code_at"], detail["skew_seconds"]) == (visit_day("09:00").isoformat(), 40)


async def test_a_scan_time_without_a_time_zone_is_refused_in_chinese(client, booked, visit_day):
    record = await a_visit(client, booked, visit_day)
    record["check_in"]["scanned_at"] = "2026-12-01T09:00:00"
    response = await upload(client, booked, record["check_in"])
    assert response.status == 422
    assert "时区" in response.json["error"]["fields"]["check_in.scanned_at"]
