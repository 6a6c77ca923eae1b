"""Use cases of the order's life: place, read, list, edit and every transition.

Every transition goes through `_transition()`: the pure table says whether
it is allowed, the caller's relation to the order is checked here, the row
is updated only if nobody changed it meanwhile (version check), and the
audit record and notifications are written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import order_flow, regions, workdays
from backend.domain.order_flow import Action, OrderStatus, Relation
from backend.domain.roles import Role
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.infra.clock import now
from backend.infra.db import is_postgres
from backend.infra.tokens import AccessClaims
from backend.models import (
    AuditRecord,
    ExpertProfile,
    Order,
    OrderAssignee,
    OrderItem,
    Region,
    ServiceItem,
    ServiceTeam,
    TeamMember,
)
from backend.services import order_views
from backend.services.notifications import Event, notify, page_for

# Which relations (from order_views.relation_to) satisfy each relation of the table.
RELATION_MATCH = {
    Relation.OWNER: {"owner"},
    Relation.AREA_ADMIN: {"area_admin"},
    Relation.DISPATCHER: {"area_admin"},
    Relation.ASSIGNEE: {"assignee"},
    Relation.SERVING_EXPERT: {"serving_expert"},
    Relation.BOARD_EXPERT: {"board"},
    Relation.CLAIMANT: {"claimant"},
    Relation.SYSTEM: set(),
}

ORDER_NOT_FOUND = "找不到该需求单，或您无权查看"
# Timeline steps that are not transitions of the table.
OTHER_STEP_LABELS = {"submit": "下单"}


@dataclass
class Outcome:
    """What a transition changes besides the status, and whom it tells."""

    changes: dict[str, Any] = field(default_factory=dict)
    notices: list[tuple[list[int], Event, str]] = field(default_factory=list)
    detail: dict[str, Any] | None = None


def _flow_error(exc: order_flow.FlowError) -> Exception:
    if isinstance(exc, order_flow.InvalidTransition):
        label = order_flow.STATUS_LABELS[exc.current]
        return Conflict(
            f"该需求单当前为「{label}」，不能{order_flow.ACTION_LABELS[exc.action]}",
            code="invalid_transition",
            extra={"current_status": exc.current.value},
        )
    if isinstance(exc, order_flow.RoleNotAllowed):
        return Forbidden(f"当前身份不能{order_flow.ACTION_LABELS[exc.action]}")
    if isinstance(exc, order_flow.ReasonRequired):
        return ValidationFailed("请填写原因", fields={"reason": "请填写原因"})
    return exc


def may_dispatch(settings: Settings, claims: AccessClaims) -> bool:
    return claims.role == Role.PROVINCE_ADMIN or (claims.role == Role.LOCAL_ADMIN and settings.local_dispatch_allowed)


def _with_dispatch_rule(settings: Settings, claims: AccessClaims, relations: set[str]) -> set[str]:
    """An area admin who may not dispatch is marked so, for the DISPATCHER relation to refuse them."""
    if "area_admin" in relations and not may_dispatch(settings, claims):
        relations.add("area_admin_no_dispatch")
    return relations


async def _relations(settings: Settings, claims: AccessClaims, order: Order) -> set[str]:
    return _with_dispatch_rule(settings, claims, await order_views.relation_to(claims, order))


def _relation_ok(transition: order_flow.Transition, relations: set[str]) -> bool:
    if transition.relation == Relation.DISPATCHER and "area_admin_no_dispatch" in relations:
        return False
    return bool(RELATION_MATCH[transition.relation] & relations)


async def _load(order_id: int, for_update: bool = False, conn=None) -> Order:
    query = Order.filter(id=order_id)
    if conn is not None:
        query = query.using_db(conn)
    if for_update:
        query = query.select_for_update()
    order = await query.first()
    if order is None:
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    return order


async def _visible_or_404(settings: Settings, claims: AccessClaims, order: Order) -> set[str]:
    relations = await _relations(settings, claims, order)
    if not relations:
        # Someone else's order looks exactly like a missing one: no existence oracle.
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    return relations


async def _transition(
    settings: Settings,
    claims: AccessClaims | None,
    order_id: int,
    action: Action,
    reason: str | None,
    build: Any = None,
    conn=None,
    reload: bool = True,
) -> Order | None:
    """Apply `action` to the order, or raise why not. `build(order, conn)` returns the Outcome.

    Runs in the caller's transaction when `conn` is given (check-in moves the
    order along with the visit it writes), otherwise in its own.
    """
    if conn is None:
        async with in_transaction() as own:
            return await _transition(settings, claims, order_id, action, reason, build, own, reload)
    role = claims.role if claims else "system"
    order = await _load(order_id, conn=conn)
    relations: set[str] = set()
    if claims is not None:
        relations = await _visible_or_404(settings, claims, order)
    try:
        transition = order_flow.plan(action, order.status, role, reason)
    except order_flow.FlowError as exc:
        raise _flow_error(exc) from None
    if claims is not None and not _relation_ok(transition, relations):
        raise Forbidden(f"您不能对该需求单{order_flow.ACTION_LABELS[action]}")
    outcome: Outcome = (await build(order, conn)) if build else Outcome()
    changes = {"status": transition.target.value, "version": order.version + 1, **outcome.changes}
    if reason:
        changes["last_reason"] = reason.strip()
    updated = await Order.filter(id=order.id, version=order.version).using_db(conn).update(**changes)
    if not updated:
        current = await _load(order_id, conn=conn)
        raise Conflict(
            "该需求单刚被其他人处理过，请刷新后再试",
            code="concurrent_update",
            extra={"current_status": current.status},
        )
    await AuditRecord.create(
        using_db=conn,
        actor_id=claims.user_id if claims else None,
        actor_role=role,
        action=action.value,
        subject_type="order",
        subject_id=str(order.id),
        region_code=order.region_code,
        from_state=order.status,
        to_state=transition.target.value,
        reason=reason.strip() if reason else None,
        detail=outcome.detail,
    )
    for user_ids, event, body in outcome.notices:
        await notify(
            user_ids, event, order_id=order.id, body=body, data={"order_id": order.id},
            page=page_for(event, order.id),
            dedupe_key=f"order:{order.id}:v{order.version + 1}:{event.value}", using_db=conn, settings=settings,
        )
    if not reload:
        return None
    return await _load(order_id, conn=conn)


async def system_transition(settings: Settings, order_id: int, action: Action, *, conn=None,
                            changes: dict[str, Any] | None = None) -> None:
    """A transition the system makes (check-in starts service, the last check-out ends it)."""
    async def build(order: Order, _conn) -> Outcome:
        return Outcome(changes=dict(changes or {}))

    # Nobody reads the order back on these hot paths: spare the reload.
    await _transition(settings, None, order_id, action, None, build, conn, reload=False)


# --------------------------------------------------------------------------- reading


async def _region_names(codes: set[str]) -> dict[str, str]:
    rows = await Region.filter(code__in=list(codes)).values_list("code", "name")
    return dict(rows)


async def view(settings: Settings, claims: AccessClaims, order: Order, relations: set[str] | None = None) -> dict:
    if relations is None:
        relations = await _relations(settings, claims, order)
    await order.fetch_related("items", "expert")
    result = order_views.order_view(order, relations, claims.role, await _region_names({order.region_code}))
    result["actions"] = [
        action for action in result["actions"]
        if _relation_ok(order_flow.TRANSITIONS[Action(action)], relations)
    ]
    return result


async def get_order(settings: Settings, claims: AccessClaims, order_id: int) -> dict:
    order = await _load(order_id)
    relations = await _visible_or_404(settings, claims, order)
    data = await view(settings, claims, order, relations)
    data["timeline"] = await timeline(order.id)
    return data


async def timeline(order_id: int) -> list[dict]:
    """Every state the order went through: who (by role), when, and why."""
    records = await AuditRecord.filter(subject_type="order", subject_id=str(order_id)).order_by("id")
    return [
        {
            "action": record.action,
            "action_label": order_flow.ACTION_LABELS[Action(record.action)]
            if record.action in Action._value2member_map_ else OTHER_STEP_LABELS.get(record.action, record.action),
            "from_status": record.from_state,
            "to_status": record.to_state,
            "actor_role": record.actor_role,
            "reason": record.reason,
            "at": record.created_at.isoformat(),
        }
        for record in records
    ]


def _listed(settings: Settings, claims: AccessClaims, order, relations: set[str], names: dict[str, str]) -> dict:
    relations = _with_dispatch_rule(settings, claims, relations)
    item = order_views.order_view(order, relations, claims.role, names)
    item["actions"] = [a for a in item["actions"] if _relation_ok(order_flow.TRANSITIONS[a], relations)]
    return item


def _statement_args(query) -> dict:
    """The list query as order_store's pages take it: one row more than a page, to know whether another follows."""
    return {"statuses": order_views.parse_statuses(query.status), "field": query.field, "region": query.region,
            "since": query.since, "until": query.until, "after": order_views.decode_cursor(query.cursor),
            "limit": query.limit + 1}


