"""成果库: experts publish their own achievements, everyone finds published ones, requesters order their owners."""

from urllib.parse import urlencode

import pytest

from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, expert_tokens, order_body

APPLE = {"title": "寒地苹果腐烂病综合防控技术", "field": "planting", "mode": "license",
         "description": "针对寒地苹果树腐烂病和黑斑病的刮治、涂药和冬季防寒综合技术，已在五常推广三千亩"}
RICE = {"title": "寒地水稻大棚育秧壮秧技术", "field": "planting", "mode": "transfer",
        "description": "大棚育秧温湿度分段管理和立枯病预防，秧苗素质明显提高"}


async def publish(client, tokens, body, status=201):
    _, response = await client.post("/api/v1/achievements", json=body, headers=bearer(tokens))
    assert response.status == status, response.json
    return response.json


async def browse(client, tokens, **params):
    _, response = await client.get(f"/api/v1/achievements?{urlencode(params)}", headers=bearer(tokens))
    assert response.status == 200, response.json
    return response.json


def titles(result) -> list[str]:
    return [item["title"] for item in result["items"]]


@pytest.fixture
async def owner(client):
    tokens, expert_id = await expert_tokens(client, "achievement-owner", name="李果树")
    return {"tokens": tokens, "expert_id": expert_id}


async def test_an_expert_publishes_an_achievement_everyone_can_find(client, owner):
    created = await publish(client, owner["tokens"], APPLE)
    assert created["status"] == "published" and created["mode_label"] == "许可"
    assert created["owner"]["name"] == "李果树" and created["mine"] is True
    farmer = await login(client, "achievement-reader")
    result = await browse(client, farmer)
    assert titles(result) == [APPLE["title"]]
    assert result["items"][0]["mine"] is False


async def test_drafts_are_seen_by_their_owner_only(client, owner):
    draft = await publish(client, owner["tokens"], {**RICE, "status": "draft"})
    farmer = await login(client, "achievement-draft-reader")
    assert titles(await browse(client, farmer)) == []
    _, response = await client.get(f"/api/v1/achievements/{draft['id']}", headers=bearer(farmer))
    assert response.status == 404
    assert titles(await browse(client, owner["tokens"], mine="true")) == [RICE["title"]]


async def test_only_the_owner_may_edit_an_achievement(client, owner):
    created = await publish(client, owner["tokens"], APPLE)
    rival, _ = await expert_tokens(client, "achievement-rival")
    _, refused = await client.put(f"/api/v1/achievements/{created['id']}", json={"title": "别人的成果"},
                                  headers=bearer(rival))
    assert refused.status == 403
    assert refused.json["error"]["code"] == "not_your_achievement"
    _, edited = await client.put(f"/api/v1/achievements/{created['id']}", json={"mode": "equity"},
                                 headers=bearer(owner["tokens"]))
    assert edited.status == 200 and edited.json["mode"] == "equity" and edited.json["version"] == 2


async def test_a_withdrawn_achievement_leaves_the_library(client, owner):
    created = await publish(client, owner["tokens"], APPLE)
    _, response = await client.put(f"/api/v1/achievements/{created['id']}", json={"status": "draft"},
                                   headers=bearer(owner["tokens"]))
    assert response.status == 200
    farmer = await login(client, "achievement-late-reader")
    assert titles(await browse(client, farmer, q="腐烂病")) == []


async def test_an_unverified_expert_may_keep_drafts_but_not_publish(client):
    pending, _ = await expert_tokens(client, "achievement-pending", verified=False)
    refused = await publish(client, pending, APPLE, status=403)
    assert refused["error"]["code"] == "expert_not_verified"
    draft = await publish(client, pending, {**APPLE, "status": "draft"})
    assert draft["status"] == "draft"


async def test_a_requester_cannot_publish_and_a_field_must_be_on_the_menu(client, owner):
    farmer = await login(client, "achievement-farmer")
    _, response = await client.post("/api/v1/achievements", json=APPLE, headers=bearer(farmer))
    assert response.status == 403
    invalid = await publish(client, owner["tokens"], {**APPLE, "field": "astrology"}, status=422)
    assert invalid["error"]["fields"]["field"]


async def test_searching_the_library_ranks_by_chinese_words(client, owner):
    await publish(client, owner["tokens"], APPLE)
    await publish(client, owner["tokens"], RICE)
    await publish(client, owner["tokens"], {**RICE, "title": "水稻测土配方施肥", "mode": "cooperation",
                                              "description": "按地块取土化验开具配方，减少化肥用量"})
    farmer = await login(client, "achievement-searcher")
    result = await browse(client, farmer, q="水稻育秧")
    assert titles(result)[0] == RICE["title"]
    assert APPLE["title"] not in titles(result)
    assert titles(await browse(client, farmer, q="苹果黑斑")) == [APPLE["title"]]
    assert titles(await browse(client, farmer, q="水稻", mode="cooperation")) == ["水稻测土配方施肥"]


async def test_ordering_an_achievements_owner_places_an_order_the_dispatcher_sees_with_that_expert_first(
        client, owner):
    achievement = await publish(client, owner["tokens"], APPLE)
    # A nearer specialist the matcher would otherwise put first.
    _, rival_id = await expert_tokens(client, "achievement-nearby-rival", point=(45.04, 127.10))
    farmer = await login(client, "achievement-orderer")
    _, response = await client.post(f"/api/v1/achievements/{achievement['id']}/order",
                                    json=order_body(description="苹果树腐烂病很重，想请这项成果的专家来"),
                                    headers=bearer(farmer))
    assert response.status == 201, response.json
    order = response.json
    assert order["status"] == "submitted"
    assert order["achievement"]["preferred_expert_id"] == owner["expert_id"]

    county = await admin_tokens(client, "achievement-county", Role.LOCAL_ADMIN, WUCHANG)
    _, listed = await client.get("/api/v1/orders", headers=bearer(county))
    assert order["id"] in [item["id"] for item in listed.json["items"]]

    province = await admin_tokens(client, "achievement-province", Role.PROVINCE_ADMIN, PROVINCE)
    _, ranked = await client.get(f"/api/v1/orders/{order['id']}/recommendations", headers=bearer(province))
    assert ranked.status == 200, ranked.json
    experts = ranked.json["experts"]
    assert [e["expert_id"] for e in experts][:2] == [owner["expert_id"], rival_id]
    assert experts[0]["preferred"] is True
    assert any(r["text"] == f"需求方点名：成果《{APPLE['title']}》" for r in experts[0]["reasons"])


async def test_an_unpublished_achievement_cannot_be_ordered(client, owner):
    draft = await publish(client, owner["tokens"], {**APPLE, "status": "draft"})
    farmer = await login(client, "achievement-early-orderer")
    _, response = await client.post(f"/api/v1/achievements/{draft['id']}/order", json=order_body(),
                                    headers=bearer(farmer))
    assert response.status == 404
    _, listed = await client.get("/api/v1/orders", headers=bearer(farmer))
    assert listed.json["items"] == []
