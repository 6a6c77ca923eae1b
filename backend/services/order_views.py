"""What each person may see of an order, and the scoped queries behind every list.

Every list and every read goes through `visible_orders()` or `can_see()`,
so a query cannot forget its scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from backend.api import pagination
from backend.domain import regions
from backend.domain.order_flow import STATUS_LABELS, OrderStatus, allowed_actions
from backend.domain.privacy import mask_phone
from backend.domain.roles import Role, scope_admits
from backend.errors import ValidationFailed
from backend.infra.tokens import AccessClaims
from backend.models import ExpertProfile, Order, OrderAssignee, TeamMember

# Once the expert has agreed to come, they need the requester's number and the exact place.
ENGAGED = {OrderStatus.SCHEDULED, OrderStatus.IN_SERVICE, OrderStatus.SERVICED, OrderStatus.CLOSED}


async def expert_profile_of(user_id: int) -> ExpertProfile | None:
    return await ExpertProfile.get_or_none(user_id=user_id)


async def expert_orders_filter(profile: ExpertProfile) -> Q:
    """Orders an expert is involved in: dispatched to them, led by them, or naming them to go."""
    team_ids = await TeamMember.filter(expert_id=profile.id).values_list("team_id", flat=True)
    led = await TeamMember.filter(expert_id=profile.id, position="leader").values_list("team_id", flat=True)
    assigned = await OrderAssignee.filter(expert_id=profile.id).values_list("order_id", flat=True)
    condition = Q(expert_id=profile.id) | Q(id__in=list(assigned) or [0])
    if led:
        condition |= Q(team_id__in=list(led))
    if team_ids:
        condition |= Q(team_id__in=list(team_ids), status__in=[s.value for s in ENGAGED])
    return condition


async def visible_orders(claims: AccessClaims) -> QuerySet[Order]:
    """The orders the caller's active role may list."""
    if claims.role == Role.REQUESTER:
        return Order.filter(requester_id=claims.user_id)
    if claims.role == Role.EXPERT:
        profile = await expert_profile_of(claims.user_id)
        if profile is None:
            return Order.filter(id=0)
        return Order.filter(await expert_orders_filter(profile))
    if claims.role in (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN) and claims.region_code:
        return Order.filter(region_code__startswith=regions.prefix_of(claims.region_code))
    return Order.filter(id=0)


def is_area_admin(claims: AccessClaims, order: Order) -> bool:
    return claims.role in (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN) and scope_admits(claims.region_code, order.region_code)


async def relation_to(claims: AccessClaims, order: Order) -> set[str]:
    """How the caller stands to this order: owner, area_admin, assignee, serving_expert, claimant, board."""
    return (await relations_to_many(claims, [order]))[order.id]


async def relations_to_many(claims: AccessClaims, orders: list[Order]) -> dict[int, set[str]]:
    """relation_to() for a whole page: at most three queries, however many orders."""
    profile = await expert_profile_of(claims.user_id) if claims.role == Role.EXPERT else None
    serving: set[int] = set()
    led: set[int] = set()
    if profile is not None and orders:
        serving = set(await OrderAssignee.filter(expert_id=profile.id, order_id__in=[o.id for o in orders])
                      .values_list("order_id", flat=True))
        team_ids = list({o.team_id for o in orders if o.team_id})
        if team_ids:
            led = set(await TeamMember.filter(expert_id=profile.id, position="leader", team_id__in=team_ids)
                      .values_list("team_id", flat=True))
    result: dict[int, set[str]] = {}
    for order in orders:
        relations: set[str] = set()
        if claims.role == Role.REQUESTER and order.requester_id == claims.user_id:
            relations.add("owner")
        if is_area_admin(claims, order):
            relations.add("area_admin")
        if profile is not None:
            relations |= expert_relations(order, profile, serving=order.id in serving,
                                          leads=bool(order.team_id and order.team_id in led))
        result[order.id] = relations
    return result


def expert_relations(order, profile, *, serving: bool, leads: bool) -> set[str]:
    """How an expert stands to an order, given whether they are named to go and whether they lead its team."""
    relations: set[str] = set()
    if order.expert_id == profile.id:
        relations.add("claimant" if order.status == OrderStatus.CLAIMED else "assignee")
    if leads:
        relations.add("assignee")
    if serving:
        relations.add("serving_expert")
    # A claimed order stays visible to the board's experts, so those who
    # lost the race learn it was taken (409) rather than vanished (404).
    if (order.status in (OrderStatus.PUBLISHED, OrderStatus.CLAIMED) and profile.status == "verified"
            and profile.field == order.field):
        relations.add("board")
    return relations


