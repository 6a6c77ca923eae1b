"""One world of real records, built through the API, that the permission matrix and other suites act on.

Every record is made the way a person would make it (login, place, accept,
dispatch, check in…), so a path parameter filled from here points at the
kind of record the route is for, in the state the route needs.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from PIL import Image

from backend.domain.roles import Role
from backend.infra.clock import frozen, now
from support.auth import bearer, login
from support.factories import (
    FANGZHENG, MINLE_POINT, MINLE_VILLAGE, PROVINCE, WUCHANG, admin_tokens, expert_tokens, order_body, visit_times,
)

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}
GOOD_RATING = {"overall": 5, "attitude": 5, "expertise": 5, "solved": "solved", "comment": "很好"}
POOR_RATING = {"overall": 1, "attitude": 2, "expertise": 1, "solved": "unsolved", "comment": "没解决"}

# Who calls. "Owner" means: the requester who placed the world's orders, and the expert they were assigned to.
ANONYMOUS = "anonymous"
REQUESTER = "requester"
OTHER_REQUESTER = "other_requester"
EXPERT = "expert"
OTHER_EXPERT = "other_expert"
LOCAL_ADMIN = "local_admin"
LOCAL_ADMIN_OUT = "local_admin_out"
PROVINCE_ADMIN = "province_admin"
CALLERS = (ANONYMOUS, REQUESTER, OTHER_REQUESTER, EXPERT, OTHER_EXPERT, LOCAL_ADMIN, LOCAL_ADMIN_OUT, PROVINCE_ADMIN)

_unique = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_unique)}"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (40, 120, 40)).save(out, "PNG")
    return out.getvalue()


class WorldError(AssertionError):
    """Building the world failed: the route that was walked is broken, not the route under test."""


@dataclass
class Call:
    """What to send: path parameters, and optionally a JSON body, a query, a multipart form, headers."""

    path: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # The record the call acts on, to check that a refused call left it alone.
    order_id: int | None = None
    # Server clock during the call (offline uploads are judged by the time they say they were scanned).
    at: Any = None
    # Per-caller header overrides, for calls that must not touch the world's own accounts (account deletion).
    as_caller: Any = None


class World:
    def __init__(self, client, settings) -> None:
        self.client = client
        self.settings = settings
        self.tokens: dict[str, dict] = {}
        self.names: dict[str, str] = {}
        self.expert_id = 0
        self.other_expert_id = 0
        self.created_menu: list[tuple[str, str]] = []
        self._cache: dict[str, Any] = {}

    async def build(self) -> World:
        tag = unique("w")
        self.tokens[REQUESTER] = await login(self.client, f"sec-farmer-{tag}")
        self.tokens[OTHER_REQUESTER] = await login(self.client, f"sec-neighbour-{tag}")
        self.names[EXPERT], self.names[OTHER_EXPERT] = f"sec-expert-{tag}", f"sec-expert2-{tag}"
        self.tokens[EXPERT], self.expert_id = await expert_tokens(self.client, self.names[EXPERT])
        self.tokens[OTHER_EXPERT], self.other_expert_id = await expert_tokens(self.client, self.names[OTHER_EXPERT])
        self.tokens[LOCAL_ADMIN] = await admin_tokens(self.client, f"sec-county-{tag}", Role.LOCAL_ADMIN, WUCHANG)
        self.tokens[LOCAL_ADMIN_OUT] = await admin_tokens(self.client, f"sec-county-out-{tag}", Role.LOCAL_ADMIN,
                                                          FANGZHENG)
        self.tokens[PROVINCE_ADMIN] = await admin_tokens(self.client, f"sec-province-{tag}", Role.PROVINCE_ADMIN,
                                                         PROVINCE)
        return self

    def headers(self, caller: str) -> dict[str, str]:
        return {} if caller == ANONYMOUS else bearer(self.tokens[caller])

    async def request(self, method: str, url: str, caller: str, ok: tuple[int, ...] | None = (200, 201),
                      **kwargs) -> Any:
        headers = self.headers(caller) | kwargs.pop("headers", {})
        _, response = await self.client.request(method, url, headers=headers, **kwargs)
        if ok is not None and response.status not in ok:
            raise WorldError(f"{method} {url} as {caller}: {response.status} {response.text[:300]}")
        return response

    # Orders, one per state the routes need. Each call makes a new one.

    async def submitted_order(self, **overrides) -> int:
        response = await self.request("POST", "/api/v1/orders", REQUESTER, json=order_body(**overrides))
        return response.json["id"]

    async def _step(self, order_id: int, action: str, caller: str, body: dict | None = None) -> dict:
        response = await self.request("POST", f"/api/v1/orders/{order_id}/{action}", caller, json=body or {})
        return response.json

    async def accepted_order(self) -> int:
        order_id = await self.submitted_order()
        await self._step(order_id, "accept", LOCAL_ADMIN)
        return order_id

    async def returned_order(self) -> int:
        order_id = await self.submitted_order()
        await self._step(order_id, "return", LOCAL_ADMIN, {"reason": "请补充果园照片"})
        return order_id

    async def dispatched_order(self) -> int:
        order_id = await self.accepted_order()
        await self._step(order_id, "dispatch", PROVINCE_ADMIN, {"expert_id": self.expert_id})
        return order_id

    async def scheduled_order(self) -> int:
        order_id = await self.dispatched_order()
        await self._step(order_id, "expert-accept", EXPERT)
        return order_id

    async def published_order(self) -> int:
        order_id = await self.accepted_order()
        await self._step(order_id, "publish", PROVINCE_ADMIN)
        return order_id

    async def claimed_order(self) -> int:
        order_id = await self.published_order()
        await self._step(order_id, "claim", EXPERT)
        return order_id

    # Visits.

    async def checkin_token(self, order_id: int) -> str:
        response = await self.request("GET", f"/api/v1/orders/{order_id}/checkin-code", REQUESTER)
        return response.json["token"]

    async def open_visit(self, location: dict | None = ON_SITE) -> tuple[int, int]:
        """A scheduled order with the expert checked in on site; returns (order id, visit id)."""
        order_id = await self.scheduled_order()
        body = {"token": await self.checkin_token(order_id)} | ({"location": location} if location else {})
        response = await self.request("POST", f"/api/v1/orders/{order_id}/check-in", EXPERT, json=body)
        return order_id, response.json["id"]

    async def completed_visit(self, location: dict | None = ON_SITE, hours: float = 3) -> tuple[int, int]:
        start, end = visit_times(timedelta(hours=hours))
        with frozen(start):
            order_id, visit_id = await self.open_visit(location)
        with frozen(end):
            await self.request("POST", f"/api/v1/visits/{visit_id}/check-out", EXPERT,
                               json={"location": ON_SITE} if location else {})
        return order_id, visit_id

    async def rated_visit(self, rating: dict = GOOD_RATING) -> tuple[int, int]:
        order_id, visit_id = await self.completed_visit()
        await self.request("POST", f"/api/v1/visits/{visit_id}/rating", REQUESTER, json=rating)
        return order_id, visit_id

    async def flagged_visit(self) -> tuple[int, int]:
        """A visit checked in and out without a location: it waits for an admin's review."""
        return await self.completed_visit(location=None)

    async def follow_up(self) -> int:
        order_id, _ = await self.rated_visit(POOR_RATING)
        response = await self.request("GET", "/api/v1/follow-ups", LOCAL_ADMIN)
        for item in response.json["items"]:
            if item.get("order_id") == order_id or item.get("order", {}).get("id") == order_id:
                return item["id"]
        raise WorldError(f"no follow-up for order {order_id}: {response.json}")

    # Other records.

    async def notification_of_requester(self) -> int:
        await self.accepted_order()
        response = await self.request("GET", "/api/v1/notifications", REQUESTER)
        items = response.json["items"]
        if not items:
            raise WorldError("the requester got no notification for an accepted order")
        return items[0]["id"]

    async def upload(self, caller: str = REQUESTER) -> dict:
        response = await self.request("POST", "/api/v1/uploads", caller,
                                      files={"file": ("leaf.png", png_bytes(), "image/png")},
                                      data={"purpose": "order_photo"})
        return response.json

    async def team(self) -> int:
        response = await self.request("POST", "/api/v1/teams", LOCAL_ADMIN, json=self.team_body())
        return response.json["id"]

    def team_body(self) -> dict:
        return {"name": unique("五常果树服务团"), "field": "planting", "region_code": WUCHANG,
                "leader_id": self.expert_id, "member_ids": [self.other_expert_id],
                "term_start": now().date().isoformat()}

    def base_body(self) -> dict:
        return {"name": unique("民乐村示范基地"), "region_code": MINLE_VILLAGE,
                "latitude": MINLE_POINT[0], "longitude": MINLE_POINT[1]}

    async def base(self) -> int:
        response = await self.request("POST", "/api/v1/bases", LOCAL_ADMIN, json=self.base_body())
        return response.json["id"]

    async def base_token(self, base_id: int) -> str:
        response = await self.request("GET", f"/api/v1/bases/{base_id}/code", LOCAL_ADMIN)
        return response.json["token"]

    async def base_with_activity(self) -> int:
        """A base the expert scanned in at today, so there is a day for an admin to confirm."""
        base_id = await self.base()
        await self.request("POST", "/api/v1/bases/check-in", EXPERT,
                           json={"token": await self.base_token(base_id), "location": ON_SITE})
        return base_id

    async def certificate(self) -> tuple[str, str, bytes]:
        """The expert's certificate for this year: (id, digest parameter of its QR link, the PDF)."""
        if "certificate" not in self._cache:
            response = await self.request("GET", f"/api/v1/certificates/{now().year}", EXPERT)
            certificate_id = response.headers["x-certificate-id"]
            from backend.models import Certificate

            record = await Certificate.get(id=certificate_id)
            digest = getattr(record, "digest", None) or getattr(record, "sha256", "")
            self._cache["certificate"] = (certificate_id, digest, response.content)
        return self._cache["certificate"]

    async def pending_expert(self) -> int:
        """An expert who registered in the world's county and waits for an admin's verification."""
        _, profile_id = await expert_tokens(self.client, unique("sec-pending-expert-"), verified=False)
        return profile_id

    async def achievement(self) -> int:
        response = await self.request("POST", "/api/v1/achievements", EXPERT, json=self.achievement_body())
        return response.json["id"]

    @staticmethod
    def achievement_body() -> dict:
        return {"title": unique("寒地苹果矮化密植技术"), "field": "planting", "mode": "license",
                "description": "适用于黑龙江寒地果园的矮化密植与防寒栽培技术，亩产提高三成。"}

    async def import_template(self) -> bytes:
        response = await self.request("GET", "/api/v1/experts/import-template.xlsx", LOCAL_ADMIN)
        return response.content

    async def import_job(self) -> str:
        response = await self.request("POST", "/api/v1/experts/import", LOCAL_ADMIN, ok=(200, 201, 202),
                                      files={"file": ("experts.xlsx", await self.import_template(),
                                                      "application/vnd.openxmlformats-officedocument"
                                                      ".spreadsheetml.sheet")})
        return response.json.get("id") or response.json["job_id"]

    def case_body(self, visit_id: int) -> dict:
        return {"visit_id": visit_id, "title": unique("寒地苹果腐烂病现场诊治"),
                "body": "专家到民乐村果园现场诊断苹果腐烂病，讲解刮治与涂药方法，果农当场学会并在全村推广。"}

    async def draft_case(self) -> int:
        _, visit_id = await self.rated_visit()
        response = await self.request("POST", "/api/v1/cases", LOCAL_ADMIN, json=self.case_body(visit_id))
        return response.json["id"]

    async def published_case(self) -> int:
        case_id = await self.draft_case()
        await self.request("POST", f"/api/v1/cases/{case_id}/publish", LOCAL_ADMIN)
        return case_id

    async def menu_category(self) -> str:
        code = unique("sec_cat_")
        await self.request("POST", "/api/v1/menu/categories", PROVINCE_ADMIN,
                           json={"code": code, "name": "安全测试分类"})
        self.created_menu.append(("category", code))
        return code

    async def menu_item(self) -> str:
        if "category" not in self._cache:
            self._cache["category"] = await self.menu_category()
        code = unique("sec_item_")
        await self.request("POST", "/api/v1/menu/items", PROVINCE_ADMIN,
                           json={"category_code": self._cache["category"], "code": code, "name": "安全测试项目"})
        self.created_menu.append(("item", code))
        return code

    async def shared(self, name: str, make) -> Any:
        """A record made once per world, for routes that only read it."""
        if name not in self._cache:
            self._cache[name] = await make()
        return self._cache[name]

    async def remove_menu_records(self) -> None:
        from backend.models import ServiceCategory, ServiceItem

        items = [code for kind, code in self.created_menu if kind == "item"]
        categories = [code for kind, code in self.created_menu if kind == "category"]
        await ServiceItem.filter(code__in=items).delete()
        await ServiceCategory.filter(code__in=categories).delete()
        await ServiceItem.filter(code__startswith="sec_").delete()
        await ServiceCategory.filter(code__startswith="sec_").delete()


async def wipe(resources) -> None:
    """The same wipe as the autouse `clean_state` fixture: reference data only, empty Redis."""
    from tortoise import connections

    from backend.infra.db import dialect

    reference = {"region", "service_category", "service_item", "tortoise_migrations"}
    conn = connections.get("default")
    if dialect() == "postgres":
        rows = await conn.execute_query_dict("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [row["tablename"] for row in rows if row["tablename"] not in reference]
        if tables:
            await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [row["name"] for row in rows
                  if row["name"] not in reference and not row["name"].startswith("sqlite_")]
        await conn.execute_script("PRAGMA foreign_keys = OFF;" + "".join(f"DELETE FROM {t};" for t in tables)
                                  + "PRAGMA foreign_keys = ON;")
    await resources.redis.flushdb()
