"""Load reference data (regions, service menu) and demo data (people) into the database.

Every loader is idempotent: it inserts what is missing and leaves what is
there, so `run.sh` can call it on every start.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import regions as region_rules
from backend.domain.roles import Role
from backend.models import ExpertProfile, Region, RoleGrant, ServiceCategory, ServiceItem, User
from backend.seed import catalog

FAKE_OPENID_PREFIX = "fake-openid-"
DEMO_PROVINCE = "230000000000"

# Demo admins: login code → (role, name, region). Their region comes from the shipped tree.
DEMO_ADMINS = {
    "province-admin": (Role.PROVINCE_ADMIN, "黑龙江省人社厅 王处长", DEMO_PROVINCE),
}


def demo_openid(key: str) -> str:
    """The openid the fake WeChat server returns for login code `key`."""
    return f"{FAKE_OPENID_PREFIX}{key}"


async def load_regions() -> int:
    rows: dict[str, Region] = {}
    for entry in catalog.national_regions():
        code = region_rules.normalize(entry["code"])
        parent = entry.get("parent")
        rows[code] = Region(
            code=code,
            name=entry["name"],
            level=region_rules.level_of(code),
            parent_code=region_rules.normalize(parent) if parent else None,
        )
    for entry in catalog.province_tree():
        code = region_rules.normalize(entry["code"])
        parent = entry.get("parent")
        rows[code] = Region(
            code=code,
            name=entry["name"],
            level=region_rules.level_of(code),
            parent_code=region_rules.normalize(parent) if parent else None,
            latitude=entry.get("lat"),
            longitude=entry.get("lng"),
        )
    existing = set(await Region.all().values_list("code", flat=True))
    missing = [row for code, row in rows.items() if code not in existing]
    if missing:
        await Region.bulk_create(missing, batch_size=500)
    return len(missing)


async def load_menu() -> int:
    added = 0
    for position, category in enumerate(catalog.service_menu()):
        cat, created = await ServiceCategory.get_or_create(
            code=category["code"],
            defaults={
                "name": category["name"],
                "description": category.get("description", ""),
                "icon": category.get("icon", ""),
                "sort_order": position,
            },
        )
        added += int(created)
        for item_position, item in enumerate(category["items"]):
            _, created = await ServiceItem.get_or_create(
                code=item["code"],
                defaults={
                    "category": cat,
                    "name": item["name"],
                    "description": item.get("description", ""),
                    "field": item.get("field", category["code"]),
                    "typical_hours": float(item.get("duration_hours", 4)),
                    "sort_order": item_position,
                },
            )
            added += int(created)
    return added


async def load_reference_data() -> str:
    regions = await load_regions()
    menu = await load_menu()
    return f"区划新增 {regions} 条，服务菜单新增 {menu} 项"


async def _user(key: str, name: str, phone: str | None, role: Role, region_code: str | None) -> User:
    user, _ = await User.get_or_create(openid=demo_openid(key), defaults={"name": name, "phone": phone})
    await RoleGrant.get_or_create(user=user, role=role.value, defaults={"region_code": region_code})
    return user


def demo_county() -> str:
    """The county of the first demo village: the demo local admin governs it."""
    village = catalog.demo_orders()[0]["region_code"]
    return region_rules.normalize(village)[:6].ljust(12, "0")


async def load_demo_data() -> str:
    async with in_transaction():
        for admin_key, (role, name, region) in DEMO_ADMINS.items():
            await _user(admin_key, name, None, role, region)
        county = demo_county()
        county_name = (await Region.get(code=county)).name
        await _user("county-admin", f"{county_name}人社局 李科长", None, Role.LOCAL_ADMIN, county)
        city = county[:4].ljust(12, "0")
        city_name = (await Region.get(code=city)).name
        await _user("city-admin", f"{city_name}人社局 赵主任", None, Role.LOCAL_ADMIN, city)
        for requester in catalog.demo_requesters():
            await _user(requester["key"], requester["name"], requester.get("phone"), Role.REQUESTER,
                        region_rules.normalize(requester["village_code"]))
        for expert in catalog.demo_experts():
            region = region_rules.normalize(expert["region_code"])
            user = await _user(expert["key"], expert["name"], expert.get("phone"), Role.EXPERT, region)
            await ExpertProfile.get_or_create(
                user=user,
                defaults={
                    "name": expert["name"],
                    "gender": expert.get("gender", ""),
                    "title": expert["title"],
                    "title_level": expert["title_level"],
                    "field": expert["field"],
                    "specialties": expert.get("specialties", []),
                    "employer": expert.get("employer", ""),
                    "region_code": region,
                    "latitude": expert.get("lat"),
                    "longitude": expert.get("lng"),
                    "service_radius_km": float(expert.get("service_radius_km", 100)),
                    "honours": expert.get("honours", []),
                    "retired": bool(expert.get("retired", False)),
                    "available": bool(expert.get("available", True)),
                    "status": "verified",
                },
            )
    users = await User.filter(openid__startswith=FAKE_OPENID_PREFIX).count()
    orders = await load_demo_orders()
    return f"演示账号共 {users} 个，演示需求单 {orders} 张"


# How far along the loop each demo order is walked, so every screen has something to show.
DEMO_PROGRESS = {
    "order-01": [],
    "order-02": ["accept"],
    "order-03": ["accept", "dispatch"],
    "order-04": ["accept", "publish"],
    "order-05": ["accept", "dispatch", "expert_accept", "past_visit"],
    "order-06": ["return"],
    "order-07": [],
}


async def load_demo_orders() -> int:
    """Place the demo orders through the real services, then walk each one along the loop.

    Skipped when orders exist already, so a restart does not duplicate them.
    """
    from datetime import date, timedelta

    from backend.infra.tokens import AccessClaims
    from backend.models import Order
    from backend.schemas.orders import DispatchRequest, ExpertAcceptance, OrderCreate, PublishRequest
    from backend.services import orders as order_service

    if await Order.exists():
        return 0
    settings = Settings.from_env()
    province = await User.get(openid=demo_openid("province-admin"))
    province_claims = AccessClaims(province.id, Role.PROVINCE_ADMIN.value, DEMO_PROVINCE, "seed")
    today = date.today()
    placed = 0
    for entry in catalog.demo_orders():
        requester = await User.get(openid=demo_openid(entry["requester"]))
        claims = AccessClaims(requester.id, Role.REQUESTER.value, None, "seed")
        window = entry.get("preferred_window", {"from_days": 2, "to_days": 7})
        body = OrderCreate(
            items=entry["items"], description=entry["description"], region_code=entry["region_code"],
            address=entry["address"], latitude=entry["lat"], longitude=entry["lng"],
            window_start=today + timedelta(days=window["from_days"]),
            window_end=today + timedelta(days=window["to_days"]),
            contact_phone=entry["contact_phone"], on_behalf_of=entry.get("on_behalf_of"),
        )
        order = await order_service.place_order(settings, claims, body)
        placed += 1
        expert = await ExpertProfile.filter(field=order["field"], status="verified").order_by("id").first()
        for step in DEMO_PROGRESS.get(entry["key"], []):
            if step == "accept":
                await order_service.accept(settings, province_claims, order["id"])
            elif step == "return":
                await order_service.return_for_information(settings, province_claims, order["id"],
                                                           "请补充螃蟹发病的照片和稻田面积")
            elif step == "dispatch":
                await order_service.dispatch(settings, province_claims, order["id"],
                                             DispatchRequest(expert_id=expert.id))
            elif step == "publish":
                await order_service.publish(settings, province_claims, order["id"], PublishRequest())
            elif step == "expert_accept":
                expert_claims = AccessClaims(expert.user_id, Role.EXPERT.value, expert.region_code, "seed")
                await order_service.expert_accept(settings, expert_claims, order["id"], ExpertAcceptance())
            elif step == "past_visit":
                await _demo_past_visit(settings, order, claims, expert)
    return placed


async def _demo_past_visit(settings: Settings, order: dict, requester_claims, expert: ExpertProfile) -> None:
    """A visit of four and a half hours three days ago, logged and rated, so the ledger has something real."""
    from datetime import datetime, time, timedelta

    from backend.domain.visits import Position
    from backend.infra.clock import CHINA, frozen, now
    from backend.infra.redis import build_redis
    from backend.infra.resources import Resources
    from backend.infra.scans import ScanGate
    from backend.infra.tokens import AccessClaims
    from backend.schemas.feedback import RatingIn
    from backend.schemas.visits import ServiceLogIn
    from backend.services import feedback, visits

    res = Resources(settings)
    res.redis = build_redis(settings)
    res.scans = ScanGate(res.redis)
    expert_claims = AccessClaims(expert.user_id, Role.EXPERT.value, expert.region_code, "seed")
    day = (now() - timedelta(days=3)).date()
    on_site = Position(order["latitude"] + 0.0008, order["longitude"], 12.0) if order["latitude"] else None
    try:
        with frozen(datetime.combine(day, time(9, 0), tzinfo=CHINA)):
            token, _ = res.checkin_codes.issue(order["id"])
            visit = await visits.check_in(res, expert_claims, order["id"], token, on_site)
        with frozen(datetime.combine(day, time(13, 30), tzinfo=CHINA)):
            await visits.check_out(res, expert_claims, visit["id"], None, on_site)
            await visits.write_log(expert_claims, visit["id"], ServiceLogIn(
                content="现场查看大棚香菇菌棒，确诊为绿霉污染，示范了清除病棒和通风控温的做法",
                problems_solved=2, problems="菌棒绿霉污染；出菇期温湿度控制", people_served=6, people_trained=15))
        with frozen(datetime.combine(day, time(13, 40), tzinfo=CHINA)):
            await feedback.rate(settings, requester_claims, visit["id"], RatingIn(
                overall=5, attitude=5, expertise=5, solved="solved", comment="专家讲得很细，当场就教会了"))
    finally:
        await res.redis.aclose()


def demo_logins() -> list[tuple[str, str]]:
    """(login code, who) pairs that run.sh prints for the fake WeChat login."""
    first_requester = catalog.demo_requesters()[0]
    first_expert = catalog.demo_experts()[0]
    return [
        (first_requester["key"], f"需求方 {first_requester['name']}"),
        (first_expert["key"], f"专家 {first_expert['name']}（{first_expert['title']}）"),
        ("county-admin", "属地管理员（县人社局）"),
        ("city-admin", "属地管理员（市人社局）"),
        ("province-admin", "省厅管理员"),
    ]