def _statement_list(settings: Settings, claims: AccessClaims, query, rows: list[tuple[object, set[str]]]) -> dict:
    """A page of (order, the caller's relations) from one of order_store's statements, as the list answers it."""
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    items = [_listed(settings, claims, order, relations, {order.region_code: order.region_name})
             for order, relations in rows]
    return {"items": items, "next_cursor": order_views.encode_cursor(rows[-1][0].id) if more and rows else None}


async def _expert_list(settings: Settings, claims: AccessClaims, query) -> dict:
    """The expert's list on PostgreSQL: one statement for the page and everything its rows show."""
    from backend.services import order_store

    rows = await order_store.expert_page(claims.user_id, **_statement_args(query))
    return _statement_list(settings, claims, query, [(row.order, row.relations) for row in rows])


async def _requester_list(settings: Settings, claims: AccessClaims, query) -> dict:
    """The requester's own orders on PostgreSQL: one statement, as for an expert. They own every one of them."""
    from backend.services import order_store

    rows = await order_store.requester_page(claims.user_id, **_statement_args(query))
    return _statement_list(settings, claims, query, [(order, {"owner"}) for order in rows])


async def list_orders(settings: Settings, claims: AccessClaims, query) -> dict:
    if claims.role == Role.EXPERT and is_postgres():
        return await _expert_list(settings, claims, query)
    if claims.role == Role.REQUESTER and is_postgres():
        return await _requester_list(settings, claims, query)
    return await _scoped_list(settings, claims, query)


