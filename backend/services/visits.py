"""上门签到 / 签退, the service log, and the review of doubtful visits.

Check-in proves both sides were in one place at one time: the expert scans
the rotating code on the requester's phone (single use, about a minute) and
sends the phone's location; the server checks the code, the assignment and
the geofence, and sets the time itself. Doubtful visits are flagged for the
local admin, never silently dropped.
"""

from __future__ import annotations

import logging
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import visits as rules
from backend.domain.order_flow import Action, OrderStatus
from backend.domain.roles import Role, scope_admits
from backend.domain.visits import Fence, Flag, Placement, Position
from backend.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from backend.infra import keys
from backend.infra.checkin_codes import CodeUsed
from backend.infra.clock import CHINA, now
from backend.infra.resources import Resources
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, ExpertProfile, Order, OrderAssignee, ServiceLog, Visit
from backend.services import ledger, orders
from backend.services.order_views import expert_profile_of

log = logging.getLogger("backend.visits")

CODE_STATUSES = {OrderStatus.SCHEDULED, OrderStatus.IN_SERVICE, OrderStatus.SERVICED}


class NotAssigned(AppError):
    status = 403
    code = "not_assigned"
    message = "您不是该需求单指派的服务专家"


class TooFarAway(AppError):
    status = 422
    code = "too_far_away"
    message = "您当前的位置离服务地点太远，无法签到"


class VisitAlreadyOpen(Conflict):
    code = "visit_already_open"
    message = "您在该需求单已有未签退的服务记录，请先签退"


def _fence(settings: Settings) -> Fence:
    return Fence(settings.checkin_radius_m, settings.checkin_refuse_radius_m)


def visit_view(visit: Visit) -> dict:
    return {
        "id": visit.id,
        "order_id": visit.order_id,
        "expert_id": visit.expert_id,
        "source": visit.source,
        "status": visit.status,
        "check_in_at": visit.check_in_at.isoformat(),
        "check_out_at": visit.check_out_at.isoformat() if visit.check_out_at else None,
        "duration_minutes": visit.duration_minutes,
        "in_distance_m": visit.in_distance_m,
        "out_distance_m": visit.out_distance_m,
        "flags": visit.flags,
        "flag_labels": [rules.FLAG_LABELS[Flag(flag)] for flag in visit.flags],
        "review_reason": visit.review_reason,
    }


# --------------------------------------------------------------------------- the requester's code


async def checkin_code(res: Resources, claims: AccessClaims, order_id: int) -> dict:
    """A fresh code for the requester's phone to show; the phone refreshes it before it expires."""
    order = await Order.get_or_none(id=order_id, requester_id=claims.user_id)
    if order is None or claims.role != Role.REQUESTER:
        raise NotFound(orders.ORDER_NOT_FOUND, code="order_not_found")
    if OrderStatus(order.status) not in CODE_STATUSES:
        raise Conflict("专家接单后才能出示签到码", code="invalid_transition", extra={"current_status": order.status})
    token, code = res.checkin_codes.issue(order.id)
    ttl = code.expires_at - code.issued_at
    from backend.services.feedback import EDIT_WINDOW, awaiting_rating

    return {"token": token, "order_id": order.id, "expires_in": ttl, "refresh_in": max(ttl - 15, 5),
            "expires_at": datetime.fromtimestamp(code.expires_at, CHINA).isoformat(),
            "open_visit": await Visit.filter(order_id=order.id, status="open").exists(),
            # When the expert has just checked out, the screen showing this code turns into the rating form.
            "rate_visit_id": await awaiting_rating(order.id, now() - EDIT_WINDOW)}


# --------------------------------------------------------------------------- check-in


async def _assigned_expert(claims: AccessClaims, order: Order) -> ExpertProfile:
    """The caller's expert profile, if they are named to go on this order (one query: the hot path)."""
    assignment = await OrderAssignee.filter(order_id=order.id, expert__user_id=claims.user_id) \
        .select_related("expert").first()
    if assignment is None:
        raise NotAssigned()
    return assignment.expert


async def _consume(res: Resources, jti: str, expert_id: int, ttl: int) -> bool:
    """Mark a code used by this expert. False when this same expert used it before (a retry)."""
    key = keys.checkin_code(jti, ttl)
    if await res.redis.set(key.name, str(expert_id), nx=True, ex=key.ttl):
        return True
    holder = await res.redis.get(key.name)
    if holder == str(expert_id):
        return False
    raise CodeUsed()


