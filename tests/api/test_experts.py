from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import BINXIAN, PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order


def registration(**overrides) -> dict:
    body = {
        "name": "刘德明",
        "gender": "男",
        "title": "高级兽医师",
        "title_level": "associate_senior",
        "field": "livestock",
        "specialties": ["生猪疫病防控", "奶牛繁育"],
        "employer": "五常市畜牧兽医服务中心",
        "region_code": "230184",
        "latitude": 44.93,
        "longitude": 127.16,
        "service_radius_km": 80,
        "honours": ["享受政府特殊津贴"],
        "retired": False,
        "available": True,
    }
    body.update(overrides)
    return body


async def register(client, identity: str, **overrides) -> tuple[dict, dict]:
    tokens = await login(client, identity)
    _, response = await client.post("/api/v1/experts/me", json=registration(**overrides), headers=bearer(tokens))
    assert response.status == 200, response.json
    return tokens, response.json


async def test_a_logged_in_user_registers_as_an_expert_and_waits_for_review(client):
    tokens, profile = await register(client, "vet-liu")
    assert (profile["status"], profile["status_label"]) == ("pending", "待审核")
    assert (profile["region_code"], profile["field_name"], profile["title_level_label"]) == (
        WUCHANG, "畜牧兽医", "副高级")
    _, me = await client.get("/api/v1/experts/me", headers=bearer(tokens))
    assert me.json["id"] == profile["id"] and me.json["specialties"] == ["生猪疫病防控", "奶牛繁育"]
    # The expert role is granted: logging in again offers it.
    again = await login(client, "vet-liu")
    assert "expert" in again["user"]["roles"]


async def test_registration_refuses_a_field_that_is_not_a_menu_category(client):
    tokens = await login(client, "vet-liu")
    _, response = await client.post("/api/v1/experts/me", json=registration(field="astrology"), headers=bearer(tokens))
    assert response.status == 422
    assert response.json["error"]["fields"] == {"field": "领域应为服务菜单中的分类"}


async def test_registration_refuses_an_unknown_honour_a_bad_title_level_and_a_missing_region(client):
    tokens = await login(client, "vet-liu")
    body = registration(honours=["感动乡村人物"], title_level="professor")
    del body["region_code"]
    _, response = await client.post("/api/v1/experts/me", json=body, headers=bearer(tokens))
    assert response.status == 422
    fields = response.json["error"]["fields"]
    assert fields["honours"] == "「感动乡村人物」不在可选荣誉中"
    assert fields["region_code"] == "此项必填"
    assert "title_level" in fields


async def test_registration_refuses_a_region_code_that_does_not_exist(client):
    tokens = await login(client, "vet-liu")
    _, response = await client.post("/api/v1/experts/me", json=registration(region_code="239999"),
                                    headers=bearer(tokens))
    assert response.status == 422
    assert response.json["error"]["fields"] == {"region_code": "区划代码不存在"}


async def test_registration_needs_both_coordinates_or_neither(client):
    tokens = await login(client, "vet-liu")
    _, response = await client.post("/api/v1/experts/me", json=registration(longitude=None), headers=bearer(tokens))
    assert response.status == 422
    assert response.json["error"]["fields"] == {"latitude": "经纬度需同时填写"}


async def test_someone_who_never_registered_has_no_profile_to_read(client):
    tokens = await login(client, "just-a-farmer")
    _, response = await client.get("/api/v1/experts/me", headers=bearer(tokens))
    assert response.status == 404
    assert response.json["error"]["code"] == "expert_profile_missing"


async def test_a_county_admin_verifies_an_expert_of_their_county_with_an_audit_record(client):
    from backend.models import AuditRecord

    _, profile = await register(client, "vet-liu")
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.post(f"/api/v1/experts/{profile['id']}/verify", headers=bearer(county))
    assert response.status == 200
    assert response.json["status"] == "verified" and response.json["verified_at"]
    record = await AuditRecord.get(action="expert_verified")
    assert (record.subject_id, record.from_state, record.to_state, record.region_code) == (
        str(profile["id"]), "pending", "verified", WUCHANG)


async def test_rejecting_needs_a_reason_which_the_expert_then_sees(client):
    from backend.models import AuditRecord

    tokens, profile = await register(client, "vet-liu")
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, missing = await client.post(f"/api/v1/experts/{profile['id']}/reject", json={}, headers=bearer(county))
    assert missing.status == 422 and missing.json["error"]["fields"] == {"reason": "此项必填"}
    _, response = await client.post(f"/api/v1/experts/{profile['id']}/reject",
                                    json={"reason": "职称证书照片不清晰，请重新上传"}, headers=bearer(county))
    assert response.status == 200 and response.json["status"] == "rejected"
    _, me = await client.get("/api/v1/experts/me", headers=bearer(tokens))
    assert (me.json["status"], me.json["status_reason"]) == ("rejected", "职称证书照片不清晰，请重新上传")
    record = await AuditRecord.get(action="expert_rejected")
    assert record.reason == "职称证书照片不清晰，请重新上传"