async def _scoped_list(settings: Settings, claims: AccessClaims, query) -> dict:
    base = await order_views.visible_orders(claims)
    filtered = order_views.apply_filters(
        base, status=query.status, field=query.field, region=query.region, since=query.since, until=query.until
    )
    rows, next_cursor = await order_views.page(filtered, query.cursor, query.limit)
    names = await _region_names({row.region_code for row in rows})
    page_relations = await order_views.relations_to_many(claims, rows)
    items = [_listed(settings, claims, row, page_relations[row.id], names) for row in rows]
    return {"items": items, "next_cursor": next_cursor}


async def board(settings: Settings, claims: AccessClaims, query) -> dict:
    """Published orders whose field fits the expert, soonest claim deadline first among the newest."""
    profile = await order_views.expert_profile_of(claims.user_id)
    if profile is None or profile.status != "verified":
        raise Forbidden("通过审核的专家才能查看揭榜榜单", code="expert_not_verified")
    base = Order.filter(status=OrderStatus.PUBLISHED.value, field=profile.field)
    filtered = order_views.apply_filters(base, status=None, field=None, region=query.region, since=query.since,
                                         until=query.until)
    rows, next_cursor = await order_views.page(filtered, query.cursor, query.limit)
    names = await _region_names({row.region_code for row in rows})
    relations = {"board"}
    items = [order_views.order_view(row, relations, claims.role, names) for row in rows]
    for item in items:
        item["actions"] = ["claim"]
    return {"items": items, "next_cursor": next_cursor}


# --------------------------------------------------------------------------- placing and editing


async def _menu_items(codes: list[str]) -> list[ServiceItem]:
    items = await ServiceItem.filter(code__in=codes, retired_at__isnull=True).prefetch_related("category")
    found = {item.code: item for item in items}
    missing = [code for code in codes if code not in found]
    if missing:
        raise _unknown_items(missing)
    return [found[code] for code in codes]


