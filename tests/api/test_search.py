"""需求库 search: Chinese words found by jieba tokens, ranked by IDF, within each person's own scope."""

from urllib.parse import urlencode

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
    place_order,
)

BOTH = "苹果树叶子发黄卷曲，部分果子有黑斑，想请专家来看看"
APPLE_ONLY = "今年苹果卖不上价，想学学怎么储存到开春再卖"
SEEDLINGS = "去年育秧的水稻秧苗发黄、成片死苗，今年想请人提前指导"
PIGS = "猪场最近有几头猪不吃食，担心是疫病"


async def search(client, tokens, **params):
    _, response = await client.get(f"/api/v1/orders/search?{urlencode(params)}", headers=bearer(tokens))
    assert response.status == 200, response.json
    return response.json


def ids(result) -> list[int]:
    return [item["id"] for item in result["items"]]


@pytest.fixture
async def orders(client):
    farmer = await login(client, "search-farmer")
    placed = {
        "both": await place_order(client, farmer, description=BOTH),
        "apple": await place_order(client, farmer, description=APPLE_ONLY, items=["storage_preservation"]),
        "seedlings": await place_order(client, farmer, description=SEEDLINGS, items=["field_weed_pest_control"]),
        "pigs": await place_order(client, farmer, description=PIGS, items=["pig_disease_prevention"]),
    }
    return {"farmer": farmer, **{name: order["id"] for name, order in placed.items()}}


async def test_an_order_mentioning_every_word_ranks_above_one_mentioning_a_few(client, orders):
    result = await search(client, orders["farmer"], q="苹果树 黑斑")
    assert ids(result) == [orders["both"], orders["apple"]]
    assert result["items"][0]["score"] > result["items"][1]["score"]
    assert {"苹果树", "黑斑"} <= set(result["items"][0]["matched"])


async def test_words_in_another_order_find_the_same_orders(client, orders):
    forwards = await search(client, orders["farmer"], q="苹果树 黑斑")
    backwards = await search(client, orders["farmer"], q="黑斑 苹果树")
    assert ids(backwards) == ids(forwards)


async def test_a_phrase_finds_its_words_in_another_order_where_a_substring_search_would_not(client, orders):
    assert "水稻育秧" not in SEEDLINGS
    result = await search(client, orders["farmer"], q="水稻育秧")
    assert ids(result)[0] == orders["seedlings"]
    assert orders["pigs"] not in ids(result)


async def test_a_word_found_only_in_an_item_name_still_matches(client, orders):
    result = await search(client, orders["farmer"], q="疫病防控")
    assert ids(result)[0] == orders["pigs"]


async def test_a_query_of_only_function_words_finds_nothing(client, orders):
    result = await search(client, orders["farmer"], q="的 了 请问")
    assert result["items"] == [] and result["terms"] == []


async def test_a_requester_finds_only_their_own_orders(client, orders):
    neighbour = await login(client, "search-neighbour")
    theirs = await place_order(client, neighbour, description="我家苹果树也有黑斑，叶子发黄")
    mine = await search(client, orders["farmer"], q="苹果树 黑斑")
    assert theirs["id"] not in ids(mine)
    assert ids(await search(client, neighbour, q="苹果树 黑斑")) == [theirs["id"]]


async def test_admins_search_their_own_area_only(client, orders):
    far_farmer = await login(client, "search-fangzheng-farmer")
    far = await place_order(client, far_farmer, village=FANGZHENG_VILLAGE, point=FANGZHENG_POINT,
                            description="苹果树黑斑严重，求专家")
    wuchang = await admin_tokens(client, "search-wuchang", Role.LOCAL_ADMIN, WUCHANG)
    fangzheng = await admin_tokens(client, "search-fangzheng", Role.LOCAL_ADMIN, FANGZHENG)
    province = await admin_tokens(client, "search-province", Role.PROVINCE_ADMIN, PROVINCE)
    assert ids(await search(client, wuchang, q="黑斑")) == [orders["both"]]
    assert ids(await search(client, fangzheng, q="黑斑")) == [far["id"]]
    assert set(ids(await search(client, province, q="黑斑"))) == {orders["both"], far["id"]}


async def test_an_expert_finds_only_orders_dispatched_to_them(client, orders):
    county = await admin_tokens(client, "search-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "search-prov", Role.PROVINCE_ADMIN, PROVINCE)
    expert, expert_id = await expert_tokens(client, "search-expert")
    assert ids(await search(client, expert, q="苹果")) == []
    for path, tokens, body in (("accept", county, {}), ("dispatch", province, {"expert_id": expert_id})):
        _, response = await client.post(f"/api/v1/orders/{orders['both']}/{path}", json=body, headers=bearer(tokens))
        assert response.status == 200, response.json
    assert ids(await search(client, expert, q="苹果")) == [orders["both"]]


async def test_filters_narrow_the_search(client, orders):
    county = await admin_tokens(client, "search-filter-county", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.post(f"/api/v1/orders/{orders['apple']}/accept", json={}, headers=bearer(county))
    assert response.status == 200
    assert ids(await search(client, county, q="苹果", status="accepted")) == [orders["apple"]]
    assert ids(await search(client, county, q="苹果", field="processing")) == [orders["apple"]]
    assert ids(await search(client, county, q="苹果", status="submitted")) == [orders["both"]]


async def test_an_edited_description_is_searched_by_its_new_words(client, orders):
    county = await admin_tokens(client, "search-edit-county", Role.LOCAL_ADMIN, WUCHANG)
    assert ids(await search(client, orders["farmer"], q="霜霉病")) == []
    _, response = await client.post(f"/api/v1/orders/{orders['pigs']}/return", json={"reason": "请说明猪的症状"},
                                    headers=bearer(county))
    assert response.status == 200
    _, response = await client.post(f"/api/v1/orders/{orders['pigs']}/resubmit",
                                    json={"description": "黄瓜叶片出现霜霉病斑，大棚里蔓延很快"},
                                    headers=bearer(orders["farmer"]))
    assert response.status == 200, response.json
    assert ids(await search(client, orders["farmer"], q="霜霉病")) == [orders["pigs"]]
    assert orders["pigs"] not in ids(await search(client, orders["farmer"], q="不吃食"))


async def test_results_are_paged_with_a_cursor(client, orders):
    first = await search(client, orders["farmer"], q="苹果树 黑斑", limit=1)
    assert ids(first) == [orders["both"]] and first["next_cursor"]
    second = await search(client, orders["farmer"], q="苹果树 黑斑", limit=1, cursor=first["next_cursor"])
    assert ids(second) == [orders["apple"]] and second["next_cursor"] is None


async def test_an_empty_query_is_refused_with_a_reason(client, orders):
    _, response = await client.get("/api/v1/orders/search?q=", headers=bearer(orders["farmer"]))
    assert response.status == 422
    assert response.json["error"]["fields"]["q"]
