from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, place_order


async def test_the_menu_has_at_least_eight_categories_each_with_items(client):
    _, response = await client.get("/api/v1/menu")
    categories = response.json["categories"]
    assert len(categories) >= 8
    assert all(category["items"] for category in categories)


async def test_a_provincial_admin_adds_an_item_and_it_appears_on_the_menu(client, mutable_menu):
    province = await admin_tokens(client, "menu-province", Role.PROVINCE_ADMIN, PROVINCE)
    _, created = await client.post("/api/v1/menu/items", json={
        "category_code": "planting", "code": "blueberry_cultivation", "name": "蓝莓栽培技术指导",
        "typical_hours": 4,
    }, headers=bearer(province))
    assert created.status == 201
    _, menu = await client.get("/api/v1/menu")
    planting = next(c for c in menu.json["categories"] if c["code"] == "planting")
    assert "蓝莓栽培技术指导" in [item["name"] for item in planting["items"]]


async def test_a_retired_item_leaves_the_menu_but_orders_keep_what_was_ordered(client, mutable_menu):
    province = await admin_tokens(client, "menu-province", Role.PROVINCE_ADMIN, PROVINCE)
    farmer = await login(client, "menu-farmer")
    order = await place_order(client, farmer)
    _, retired = await client.post("/api/v1/menu/items/fruit_tree_pest_diagnosis/retire", headers=bearer(province))
    assert retired.json["retired"] is True
    _, menu = await client.get("/api/v1/menu")
    codes = {item["code"] for c in menu.json["categories"] for item in c["items"]}
    assert "fruit_tree_pest_diagnosis" not in codes
    _, seen = await client.get(f"/api/v1/orders/{order['id']}", headers=bearer(farmer))
    assert seen.json["items"][0]["name"] == "果树病虫害诊断"
    _, again = await client.post("/api/v1/orders", json={"items": ["fruit_tree_pest_diagnosis"]},
                                 headers=bearer(farmer))
    assert again.status == 422


async def test_only_provincial_admins_edit_the_menu(client):
    county = await admin_tokens(client, "menu-county", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.post("/api/v1/menu/items/rice_seedling_guidance/retire", headers=bearer(county))
    assert response.status == 403


async def test_a_duplicate_item_code_is_a_clear_409(client):
    province = await admin_tokens(client, "menu-province", Role.PROVINCE_ADMIN, PROVINCE)
    _, response = await client.post("/api/v1/menu/items", json={
        "category_code": "planting", "code": "rice_seedling_guidance", "name": "重复的项目",
    }, headers=bearer(province))
    assert response.status == 409