async def local_admin_ids(region_code: str) -> list[int]:
    """Local admins whose area contains the region (county first, then city)."""
    from backend.models import RoleGrant

    grants = await RoleGrant.filter(role=Role.LOCAL_ADMIN.value, region_code__in=_admin_regions(region_code))
    return [grant.user_id for grant in grants]


async def province_admin_ids(region_code: str) -> list[int]:
    from backend.models import RoleGrant

    province = regions.normalize(region_code)[:2].ljust(12, "0")
    grants = await RoleGrant.filter(role=Role.PROVINCE_ADMIN.value, region_code=province)
    return [grant.user_id for grant in grants]


NEW_ORDER_BODY = "{village}提交了新的服务需求：{item}"


def _unknown_village() -> ValidationFailed:
    return ValidationFailed(fields={"region_code": "该村（社区）不在系统的区划中"})


def _unknown_items(missing: list[str]) -> ValidationFailed:
    return ValidationFailed(fields={"items": f"服务项目不存在或已停用：{'、'.join(missing)}"})


def _admin_regions(region_code: str) -> list[str]:
    """Where a local admin must sit to receive the village's new orders (county first, then city)."""
    return regions.ancestors(region_code) + [regions.normalize(region_code)]


async def place_order(settings: Settings, claims: AccessClaims, data) -> dict:
    """基层下单: a requester orders menu items for a village."""
    if claims.role != Role.REQUESTER:
        raise Forbidden("请以需求方身份下单")
    if is_postgres():
        return await _place_in_one_statement(settings, claims, data)
    return await _place_with_orm(settings, claims, data)


async def _place_with_orm(settings: Settings, claims: AccessClaims, data) -> dict:
    village = await Region.get_or_none(code=data.region_code)
    if village is None or village.level != "village":
        raise _unknown_village()
    items = await _menu_items(data.items)
    photos = await _attach_photos(claims.user_id, data.photos)
    submitted = now()
    async with in_transaction() as conn:
        order = await Order.create(
            using_db=conn,
            requester_id=claims.user_id,
            on_behalf_of=data.on_behalf_of,
            status=OrderStatus.SUBMITTED.value,
            field=items[0].field,
            description=data.description.strip(),
            region_code=data.region_code,
            submitted_at=submitted,
            address=data.address.strip(),
            latitude=data.latitude,
            longitude=data.longitude,
            contact_name=data.contact_name,
            contact_phone=data.contact_phone,
            window_start=data.window_start,
            window_end=data.window_end,
            photo_ids=photos,
            due_at=workdays.add_working_days(submitted, settings.accept_working_days),
        )
        await OrderItem.bulk_create(
            [
                OrderItem(order_id=order.id, item_id=item.id, item_code=item.code, item_name=item.name,
                          category_name=item.category.name, field=item.field)
                for item in items
            ],
            using_db=conn,
        )
        await AuditRecord.create(
            using_db=conn, actor_id=claims.user_id, actor_role=claims.role, action="submit", subject_type="order",
            subject_id=str(order.id), region_code=order.region_code, to_state=OrderStatus.SUBMITTED.value,
            detail={"items": data.items},
        )
        admins = await local_admin_ids(order.region_code)
        if admins:
            await notify(admins, Event.NEW_ORDER, order_id=order.id,
                         body=NEW_ORDER_BODY.format(village=village.name, item=items[0].name),
                         data={"order_id": order.id}, page=page_for(Event.NEW_ORDER, order.id),
                         dedupe_key=f"order:{order.id}:submitted", using_db=conn, settings=settings)
    return await get_order(settings, claims, order.id)


def place_arguments(settings: Settings, claims: AccessClaims, data, photo_ids: list[str], submitted) -> dict:
    """What order_store.place needs besides the order's own fields: statuses, deadline, who is told and how."""
    from backend.services.notifications import EVENT_PAGES, WECHAT_SUBSCRIBE

    return dict(
        requester_id=claims.user_id, role=claims.role, data=data, status=OrderStatus.SUBMITTED.value,
        photo_ids=photo_ids, submitted_at=submitted,
        due_at=workdays.add_working_days(submitted, settings.accept_working_days),
        admin_role=Role.LOCAL_ADMIN.value, admin_regions=_admin_regions(data.region_code),
        event=Event.NEW_ORDER.value, title=Event.NEW_ORDER.title, body_template=NEW_ORDER_BODY,
        outbox_kind=WECHAT_SUBSCRIBE, template_id=Event.NEW_ORDER.template_id(settings),
        page_template=EVENT_PAGES[Event.NEW_ORDER])


