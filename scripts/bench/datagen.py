"""Realistic bench data: people, experts, orders, visits, ledger rows and ratings, written in bulk.

Rows are plain dicts built from the shipped reference data (the province tree's villages,
the 点餐 menu's fields and items), plus made-up townships and villages for the counties the
tree has no villages for, so orders spread over the whole province: a few busy counties and
a long tail of quiet ones. They are written table by table in chunks: with
asyncpg's COPY on PostgreSQL, with executemany elsewhere (the harness test on SQLite).
Columns the generator does not name get the database default, or a neutral value of
their type when the column is NOT NULL without a default, so a column another
engineer adds does not break the bench.

Ids are assigned here (1..n per table) and the sequences are moved past them afterwards.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterable, Iterator

from backend.domain.visits import PASSING_RATING

CHINA = timezone(timedelta(hours=8))

# Share of each title level among experts (正高级 / 副高级 / 中级).
TITLE_MIX = (("senior", 0.15), ("associate_senior", 0.45), ("intermediate", 0.40))
TITLES = {
    "planting": ("农业技术推广研究员", "高级农艺师", "农艺师"),
    "livestock": ("正高级兽医师", "高级畜牧师", "兽医师"),
    "aquaculture": ("正高级工程师（水产）", "高级水产养殖工程师", "水产养殖工程师"),
    "processing": ("正高级工程师", "高级工程师（食品）", "工程师（食品）"),
    "ecommerce": ("正高级经济师", "高级经济师", "经济师"),
    "health": ("主任医师", "副主任医师", "主治医师"),
    "education": ("正高级教师", "高级讲师", "讲师"),
    "machinery": ("正高级工程师（农机）", "高级农机工程师", "农机工程师"),
    "planning": ("正高级规划师", "高级规划师", "规划师"),
    "management": ("正高级会计师", "高级会计师", "律师"),
}
LEVEL_INDEX = {"senior": 0, "associate_senior": 1, "intermediate": 2}
# Overall rating skewed to 4–5 with some 1–3.
RATING_MIX = ((5, 0.55), (4, 0.30), (3, 0.08), (2, 0.04), (1, 0.03))
# Background orders' statuses (the scenario pools are added apart, all `scheduled`).
ORDER_STATUS_MIX = (
    ("closed", 0.74), ("serviced", 0.04), ("scheduled", 0.03), ("dispatched", 0.03), ("accepted", 0.03),
    ("submitted", 0.05), ("published", 0.02), ("cancelled", 0.03), ("rejected", 0.02), ("returned", 0.01),
)
WITH_VISITS = {"closed", "serviced"}
# A rating below PASSING_RATING opens a 回访 (follow-up), as backend.services.feedback does.
WITH_EXPERT = {"closed", "serviced", "scheduled", "dispatched"}
# The audit trail an order in each status has behind it.
TRAIL = {
    "submitted": ["submit"],
    "returned": ["submit", "return"],
    "rejected": ["submit", "reject"],
    "cancelled": ["submit", "cancel"],
    "accepted": ["submit", "accept"],
    "published": ["submit", "accept", "publish"],
    "dispatched": ["submit", "accept", "dispatch"],
    "scheduled": ["submit", "accept", "dispatch", "expert_accept"],
    "serviced": ["submit", "accept", "dispatch", "expert_accept", "start_service", "finish_service"],
    "closed": ["submit", "accept", "dispatch", "expert_accept", "start_service", "finish_service", "confirm_solved"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华国庆志强春梅玉兰海燕文博"
PROBLEMS = ("叶子发黄卷曲，想请专家来看看", "猪群有咳嗽发烧，怀疑是传染病", "稻田螃蟹大量死亡，水质发浑",
            "大棚黄瓜白粉病反复发作", "想开网店卖木耳，不会装修店铺", "村里老人多，想请医生来巡诊",
            "合作社账目混乱，想请人指导", "无人机打药效果不好，想学习调试", "玉米倒伏严重，想知道怎么预防")
# Heilongjiang's bounding box, for experts whose county has no coordinates in the tree.
HLJ_BOX = ((44.0, 49.5), (124.5, 132.5))


@dataclass(frozen=True)
class Scale:
    """How much to generate. `full()` is the benchmark's; tests use a handful of rows."""

    requesters: int = 5_000
    experts: int = 100_000
    background_orders: int = 400_000
    visits: int = 1_000_000
    rated_share: float = 0.7
    checkin_orders: int = 40_000
    storm_orders: int = 500
    list_experts: int = 2_000
    list_orders_each: int = 25
    # Villages made up for each of the province's counties the shipped tree has none for (0: the tree's only).
    # Only the bench's own scales make them: they are reference rows, which the tests' database keeps between tests.
    villages_per_county: int = 0

    @classmethod
    def full(cls) -> Scale:
        return cls(villages_per_county=6)

    @classmethod
    def quick(cls) -> Scale:
        return cls(requesters=1_000, experts=10_000, background_orders=40_000, visits=100_000, checkin_orders=8_000,
                   storm_orders=500, list_experts=500, villages_per_county=6)

    @classmethod
    def tiny(cls) -> Scale:
        return cls(requesters=5, experts=12, background_orders=30, visits=40, checkin_orders=4, storm_orders=3,
                   list_experts=2, list_orders_each=3)