async def test_a_county_admin_cannot_verify_another_countys_expert(client):
    _, profile = await register(client, "vet-liu", region_code=BINXIAN)
    wuchang = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.post(f"/api/v1/experts/{profile['id']}/verify", headers=bearer(wuchang))
    assert response.status == 404
    assert response.json["error"]["code"] == "expert_not_found"
    from backend.models import ExpertProfile

    assert (await ExpertProfile.get(id=profile["id"])).status == "pending"


async def test_an_expert_cannot_verify_themself(client):
    tokens, profile = await register(client, "vet-liu")
    _, response = await client.post(f"/api/v1/experts/{profile['id']}/verify", headers=bearer(tokens))
    assert response.status == 403


async def test_editing_the_title_of_a_verified_profile_sends_it_back_to_review(client):
    tokens, profile = await register(client, "vet-liu")
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    await client.post(f"/api/v1/experts/{profile['id']}/verify", headers=bearer(county))
    _, employer_only = await client.post("/api/v1/experts/me", json=registration(employer="哈尔滨市畜牧研究所"),
                                         headers=bearer(tokens))
    assert employer_only.json["status"] == "verified"
    _, retitled = await client.post("/api/v1/experts/me", json=registration(title="正高级兽医师", title_level="senior"),
                                    headers=bearer(tokens))
    assert retitled.json["status"] == "pending" and retitled.json["verified_at"] is None


async def test_an_expert_switches_availability_without_a_new_review(client):
    tokens, profile = await register(client, "vet-liu")
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    await client.post(f"/api/v1/experts/{profile['id']}/verify", headers=bearer(county))
    _, response = await client.patch("/api/v1/experts/me", json={"available": False, "availability_note": "八月下旬外出"},
                                     headers=bearer(tokens))
    assert response.status == 200
    assert (response.json["available"], response.json["availability_note"], response.json["status"]) == (
        False, "八月下旬外出", "verified")
    from backend.models import AuditRecord

    record = await AuditRecord.get(action="expert_availability_changed")
    assert (record.from_state, record.to_state, record.reason) == ("available", "unavailable", "八月下旬外出")


async def test_admins_list_only_their_areas_experts_with_the_phone_masked(client):
    from backend.models import User

    await register(client, "vet-liu")
    await register(client, "vet-bin", name="宾县专家", region_code=BINXIAN)
    await User.filter(openid__contains="vet-liu").update(phone="13912345678")
    wuchang = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "province-admin", Role.PROVINCE_ADMIN, PROVINCE)
    _, local = await client.get("/api/v1/experts?status=pending", headers=bearer(wuchang))
    assert [item["name"] for item in local.json["items"]] == ["刘德明"]
    assert local.json["items"][0]["phone_masked"] == "139****5678"
    assert "13912345678" not in str(local.json)
    _, provincial = await client.get("/api/v1/experts", headers=bearer(province))
    assert {item["name"] for item in provincial.json["items"]} == {"刘德明", "宾县专家"}


async def test_the_expert_list_filters_and_pages_with_a_cursor(client):
    for index in range(3):
        await register(client, f"vet-{index}", name=f"专家{index}", employer=f"五常第{index}兽医站")
    await register(client, "farmer-expert", name="种植专家", field="planting")
    province = await admin_tokens(client, "province-admin", Role.PROVINCE_ADMIN, PROVINCE)
    _, first = await client.get("/api/v1/experts?field=livestock&limit=2", headers=bearer(province))
    assert [item["name"] for item in first.json["items"]] == ["专家2", "专家1"]
    _, second = await client.get(f"/api/v1/experts?field=livestock&limit=2&cursor={first.json['next_cursor']}",
                                 headers=bearer(province))
    assert [item["name"] for item in second.json["items"]] == ["专家0"] and second.json["next_cursor"] is None
    _, searched = await client.get("/api/v1/experts?q=第1兽医站", headers=bearer(province))
    assert [item["name"] for item in searched.json["items"]] == ["专家1"]
    _, bad = await client.get("/api/v1/experts?status=lost", headers=bearer(province))
    assert bad.status == 422


async def test_an_unverified_expert_cannot_be_dispatched_to_until_an_admin_verifies_them(client):
    farmer = await login(client, "orchard-farmer")
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "province-admin", Role.PROVINCE_ADMIN, PROVINCE)
    _, expert_id = await expert_tokens(client, "new-expert", verified=False)
    order = await place_order(client, farmer)
    _, accepted = await client.post(f"/api/v1/orders/{order['id']}/accept", json={}, headers=bearer(county))
    assert accepted.status == 200
    _, refused = await client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"expert_id": expert_id},
                                   headers=bearer(province))
    assert refused.status == 422
    assert refused.json["error"]["fields"] == {"expert_id": "该专家尚未通过审核，不能派单"}
    _, verified = await client.post(f"/api/v1/experts/{expert_id}/verify", headers=bearer(county))
    assert verified.status == 200
    _, dispatched = await client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"expert_id": expert_id},
                                      headers=bearer(province))
    assert dispatched.status == 200, dispatched.json
    assert dispatched.json["expert_id"] == expert_id


async def test_verifying_an_already_verified_expert_is_a_conflict(client):
    _, expert_id = await expert_tokens(client, "old-hand", verified=True)
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.post(f"/api/v1/experts/{expert_id}/verify", headers=bearer(county))
    assert response.status == 409