async def _place_in_one_statement(settings: Settings, claims: AccessClaims, data) -> dict:
    """place_order on PostgreSQL: one statement writes it all, and the answer is built from what it returned."""
    from backend.services import order_store

    photos = await _attach_photos(claims.user_id, data.photos)
    placed = await order_store.place(**place_arguments(settings, claims, data, photos, now()))
    if placed.village_name is None:
        raise _unknown_village()
    if placed.missing_items:
        raise _unknown_items(placed.missing_items)
    order = placed.order
    relations = _with_dispatch_rule(settings, claims, {"owner"})
    result = _listed(settings, claims, order, relations, {order.region_code: placed.village_name})
    result["timeline"] = [{"action": "submit", "action_label": OTHER_STEP_LABELS["submit"], "from_status": None,
                           "to_status": OrderStatus.SUBMITTED.value, "actor_role": claims.role, "reason": None,
                           "at": placed.submitted_record_at.isoformat()}]
    return result


async def _attach_photos(owner_id: int, photo_ids: list[str]) -> list[str]:
    if not photo_ids:
        return []
    from backend.services.uploads import attach_uploads

    uploads = await attach_uploads(owner_id, photo_ids, "order_photo")
    return [str(upload.id) for upload in uploads]


async def resubmit(settings: Settings, claims: AccessClaims, order_id: int, edit) -> dict:
    """The requester supplies what was missing and sends the order back to the county."""
    changes: dict[str, Any] = {}
    for name in ("description", "address", "latitude", "longitude", "window_start", "window_end", "contact_phone"):
        value = getattr(edit, name)
        if value is not None:
            changes[name] = value.strip() if isinstance(value, str) else value
    if edit.photos is not None:
        changes["photo_ids"] = await _attach_photos(claims.user_id, edit.photos)

    async def build(order: Order, conn) -> Outcome:
        start = changes.get("window_start", order.window_start)
        end = changes.get("window_end", order.window_end)
        if end < start:
            raise ValidationFailed(fields={"window_end": "期望时间的结束日期不能早于开始日期"})
        admins = await local_admin_ids(order.region_code)
        return Outcome(
            changes={**changes, "due_at": workdays.add_working_days(now(), settings.accept_working_days),
                     "reminded_at": None, "escalated_at": None},
            notices=[(admins, Event.NEW_ORDER, "需求方已补充信息并重新提交")] if admins else [],
            detail={"changed": sorted(changes)},
        )

    order = await _transition(settings, claims, order_id, Action.RESUBMIT, None, build)
    return await view(settings, claims, order)


async def cancel(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    async def build(order: Order, conn) -> Outcome:
        notices = []
        experts = await _engaged_expert_user_ids(order)
        if experts:
            notices.append((experts, Event.ORDER_CANCELLED, f"需求方撤销了需求单：{reason}"))
        return Outcome(changes={"due_at": None, "closed_at": now()}, notices=notices)

    order = await _transition(settings, claims, order_id, Action.CANCEL, reason, build)
    return await view(settings, claims, order)


# --------------------------------------------------------------------------- 属地接单


async def accept(settings: Settings, claims: AccessClaims, order_id: int) -> dict:
    async def build(order: Order, conn) -> Outcome:
        return Outcome(
            changes={"accepted_at": now(), "due_at": workdays.add_working_days(now(), settings.dispatch_working_days),
                     "reminded_at": None, "escalated_at": None},
            notices=[([order.requester_id], Event.ORDER_ACCEPTED, "您的需求已受理，正在为您安排专家")],
        )

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.ACCEPT, None, build))


async def return_for_information(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    async def build(order: Order, conn) -> Outcome:
        return Outcome(changes={"due_at": None},
                       notices=[([order.requester_id], Event.ORDER_RETURNED, f"请补充信息：{reason}")])

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.RETURN, reason, build))


