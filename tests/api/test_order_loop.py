"""基层下单 → 属地接单 → 省厅派单 / 揭榜 → 专家接单, through the HTTP API as each role."""

import pytest

from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import (
    FANGZHENG,
    FANGZHENG_POINT,
    FANGZHENG_VILLAGE,
    PROVINCE,
    WUCHANG,
    admin_tokens,
    expert_tokens,
    order_body,
    place_order,
)


@pytest.fixture
async def people(client):
    farmer = await login(client, "farmer-zhao")
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "province-admin", Role.PROVINCE_ADMIN, PROVINCE)
    expert, expert_id = await expert_tokens(client, "fruit-expert")
    return {"farmer": farmer, "county": county, "province": province, "expert": expert, "expert_id": expert_id}


async def post(client, path, tokens, body=None):
    _, response = await client.post(path, json=body if body is not None else {}, headers=bearer(tokens))
    return response


async def test_an_order_walks_from_placing_to_the_experts_acceptance(client, people):
    order = await place_order(client, people["farmer"])
    assert order["status"] == "submitted"
    assert order["items"][0]["name"] == "果树病虫害诊断"
    assert order["due_at"] is not None

    accepted = await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    assert accepted.status == 200 and accepted.json["status"] == "accepted"

    dispatched = await post(client, f"/api/v1/orders/{order['id']}/dispatch", people["province"],
                            {"expert_id": people["expert_id"]})
    assert dispatched.status == 200 and dispatched.json["status"] == "dispatched"

    _, assignments = await client.get("/api/v1/orders", headers=bearer(people["expert"]))
    assert [item["id"] for item in assignments.json["items"]] == [order["id"]]
    assert set(assignments.json["items"][0]["actions"]) == {"expert_accept", "decline"}
    # Before agreeing to come, the expert sees a masked number and no exact point.
    assert assignments.json["items"][0]["contact_phone"] == "138****0201"
    assert assignments.json["items"][0]["latitude"] is None

    answered = await post(client, f"/api/v1/orders/{order['id']}/expert-accept", people["expert"],
                          {"visit_at": "2026-12-03T09:00:00+08:00"})
    assert answered.status == 200
    assert answered.json["status"] == "scheduled"
    assert answered.json["contact_phone"] == "13800000201"

    _, detail = await client.get(f"/api/v1/orders/{order['id']}", headers=bearer(people["farmer"]))
    steps = [(step["from_status"], step["to_status"], step["actor_role"]) for step in detail.json["timeline"]]
    assert steps == [
        (None, "submitted", "requester"),
        ("submitted", "accepted", "local_admin"),
        ("accepted", "dispatched", "province_admin"),
        ("dispatched", "scheduled", "expert"),
    ]


async def test_a_returned_order_is_edited_and_resubmitted(client, people):
    order = await place_order(client, people["farmer"])
    returned = await post(client, f"/api/v1/orders/{order['id']}/return", people["county"],
                          {"reason": "请补充果园的位置和受害面积"})
    assert returned.json["status"] == "returned"
    _, seen = await client.get(f"/api/v1/orders/{order['id']}", headers=bearer(people["farmer"]))
    assert seen.json["last_reason"] == "请补充果园的位置和受害面积"
    assert seen.json["actions"] == ["resubmit", "cancel"]

    resubmitted = await post(client, f"/api/v1/orders/{order['id']}/resubmit", people["farmer"],
                             {"description": "果园在民乐村三组东头，约 5 亩苹果树叶子发黄，果子有黑斑"})
    assert resubmitted.status == 200
    assert resubmitted.json["status"] == "submitted"
    assert resubmitted.json["description"].startswith("果园在民乐村三组东头")


