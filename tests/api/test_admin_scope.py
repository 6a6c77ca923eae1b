from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import BINXIAN, HARBIN, PROVINCE, WUCHANG, admin_tokens


async def test_a_county_admin_cannot_act_on_another_countys_region(client):
    wuchang = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.post(
        "/api/v1/admin/grants",
        json={"phone": "13911112222", "name": "宾县 新科员", "role": "local_admin", "region_code": BINXIAN},
        headers=bearer(wuchang),
    )
    assert response.status == 403
    assert response.json["error"]["code"] == "out_of_region"


async def test_a_county_admin_may_provision_a_colleague_in_their_own_county(client):
    wuchang = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.post(
        "/api/v1/admin/grants",
        json={"phone": "13911113333", "name": "五常 新科员", "role": "local_admin", "region_code": "230184"},
        headers=bearer(wuchang),
    )
    assert response.status == 201
    assert response.json["region_code"] == WUCHANG
    assert response.json["phone_masked"] == "139****3333"


async def test_a_city_admin_governs_the_counties_below_it(client):
    harbin = await admin_tokens(client, "harbin-admin", Role.LOCAL_ADMIN, HARBIN)
    _, response = await client.post(
        "/api/v1/admin/grants",
        json={"phone": "13911114444", "name": "宾县 科长", "role": "local_admin", "region_code": BINXIAN},
        headers=bearer(harbin),
    )
    assert response.status == 201


async def test_a_local_admin_cannot_create_a_provincial_admin(client):
    harbin = await admin_tokens(client, "harbin-admin", Role.LOCAL_ADMIN, HARBIN)
    _, response = await client.post(
        "/api/v1/admin/grants",
        json={"phone": "13911115555", "name": "冒充者", "role": "province_admin", "region_code": PROVINCE},
        headers=bearer(harbin),
    )
    assert response.status == 403


async def test_a_requester_cannot_use_admin_endpoints(client):
    farmer = await login(client, "curious-farmer")
    _, response = await client.get("/api/v1/admin/grants", headers=bearer(farmer))
    assert response.status == 403


async def test_an_admin_lists_only_the_admins_of_their_own_area(client):
    await admin_tokens(client, "binxian-admin", Role.LOCAL_ADMIN, BINXIAN)
    wuchang = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "province-admin", Role.PROVINCE_ADMIN, PROVINCE)
    _, local = await client.get("/api/v1/admin/grants", headers=bearer(wuchang))
    assert [item["region_code"] for item in local.json["items"]] == [WUCHANG]
    _, provincial = await client.get("/api/v1/admin/grants", headers=bearer(province))
    assert {item["region_code"] for item in provincial.json["items"]} == {PROVINCE, WUCHANG, BINXIAN}


async def test_granting_a_role_is_recorded_in_the_audit_trail(client):
    from backend.models import AuditRecord

    province = await admin_tokens(client, "province-admin", Role.PROVINCE_ADMIN, PROVINCE)
    await client.post(
        "/api/v1/admin/grants",
        json={"phone": "13911116666", "name": "哈尔滨 主任", "role": "local_admin", "region_code": HARBIN},
        headers=bearer(province),
    )
    record = await AuditRecord.get(action="grant_role")
    assert (record.actor_role, record.region_code, record.to_state) == ("province_admin", HARBIN, "local_admin")