def encode_cursor(order_id: int) -> str:
    return pagination.encode_cursor("o", order_id)


def decode_cursor(cursor: str | None) -> int | None:
    return pagination.decode_cursor("o", cursor)


def parse_statuses(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    values = [part.strip() for part in raw.split(",") if part.strip()]
    known = {status.value for status in OrderStatus}
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValidationFailed(fields={"status": f"未知的状态：{'、'.join(unknown)}"})
    return values


def apply_filters(query: QuerySet[Order], *, status: str | None, field: str | None, region: str | None,
                  since, until) -> QuerySet[Order]:
    statuses = parse_statuses(status)
    if statuses:
        query = query.filter(status__in=statuses)
    if field:
        query = query.filter(field=field)
    if region:
        query = query.filter(region_code__startswith=regions.prefix_of(region))
    since_at, until_at = submitted_bounds(since, until)
    if since_at:
        query = query.filter(submitted_at__gte=since_at)
    if until_at:
        query = query.filter(submitted_at__lte=until_at)
    return query


def submitted_bounds(since, until) -> tuple[datetime | None, datetime | None]:
    return (datetime.combine(since, time.min).astimezone() if since else None,
            datetime.combine(until, time.max).astimezone() if until else None)


async def page(query: QuerySet[Order], cursor: str | None, limit: int) -> tuple[list[Order], str | None]:
    """Newest first; the cursor is the last id seen, so inserts never shift a page."""
    after = decode_cursor(cursor)
    if after is not None:
        query = query.filter(id__lt=after)
    rows = await query.order_by("-id").limit(limit + 1).prefetch_related("items", "expert")
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)


@dataclass(frozen=True)
class ExpertBrief:
    """The dispatched expert's public facts, when a list reads them with the order in one query."""

    id: int
    name: str
    title: str
    employer: str


def _expert_brief(order: Order) -> dict | None:
    expert = order.expert if isinstance(order.expert, (ExpertProfile, ExpertBrief)) else None
    if expert is None:
        return None
    return {"id": expert.id, "name": expert.name, "title": expert.title, "employer": expert.employer}


def order_view(order: Order, relations: set[str], role: str, region_names: dict[str, str] | None = None) -> dict:
    """The order as this person may see it: phone and exact place only for those who need them."""
    # Statuses are StrEnum members: the stored string finds them in sets and dicts as it is.
    engaged = order.status in ENGAGED
    sees_contact = bool(relations & {"owner", "area_admin"}) or (
        engaged and bool(relations & {"assignee", "serving_expert", "claimant"})
    )
    view = {
        "id": order.id,
        "status": order.status,
        "status_label": STATUS_LABELS[order.status],
        "field": order.field,
        "items": [
            {"code": item.item_code, "name": item.item_name, "category": item.category_name}
            for item in order.items
        ],
        "description": order.description,
        "region_code": order.region_code,
        "region_name": (region_names or {}).get(order.region_code),
        "window_start": order.window_start.isoformat(),
        "window_end": order.window_end.isoformat(),
        "on_behalf_of": order.on_behalf_of,
        "contact_name": order.contact_name,
        "contact_phone": order.contact_phone if sees_contact else mask_phone(order.contact_phone),
        "address": order.address if sees_contact or relations & {"assignee"} else None,
        "latitude": order.latitude if sees_contact else None,
        "longitude": order.longitude if sees_contact else None,
        "photo_ids": order.photo_ids if relations else [],
        "expert_id": order.expert_id,
        # Who is coming (or who claimed it): name, title and employer are public in the 专家库.
        "expert": _expert_brief(order),
        "team_id": order.team_id,
        "claim_deadline": order.claim_deadline.isoformat() if order.claim_deadline else None,
        "due_at": order.due_at.isoformat() if order.due_at else None,
        "agreed_visit_at": order.agreed_visit_at.isoformat() if order.agreed_visit_at else None,
        "last_reason": order.last_reason if relations & {"owner", "area_admin"} else None,
        "submitted_at": order.submitted_at.isoformat(),
        "version": order.version,
        "actions": [action.value for action in allowed_actions(order.status, role)] if relations else [],
    }
    return view
