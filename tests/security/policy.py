"""The declared access policy: for every route, who may succeed, and how to build a valid call to it.

Keys are "METHOD path" exactly as the app's route table spells them
(`app.router.routes`, without the leading slash). A route that is in the
app but not here fails `test_every_route_has_a_policy_entry`: whoever adds
a route decides here who may call it.

Callers (see `world.py`): the requester who owns the records, another
requester, the expert assigned to them, another (verified, same field and
county) expert, a county admin of the records' county, a county admin of
another county, and a provincial admin. Admin *list* routes are open to the
out-of-region admin too: they answer with that admin's own area (checked
separately in test_personal_data).

`fresh=True` means the call changes state, so every allowed caller acts on
a record of its own (made by `prepare`); refused callers share one record,
which must be left unchanged. `audited=True` means a successful call must
leave at least one new AuditRecord.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from backend.infra.clock import now
from support.factories import WUCHANG, order_body
from security.world import (
    ANONYMOUS, CALLERS, EXPERT, GOOD_RATING, LOCAL_ADMIN, LOCAL_ADMIN_OUT, ON_SITE, OTHER_EXPERT, OTHER_REQUESTER,
    PROVINCE_ADMIN, REQUESTER, Call, World, png_bytes, unique,
)

EVERYONE = frozenset(CALLERS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
REQUESTERS = frozenset({REQUESTER, OTHER_REQUESTER})
EXPERTS = frozenset({EXPERT, OTHER_EXPERT})
ADMINS = frozenset({LOCAL_ADMIN, LOCAL_ADMIN_OUT, PROVINCE_ADMIN})
IN_REGION_ADMINS = frozenset({LOCAL_ADMIN, PROVINCE_ADMIN})
# Dispatching is the province's (「省厅派单」); settings.local_dispatch_allowed is off in tests.
DISPATCHERS = frozenset({PROVINCE_ADMIN})
OWNER = frozenset({REQUESTER})
ASSIGNED_EXPERT = frozenset({EXPERT})
NOBODY_ELSE = frozenset()

Prepare = Callable[[World], Awaitable[Call]]


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    prepare: Prepare
    fresh: bool = False
    audited: bool = False
    why: str = ""


async def nothing(world: World) -> Call:
    return Call()


async def stand_in_requesters(world: World) -> Call:
    """Fresh requester accounts that the requesters act as, so deleting one leaves the world intact."""
    from support.auth import bearer, login

    stand_ins = {caller: bearer(await login(world.client, unique("stand-in"))) for caller in REQUESTERS}
    return Call(as_caller=lambda caller: stand_ins.get(caller, {}))


def body(payload) -> Prepare:
    async def prepare(world: World) -> Call:
        return Call(json=payload() if callable(payload) else payload)

    return prepare


def on_order(make: str, payload=None) -> Prepare:
    """A new order in the state `make` names (a World method), with an optional JSON body."""

    async def prepare(world: World) -> Call:
        order_id = await getattr(world, make)()
        data = payload(world) if callable(payload) else payload
        return Call(path={"order_id": order_id}, json=data if data is not None else {}, order_id=order_id)

    return prepare


def on_shared_order(make: str) -> Prepare:
    async def prepare(world: World) -> Call:
        order_id = await world.shared(make, getattr(world, make))
        return Call(path={"order_id": order_id}, order_id=order_id)

    return prepare


def on_visit(make: str, payload=None, shared: bool = False) -> Prepare:
    async def prepare(world: World) -> Call:
        factory = getattr(world, make)
        order_id, visit_id = await (world.shared(make, factory) if shared else factory())
        data = payload(world) if callable(payload) else payload
        return Call(path={"visit_id": visit_id}, json=data, order_id=order_id)

    return prepare


def on_visit_order(make: str, payload=None) -> Prepare:
    """A new order that has a visit made by `make`, addressed by its order id."""

    async def prepare(world: World) -> Call:
        order_id, _ = await getattr(world, make)()
        return Call(path={"order_id": order_id}, json=payload if payload is not None else {}, order_id=order_id)

    return prepare


def fixed(make: Callable[[World], Call]) -> Prepare:
    async def prepare(world: World) -> Call:
        return make(world)

    return prepare


async def fresh_base(world: World) -> Call:
    return Call(path={"base_id": await world.base()})


async def checkin_call(world: World) -> Call:
    order_id = await world.scheduled_order()
    return Call(path={"order_id": order_id}, json={"token": await world.checkin_token(order_id), "location": ON_SITE},
                order_id=order_id)


def _offline_scan(secrets: dict[str, str], order_id: int, moment) -> dict:
    import hashlib
    import hmac
    from datetime import datetime, timedelta, timezone

    counter = int(moment.timestamp()) // 60
    day = (datetime.fromtimestamp(counter * 60, timezone.utc) + timedelta(hours=8)).date().isoformat()
    mac = hmac.new(bytes.fromhex(secrets[day]), counter.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = mac[31] & 0x0F
    code = (int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** 8
    return {"code": f"OFF1.{order_id}.{counter}.{code:08d}", "scanned_at": moment.isoformat(), "location": ON_SITE}


async def _secrets(world: World, order_id: int) -> dict[str, str]:
    response = await world.request("GET", f"/api/v1/orders/{order_id}/offline-secret", REQUESTER)
    return {item["date"]: item["secret"] for item in response.json["secrets"]}


async def offline_visit_call(world: World) -> Call:
    from datetime import timedelta

    order_id = await world.scheduled_order()
    secrets = await _secrets(world, order_id)
    # Days away from the world's other visits: an expert cannot be in two places at once.
    scanned = now().replace(microsecond=0) + timedelta(days=2, minutes=next_minute())
    return Call(path={"order_id": order_id}, json={"check_in": _offline_scan(secrets, order_id, scanned)},
                order_id=order_id, at=scanned + timedelta(minutes=1))


async def offline_check_out_call(world: World) -> Call:
    from datetime import timedelta

    from backend.infra.clock import frozen

    order_id = await world.scheduled_order()
    secrets = await _secrets(world, order_id)
    start = now().replace(microsecond=0) + timedelta(days=4, hours=next_minute())
    with frozen(start):
        token = await world.checkin_token(order_id)
        response = await world.request("POST", f"/api/v1/orders/{order_id}/check-in", EXPERT,
                                       json={"token": token, "location": ON_SITE})
    moment = start + timedelta(minutes=50)
    return Call(path={"visit_id": response.json["id"]},
                json={"check_out": _offline_scan(secrets, order_id, moment)},
                order_id=order_id, at=moment + timedelta(minutes=1))


_minutes = iter(range(0, 10_000, 3))


def next_minute() -> int:
    return next(_minutes)


async def upload_form(world: World) -> Call:
    return Call(files={"file": ("leaf.png", png_bytes(), "image/png")}, data={"purpose": "order_photo"})


async def own_upload(world: World) -> Call:
    upload = await world.shared("upload", world.upload)
    return Call(path={"upload_id": upload["id"]})


async def upload_content(world: World) -> Call:
    upload = await world.shared("upload", world.upload)
    query = dict(part.split("=", 1) for part in upload["url"].split("?", 1)[1].split("&"))
    return Call(path={"upload_id": upload["id"]}, params=query)


async def fresh_login(world: World) -> Call:
    from support.auth import login

    tokens = await login(world.client, unique("sec-throwaway-"))
    return Call(json={"refresh_token": tokens["refresh_token"]})


async def notification(world: World) -> Call:
    return Call(path={"notification_id": await world.shared("notification", world.notification_of_requester)})


async def team(world: World) -> Call:
    return Call(path={"team_id": await world.shared("team", world.team)})


async def base(world: World) -> Call:
    return Call(path={"base_id": await world.shared("base", world.base)})


async def base_confirm(world: World) -> Call:
    base_id = await world.base_with_activity()
    return Call(path={"base_id": base_id},
                json={"date": now().date().isoformat(), "approve": True, "reason": "活动属实"})


async def base_check_in(world: World) -> Call:
    base_id = await world.shared("base", world.base)
    return Call(json={"token": await world.base_token(base_id), "location": ON_SITE})


async def follow_up_close(world: World) -> Call:
    return Call(path={"follow_up_id": await world.follow_up()}, json={"outcome": "已电话回访，问题已解决", "approve": True})


async def certificate_verify(world: World) -> Call:
    certificate_id, digest, _ = await world.certificate()
    return Call(path={"certificate_id": certificate_id}, params={"d": digest[:16]})


async def certificate_pdf(world: World) -> Call:
    _, _, pdf = await world.certificate()
    return Call(files={"file": ("certificate.pdf", pdf, "application/pdf")})


async def menu_category(world: World) -> Call:
    return Call(path={"code": await world.shared("category", world.menu_category)}, json={"description": "改"})


async def menu_item(world: World) -> Call:
    return Call(path={"code": await world.shared("item", world.menu_item)}, json={"description": "改"})


async def fresh_menu_item(world: World) -> Call:
    return Call(path={"code": await world.menu_item()})


async def new_menu_item(world: World) -> Call:
    category = await world.shared("category", world.menu_category)
    code = unique("sec_item_")
    world.created_menu.append(("item", code))
    return Call(json={"category_code": category, "code": code, "name": "安全测试新项目"})


async def new_menu_category(world: World) -> Call:
    code = unique("sec_cat_")
    world.created_menu.append(("category", code))
    return Call(json={"code": code, "name": "安全测试新分类"})


def grant_body() -> dict:
    return {"phone": f"139{next_phone():08d}", "name": "新同事", "role": "local_admin", "region_code": WUCHANG}


_phones = iter(range(71_000_000, 72_000_000))


def next_phone() -> int:
    return next(_phones)


# The role each caller is signed in with; switching to it again is always allowed.
ACTIVE_ROLE = {ANONYMOUS: "requester", REQUESTER: "requester", OTHER_REQUESTER: "requester", EXPERT: "expert", OTHER_EXPERT: "expert",
               LOCAL_ADMIN: "local_admin", LOCAL_ADMIN_OUT: "local_admin", PROVINCE_ADMIN: "province_admin"}

def registration(name: str) -> dict:
    """The world's experts' own key fields (name, title, level, field), so re-sending keeps them verified."""
    return {"name": name, "title": "高级农艺师", "title_level": "associate_senior", "field": "planting",
            "employer": "黑龙江省农业科学院", "region_code": WUCHANG, "specialties": ["果树病虫害"]}


async def registration_call(world: World) -> Call:
    return Call(json=lambda caller: registration(world.names.get(caller, "王守田")))


async def pending_expert(world: World) -> Call:
    return Call(path={"expert_id": await world.pending_expert()})


def pending_expert_with(payload: dict) -> Prepare:
    async def prepare(world: World) -> Call:
        return Call(path={"expert_id": await world.pending_expert()}, json=payload)

    return prepare


async def own_expert(world: World) -> Call:
    return Call(path={"expert_id": world.expert_id})


async def import_file(world: World) -> Call:
    template = await world.shared("import_template", world.import_template)
    return Call(files={"file": ("experts.xlsx", template, "application/octet-stream")})


async def import_job(world: World) -> Call:
    return Call(path={"job_id": await world.shared("import_job", world.import_job)})


async def achievement(world: World) -> Call:
    return Call(path={"achievement_id": await world.shared("achievement", world.achievement)})


async def achievement_edit(world: World) -> Call:
    return Call(path={"achievement_id": await world.achievement()}, json={"mode": "transfer"})


async def achievement_order(world: World) -> Call:
    return Call(path={"achievement_id": await world.shared("achievement", world.achievement)}, json=order_body())


async def case_from_good_visit(world: World) -> Call:
    _, visit_id = await world.rated_visit()
    return Call(json=world.case_body(visit_id))


async def draft_case(world: World) -> Call:
    return Call(path={"case_id": await world.draft_case()})


async def published_case(world: World) -> Call:
    return Call(path={"case_id": await world.shared("published_case", world.published_case)})


REASON = {"reason": "信息不全，请补充"}

POLICY: dict[str, Rule] = {
    # Probes and public reference data.
    "GET healthz": Rule(EVERYONE, nothing),
    "GET readyz": Rule(EVERYONE, nothing),
    "GET metrics": Rule(NOBODY_ELSE, nothing,
                        why="scrapers on this machine or with the metrics token only; API callers never"),
    "GET api/v1/regions": Rule(EVERYONE, nothing),
    "GET api/v1/regions/<code:str>": Rule(EVERYONE, fixed(lambda w: Call(path={"code": WUCHANG}))),
    "GET api/v1/menu": Rule(EVERYONE, nothing),
    # Sessions. Login and refresh carry their own credential in the body, so any caller succeeds with a valid one.
    "POST api/v1/auth/wechat-login": Rule(EVERYONE, body(lambda: {"code": unique("sec-login-") + "#1"}), fresh=True),
    "POST api/v1/auth/refresh": Rule(EVERYONE, fresh_login, fresh=True),
    "POST api/v1/auth/logout": Rule(EVERYONE, fresh_login, fresh=True),
    "GET api/v1/me": Rule(SIGNED_IN, nothing),
    "GET api/v1/me/data-export": Rule(REQUESTERS, nothing),
    "DELETE api/v1/me": Rule(REQUESTERS, stand_in_requesters, fresh=True, audited=True,
                             why="requesters delete stand-in accounts, so the world's own ones survive"),
    "GET api/v1/audit": Rule(ADMINS, nothing, why="answers with the caller's own area"),
    "POST api/v1/auth/switch-role": Rule(SIGNED_IN, body(lambda: lambda caller: {"role": ACTIVE_ROLE[caller]})),
    "POST api/v1/auth/phone": Rule(SIGNED_IN, body(lambda: {"code": f"phone-137{next_phone():08d}"}), fresh=True),
    # Admins and the menu.
    "POST api/v1/admin/grants": Rule(IN_REGION_ADMINS, body(grant_body), fresh=True, audited=True),
    "GET api/v1/admin/grants": Rule(ADMINS, nothing),
    "GET api/v1/menu/all": Rule(frozenset({PROVINCE_ADMIN}), nothing),
    "POST api/v1/menu/categories": Rule(frozenset({PROVINCE_ADMIN}), new_menu_category, fresh=True, audited=True),
    "PATCH api/v1/menu/categories/<code:str>": Rule(frozenset({PROVINCE_ADMIN}), menu_category, audited=True),
    "POST api/v1/menu/items": Rule(frozenset({PROVINCE_ADMIN}), new_menu_item, fresh=True, audited=True),
    "PATCH api/v1/menu/items/<code:str>": Rule(frozenset({PROVINCE_ADMIN}), menu_item, audited=True),
    "POST api/v1/menu/items/<code:str>/retire": Rule(frozenset({PROVINCE_ADMIN}), fresh_menu_item, fresh=True,
                                                    audited=True),
    # Orders.
    "POST api/v1/orders": Rule(REQUESTERS, body(order_body), fresh=True, audited=True),
    "GET api/v1/orders": Rule(SIGNED_IN, nothing),
    "GET api/v1/orders/<order_id:int>": Rule(OWNER | ASSIGNED_EXPERT | IN_REGION_ADMINS,
                                             on_shared_order("scheduled_order")),
    "GET api/v1/board": Rule(EXPERTS, nothing),
    "POST api/v1/orders/<order_id:int>/resubmit": Rule(OWNER, on_order("returned_order", {"description": "补充：附上照片了"}),
                                                      fresh=True, audited=True),
    "POST api/v1/orders/<order_id:int>/cancel": Rule(OWNER, on_order("submitted_order", {"reason": "已自行解决"}),
                                                    fresh=True, audited=True),
    "POST api/v1/orders/<order_id:int>/accept": Rule(IN_REGION_ADMINS, on_order("submitted_order"), fresh=True,
                                                    audited=True),
    "POST api/v1/orders/<order_id:int>/return": Rule(IN_REGION_ADMINS, on_order("submitted_order", REASON), fresh=True,
                                                    audited=True),
    "POST api/v1/orders/<order_id:int>/reject": Rule(IN_REGION_ADMINS, on_order("submitted_order", REASON), fresh=True,
                                                    audited=True),
    "POST api/v1/orders/<order_id:int>/dispatch": Rule(DISPATCHERS, on_order("accepted_order",
                                                                             lambda w: {"expert_id": w.expert_id}),
                                                      fresh=True, audited=True),
    "POST api/v1/orders/<order_id:int>/publish": Rule(DISPATCHERS, on_order("accepted_order", {}), fresh=True,
                                                     audited=True),
    "POST api/v1/orders/<order_id:int>/recall": Rule(DISPATCHERS, on_order("dispatched_order", REASON), fresh=True,
                                                    audited=True),
    "POST api/v1/orders/<order_id:int>/claim": Rule(EXPERTS, on_order("published_order"), fresh=True, audited=True),
    "POST api/v1/orders/<order_id:int>/claim/confirm": Rule(DISPATCHERS, on_order("claimed_order"), fresh=True,
                                                           audited=True),
    "POST api/v1/orders/<order_id:int>/claim/reopen": Rule(DISPATCHERS, on_order("claimed_order", REASON), fresh=True,
                                                          audited=True),
    "POST api/v1/orders/<order_id:int>/expert-accept": Rule(ASSIGNED_EXPERT, on_order("dispatched_order", {}),
                                                           fresh=True, audited=True),
    "POST api/v1/orders/<order_id:int>/decline": Rule(ASSIGNED_EXPERT, on_order("dispatched_order", REASON),
                                                     fresh=True, audited=True),
    "POST api/v1/orders/<order_id:int>/confirm-solved": Rule(OWNER, on_visit_order("completed_visit"), fresh=True,
                                                            audited=True),
    "POST api/v1/orders/<order_id:int>/request-revisit": Rule(OWNER, on_visit_order("completed_visit", REASON),
                                                             fresh=True, audited=True),
    "POST api/v1/orders/<order_id:int>/close": Rule(IN_REGION_ADMINS, on_visit_order("completed_visit", REASON),
                                                   fresh=True, audited=True),
    # Visits, check-in and the ledger.
    "GET api/v1/orders/<order_id:int>/checkin-code": Rule(OWNER, on_shared_order("scheduled_order")),
    "POST api/v1/orders/<order_id:int>/check-in": Rule(ASSIGNED_EXPERT, checkin_call, fresh=True, audited=True),
    "POST api/v1/visits/<visit_id:int>/check-out": Rule(ASSIGNED_EXPERT, on_visit("open_visit", {"location": ON_SITE}),
                                                       fresh=True, audited=True),
    "PUT api/v1/visits/<visit_id:int>/log": Rule(ASSIGNED_EXPERT, on_visit("completed_visit", {
        "content": "现场诊断苹果腐烂病，讲解刮治方法", "problems_solved": 1, "people_served": 3}), fresh=True, audited=True),
    "GET api/v1/visits": Rule(EXPERTS, nothing),
    "GET api/v1/visits/flagged": Rule(ADMINS, nothing),
    "POST api/v1/visits/<visit_id:int>/review": Rule(IN_REGION_ADMINS, on_visit("flagged_visit", {
        "approve": True, "reason": "电话核实属实"}), fresh=True, audited=True),
    "GET api/v1/ledger/me": Rule(EXPERTS, nothing),
    "GET api/v1/orders/<order_id:int>/offline-secret": Rule(OWNER, on_shared_order("scheduled_order")),
    "POST api/v1/orders/<order_id:int>/offline-visits": Rule(ASSIGNED_EXPERT, offline_visit_call, fresh=True,
                                                            audited=True),
    "POST api/v1/visits/<visit_id:int>/offline-check-out": Rule(ASSIGNED_EXPERT, offline_check_out_call, fresh=True,
                                                               audited=True),
    # Ratings and follow-ups.
    "POST api/v1/visits/<visit_id:int>/rating": Rule(OWNER, on_visit("completed_visit", GOOD_RATING), fresh=True,
                                                    audited=True),
    "PUT api/v1/visits/<visit_id:int>/rating": Rule(OWNER, on_visit("rated_visit", GOOD_RATING | {"comment": "改"}),
                                                   fresh=True, audited=True),
    "GET api/v1/orders/<order_id:int>/visits": Rule(OWNER, on_shared_order("scheduled_order")),
    "GET api/v1/follow-ups": Rule(ADMINS, nothing),
    "POST api/v1/follow-ups/<follow_up_id:int>/close": Rule(IN_REGION_ADMINS, follow_up_close, fresh=True,
                                                           audited=True),
    # Teams and bases.
    "POST api/v1/teams": Rule(IN_REGION_ADMINS, fixed(lambda w: Call(json=w.team_body())), fresh=True, audited=True),
    "GET api/v1/teams": Rule(ADMINS, nothing),
    "GET api/v1/teams/<team_id:int>": Rule(IN_REGION_ADMINS, team),
    "POST api/v1/bases": Rule(IN_REGION_ADMINS, fixed(lambda w: Call(json=w.base_body())), fresh=True, audited=True),
    "GET api/v1/bases": Rule(ADMINS, nothing),
    "GET api/v1/bases/<base_id:int>/code": Rule(IN_REGION_ADMINS, base),
    "GET api/v1/bases/<base_id:int>/code.png": Rule(IN_REGION_ADMINS, base),
    "GET api/v1/bases/<base_id:int>/code.svg": Rule(IN_REGION_ADMINS, base),
    "GET api/v1/bases/<base_id:int>/stats": Rule(IN_REGION_ADMINS, base),
    "POST api/v1/bases/<base_id:int>/rotate-code": Rule(IN_REGION_ADMINS, fresh_base, fresh=True,
                                                       audited=True),
    "POST api/v1/bases/<base_id:int>/confirm": Rule(IN_REGION_ADMINS, base_confirm, fresh=True, audited=True),
    # Anyone at the base scans its printed code: experts (hours) and requesters (人次); admins are refused.
    "POST api/v1/bases/check-in": Rule(REQUESTERS | EXPERTS, base_check_in, fresh=True, audited=True),
    # Uploads: any signed-in person; metadata to the uploader only; content to whoever holds the signed link.
    "POST api/v1/uploads": Rule(SIGNED_IN, upload_form, fresh=True),
    "GET api/v1/uploads/<upload_id:uuid>": Rule(OWNER, own_upload),
    "GET api/v1/uploads/<upload_id:uuid>/content": Rule(EVERYONE, upload_content),
    # Notifications: each person's own.
    "GET api/v1/notifications": Rule(SIGNED_IN, nothing),
    "GET api/v1/notifications/unread-count": Rule(SIGNED_IN, nothing),
    "POST api/v1/notifications/read-all": Rule(SIGNED_IN, nothing),
    "POST api/v1/notifications/<notification_id:int>/read": Rule(OWNER, notification),
    # Certificates: the expert's own; verification is public.
    "GET api/v1/certificates/<year:int>": Rule(EXPERTS, fixed(lambda w: Call(path={"year": now().year})),
                                               audited=True),
    "GET api/v1/certificates/verify/<certificate_id:str>": Rule(EVERYONE, certificate_verify),
    "POST api/v1/certificates/verify": Rule(EVERYONE, certificate_pdf),
    # Exports: each admin's own area.
    "GET api/v1/exports/visits.xlsx": Rule(ADMINS, nothing),
    "GET api/v1/exports/ledger.xlsx": Rule(ADMINS, nothing),
    # 专家库: self-registration, and the admins' verification and bulk import.
    # Anyone signed in may join the 专家库 (the profile waits for verification); a verified expert re-sending
    # unchanged key fields stays verified.
    "POST api/v1/experts/me": Rule(SIGNED_IN, registration_call, fresh=True),
    "GET api/v1/experts/me": Rule(EXPERTS, nothing),
    "PATCH api/v1/experts/me": Rule(EXPERTS, body({"available": True}), audited=True),
    "GET api/v1/experts": Rule(ADMINS, nothing),
    "GET api/v1/experts/<expert_id:int>": Rule(IN_REGION_ADMINS, own_expert),
    "POST api/v1/experts/<expert_id:int>/verify": Rule(IN_REGION_ADMINS, pending_expert, fresh=True, audited=True),
    "POST api/v1/experts/<expert_id:int>/reject": Rule(IN_REGION_ADMINS, pending_expert_with(REASON), fresh=True,
                                                       audited=True),
    "GET api/v1/experts/import-template.xlsx": Rule(ADMINS, nothing),
    # The import runs in the background; its audit trail is written by the job, not checked here.
    "POST api/v1/experts/import": Rule(ADMINS, import_file, fresh=True),
    "GET api/v1/experts/import/<job_id:uuid>": Rule(IN_REGION_ADMINS, import_job),
    # 成果库: experts publish their own; anyone signed in browses; a requester orders from the owner.
    "POST api/v1/achievements": Rule(EXPERTS, fixed(lambda w: Call(json=w.achievement_body())), fresh=True,
                                     audited=True),
    "PUT api/v1/achievements/<achievement_id:int>": Rule(ASSIGNED_EXPERT, achievement_edit, fresh=True, audited=True),
    "GET api/v1/achievements": Rule(SIGNED_IN, nothing),
    "GET api/v1/achievements/<achievement_id:int>": Rule(SIGNED_IN, achievement),
    "POST api/v1/achievements/<achievement_id:int>/order": Rule(REQUESTERS, achievement_order, fresh=True,
                                                               audited=True),
    # Matching and search.
    "GET api/v1/orders/<order_id:int>/recommendations": Rule(DISPATCHERS, on_shared_order("accepted_order")),
    "GET api/v1/orders/search": Rule(SIGNED_IN, fixed(lambda w: Call(params={"q": "苹果"}))),
    # 典型案例: admins of the visit's area write and publish; published cases are public.
    "POST api/v1/cases": Rule(IN_REGION_ADMINS, case_from_good_visit, fresh=True, audited=True),
    "POST api/v1/cases/<case_id:int>/publish": Rule(IN_REGION_ADMINS, draft_case, fresh=True, audited=True),
    "GET api/v1/cases": Rule(EVERYONE, nothing),
    "GET api/v1/cases/<case_id:int>": Rule(EVERYONE, published_case),
    # Tracking figures: each admin's own area.
    "GET api/v1/figures": Rule(ADMINS, nothing),
    "GET api/v1/figures/experts": Rule(ADMINS, nothing),
    "GET api/v1/figures.xlsx": Rule(ADMINS, nothing),
}