async def reject(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    async def build(order: Order, conn) -> Outcome:
        return Outcome(changes={"due_at": None, "closed_at": now()},
                       notices=[([order.requester_id], Event.ORDER_REJECTED, f"需求未予受理：{reason}")])

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.REJECT, reason, build))


# --------------------------------------------------------------------------- 派单 and 揭榜


async def _dispatchable_expert(expert_id: int) -> ExpertProfile:
    expert = await ExpertProfile.get_or_none(id=expert_id)
    if expert is None:
        raise ValidationFailed(fields={"expert_id": "专家不存在"})
    if expert.status != "verified":
        raise ValidationFailed(fields={"expert_id": "该专家尚未通过审核，不能派单"})
    if not expert.available:
        raise ValidationFailed(fields={"expert_id": "该专家目前不可接单"})
    return expert


async def _team(team_id: int) -> ServiceTeam:
    team = await ServiceTeam.get_or_none(id=team_id).prefetch_related("leader__user")
    if team is None:
        raise ValidationFailed(fields={"team_id": "服务团不存在"})
    if team.term_end < now().date():
        raise ValidationFailed(fields={"team_id": "该服务团已过服务期"})
    return team


async def dispatch(settings: Settings, claims: AccessClaims, order_id: int, request) -> dict:
    """省厅派单: to one verified expert, or to a service team through its leader."""
    expert = await _dispatchable_expert(request.expert_id) if request.expert_id else None
    team = await _team(request.team_id) if request.team_id else None

    async def build(order: Order, conn) -> Outcome:
        target_user = expert.user_id if expert else team.leader.user_id
        await OrderAssignee.filter(order_id=order.id).using_db(conn).delete()
        return Outcome(
            changes={"expert_id": expert.id if expert else None, "team_id": team.id if team else None,
                     "dispatched_at": now(), "due_at": now() + timedelta(hours=settings.expert_answer_hours),
                     "reminded_at": None, "escalated_at": None},
            notices=[
                ([target_user], Event.ASSIGNED, f"您有一个新的服务任务，请在 {settings.expert_answer_hours} 小时内答复"),
                ([order.requester_id], Event.ORDER_DISPATCHED, "已为您派出专家，等待专家确认"),
            ],
            detail={"expert_id": expert.id if expert else None, "team_id": team.id if team else None,
                    "note": request.note},
        )

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.DISPATCH, None, build))


async def publish(settings: Settings, claims: AccessClaims, order_id: int, request) -> dict:
    """Put the order on the 揭榜 board until the claim deadline."""
    deadline = request.claim_deadline or workdays.add_working_days(now(), settings.claim_working_days)
    if deadline.tzinfo is None:
        raise ValidationFailed(fields={"claim_deadline": "请带上时区，例如 2026-12-01T18:00:00+08:00"})
    if deadline <= now():
        raise ValidationFailed(fields={"claim_deadline": "揭榜截止时间应晚于现在"})

    async def build(order: Order, conn) -> Outcome:
        return Outcome(changes={"claim_deadline": deadline, "due_at": deadline, "expert_id": None, "team_id": None,
                                "dispatched_at": now(), "reminded_at": None, "escalated_at": None},
                       detail={"claim_deadline": deadline.isoformat()})

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.PUBLISH, None, build))


async def claim(settings: Settings, claims: AccessClaims, order_id: int) -> dict:
    """揭榜: the first verified expert whose field fits takes it; an admin then confirms or reopens.

    Race-safe because the transition's UPDATE only matches the version it
    read: of many experts claiming at once, exactly one update succeeds and
    the rest get 409 with the order's current state.
    """
    profile = await order_views.expert_profile_of(claims.user_id)
    if profile is None or profile.status != "verified":
        raise Forbidden("通过审核的专家才能揭榜", code="expert_not_verified")

    async def build(order: Order, conn) -> Outcome:
        if order.claim_deadline and order.claim_deadline < now():
            raise Conflict("揭榜已截止", code="claim_closed", extra={"current_status": order.status})
        dispatchers = await province_admin_ids(order.region_code)
        if settings.local_dispatch_allowed:
            dispatchers += await local_admin_ids(order.region_code)
        return Outcome(changes={"expert_id": profile.id},
                       notices=[(dispatchers, Event.ORDER_CLAIMED, f"专家 {profile.name} 揭榜，请确认")]
                       if dispatchers else [],
                       detail={"expert_id": profile.id})

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.CLAIM, None, build))