@dataclass
class Plan:
    """What was generated, for the request files: who is who, and which orders each scenario uses."""

    scale: Scale
    villages: list[dict]
    items: list[dict]
    requester_user_ids: list[int] = field(default_factory=list)
    expert_ids: list[int] = field(default_factory=list)
    expert_user: dict[int, int] = field(default_factory=dict)
    admin_user_ids: list[int] = field(default_factory=list)
    # (order id, expert id, expert user id, latitude, longitude)
    checkin_pool: list[tuple[int, int, int, float, float]] = field(default_factory=list)
    storm_pool: list[tuple[int, int, int, float, float]] = field(default_factory=list)
    # expert ids with at least `list_orders_each` orders assigned to them
    list_experts: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    year: int = 0


def _pick(rng: random.Random, mix: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*mix)
    return rng.choices(values, weights)[0]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def reference(catalog_module=None) -> tuple[list[dict], list[dict], list[str]]:
    """Villages (with coordinates), menu items (with field and category name), and counties of the tree."""
    from backend.domain import regions as region_rules
    from backend.seed import catalog

    catalog = catalog_module or catalog
    tree = catalog.province_tree()
    villages = [{"code": region_rules.normalize(r["code"]), "lat": r["lat"], "lng": r["lng"], "name": r["name"]}
                for r in tree if r["level"] == "village"]
    counties = [{"code": region_rules.normalize(r["code"]), "lat": r["lat"], "lng": r["lng"], "name": r["name"]}
                for r in tree if r["level"] == "county"]
    items = [{"code": item["code"], "name": item["name"], "field": item.get("field", category["code"]),
              "category_name": category["name"]}
             for category in catalog.service_menu() for item in category["items"]]
    in_tree = {c["code"] for c in counties}
    national = [{"code": region_rules.normalize(r["code"]), "lat": None, "lng": None, "name": r["name"]}
                for r in catalog.national_regions()
                if r["code"].startswith("23") and region_rules.level_of(region_rules.normalize(r["code"])) == "county"]
    return villages, items, counties + [c for c in national if c["code"] not in in_tree]