async def check_in(res: Resources, claims: AccessClaims, order_id: int, token: str, position: Position | None) -> dict:
    """签到. Retrying the same scan returns the same visit, never a second one."""
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound(orders.ORDER_NOT_FOUND, code="order_not_found")
    profile = await _assigned_expert(claims, order)
    code = res.checkin_codes.verify(token, order.id)
    first_use = await _consume(res, code.jti, profile.id, res.settings.checkin_code_ttl_seconds * 5)
    if not first_use:
        existing = await Visit.get_or_none(check_in_code=code.jti)
        if existing is not None:
            return visit_view(existing) | {"repeated": True}
    if OrderStatus(order.status) not in CODE_STATUSES:
        raise Conflict("该需求单当前不能签到", code="invalid_transition", extra={"current_status": order.status})

    flags: list[str] = []
    distance = None
    site = (order.latitude, order.longitude)
    if position is None:
        flags.append(Flag.NO_LOCATION.value)
    else:
        placement, distance = rules.place(position, site, _fence(res.settings))
        if placement == Placement.FAR:
            raise TooFarAway(f"您当前离服务地点约 {distance / 1000:.1f} 公里，请到现场后再扫码签到",
                             extra={"distance_m": distance})
        if placement == Placement.NEARBY:
            flags.append(Flag.OUT_OF_AREA.value)
        if rules.looks_fake(position, site):
            flags.append(Flag.SUSPICIOUS_LOCATION.value)
    at = now()
    try:
        async with in_transaction() as conn:
            visit = await Visit.create(
                using_db=conn, order_id=order.id, expert_id=profile.id, source="scan", status="open",
                check_in_at=at, check_in_code=code.jti, open_key=f"{order.id}:{profile.id}",
                in_latitude=position.latitude if position else None,
                in_longitude=position.longitude if position else None,
                in_accuracy=position.accuracy if position else None, in_distance_m=distance, flags=flags,
                region_code=order.region_code,
            )
            if order.status != OrderStatus.IN_SERVICE:
                await orders.system_transition(res.settings, order.id, Action.START_SERVICE, conn=conn,
                                               changes={"first_visit_at": order.first_visit_at or at})
            await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                     action="check_in", subject_type="visit", subject_id=str(visit.id),
                                     region_code=order.region_code, detail={"order_id": order.id, "flags": flags})
    except IntegrityError:
        # The same code raced itself, or another open visit exists for this expert and order.
        existing = await Visit.get_or_none(check_in_code=code.jti)
        if existing is not None:
            return visit_view(existing) | {"repeated": True}
        raise VisitAlreadyOpen() from None
    return visit_view(visit) | {"repeated": False}


# --------------------------------------------------------------------------- check-out


async def _own_visit(claims: AccessClaims, visit_id: int) -> tuple[Visit, ExpertProfile]:
    profile = await expert_profile_of(claims.user_id)
    visit = await Visit.get_or_none(id=visit_id)
    if visit is None or profile is None or visit.expert_id != profile.id:
        raise NotFound("找不到该服务记录", code="visit_not_found")
    return visit, profile


async def check_out(res: Resources, claims: AccessClaims, visit_id: int, token: str | None,
                    position: Position | None) -> dict:
    """签退: by a fresh code or from the expert's own phone with its location; the server times it."""
    visit, profile = await _own_visit(claims, visit_id)
    if visit.status != "open":
        if token is None or visit.check_out_code is None:
            raise Conflict("该服务记录已签退", code="visit_closed", extra={"current_status": visit.status})
    order = await Order.get(id=visit.order_id)
    jti = None
    if token is not None:
        code = res.checkin_codes.verify(token, order.id)
        jti = code.jti
        if not await _consume(res, code.jti, profile.id, res.settings.checkin_code_ttl_seconds * 5):
            if visit.check_out_code == jti:
                return visit_view(visit) | {"repeated": True}
        if visit.status != "open":
            raise Conflict("该服务记录已签退", code="visit_closed", extra={"current_status": visit.status})
    at = now()
    flags = list(visit.flags)
    distance = None
    site = (order.latitude, order.longitude)
    if position is None:
        if Flag.NO_LOCATION.value not in flags:
            flags.append(Flag.NO_LOCATION.value)
    else:
        placement, distance = rules.place(position, site, _fence(res.settings))
        if placement != Placement.INSIDE and Flag.OUT_OF_AREA.value not in flags:
            flags.append(Flag.OUT_OF_AREA.value)
        check_in_position = (Position(visit.in_latitude, visit.in_longitude, visit.in_accuracy)
                             if visit.in_latitude is not None else None)
        if rules.looks_fake(position, site, check_in_position) and Flag.SUSPICIOUS_LOCATION.value not in flags:
            flags.append(Flag.SUSPICIOUS_LOCATION.value)
    duration_rules = rules.DurationRules(res.settings.min_visit_minutes, res.settings.max_visit_hours)
    flags += [f.value for f in rules.duration_flags(visit.check_in_at, at, duration_rules, CHINA)
              if f.value not in flags]
    status = "flagged" if flags else "completed"
    async with in_transaction() as conn:
        updated = await Visit.filter(id=visit.id, status="open").using_db(conn).update(
            status=status, check_out_at=at, open_key=None, check_out_code=jti, flags=flags,
            duration_minutes=int((at - visit.check_in_at).total_seconds() // 60),
            out_latitude=position.latitude if position else None,
            out_longitude=position.longitude if position else None,
            out_accuracy=position.accuracy if position else None, out_distance_m=distance,
        )
        if not updated:
            raise Conflict("该服务记录已签退", code="visit_closed")
        visit = await Visit.get(id=visit.id).using_db(conn)
        await ledger.record_visit(visit, conn)
        still_open = await Visit.filter(order_id=order.id, status="open").using_db(conn).exists()
        if not still_open:
            await orders.system_transition(res.settings, order.id, Action.FINISH_SERVICE, conn=conn)
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action="check_out", subject_type="visit", subject_id=str(visit.id),
                                 region_code=order.region_code,
                                 detail={"order_id": order.id, "flags": flags, "minutes": visit.duration_minutes})
    return visit_view(visit) | {"repeated": False}


