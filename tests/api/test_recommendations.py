"""精准匹配: the dispatcher's ranked experts and teams for an order, each with the reasons for its rank."""

from datetime import date

import pytest

from backend.domain.roles import Role
from backend.models import ExpertProfile, ServiceTeam, TeamMember
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order

NEAR = (45.05, 127.11)  # about 2 km from the order's site (民乐村)
TOWN = (44.92, 127.19)  # about 15 km
FAR = (45.75, 126.63)  # Harbin, about 90 km


async def expert(client, identity: str, *, at=NEAR, **profile) -> int:
    """A verified planting expert at `at`, with `profile` fields changed."""
    _, expert_id = await expert_tokens(client, identity, point=at)
    changes = {"specialties": ["作物栽培"], **profile}
    await ExpertProfile.filter(id=expert_id).update(**changes)
    return expert_id


async def recommendations(client, tokens, order_id: int, status=200, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    _, response = await client.get(f"/api/v1/orders/{order_id}/recommendations?{query}", headers=bearer(tokens))
    assert response.status == status, response.json
    return response.json


def ranking(result) -> list[int]:
    return [item["expert_id"] for item in result["experts"]]


def reasons_of(result, expert_id: int) -> list[str]:
    item = next(item for item in result["experts"] if item["expert_id"] == expert_id)
    return [reason["label"] for reason in item["reasons"]]


@pytest.fixture
async def people(client):
    return {
        "farmer": await login(client, "rec-farmer"),
        "county": await admin_tokens(client, "rec-county", Role.LOCAL_ADMIN, WUCHANG),
        "province": await admin_tokens(client, "rec-province", Role.PROVINCE_ADMIN, PROVINCE),
    }


@pytest.fixture
async def order(client, people):
    return await place_order(client, people["farmer"])  # 苹果树叶子发黄卷曲，部分果子有黑斑…


async def test_a_specialist_ranks_above_a_generalist(client, people, order):
    generalist = await expert(client, "rec-generalist", at=NEAR)
    specialist = await expert(client, "rec-specialist", at=TOWN, specialties=["苹果黑斑病", "果树病虫害"])
    result = await recommendations(client, people["province"], order["id"])
    assert ranking(result) == [specialist, generalist]
    assert any(label.startswith("专长与需求描述吻合：苹果黑斑病") for label in reasons_of(result, specialist))


async def test_a_near_expert_ranks_above_a_far_one(client, people, order):
    far = await expert(client, "rec-far", at=FAR, service_radius_km=150)
    near = await expert(client, "rec-near", at=NEAR)
    result = await recommendations(client, people["province"], order["id"])
    assert ranking(result) == [near, far]
    distances = {item["expert_id"]: item["distance_km"] for item in result["experts"]}
    assert distances[near] < 5 and 80 < distances[far] < 100


async def test_an_expert_whose_radius_does_not_reach_the_site_is_left_out(client, people, order):
    await expert(client, "rec-short-radius", at=FAR, service_radius_km=50)
    reaching = await expert(client, "rec-long-radius", at=FAR, service_radius_km=120)
    assert ranking(await recommendations(client, people["province"], order["id"])) == [reaching]


async def test_work_is_spread_to_the_expert_with_fewer_open_tasks(client, people, order):
    busy = await expert(client, "rec-busy", at=NEAR)
    idle = await expert(client, "rec-idle", at=NEAR)
    assert ranking(await recommendations(client, people["province"], order["id"])) == [busy, idle]
    other = await place_order(client, people["farmer"], description="另一片果园的苹果树也有黑斑")
    for path, tokens, body in (("accept", people["county"], {}), ("dispatch", people["province"], {"expert_id": busy})):
        _, response = await client.post(f"/api/v1/orders/{other['id']}/{path}", json=body, headers=bearer(tokens))
        assert response.status == 200, response.json
    result = await recommendations(client, people["province"], order["id"])
    assert ranking(result) == [idle, busy]
    assert "当前在办任务 1 件 −3" in reasons_of(result, busy)


async def test_unverified_and_unavailable_experts_are_left_out(client, people, order):
    await expert(client, "rec-pending", status="pending")
    await expert(client, "rec-resting", available=False)
    await expert(client, "rec-vet", field="livestock")
    ready = await expert(client, "rec-ready")
    assert ranking(await recommendations(client, people["province"], order["id"])) == [ready]


async def test_every_recommendation_carries_its_reasons_in_chinese(client, people, order):
    await expert(client, "rec-one", specialties=["果树病虫害"], title_level="senior")
    await expert(client, "rec-two", at=TOWN, title_level="intermediate")
    result = await recommendations(client, people["province"], order["id"])
    assert len(result["experts"]) == 2
    for item in result["experts"]:
        labels = [reason["label"] for reason in item["reasons"]]
        assert "领域对口 +30" in labels and "可接单" in labels and "暂无评价" in labels
        assert any(label.startswith("距离 ") and "公里" in label for label in labels)
        assert item["score"] == pytest.approx(sum(reason["points"] for reason in item["reasons"]), abs=0.2)
    assert "正高级（副高级及以上） +8" in reasons_of(result, result["experts"][0]["expert_id"])
    assert result["weights"]["field"] == 30


async def test_the_limit_caps_the_list(client, people, order):
    for index in range(4):
        await expert(client, f"rec-many-{index}")
    assert len((await recommendations(client, people["province"], order["id"], limit=3))["experts"]) == 3


async def test_an_order_across_fields_also_gets_teams_ranked_by_their_members_fit(client, people):
    order = await place_order(client, people["farmer"], items=["fruit_tree_pest_diagnosis", "pig_disease_prevention"],
                              description="果园苹果树有黑斑，家里猪场也想请人看看疫病防控")
    planter = await expert(client, "rec-team-planter", specialties=["苹果黑斑病"])
    vet = await expert(client, "rec-team-vet", field="livestock", specialties=["生猪疫病防控"])
    lone = await expert(client, "rec-team-lone")
    both = await ServiceTeam.create(name="五常种养综合服务团", field="planting", region_code=WUCHANG, leader_id=planter,
                                    term_start=date(2026, 1, 1), term_end=date(2099, 1, 1))
    half = await ServiceTeam.create(name="五常果树服务团", field="planting", region_code=WUCHANG, leader_id=lone,
                                    term_start=date(2026, 1, 1), term_end=date(2099, 1, 1))
    await TeamMember.create(team=both, expert_id=planter, position="leader")
    await TeamMember.create(team=both, expert_id=vet, position="core")
    await TeamMember.create(team=half, expert_id=lone, position="leader")
    result = await recommendations(client, people["province"], order["id"])
    assert result["needs_team"] is True
    assert [team["team_id"] for team in result["teams"]] == [both.id, half.id]
    assert result["teams"][0]["reasons"][0]["text"] == "覆盖所需领域 2/2"
    assert {member["expert_id"] for member in result["teams"][0]["members"]} == {planter, vet}
    assert set(ranking(result)) == {planter, vet, lone}


async def test_a_single_item_order_gets_no_teams(client, people, order):
    await expert(client, "rec-solo")
    result = await recommendations(client, people["province"], order["id"])
    assert result["needs_team"] is False and result["teams"] == []


async def test_a_county_admin_without_dispatch_rights_is_refused(client, people, order):
    refused = await recommendations(client, people["county"], order["id"], status=403)
    assert refused["error"]["code"] == "not_dispatcher"


async def test_a_requester_is_refused(client, people, order):
    await recommendations(client, people["farmer"], order["id"], status=403)


async def test_a_province_admin_of_another_province_does_not_find_the_order(client, order):
    jilin = await admin_tokens(client, "rec-jilin", Role.PROVINCE_ADMIN, "220000000000")
    await recommendations(client, jilin, order["id"], status=404)


async def test_a_local_admin_may_see_recommendations_where_the_province_allows_local_dispatch(client, app, people,
                                                                                           order):
    ready = await expert(client, "rec-local-ready")
    original = app.ctx.settings
    app.ctx.settings = original.with_overrides(local_dispatch_allowed=True)
    try:
        result = await recommendations(client, people["county"], order["id"])
    finally:
        app.ctx.settings = original
    assert ranking(result) == [ready]