async def confirm_claim(settings: Settings, claims: AccessClaims, order_id: int) -> dict:
    async def build(order: Order, conn) -> Outcome:
        expert = await ExpertProfile.get(id=order.expert_id).using_db(conn)
        await OrderAssignee.create(using_db=conn, order_id=order.id, expert_id=expert.id)
        return Outcome(
            changes={"scheduled_at": now(), "due_at": None},
            notices=[([expert.user_id], Event.CLAIM_CONFIRMED, "您的揭榜已确认，请与需求方约定上门时间"),
                     ([order.requester_id], Event.EXPERT_ACCEPTED, f"专家 {expert.name} 将为您服务")],
        )

    return await view(settings, claims,
                      await _transition(settings, claims, order_id, Action.CONFIRM_CLAIM, None, build))


async def reopen_claim(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    async def build(order: Order, conn) -> Outcome:
        expert = await ExpertProfile.get(id=order.expert_id).using_db(conn)
        return Outcome(changes={"expert_id": None},
                       notices=[([expert.user_id], Event.CLAIM_REOPENED, f"您的揭榜未获确认：{reason}")],
                       detail={"expert_id": expert.id})

    return await view(settings, claims,
                      await _transition(settings, claims, order_id, Action.REOPEN_CLAIM, reason, build))


async def recall(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    """An admin takes a dispatched or published order back to dispatch it again."""
    async def build(order: Order, conn) -> Outcome:
        notices = []
        target = await _dispatch_target_user_id(order, conn)
        if target:
            notices.append(([target], Event.ORDER_RECALLED, f"派给您的任务已撤回：{reason}"))
        return Outcome(changes=_back_to_dispatch(settings), notices=notices)

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.RECALL, reason, build))


# --------------------------------------------------------------------------- the expert answers


def _back_to_dispatch(settings: Settings) -> dict[str, Any]:
    return {"expert_id": None, "team_id": None, "claim_deadline": None, "reminded_at": None, "escalated_at": None,
            "due_at": workdays.add_working_days(now(), settings.dispatch_working_days)}


async def _dispatch_target_user_id(order: Order, conn) -> int | None:
    if order.expert_id:
        return (await ExpertProfile.get(id=order.expert_id).using_db(conn)).user_id
    if order.team_id:
        team = await ServiceTeam.get(id=order.team_id).using_db(conn).prefetch_related("leader")
        return team.leader.user_id
    return None


async def _engaged_expert_user_ids(order: Order) -> list[int]:
    rows = await OrderAssignee.filter(order_id=order.id).prefetch_related("expert")
    ids = {row.expert.user_id for row in rows}
    if order.expert_id:
        ids.add((await ExpertProfile.get(id=order.expert_id)).user_id)
    return sorted(ids)


async def expert_accept(settings: Settings, claims: AccessClaims, order_id: int, request) -> dict:
    """专家接单: the dispatched expert agrees, or the team leader agrees and names who goes."""
    profile = await order_views.expert_profile_of(claims.user_id)
    if profile is None:
        raise Forbidden("请先完善专家资料")

    async def build(order: Order, conn) -> Outcome:
        if order.team_id:
            members = set(await TeamMember.filter(team_id=order.team_id).using_db(conn)
                          .values_list("expert_id", flat=True))
            chosen = request.member_ids or [profile.id]
            strangers = [member for member in chosen if member not in members]
            if strangers:
                raise ValidationFailed(fields={"member_ids": "只能指定本服务团的成员"})
        else:
            if request.member_ids:
                raise ValidationFailed(fields={"member_ids": "只有服务团团长接单时才需指定成员"})
            chosen = [profile.id]
        await OrderAssignee.filter(order_id=order.id).using_db(conn).delete()
        await OrderAssignee.bulk_create([OrderAssignee(order_id=order.id, expert_id=e) for e in chosen], using_db=conn)
        visit_at = request.visit_at
        if visit_at is not None and visit_at.tzinfo is None:
            raise ValidationFailed(fields={"visit_at": "请带上时区，例如 2026-12-01T09:00:00+08:00"})
        chosen_users = list(await ExpertProfile.filter(id__in=chosen).using_db(conn).values_list("user_id", flat=True))
        others = [uid for uid in chosen_users if uid != claims.user_id]
        notices = [([order.requester_id], Event.EXPERT_ACCEPTED,
                    f"专家 {profile.name} 已接单" + (f"，约定 {visit_at:%m月%d日 %H:%M} 上门" if visit_at else ""))]
        if others:
            notices.append((others, Event.ASSIGNED, f"团长 {profile.name} 安排您参加本次服务"))
        return Outcome(changes={"scheduled_at": now(), "due_at": None, "agreed_visit_at": visit_at},
                       notices=notices, detail={"members": chosen})

    return await view(settings, claims,
                      await _transition(settings, claims, order_id, Action.EXPERT_ACCEPT, None, build))