async def test_rejecting_needs_a_reason_and_ends_the_order(client, people):
    order = await place_order(client, people["farmer"])
    missing = await post(client, f"/api/v1/orders/{order['id']}/reject", people["county"], {})
    assert missing.status == 422
    assert missing.json["error"]["fields"]["reason"] == "此项必填"
    rejected = await post(client, f"/api/v1/orders/{order['id']}/reject", people["county"],
                          {"reason": "不属于专家服务范围"})
    assert rejected.json["status"] == "rejected"
    again = await post(client, f"/api/v1/orders/{order['id']}/dispatch", people["province"],
                       {"expert_id": people["expert_id"]})
    assert again.status == 409
    assert again.json["error"]["current_status"] == "rejected"


async def test_an_expert_who_declines_sends_the_order_back_for_dispatch(client, people):
    order = await place_order(client, people["farmer"])
    await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    await post(client, f"/api/v1/orders/{order['id']}/dispatch", people["province"], {"expert_id": people["expert_id"]})
    no_reason = await post(client, f"/api/v1/orders/{order['id']}/decline", people["expert"], {"reason": ""})
    assert no_reason.status == 422
    declined = await post(client, f"/api/v1/orders/{order['id']}/decline", people["expert"],
                          {"reason": "本周在外地出差"})
    assert declined.status == 200
    assert declined.json["status"] == "accepted"
    # The expert no longer sees it among their assignments.
    _, assignments = await client.get("/api/v1/orders", headers=bearer(people["expert"]))
    assert assignments.json["items"] == []


async def test_the_requester_cancels_with_a_reason_before_any_visit(client, people):
    order = await place_order(client, people["farmer"])
    cancelled = await post(client, f"/api/v1/orders/{order['id']}/cancel", people["farmer"],
                           {"reason": "问题已经自己解决了"})
    assert cancelled.json["status"] == "cancelled"
    accept = await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    assert accept.status == 409


async def test_a_village_cadre_orders_on_behalf_of_a_named_villager(client, people):
    order = await place_order(client, people["farmer"], on_behalf_of="李大娘")
    assert order["on_behalf_of"] == "李大娘"


async def test_ordering_a_retired_or_unknown_menu_item_is_refused(client, people):
    _, response = await client.post("/api/v1/orders", json=order_body(items=["no_such_dish"]),
                                    headers=bearer(people["farmer"]))
    assert response.status == 422
    assert "no_such_dish" in response.json["error"]["fields"]["items"]


async def test_an_order_must_name_a_village_not_a_county(client, people):
    _, response = await client.post("/api/v1/orders", json=order_body(village="230184000000"),
                                    headers=bearer(people["farmer"]))
    assert response.status == 422
    assert response.json["error"]["fields"]["region_code"] == "请选择到村（社区）"


async def test_a_time_window_that_ends_before_it_starts_is_refused(client, people):
    _, response = await client.post(
        "/api/v1/orders", json=order_body(window_start="2026-12-10", window_end="2026-12-01"),
        headers=bearer(people["farmer"]),
    )
    assert response.status == 422


# --------------------------------------------------------------------------- scope


async def test_a_county_admin_cannot_accept_another_countys_order(client, people):
    order = await place_order(client, people["farmer"], village=FANGZHENG_VILLAGE, point=FANGZHENG_POINT)
    response = await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    assert response.status == 404
    fangzheng = await admin_tokens(client, "fangzheng-admin", Role.LOCAL_ADMIN, FANGZHENG)
    response = await post(client, f"/api/v1/orders/{order['id']}/accept", fangzheng)
    assert response.status == 200


async def test_a_county_admins_queue_holds_only_their_county(client, people):
    ours = await place_order(client, people["farmer"])
    await place_order(client, people["farmer"], village=FANGZHENG_VILLAGE, point=FANGZHENG_POINT)
    _, queue = await client.get("/api/v1/orders", params={"status": "submitted"}, headers=bearer(people["county"]))
    assert [item["id"] for item in queue.json["items"]] == [ours["id"]]
    _, everything = await client.get("/api/v1/orders", headers=bearer(people["province"]))
    assert len(everything.json["items"]) == 2


