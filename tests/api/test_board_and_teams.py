"""The 揭榜 board, claim confirmation, and dispatch to a service team through its leader."""

import pytest

from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order


@pytest.fixture
async def accepted_order(client):
    farmer = await login(client, "board-farmer")
    county = await admin_tokens(client, "board-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "board-province", Role.PROVINCE_ADMIN, PROVINCE)
    order = await place_order(client, farmer)
    await client.post(f"/api/v1/orders/{order['id']}/accept", json={}, headers=bearer(county))
    return {"order": order, "farmer": farmer, "county": county, "province": province}


async def test_a_published_order_shows_on_the_board_only_to_experts_whose_field_fits(client, accepted_order):
    province, order = accepted_order["province"], accepted_order["order"]
    _, published = await client.post(f"/api/v1/orders/{order['id']}/publish", json={}, headers=bearer(province))
    assert published.json["claim_deadline"] is not None
    planter, _ = await expert_tokens(client, "planter", field="planting")
    vet, _ = await expert_tokens(client, "vet", field="livestock")
    _, planter_board = await client.get("/api/v1/board", headers=bearer(planter))
    _, vet_board = await client.get("/api/v1/board", headers=bearer(vet))
    assert [item["id"] for item in planter_board.json["items"]] == [order["id"]]
    assert vet_board.json["items"] == []
    # The board shows the problem, not the person: no number, no exact point.
    assert planter_board.json["items"][0]["contact_phone"] == "138****0201"
    assert planter_board.json["items"][0]["latitude"] is None
    _, vet_claim = await client.post(f"/api/v1/orders/{order['id']}/claim", headers=bearer(vet))
    assert vet_claim.status == 404


async def test_an_unverified_expert_cannot_see_the_board_or_claim(client, accepted_order):
    province, order = accepted_order["province"], accepted_order["order"]
    await client.post(f"/api/v1/orders/{order['id']}/publish", json={}, headers=bearer(province))
    newcomer, _ = await expert_tokens(client, "newcomer", verified=False)
    _, board = await client.get("/api/v1/board", headers=bearer(newcomer))
    assert board.status == 403
    _, claim = await client.post(f"/api/v1/orders/{order['id']}/claim", headers=bearer(newcomer))
    assert claim.status == 403


async def test_an_admin_confirms_a_claim_and_the_expert_is_scheduled(client, accepted_order):
    province, order = accepted_order["province"], accepted_order["order"]
    await client.post(f"/api/v1/orders/{order['id']}/publish", json={}, headers=bearer(province))
    expert, expert_id = await expert_tokens(client, "claimer")
    _, claimed = await client.post(f"/api/v1/orders/{order['id']}/claim", headers=bearer(expert))
    assert claimed.json["status"] == "claimed"
    _, confirmed = await client.post(f"/api/v1/orders/{order['id']}/claim/confirm", headers=bearer(province))
    assert confirmed.json["status"] == "scheduled"
    _, seen = await client.get(f"/api/v1/orders/{order['id']}", headers=bearer(expert))
    assert seen.json["contact_phone"] == "13800000201"


async def test_an_admin_reopens_a_claim_with_a_reason_and_the_order_returns_to_the_board(client, accepted_order):
    province, order = accepted_order["province"], accepted_order["order"]
    await client.post(f"/api/v1/orders/{order['id']}/publish", json={}, headers=bearer(province))
    expert, _ = await expert_tokens(client, "hasty-claimer")
    await client.post(f"/api/v1/orders/{order['id']}/claim", headers=bearer(expert))
    _, reopened = await client.post(f"/api/v1/orders/{order['id']}/claim/reopen",
                                    json={"reason": "需要果树方向的专家"}, headers=bearer(province))
    assert reopened.json["status"] == "published"
    assert reopened.json["expert_id"] is None


async def test_a_claim_deadline_in_the_past_is_refused(client, accepted_order):
    province, order = accepted_order["province"], accepted_order["order"]
    _, response = await client.post(f"/api/v1/orders/{order['id']}/publish",
                                    json={"claim_deadline": "2020-01-01T00:00:00+08:00"}, headers=bearer(province))
    assert response.status == 422


async def test_a_team_order_is_accepted_by_its_leader_who_names_who_goes(client, accepted_order):
    province, order = accepted_order["province"], accepted_order["order"]
    leader, leader_id = await expert_tokens(client, "team-leader")
    member, member_id = await expert_tokens(client, "team-member")
    outsider, outsider_id = await expert_tokens(client, "outsider")
    _, team = await client.post("/api/v1/teams", json={
        "name": "五常果树专家服务团", "field": "planting", "region_code": WUCHANG, "leader_id": leader_id,
        "core_ids": [member_id], "term_start": "2026-01-01",
    }, headers=bearer(province))
    assert team.status == 201
    assert team.json["term_end"] == "2029-01-01"
    _, dispatched = await client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": team.json["id"]},
                                      headers=bearer(province))
    assert dispatched.json["status"] == "dispatched"

    _, by_member = await client.post(f"/api/v1/orders/{order['id']}/expert-accept", json={}, headers=bearer(member))
    assert by_member.status == 404
    _, wrong_pick = await client.post(f"/api/v1/orders/{order['id']}/expert-accept",
                                      json={"member_ids": [outsider_id]}, headers=bearer(leader))
    assert wrong_pick.status == 422
    _, accepted = await client.post(f"/api/v1/orders/{order['id']}/expert-accept",
                                    json={"member_ids": [leader_id, member_id]}, headers=bearer(leader))
    assert accepted.status == 200
    assert accepted.json["status"] == "scheduled"
    _, member_view = await client.get("/api/v1/orders", headers=bearer(member))
    assert [item["id"] for item in member_view.json["items"]] == [order["id"]]
    _, outsider_view = await client.get("/api/v1/orders", headers=bearer(outsider))
    assert outsider_view.json["items"] == []


async def test_a_county_admin_cannot_form_a_team_in_another_county(client):
    county = await admin_tokens(client, "team-county", Role.LOCAL_ADMIN, WUCHANG)
    _, leader_id = await expert_tokens(client, "far-leader")
    _, response = await client.post("/api/v1/teams", json={
        "name": "方正县服务团", "field": "planting", "region_code": "230124", "leader_id": leader_id,
        "term_start": "2026-01-01",
    }, headers=bearer(county))
    assert response.status == 403