async def decline(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    async def build(order: Order, conn) -> Outcome:
        dispatchers = await province_admin_ids(order.region_code)
        return Outcome(changes=_back_to_dispatch(settings),
                       notices=[(dispatchers, Event.EXPERT_DECLINED, f"专家谢绝了任务：{reason}")] if dispatchers else [],
                       detail={"expert_id": order.expert_id, "team_id": order.team_id})

    return await view(settings, claims, await _transition(settings, claims, order_id, Action.DECLINE, reason, build))


# --------------------------------------------------------------------------- 办结


async def confirm_solved(settings: Settings, claims: AccessClaims, order_id: int) -> dict:
    """The requester confirms the problem solved: the order closes."""
    async def build(order: Order, conn) -> Outcome:
        return Outcome(changes={"closed_at": now(), "due_at": None})

    return await view(settings, claims,
                      await _transition(settings, claims, order_id, Action.CONFIRM_SOLVED, None, build))


async def request_revisit(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    """The requester asks the same experts to come again."""
    async def build(order: Order, conn) -> Outcome:
        experts = await _engaged_expert_user_ids(order)
        return Outcome(notices=[(experts, Event.ASSIGNED, f"需求方希望您再次上门：{reason}")] if experts else [])

    return await view(settings, claims,
                      await _transition(settings, claims, order_id, Action.REQUEST_REVISIT, reason, build))


async def admin_close(settings: Settings, claims: AccessClaims, order_id: int, reason: str) -> dict:
    async def build(order: Order, conn) -> Outcome:
        return Outcome(changes={"closed_at": now(), "due_at": None},
                       notices=[([order.requester_id], Event.ORDER_ACCEPTED, f"需求单已由管理员办结：{reason}")])

    return await view(settings, claims,
                      await _transition(settings, claims, order_id, Action.ADMIN_CLOSE, reason, build))


# --------------------------------------------------------------------------- the sweeper's transitions


async def time_out_answer(settings: Settings, order_id: int) -> Order:
    """A dispatched expert did not answer in time: the order goes back for dispatch."""
    async def build(order: Order, conn) -> Outcome:
        target = await _dispatch_target_user_id(order, conn)
        dispatchers = await province_admin_ids(order.region_code)
        notices = [(dispatchers, Event.REMINDER, "专家超时未答复，需求单已退回待派单")] if dispatchers else []
        if target:
            notices.append(([target], Event.ORDER_RECALLED, "您未在期限内答复，任务已转派"))
        return Outcome(changes=_back_to_dispatch(settings), notices=notices,
                       detail={"expert_id": order.expert_id, "team_id": order.team_id})

    return await _transition(settings, None, order_id, Action.ANSWER_TIMEOUT, None, build)


async def expire_claim(settings: Settings, order_id: int) -> Order:
    """Nobody claimed before the deadline: back to the dispatchers."""
    async def build(order: Order, conn) -> Outcome:
        dispatchers = await province_admin_ids(order.region_code)
        return Outcome(changes=_back_to_dispatch(settings),
                       notices=[(dispatchers, Event.REMINDER, "揭榜期满无人揭榜，请重新派单")] if dispatchers else [])

    return await _transition(settings, None, order_id, Action.CLAIM_EXPIRED, None, build)
