"""Small factories: people with roles, created through the same service the admin command uses."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from backend.domain.roles import Role
from backend.infra.clock import CHINA, now
from backend.seed.loader import demo_openid
from backend.services.users import grant_role
from support.auth import login

# 黑龙江省 › 哈尔滨市 › 五常市 / 宾县, from the shipped region tree.
PROVINCE = "230000000000"
HARBIN = "230100000000"
WUCHANG = "230184000000"
BINXIAN = "230125000000"  # 宾县


async def admin_tokens(client, identity: str, role: Role, region_code: str) -> dict:
    """Provision an admin of `region_code` and log in as them."""
    await grant_role(role, openid=demo_openid(identity), name=identity, region_code=region_code)
    return await login(client, identity)

FANGZHENG = "230124000000"
# 五常市 › 民乐朝鲜族乡 › 民乐村, and a village of 方正县 for "another county".
MINLE_VILLAGE = "230184200201"
MINLE_POINT = (45.034, 127.09)
FANGZHENG_VILLAGE = "230124100201"
FANGZHENG_POINT = (45.8734, 128.8566)


async def expert_tokens(client, identity: str, *, field: str = "planting", region_code: str = WUCHANG,
                        point: tuple[float, float] = (44.92, 127.19), verified: bool = True,
                        name: str | None = None) -> tuple[dict, int]:
    """Provision an expert profile and log in as them; returns (tokens, expert profile id)."""
    from backend.models import ExpertProfile

    user = await grant_role(Role.EXPERT, openid=demo_openid(identity), name=name or identity,
                            region_code=region_code)
    profile, _ = await ExpertProfile.get_or_create(
        user=user,
        defaults=dict(name=name or identity, title="高级农艺师", title_level="associate_senior", field=field,
                      specialties=["果树病虫害"], employer="黑龙江省农业科学院", region_code=region_code,
                      latitude=point[0], longitude=point[1], service_radius_km=150,
                      status="verified" if verified else "pending"),
    )
    return await login(client, identity), profile.id


def order_body(village: str = MINLE_VILLAGE, point: tuple[float, float] = MINLE_POINT, **overrides) -> dict:
    body = {
        "items": ["fruit_tree_pest_diagnosis"],
        "description": "苹果树叶子发黄卷曲，部分果子有黑斑，想请专家来看看",
        "region_code": village,
        "address": "民乐村三组果园",
        "latitude": point[0],
        "longitude": point[1],
        "window_start": "2026-12-01",
        "window_end": "2026-12-10",
        "contact_phone": "13800000201",
        "contact_name": "赵大山",
    }
    body.update(overrides)
    return body


async def wuchang_team(client, province: dict, leader_id: int, core_ids: list[int],
                       name: str = "五常水稻专家服务团") -> dict:
    """A 服务团 of 五常市 in planting, set up by a province admin; the team as the API answers it."""
    from support.auth import bearer

    _, response = await client.post("/api/v1/teams", json={
        "name": name, "field": "planting", "region_code": WUCHANG, "leader_id": leader_id, "core_ids": core_ids,
        "term_start": "2026-01-01"}, headers=bearer(province))
    assert response.status == 201, response.json
    return response.json


async def place_order(client, tokens: dict, **overrides) -> dict:
    from support.auth import bearer

    _, response = await client.post("/api/v1/orders", json=order_body(**overrides), headers=bearer(tokens))
    assert response.status == 201, response.json
    return response.json


async def scheduled_order(client, suffix: str = "") -> dict:
    """An order walked to 'scheduled': placed, accepted, dispatched and accepted by its expert."""
    from support.auth import bearer

    farmer = await login(client, f"visit-farmer{suffix}")
    county = await admin_tokens(client, f"visit-county{suffix}", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, f"visit-province{suffix}", Role.PROVINCE_ADMIN, PROVINCE)
    expert, expert_id = await expert_tokens(client, f"visit-expert{suffix}")
    order = await place_order(client, farmer)
    for path, tokens, body in (
        ("accept", county, {}),
        ("dispatch", province, {"expert_id": expert_id}),
        ("expert-accept", expert, {}),
    ):
        _, response = await client.post(f"/api/v1/orders/{order['id']}/{path}", json=body, headers=bearer(tokens))
        assert response.status == 200, response.json
    return {"order": order, "farmer": farmer, "county": county, "province": province, "expert": expert,
            "expert_id": expert_id}


def visit_times(length: timedelta) -> tuple[datetime, datetime]:
    """Check-in and check-out `length` apart on one calendar day, ending as late as possible but not after now.

    A visit started at the real time and checked out hours later would cross midnight whenever the
    suite runs in the evening (China time), and be flagged as overnight.
    """
    end = now()
    if (end - length).date() != end.date():
        end = datetime.combine(end.date(), time.min, tzinfo=CHINA) - timedelta(minutes=1)
    return end - length, end