# --------------------------------------------------------------------------- the service log


async def write_log(claims: AccessClaims, visit_id: int, data) -> dict:
    """服务日志: after check-out the expert records what was done."""
    visit, _ = await _own_visit(claims, visit_id)
    if visit.status == "open":
        raise Conflict("请先签退，再填写服务日志", code="visit_open", extra={"current_status": visit.status})
    photos: list[str] = []
    if data.photos:
        from backend.services.uploads import attach_uploads

        photos = [str(u.id) for u in await attach_uploads(claims.user_id, data.photos, "log_photo")]
    values = {"content": data.content.strip(), "problems_solved": data.problems_solved,
              "problems": data.problems.strip(), "people_served": data.people_served,
              "people_trained": data.people_trained, "photo_ids": photos}
    async with in_transaction() as conn:
        service_log, created = await ServiceLog.get_or_create(visit_id=visit.id, defaults=values, using_db=conn)
        if not created:
            await ServiceLog.filter(id=service_log.id).using_db(conn).update(**values)
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action="service_log_written" if created else "service_log_changed",
                                 subject_type="visit", subject_id=str(visit.id), region_code=visit.region_code,
                                 detail={"problems_solved": data.problems_solved,
                                         "people_served": data.people_served, "people_trained": data.people_trained})
    return {"visit_id": visit.id, **values}


# --------------------------------------------------------------------------- lists and review


async def list_for_expert(claims: AccessClaims, year: int | None = None) -> list[dict]:
    profile = await expert_profile_of(claims.user_id)
    if profile is None:
        return []
    query = Visit.filter(expert_id=profile.id)
    if year:
        query = query.filter(check_in_at__gte=datetime(year, 1, 1, tzinfo=CHINA),
                             check_in_at__lt=datetime(year + 1, 1, 1, tzinfo=CHINA))
    return [visit_view(v) for v in await query.order_by("-id").limit(200)]


async def flagged_for_admin(claims: AccessClaims) -> list[dict]:
    """The local admin's queue of doubtful visits in their area."""
    from backend.domain import regions

    visits = await Visit.filter(status="flagged", region_code__startswith=regions.prefix_of(claims.region_code)) \
        .order_by("id").limit(200).prefetch_related("expert")
    return [visit_view(v) | {"expert_name": v.expert.name} for v in visits]


async def review(claims: AccessClaims, visit_id: int, approve: bool, reason: str) -> dict:
    """A local admin approves or rejects a flagged visit, with the reason kept."""
    visit = await Visit.get_or_none(id=visit_id)
    if visit is None or not scope_admits(claims.region_code, visit.region_code):
        raise NotFound("找不到该服务记录", code="visit_not_found")
    if claims.role not in (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN):
        raise Forbidden()
    if visit.status != "flagged":
        raise Conflict("只有待核实的服务记录需要审核", code="visit_not_flagged", extra={"current_status": visit.status})
    if not reason.strip():
        raise ValidationFailed(fields={"reason": "请填写原因"})
    status = "approved" if approve else "rejected"
    async with in_transaction() as conn:
        updated = await Visit.filter(id=visit.id, status="flagged").using_db(conn).update(
            status=status, review_reason=reason.strip(), reviewed_by_id=claims.user_id, reviewed_at=now())
        if not updated:
            raise Conflict("该服务记录刚被其他人审核过", code="concurrent_update")
        visit = await Visit.get(id=visit.id).using_db(conn)
        await ledger.record_visit(visit, conn)
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action=f"visit_{status}", subject_type="visit", subject_id=str(visit.id),
                                 region_code=visit.region_code, from_state="flagged", to_state=status,
                                 reason=reason.strip())
    return visit_view(visit)