class Generator:
    """Builds every row; `tables()` yields (table, row iterator) in foreign-key order."""

    def __init__(self, scale: Scale, item_ids: dict[str, int], seed: int = 20261101, today: date | None = None):
        self.scale = scale
        self.rng = random.Random(seed)
        villages, items, counties = reference()
        self.region_rows = self._made_up_villages(villages, counties, scale.villages_per_county)
        villages = villages + [{"code": r["code"], "lat": r["latitude"], "lng": r["longitude"], "name": r["name"]}
                               for r in self.region_rows if r["level"] == "village"]
        self.villages = villages
        self._village_weights = self._weights(villages)
        self.items = [item | {"id": item_ids[item["code"]]} for item in items if item["code"] in item_ids]
        self.items_by_field: dict[str, list[dict]] = {}
        for item in self.items:
            self.items_by_field.setdefault(item["field"], []).append(item)
        self.fields = sorted(self.items_by_field)
        self.counties = counties
        self.now = datetime.now(CHINA).replace(microsecond=0)
        self.today = today or self.now.date()
        self.year = self.today.year
        self.plan = Plan(scale, villages, self.items, year=self.year)
        self._next = {}
        self._expert_field: dict[int, str] = {}
        self._visit_orders: list[tuple[int, int, str, float, float, int]] = []

    def _made_up_villages(self, villages: list[dict], counties: list[dict], per_county: int) -> list[dict]:
        """Townships and villages for the counties the shipped tree has no villages for, as region rows.

        Codes follow the 12-digit form (county + township 1xx + village 2xx); a county without
        coordinates in the tree gets a seat somewhere in the province's box.
        """
        if per_county <= 0:
            return []
        rng = self.rng
        have = {v["code"][:6] for v in villages}
        rows = []
        for county in counties:
            prefix = county["code"][:6]
            if prefix in have:
                continue
            lat, lng = county["lat"], county["lng"]
            if lat is None:
                lat, lng = rng.uniform(*HLJ_BOX[0]), rng.uniform(*HLJ_BOX[1])
            townships = max(1, per_county // 3)
            for t in range(townships):
                town = f"{prefix}{101 + t:03d}000"
                rows.append({"code": town, "name": f"{county['name']}第{t + 1}镇", "level": "township",
                             "parent_code": county["code"], "latitude": None, "longitude": None})
                for v in range(per_county // townships):
                    rows.append({"code": f"{town[:9]}{201 + v:03d}", "name": f"{_name(rng)[0]}家{v + 1}村",
                                 "level": "village", "parent_code": town,
                                 "latitude": round(lat + rng.uniform(-0.2, 0.2), 6),
                                 "longitude": round(lng + rng.uniform(-0.2, 0.2), 6)})
        return rows

    def _weights(self, villages: list[dict]) -> list[float]:
        """Cumulative weights for picking an order's village: a few busy counties, a long tail of quiet ones."""
        per_county = Counter(v["code"][:6] for v in villages)
        counties = sorted(per_county)
        self.rng.shuffle(counties)
        activity = {county: 1 / (rank + 1) ** 0.8 for rank, county in enumerate(counties)}
        cumulative, total = [], 0.0
        for village in villages:
            county = village["code"][:6]
            total += activity[county] / per_county[county]
            cumulative.append(total)
        return cumulative

    def _village(self) -> dict:
        return self.rng.choices(self.villages, cum_weights=self._village_weights)[0]

    def _id(self, table: str) -> int:
        self._next[table] = self._next.get(table, 0) + 1
        return self._next[table]

    # ----------------------------------------------------------------------- people

    def users_and_grants(self) -> tuple[list[dict], list[dict]]:
        rng, s = self.rng, self.scale
        users, grants = [], []
        created = self.now - timedelta(days=400)

        def add(openid: str, name: str, role: str, region: str | None, phone: str | None = None) -> int:
            uid = self._id("app_user")
            users.append({"id": uid, "openid": openid, "name": name, "phone": phone, "last_role": role,
                          "is_active": True, "created_at": created, "updated_at": created, "nickname": ""})
            grants.append({"id": self._id("role_grant"), "user_id": uid, "role": role, "region_code": region,
                           "created_at": created})
            return uid

        self.plan.admin_user_ids.append(add("bench-province-admin", "省厅管理员", "province_admin", "230000000000"))
        for county in {v["code"][:6] for v in self.villages}:
            self.plan.admin_user_ids.append(
                add(f"bench-county-{county}", f"{county}人社局", "local_admin", county.ljust(12, "0")))
        for i in range(s.requesters):
            village = self.villages[i % len(self.villages)]
            self.plan.requester_user_ids.append(
                add(f"bench-requester-{i}", _name(rng), "requester", village["code"], f"139{i:08d}"))
        self._expert_users = [add(f"bench-expert-{i}", _name(rng), "expert", None) for i in range(s.experts)]
        return users, grants

    def experts(self) -> Iterator[dict]:
        rng = self.rng
        for i, user_id in enumerate(self._expert_users):
            county = self.counties[i % len(self.counties)]
            lat, lng = county["lat"], county["lng"]
            if lat is None:
                lat, lng = rng.uniform(*HLJ_BOX[0]), rng.uniform(*HLJ_BOX[1])
            level = _pick(rng, TITLE_MIX)
            field_ = self.fields[i % len(self.fields)] if i < len(self.fields) * 4 else rng.choice(self.fields)
            expert_id = self._id("expert_profile")
            self._expert_field[expert_id] = field_
            self.plan.expert_ids.append(expert_id)
            self.plan.expert_user[expert_id] = user_id
            specialties = [item["name"] for item in rng.sample(self.items_by_field[field_],
                                                                 min(2, len(self.items_by_field[field_])))]
            yield {
                "id": expert_id, "user_id": user_id, "name": _name(rng), "gender": rng.choice("男女"),
                "title": TITLES.get(field_, TITLES["planting"])[LEVEL_INDEX[level]], "title_level": level,
                "field": field_, "specialties": json.dumps(specialties, ensure_ascii=False),
                "employer": rng.choice(("黑龙江省农业科学院", "东北农业大学", "市农业技术推广中心", "县人民医院",
                                        "黑龙江八一农垦大学", "县畜牧兽医局")),
                "region_code": county["code"], "latitude": round(lat + rng.uniform(-0.3, 0.3), 5),
                "longitude": round(lng + rng.uniform(-0.3, 0.3), 5),
                "service_radius_km": rng.choice((50.0, 100.0, 150.0, 300.0)), "honours": "[]",
                "retired": rng.random() < 0.2, "available": rng.random() < 0.9,
                "status": "verified" if rng.random() < 0.95 else "pending",
                "verified_at": self.now - timedelta(days=300), "created_at": self.now - timedelta(days=380),
                "updated_at": self.now - timedelta(days=300),
            }

    # ----------------------------------------------------------------------- orders

    def _active_expert(self) -> int:
        # A fifth of the experts take four fifths of the orders, as in any expert pool.
        ids = self.plan.expert_ids
        if self.rng.random() < 0.8:
            return ids[self.rng.randrange(max(1, len(ids) // 5))]
        return self.rng.choice(ids)

    def _turnarounds(self, submitted: datetime) -> tuple[datetime, datetime, datetime]:
        """When the county accepted, the province dispatched and the expert first came: to the second, skewed
        like real queues (most within a day or two, a long tail), and never after now."""
        rng = self.rng
        hours = rng.lognormvariate(math.log(8), 1.0)
        accepted = submitted + timedelta(seconds=round(hours * 3600))
        hours += rng.lognormvariate(math.log(16), 0.9)
        dispatched = submitted + timedelta(seconds=round(hours * 3600))
        hours += rng.lognormvariate(math.log(40), 0.7)
        first_visit = submitted + timedelta(seconds=round(hours * 3600))
        return min(accepted, self.now), min(dispatched, self.now), min(first_visit, self.now)

    def _order(self, status: str, expert_id: int | None, submitted: datetime) -> tuple[dict, dict, dict | None]:
        rng = self.rng
        village = self._village()
        field_ = self._expert_field.get(expert_id) if expert_id else rng.choice(self.fields)
        item = rng.choice(self.items_by_field[field_])
        order_id = self._id("service_order")
        lat, lng = village["lat"] + rng.uniform(-0.01, 0.01), village["lng"] + rng.uniform(-0.01, 0.01)
        engaged = status in WITH_EXPERT
        start = submitted.date() + timedelta(days=rng.randint(1, 5))
        accepted, dispatched, first_visit = self._turnarounds(submitted)
        order = {
            "id": order_id, "requester_id": rng.choice(self.plan.requester_user_ids), "status": status,
            "field": field_, "description": f"{item['name']}：{rng.choice(PROBLEMS)}", "region_code": village["code"],
            "address": f"{village['name']}{rng.randint(1, 9)}组", "latitude": round(lat, 6), "longitude": round(lng, 6),
            "contact_name": _name(rng), "contact_phone": f"138{rng.randint(0, 99_999_999):08d}",
            "window_start": start, "window_end": start + timedelta(days=rng.randint(3, 14)), "photo_ids": "[]",
            "expert_id": expert_id if engaged else None, "submitted_at": submitted,
            "accepted_at": accepted if status not in ("submitted", "returned", "rejected") else None,
            "dispatched_at": dispatched if engaged else None,
            "scheduled_at": submitted + timedelta(days=3) if status in ("scheduled", "serviced", "closed") else None,
            "first_visit_at": first_visit if status in WITH_VISITS else None,
            "closed_at": submitted + timedelta(days=20) if status in ("closed", "cancelled", "rejected") else None,
            # Open orders are not overdue: the sweeper would otherwise spend the run reminding them.
            "due_at": self.now + timedelta(days=rng.randint(1, 5)) if status in ("submitted", "accepted", "dispatched")
            else None,
            "version": len(TRAIL[status]), "updated_at": submitted + timedelta(days=3),
        }
        order_item = {"id": self._id("order_item"), "order_id": order_id, "item_id": item["id"],
                      "item_code": item["code"], "item_name": item["name"], "category_name": item["category_name"],
                      "field": field_}
        assignee = None
        if engaged and status != "dispatched":
            assignee = {"id": self._id("order_assignee"), "order_id": order_id, "expert_id": expert_id,
                        "created_at": submitted + timedelta(days=3)}
        return order, order_item, assignee

    def orders(self) -> Iterator[tuple[str, dict]]:
        """('service_order' | 'order_item' | 'order_assignee' | 'audit_record', row), background then pools."""
        rng, s = self.rng, self.scale
        year_start = datetime(self.year, 1, 1, tzinfo=CHINA)
        span = max(1.0, (self.now - year_start).total_seconds() - 30 * 86400)
        listed = self.plan.expert_ids[: s.list_experts]
        self.plan.list_experts = list(listed)
        for i in range(s.background_orders):
            status = _pick(rng, ORDER_STATUS_MIX)
            expert_id = None
            if status in WITH_EXPERT:
                # The list scenario's experts get `list_orders_each` orders each first.
                expert_id = listed[i // s.list_orders_each] if i < len(listed) * s.list_orders_each \
                    else self._active_expert()
            submitted = year_start - timedelta(days=60) + timedelta(seconds=rng.uniform(0, span + 60 * 86400))
            order, item, assignee = self._order(status, expert_id, submitted)
            yield "service_order", order
            yield "order_item", item
            if assignee:
                yield "order_assignee", assignee
            yield from (("audit_record", row) for row in self._trail(order))
            if status in WITH_VISITS:
                self._visit_orders.append((order["id"], expert_id, order["region_code"], order["latitude"],
                                           order["longitude"], order["requester_id"]))
        # Fresh pools for the check-in scenarios: each order `scheduled`, its own expert.
        experts = self.plan.expert_ids
        offset = len(listed)
        for pool, count in ((self.plan.checkin_pool, s.checkin_orders), (self.plan.storm_pool, s.storm_orders)):
            for _ in range(count):
                expert_id = experts[offset % len(experts)]
                offset += 1
                order, item, assignee = self._order("scheduled", expert_id, self.now - timedelta(days=5))
                yield "service_order", order
                yield "order_item", item
                yield "order_assignee", assignee
                yield from (("audit_record", row) for row in self._trail(order))
                pool.append((order["id"], expert_id, self.plan.expert_user[expert_id], order["latitude"],
                             order["longitude"]))

    def _trail(self, order: dict) -> Iterator[dict]:
        previous = None
        for step, action in enumerate(TRAIL[order["status"]]):
            yield {"id": self._id("audit_record"), "actor_id": order["requester_id"] if step == 0 else None,
                   "actor_role": "requester" if step == 0 else "system", "action": action, "subject_type": "order",
                   "subject_id": str(order["id"]), "region_code": order["region_code"], "from_state": previous,
                   "to_state": None, "detail": None, "created_at": order["submitted_at"] + timedelta(hours=step * 20)}
            previous = action

    # ----------------------------------------------------------------------- visits, hours, ratings

    def visits(self) -> Iterator[tuple[str, dict]]:
        """('visit' | 'ledger_entry' | 'rating', row): `scale.visits` visits over the served orders."""
        rng, s = self.rng, self.scale
        served = self._visit_orders
        if not served:
            return
        # Every served order has a visit; the rest are spread at random (re-visits).
        extra = max(0, s.visits - len(served))
        counts = [1] * len(served)
        for index in rng.choices(range(len(served)), k=extra):
            counts[index] += 1
        year_start = datetime(self.year, 1, 1, tzinfo=CHINA)
        span = max(1.0, (self.now - year_start).total_seconds() - 86400)
        made = 0
        for (order_id, expert_id, region, lat, lng, requester), count in zip(served, counts):
            for _ in range(count):
                if made >= s.visits:
                    return
                made += 1
                visit_id = self._id("visit")
                check_in = year_start + timedelta(seconds=rng.uniform(0, span))
                check_in = check_in.replace(hour=rng.randint(7, 14))
                minutes = max(20, int(rng.gauss(180, 70)))
                status = _pick(rng, (("completed", 0.85), ("flagged", 0.05), ("approved", 0.07),
                                     ("rejected", 0.03)))
                flags = [] if status == "completed" else ["too_short"] if minutes < 30 else ["out_of_area"]
                checked_out = check_in + timedelta(minutes=minutes)
                rated = rng.random() < s.rated_share
                overall = _pick(rng, RATING_MIX) if rated else None
                # What the rating sweeper has left behind by now: unrated visits reminded after a day and
                # followed up after a week, low ratings followed up; most follow-ups long closed.
                followed_up = status != "rejected" and (overall is None or overall < PASSING_RATING) \
                    and checked_out < self.now - timedelta(days=7)
                yield "visit", {
                    "id": visit_id, "order_id": order_id, "expert_id": expert_id, "source": "scan",
                    "status": status, "check_in_at": check_in, "check_out_at": checked_out,
                    "duration_minutes": minutes, "in_latitude": lat, "in_longitude": lng, "in_accuracy": 15.0,
                    "in_distance_m": rng.randint(5, 400), "out_latitude": lat, "out_longitude": lng,
                    "out_accuracy": 20.0, "out_distance_m": rng.randint(5, 400), "check_in_code": f"bench-in-{visit_id}",
                    "check_out_code": f"bench-out-{visit_id}", "open_key": None, "flags": json.dumps(flags),
                    "region_code": region, "created_at": check_in,
                    "rating_reminded_at": check_in + timedelta(days=1, minutes=minutes),
                    "feedback_settled": rated or followed_up or status == "rejected",
                }
                ledger_status = {"completed": "counted", "approved": "counted", "flagged": "pending",
                                 "rejected": "withheld"}[status]
                yield "ledger_entry", {
                    "id": self._id("ledger_entry"), "expert_id": expert_id, "visit_id": visit_id,
                    "service_date": check_in.date(), "year": check_in.year,
                    "hours": Decimal(minutes * 100 // 60) / 100, "source": "scan", "status": ledger_status,
                    "region_code": region, "created_at": check_in + timedelta(minutes=minutes),
                }
                if followed_up:
                    closed = rng.random() < 0.9
                    yield "follow_up", {
                        "id": self._id("follow_up"), "visit_id": visit_id, "order_id": order_id,
                        "region_code": region, "reason": "no_rating" if overall is None else "low_rating",
                        "status": "closed" if closed else "open", "outcome": "已电话回访" if closed else None,
                        "decision": "approve" if closed else None, "closed_at": checked_out + timedelta(days=9)
                        if closed else None, "created_at": checked_out + timedelta(days=7),
                    }
                if rated:
                    rated = check_in + timedelta(minutes=minutes + rng.randint(5, 600))
                    yield "rating", {
                        "id": self._id("rating"), "visit_id": visit_id, "order_id": order_id, "rater_id": requester,
                        "overall": overall, "attitude": min(5, max(1, overall + rng.choice((-1, 0, 0, 1)))),
                        "expertise": min(5, max(1, overall + rng.choice((-1, 0, 0, 0)))),
                        "solved": "solved" if overall >= 4 else "partly" if overall == 3 else "unsolved",
                        "comment": "" if overall >= 4 and rng.random() < 0.6 else rng.choice(
                            ("专家很耐心，讲得很清楚", "问题解决了，谢谢", "来得有点晚", "没太听懂，希望再来一次")),
                        "photo_ids": "[]", "region_code": region, "expert_id": expert_id,
                        "editable_until": rated + timedelta(hours=24), "created_at": rated, "updated_at": rated,
                    }

    def tables(self) -> Iterator[tuple[str, Iterable[dict]]]:
        """(table, rows) in foreign-key order; later tables may read what earlier ones decided."""
        if self.region_rows:
            yield "region", self.region_rows
        users, grants = self.users_and_grants()
        yield "app_user", users
        yield "role_grant", grants
        yield "expert_profile", self.experts()
        yield "*orders", self.orders()
        yield "*visits", self.visits()


# --------------------------------------------------------------------------- writing


def neutral_value(data_type: str) -> Any:
    """A value for a NOT NULL column without default that the generator does not know."""
    t = data_type.lower()
    if "json" in t:
        return "[]"
    if "bool" in t:
        return False
    if "timestamp" in t or "datetime" in t:
        return datetime.now(CHINA)
    if t == "date":
        return date.today()
    if any(word in t for word in ("int", "numeric", "decimal", "real", "double", "float")):
        return 0
    return ""


class TableWriter:
    """Writes dict rows into a table through a Tortoise connection: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, conn, chunk: int = 50_000):
        self.conn = conn
        self.chunk = chunk
        self.dialect = conn.capabilities.dialect
        self._columns: dict[str, list[tuple[str, bool, bool, str]]] = {}
        self.counts: dict[str, int] = {}

    async def columns(self, table: str) -> list[tuple[str, bool, bool, str]]:
        """(name, not null, has default, type) of each column, in table order."""
        if table not in self._columns:
            if self.dialect == "postgres":
                rows = await self.conn.execute_query_dict(
                    "SELECT column_name, is_nullable, column_default, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", [table])
                self._columns[table] = [(r["column_name"], r["is_nullable"] == "NO", r["column_default"] is not None,
                                         r["data_type"]) for r in rows]
            else:
                rows = await self.conn.execute_query_dict(f"PRAGMA table_info({table})")
                self._columns[table] = [(r["name"], bool(r["notnull"]) and not r["pk"], r["dflt_value"] is not None,
                                         r["type"] or "") for r in rows]
            if not self._columns[table]:
                raise RuntimeError(f"table {table} does not exist: apply the migrations first")
        return self._columns[table]

    async def write(self, table: str, rows: Iterable[dict]) -> int:
        written = 0
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.chunk:
                written += await self._flush(table, batch)
                batch = []
        if batch:
            written += await self._flush(table, batch)
        self.counts[table] = self.counts.get(table, 0) + written
        return written

    async def _flush(self, table: str, batch: list[dict]) -> int:
        columns = await self.columns(table)
        given = set(batch[0])
        names, fill = [], {}
        for name, not_null, has_default, data_type in columns:
            if name in given:
                names.append(name)
            elif not_null and not has_default:
                names.append(name)
                fill[name] = neutral_value(data_type)
        records = [tuple(row[n] if n in row else fill[n] for n in names) for row in batch]
        if self.dialect == "postgres":
            async with self.conn.acquire_connection() as raw:
                await raw.copy_records_to_table(table, records=records, columns=names)
        else:
            records = [tuple(_sqlite_value(v) for v in record) for record in records]
            placeholders = ", ".join("?" for _ in names)
            await self.conn.execute_many(f'INSERT INTO {table} ({", ".join(names)}) VALUES ({placeholders})',
                                         records)
        return len(records)

    async def reset_sequences(self) -> None:
        """Move each table's id sequence past the ids written here (PostgreSQL only)."""
        if self.dialect != "postgres":
            return
        for table in self.counts:
            if "id" not in {name for name, *_ in await self.columns(table)}:
                continue  # keyed otherwise (region by its code)
            await self.conn.execute_script(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def generate(conn, scale: Scale, seed: int = 20261101, chunk: int = 50_000) -> Plan:
    """Generate and write every table through the Tortoise connection `conn`; returns the plan."""
    rows = await conn.execute_query_dict("SELECT id, code FROM service_item")
    item_ids = {row["code"]: row["id"] for row in rows}
    if not item_ids:
        raise RuntimeError("the service menu is empty: load the reference data first")
    generator = Generator(scale, item_ids, seed)
    writer = TableWriter(conn, chunk)
    paused = await pause_figure_triggers(conn)
    for table, rows_ in generator.tables():
        if table.startswith("*"):
            await _write_mixed(writer, rows_, chunk)
        else:
            await writer.write(table, rows_)
    await writer.reset_sequences()
    await resume_figure_triggers(conn, paused)
    generator.plan.counts = dict(writer.counts)
    return generator.plan


async def pause_figure_triggers(conn) -> list[tuple[str, str]]:
    """Switch off the triggers that keep the figure rollups (PostgreSQL): one rebuild after COPY is far quicker."""
    if conn.capabilities.dialect != "postgres":
        return []
    rows = await conn.execute_query_dict(
        "SELECT c.relname AS tbl, t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgname LIKE 'figure\\_%' AND t.tgenabled <> 'D'")
    paused = [(row["tbl"], row["name"]) for row in rows]
    for table, name in paused:
        await conn.execute_script(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
    return paused


async def resume_figure_triggers(conn, paused: list[tuple[str, str]]) -> None:
    """Switch the triggers back on and recompute the rollups from the rows just written."""
    if not paused:
        return
    for table, name in paused:
        await conn.execute_script(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
    await conn.execute_script("SELECT figure_rollup_rebuild()")


async def _write_mixed(writer: TableWriter, tagged: Iterable[tuple[str, dict]], chunk: int) -> None:
    """Rows of several tables interleaved: buffer per table, flush parents before children."""
    order: list[str] = []
    buffers: dict[str, list[dict]] = {}
    pending = 0
    for table, row in tagged:
        if table not in buffers:
            buffers[table] = []
            order.append(table)
        buffers[table].append(row)
        pending += 1
        if pending >= chunk * 2:
            for name in order:
                if buffers[name]:
                    await writer.write(name, buffers[name])
                    buffers[name] = []
            pending = 0
    for name in order:
        if buffers[name]:
            await writer.write(name, buffers[name])