async def test_a_requester_cannot_see_another_requesters_order(client, people):
    order = await place_order(client, people["farmer"])
    neighbour = await login(client, "nosy-neighbour")
    _, response = await client.get(f"/api/v1/orders/{order['id']}", headers=bearer(neighbour))
    assert response.status == 404
    _, mine = await client.get("/api/v1/orders", headers=bearer(neighbour))
    assert mine.json["items"] == []


async def test_an_expert_cannot_accept_someone_elses_assignment(client, people):
    order = await place_order(client, people["farmer"])
    await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    await post(client, f"/api/v1/orders/{order['id']}/dispatch", people["province"], {"expert_id": people["expert_id"]})
    rival, _ = await expert_tokens(client, "rival-expert")
    response = await post(client, f"/api/v1/orders/{order['id']}/expert-accept", rival, {})
    assert response.status == 404


async def test_a_local_admin_may_not_dispatch_unless_the_province_allows_it(client, people):
    order = await place_order(client, people["farmer"])
    await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    response = await post(client, f"/api/v1/orders/{order['id']}/dispatch", people["county"],
                          {"expert_id": people["expert_id"]})
    assert response.status == 403


async def test_an_unverified_expert_cannot_be_dispatched_to(client, people):
    _, pending_id = await expert_tokens(client, "pending-expert", verified=False)
    order = await place_order(client, people["farmer"])
    await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    response = await post(client, f"/api/v1/orders/{order['id']}/dispatch", people["province"],
                          {"expert_id": pending_id})
    assert response.status == 422
    assert "审核" in response.json["error"]["fields"]["expert_id"]


async def test_admins_see_the_full_phone_and_strangers_never_do(client, people):
    order = await place_order(client, people["farmer"])
    _, admin_view = await client.get(f"/api/v1/orders/{order['id']}", headers=bearer(people["county"]))
    assert admin_view.json["contact_phone"] == "13800000201"


# --------------------------------------------------------------------------- lists


async def test_lists_page_with_a_cursor_newest_first(client, people):
    ids = [(await place_order(client, people["farmer"]))["id"] for _ in range(5)]
    _, first = await client.get("/api/v1/orders", params={"limit": 2}, headers=bearer(people["farmer"]))
    _, second = await client.get("/api/v1/orders", params={"limit": 2, "cursor": first.json["next_cursor"]},
                                 headers=bearer(people["farmer"]))
    _, third = await client.get("/api/v1/orders", params={"limit": 2, "cursor": second.json["next_cursor"]},
                                headers=bearer(people["farmer"]))
    seen = [item["id"] for page in (first, second, third) for item in page.json["items"]]
    assert seen == sorted(ids, reverse=True)
    assert third.json["next_cursor"] is None


async def test_list_filters_reject_unknown_statuses_and_cap_the_page_size(client, people):
    _, bad = await client.get("/api/v1/orders", params={"status": "lost"}, headers=bearer(people["farmer"]))
    assert bad.status == 422
    _, huge = await client.get("/api/v1/orders", params={"limit": 5000}, headers=bearer(people["farmer"]))
    assert huge.status == 422
    _, forged = await client.get("/api/v1/orders", params={"cursor": "!!!"}, headers=bearer(people["farmer"]))
    assert forged.status == 422


async def test_the_requester_sees_which_expert_is_coming(client, people):
    order = await place_order(client, people["farmer"])
    await post(client, f"/api/v1/orders/{order['id']}/accept", people["county"])
    await post(client, f"/api/v1/orders/{order['id']}/dispatch", people["province"], {"expert_id": people["expert_id"]})
    await post(client, f"/api/v1/orders/{order['id']}/expert-accept", people["expert"], {})
    _, seen = await client.get(f"/api/v1/orders/{order['id']}", headers=bearer(people["farmer"]))
    assert seen.json["expert"]["name"] == "fruit-expert"
    assert seen.json["expert"]["employer"] == "黑龙江省农业科学院"
    _, listed = await client.get("/api/v1/orders", headers=bearer(people["farmer"]))
    assert listed.json["items"][0]["expert"]["title"] == "高级农艺师"
