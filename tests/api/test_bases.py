"""专家服务基地: bases in the admin's area, printed signed codes, 人次 once per person a day, and the hours."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import jwt
import pytest

from backend.domain.roles import Role
from backend.infra.clock import CHINA, frozen
from backend.models import BaseAttendance, LedgerEntry, User
from support.auth import bearer, login
from support.factories import (
    FANGZHENG, FANGZHENG_VILLAGE, MINLE_POINT, MINLE_VILLAGE, PROVINCE, WUCHANG, admin_tokens, expert_tokens,
)

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 20}
FAR_AWAY = {"latitude": MINLE_POINT[0] + 0.5, "longitude": MINLE_POINT[1], "accuracy": 20}
DAY_ONE = datetime(2026, 5, 12, 9, 30, tzinfo=CHINA)
BASE = {"name": "民乐村水稻科技示范基地", "region_code": MINLE_VILLAGE,
        "latitude": MINLE_POINT[0], "longitude": MINLE_POINT[1]}


@pytest.fixture
async def county(client):
    return await admin_tokens(client, "base-county", Role.LOCAL_ADMIN, WUCHANG)


@pytest.fixture
async def base(client, county):
    _, response = await client.post("/api/v1/bases", json=BASE, headers=bearer(county))
    assert response.status == 201, response.json
    return response.json


async def poster_token(client, admin, base_id) -> str:
    _, response = await client.get(f"/api/v1/bases/{base_id}/code", headers=bearer(admin))
    assert response.status == 200, response.json
    return response.json["token"]


async def scan(client, tokens, token, location=ON_SITE, at=DAY_ONE):
    body = {"token": token} | ({"location": location} if location else {})
    with frozen(at):
        _, response = await client.post("/api/v1/bases/check-in", json=body, headers=bearer(tokens))
    return response


async def stats(client, admin, base_id, year=2026) -> dict:
    _, response = await client.get(f"/api/v1/bases/{base_id}/stats", params={"year": year}, headers=bearer(admin))
    assert response.status == 200, response.json
    return response.json


async def test_a_county_admin_sets_up_a_base_in_their_county_but_not_in_another(client, county):
    _, mine = await client.post("/api/v1/bases", json=BASE, headers=bearer(county))
    assert mine.status == 201
    assert mine.json["code_version"] == 1
    elsewhere = BASE | {"region_code": FANGZHENG_VILLAGE, "name": "方正县示范基地"}
    _, refused = await client.post("/api/v1/bases", json=elsewhere, headers=bearer(county))
    assert refused.status == 403
    assert refused.json["error"]["code"] == "out_of_region"
    province = await admin_tokens(client, "base-province", Role.PROVINCE_ADMIN, PROVINCE)
    _, by_province = await client.post("/api/v1/bases", json=elsewhere, headers=bearer(province))
    assert by_province.status == 201


async def test_an_expert_cannot_set_up_a_base(client):
    expert, _ = await expert_tokens(client, "base-expert-creator")
    _, response = await client.post("/api/v1/bases", json=BASE, headers=bearer(expert))
    assert response.status == 403


async def test_the_printed_code_comes_as_a_png_and_an_svg_for_admins_of_the_area_only(client, county, base):
    _, png = await client.get(f"/api/v1/bases/{base['id']}/code.png", headers=bearer(county))
    assert png.status == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    _, svg = await client.get(f"/api/v1/bases/{base['id']}/code.svg", headers=bearer(county))
    assert svg.headers["content-type"] == "image/svg+xml"
    assert ET.fromstring(svg.content).tag.endswith("svg")
    _, again = await client.get(f"/api/v1/bases/{base['id']}/code.png", headers=bearer(county))
    assert again.content == png.content

    other = await admin_tokens(client, "base-fz-county", Role.LOCAL_ADMIN, FANGZHENG)
    _, refused = await client.get(f"/api/v1/bases/{base['id']}/code.png", headers=bearer(other))
    assert refused.status == 403
    assert refused.json["error"]["code"] == "out_of_region"


async def test_the_code_is_a_signed_token_for_the_base_audience_with_no_expiry(client, county, base):
    token = await poster_token(client, county, base["id"])
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256" and header["kid"]
    assert claims == {"aud": "zjfw:base", "b": base["id"], "v": 1}


async def test_each_person_counts_once_per_base_per_day(client, county, base):
    token = await poster_token(client, county, base["id"])
    expert, _ = await expert_tokens(client, "base-expert")
    farmers = [await login(client, f"base-farmer-{i}") for i in range(2)]

    first = await scan(client, expert, token)
    assert first.status == 201
    assert first.json["role"] == "expert"
    repeated = await scan(client, expert, token, at=DAY_ONE + timedelta(hours=2))
    assert repeated.status == 200
    assert repeated.json["repeated"] is True
    for farmer in farmers:
        response = await scan(client, farmer, token)
        assert response.status == 201
        assert response.json["role"] == "participant"
    next_day = await scan(client, farmers[0], token, at=DAY_ONE + timedelta(days=1))
    assert next_day.status == 201

    figures = await stats(client, county, base["id"])
    assert figures["participant_visits"] == 4
    assert figures["experts"] == 1
    assert figures["participants"] == 3
    assert figures["activity_days"] == 2
    assert figures["target"] == 50
    assert figures["target_met"] is False
    assert (await stats(client, county, base["id"], year=2025))["participant_visits"] == 0


async def test_fifty_participant_visits_in_a_year_meet_the_shanghai_rule(client, county, base):
    users = [await User.create(openid=f"fifty-{i}", name=f"村民{i}") for i in range(50)]
    await BaseAttendance.bulk_create([
        BaseAttendance(base_id=base["id"], user_id=user.id, role="participant",
                       attended_on=(DAY_ONE + timedelta(days=i % 5)).date(), checked_at=DAY_ONE)
        for i, user in enumerate(users)
    ])
    figures = await stats(client, county, base["id"])
    assert figures["participant_visits"] == 50
    assert figures["activity_days"] == 5
    assert figures["target_met"] is True


async def test_rotating_the_code_voids_the_printed_one(client, county, base):
    old = await poster_token(client, county, base["id"])
    _, rotated = await client.post(f"/api/v1/bases/{base['id']}/rotate-code", headers=bearer(county))
    assert rotated.status == 200
    assert rotated.json["code_version"] == 2
    assert rotated.json["token"] != old
    farmer = await login(client, "base-rotate-farmer")
    refused = await scan(client, farmer, old)
    assert refused.status == 400
    assert refused.json["error"]["code"] == "base_code_revoked"
    accepted = await scan(client, farmer, rotated.json["token"])
    assert accepted.status == 201


async def test_a_scan_far_from_the_base_is_refused_and_one_without_location_is_asked_for_it(client, county, base):
    token = await poster_token(client, county, base["id"])
    farmer = await login(client, "base-far-farmer")
    far = await scan(client, farmer, token, location=FAR_AWAY)
    assert far.status == 422
    assert far.json["error"]["code"] == "too_far_away"
    blind = await scan(client, farmer, token, location=None)
    assert blind.status == 422
    assert blind.json["error"]["code"] == "location_required"
    assert "定位" in blind.json["error"]["message"] or "位置" in blind.json["error"]["message"]
    assert await BaseAttendance.filter(base_id=base["id"]).count() == 0


async def test_a_check_in_code_or_a_code_signed_elsewhere_is_not_a_base_code(client, app, county, base):
    farmer = await login(client, "base-forger")
    order_code, _ = app.ctx.resources.checkin_codes.issue(base["id"])
    assert (await scan(client, farmer, order_code)).json["error"]["code"] == "base_code_invalid"
    forged = jwt.encode({"aud": "zjfw:base", "b": base["id"], "v": 1}, "someone-elses-secret-0123456789abcdef",
                        algorithm="HS256", headers={"kid": "dev"})
    assert (await scan(client, farmer, forged)).json["error"]["code"] == "base_code_invalid"


async def test_an_experts_base_scan_adds_hours_that_count_once_an_admin_confirms_the_activity(
        client, county, base, settings):
    token = await poster_token(client, county, base["id"])
    expert, expert_id = await expert_tokens(client, "base-hours-expert")
    scanned = await scan(client, expert, token)
    assert scanned.json["hours"] == settings.base_activity_hours
    assert scanned.json["hours_status"] == "pending"
    row = await LedgerEntry.get(expert_id=expert_id)
    assert (row.source, row.status, float(row.hours)) == ("base_scan", "pending", settings.base_activity_hours)

    _, before = await client.get("/api/v1/ledger/me", params={"year": 2026}, headers=bearer(expert))
    assert before.json["hours"] == 0
    assert before.json["pending_hours"] == settings.base_activity_hours

    other = await admin_tokens(client, "base-fz-confirmer", Role.LOCAL_ADMIN, FANGZHENG)
    confirm = {"date": DAY_ONE.date().isoformat(), "approve": True, "reason": "现场培训，村委会提供签到表"}
    _, outsider = await client.post(f"/api/v1/bases/{base['id']}/confirm", json=confirm, headers=bearer(other))
    assert outsider.status == 403
    _, confirmed = await client.post(f"/api/v1/bases/{base['id']}/confirm", json=confirm, headers=bearer(county))
    assert confirmed.status == 200
    assert confirmed.json["entries"] == 1

    _, after = await client.get("/api/v1/ledger/me", params={"year": 2026}, headers=bearer(expert))
    assert after.json["hours"] == settings.base_activity_hours
    assert after.json["pending_hours"] == 0


async def test_admins_are_staff_not_participants(client, county, base):
    token = await poster_token(client, county, base["id"])
    response = await scan(client, county, token)
    assert response.status == 403
    assert response.json["error"]["code"] == "role_cannot_attend"


@pytest.mark.parametrize("year", ["abc", "99999", "1999"])
async def test_a_year_that_is_not_one_is_a_clear_422_on_every_yearly_view(client, county, base, year):
    expert, _ = await expert_tokens(client, "year-expert")
    for path, tokens in ((f"/api/v1/bases/{base['id']}/stats", county), ("/api/v1/visits", expert),
                         ("/api/v1/ledger/me", expert)):
        _, response = await client.get(path, params={"year": year}, headers=bearer(tokens))
        assert response.status == 422, (path, response.status, response.json)
        assert set(response.json["error"]["fields"]) == {"year"}, path
    _, fine = await client.get("/api/v1/ledger/me", params={"year": 2026}, headers=bearer(expert))
    assert fine.status == 200 and fine.json["year"] == 2026
