"""上门签到 / 签退, the service log, and the review of doubtful visits.

Check-in proves both sides were in one place at one time: the expert scans
the rotating code on the requester's phone (single use, about a minute) and
sends the phone's location; the server checks the code, the assignment and
the geofence, and sets the time itself. Doubtful visits are flagged for the
local admin, never silently dropped.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import visits as rules
from backend.domain.order_flow import Action, OrderStatus
from backend.domain.roles import Role, scope_admits
from backend.domain.visits import Fence, Flag, Placement, Position
from backend.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from backend.infra.checkin_codes import CheckinCode, CodeUsed
from backend.infra.clock import CHINA, now
from backend.infra.resources import Resources
from backend.infra.scans import CodeUse
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, ExpertProfile, Order, OrderAssignee, ServiceLog, Visit
from backend.services import ledger, orders
from backend.services import visit_store as store
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


def fence_of(settings: Settings) -> Fence:
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
    # The expert's scan finds the site with its code, and can go straight to writing the visit.
    await res.scans.note_site(order.id, order.latitude, order.longitude)
    ttl = code.expires_at - code.issued_at
    from backend.services.feedback import EDIT_WINDOW, awaiting_rating

    return {"token": token, "order_id": order.id, "expires_in": ttl, "refresh_in": max(ttl - 15, 5),
            "expires_at": datetime.fromtimestamp(code.expires_at, CHINA).isoformat(),
            "open_visit": await Visit.filter(order_id=order.id, status="open").exists(),
            # When the expert has just checked out, the screen showing this code turns into the rating form.
            "rate_visit_id": await awaiting_rating(order.id, now() - EDIT_WINDOW)}


# --------------------------------------------------------------------------- check-in


SCAN_LIMIT_MESSAGE = "扫码太频繁，请稍后再试"


async def assigned_expert(claims: AccessClaims, order: Order) -> ExpertProfile:
    """The caller's expert profile, if they are named to go on this order."""
    assignment = await OrderAssignee.filter(order_id=order.id, expert__user_id=claims.user_id) \
        .select_related("expert").first()
    if assignment is None:
        raise NotAssigned()
    return assignment.expert


def _code_ttl(res: Resources) -> int:
    # A consumed code is remembered well past its own expiry, so a late retry still finds its visit.
    return res.settings.checkin_code_ttl_seconds * 5


async def _count_scan(res: Resources, claims: AccessClaims) -> None:
    await res.scans.admit(claims.user_id, res.settings.scan_rate_per_minute, None, _code_ttl(res), SCAN_LIMIT_MESSAGE)


async def admit_scan(res: Resources, claims: AccessClaims, token: str, order_id: int, *, with_site: bool = False
                     ) -> tuple[CheckinCode, CodeUse, tuple[float, float] | None]:
    """Verify the code, then count the scan and consume the code in one Redis round trip.

    A code that does not verify still counts against the caller's scan limit, so guessing is throttled.
    `with_site`: also the order's site as noted when the code was issued (None if not noted).
    """
    try:
        code = res.checkin_codes.verify(token, order_id)
    except AppError:
        await _count_scan(res, claims)
        raise
    use, site = await res.scans.admit(claims.user_id, res.settings.scan_rate_per_minute, code.jti, _code_ttl(res),
                                      SCAN_LIMIT_MESSAGE, site_of=order_id if with_site else None)
    return code, use, site


def _check_in_view(new: store.NewVisit, written: store.Written) -> dict:
    return {
        "id": written.visit_id, "order_id": new.order_id, "expert_id": written.expert_id, "source": "scan",
        "status": "open", "check_in_at": new.at.isoformat(), "check_out_at": None, "duration_minutes": None,
        "in_distance_m": new.distance_m, "out_distance_m": None, "flags": new.flags,
        "flag_labels": [rules.FLAG_LABELS[Flag(flag)] for flag in new.flags], "review_reason": None,
        "repeated": False,
    }


async def _repeated(jti: str) -> dict | None:
    existing = await Visit.get_or_none(check_in_code=jti)
    return visit_view(existing) | {"repeated": True} if existing is not None else None


def _geofence(res: Resources, position: Position | None, site: tuple[float, float]) -> tuple[Placement, list[str],
                                                                                             int | None]:
    """Where the scan stands, the flags that earns, and the distance to the site in metres."""
    if position is None:
        return Placement.INSIDE, [Flag.NO_LOCATION.value], None
    flags: list[str] = []
    placement, distance = rules.place(position, site, fence_of(res.settings))
    if placement == Placement.NEARBY:
        flags.append(Flag.OUT_OF_AREA.value)
    if rules.looks_fake(position, site):
        flags.append(Flag.SUSPICIOUS_LOCATION.value)
    return placement, flags, distance


def not_scannable(status: str) -> Conflict:
    """The refusal of a scan on an order not (or no longer) waiting for one."""
    return Conflict("该需求单当前不能签到", code="invalid_transition", extra={"current_status": status})


async def _refuse_scan(res: Resources, claims: AccessClaims, code: CheckinCode, use: CodeUse,
                       status: str | None, expert_id: int | None) -> dict | None:
    """The refusals that come before the geofence, in their order; a retried scan's visit; or None to go on.

    `status` is the order's (None: no such order), `expert_id` the caller's assignment to it (None: not sent).
    """
    if status is None or expert_id is None:
        if use == CodeUse.FIRST:
            # Someone not sent to this order must not burn the requester's code for the expert who is.
            await res.scans.release(claims.user_id, code.jti, _code_ttl(res))
        if status is None:
            raise NotFound(orders.ORDER_NOT_FOUND, code="order_not_found")
        raise NotAssigned()
    if use == CodeUse.USED:
        raise CodeUsed()
    if use == CodeUse.AGAIN and (repeated := await _repeated(code.jti)) is not None:
        return repeated
    if OrderStatus(status) not in CODE_STATUSES:
        raise not_scannable(status)
    return None


async def check_in(res: Resources, claims: AccessClaims, order_id: int, token: str, position: Position | None) -> dict:
    """签到. Retrying the same scan returns the same visit, never a second one.

    A fresh code whose order's site was noted when it was issued goes straight to the one statement that
    writes the visit (it also checks the assignment and the order's status); otherwise, or when the scan is
    too far away, the order is read first so refusals come in the same order either way.
    """
    code, use, site = await admit_scan(res, claims, token, order_id, with_site=True)
    placement = None
    if use == CodeUse.FIRST and site is not None:
        placement, flags, distance = _geofence(res, position, site)
    if placement is None or placement == Placement.FAR:
        target = await store.check_in_target(order_id, claims.user_id)
        refused = await _refuse_scan(res, claims, code, use, target.status if target else None,
                                     target.expert_id if target else None)
        if refused is not None:
            return refused
        placement, flags, distance = _geofence(res, position, (target.latitude, target.longitude))
        if placement == Placement.FAR:
            raise TooFarAway(f"您当前离服务地点约 {distance / 1000:.1f} 公里，请到现场后再扫码签到",
                             extra={"distance_m": distance})
    new = store.NewVisit(
        order_id=order_id, user_id=claims.user_id, role=claims.role, at=now(), jti=code.jti,
        latitude=position.latitude if position else None, longitude=position.longitude if position else None,
        accuracy=position.accuracy if position else None, distance_m=distance, flags=flags)
    written = await store.insert_check_in(res.settings, new, CODE_STATUSES)
    if written.visit_id is not None:
        return _check_in_view(new, written)
    if written.order_status is None or written.expert_id is None:
        # Not found, or not this caller's order (a scan that skipped the read, or a change since): refused as the
        # read would have refused it.
        await _refuse_scan(res, claims, code, use, written.order_status, written.expert_id)
    if OrderStatus(written.order_status) not in CODE_STATUSES:
        # The order moved on (cancelled, closed), or had before a scan that skipped the read.
        raise not_scannable(written.order_status)
    # A unique key was taken: the same code raced itself, or another visit of this expert is still open.
    repeated = await _repeated(code.jti)
    if repeated is not None:
        return repeated
    raise VisitAlreadyOpen()


# --------------------------------------------------------------------------- check-out


async def _own_visit(claims: AccessClaims, visit_id: int) -> tuple[Visit, ExpertProfile]:
    profile = await expert_profile_of(claims.user_id)
    visit = await Visit.get_or_none(id=visit_id)
    if visit is None or profile is None or visit.expert_id != profile.id:
        raise NotFound("找不到该服务记录", code="visit_not_found")
    return visit, profile


def visit_closed(visit) -> Conflict:
    return Conflict("该服务记录已签退", code="visit_closed", extra={"current_status": visit.status})


async def check_out(res: Resources, claims: AccessClaims, visit_id: int, token: str | None,
                    position: Position | None) -> dict:
    """签退: by a fresh code or from the expert's own phone with its location; the server times it."""
    visit = await store.visit_for_check_out(visit_id)
    if visit is None or visit.owner_user_id != claims.user_id:
        await _count_scan(res, claims)
        raise NotFound("找不到该服务记录", code="visit_not_found")
    if visit.status != "open" and (token is None or visit.check_out_code is None):
        await _count_scan(res, claims)
        raise visit_closed(visit)
    jti = None
    if token is not None:
        code, use, _site = await admit_scan(res, claims, token, visit.order_id)
        jti = code.jti
        if use == CodeUse.USED:
            raise CodeUsed()
        if use == CodeUse.AGAIN and visit.check_out_code == jti:
            return visit_view(visit) | {"repeated": True}
        if visit.status != "open":
            raise visit_closed(visit)
    else:
        await _count_scan(res, claims)
    at = now()
    flags = list(visit.flags)
    distance = None
    if position is None:
        if Flag.NO_LOCATION.value not in flags:
            flags.append(Flag.NO_LOCATION.value)
    else:
        placement, distance = rules.place(position, visit.site, fence_of(res.settings))
        if placement != Placement.INSIDE and Flag.OUT_OF_AREA.value not in flags:
            flags.append(Flag.OUT_OF_AREA.value)
        check_in_position = (Position(visit.in_latitude, visit.in_longitude, visit.in_accuracy)
                             if visit.in_latitude is not None else None)
        if rules.looks_fake(position, visit.site, check_in_position) and Flag.SUSPICIOUS_LOCATION.value not in flags:
            flags.append(Flag.SUSPICIOUS_LOCATION.value)
    duration_rules = rules.DurationRules(res.settings.min_visit_minutes, res.settings.max_visit_hours)
    flags += [f.value for f in rules.duration_flags(visit.check_in_at, at, duration_rules, CHINA)
              if f.value not in flags]
    status = "flagged" if flags else "completed"
    out = store.Departure(
        visit_id=visit.id, user_id=claims.user_id, role=claims.role, at=at, status=status, jti=jti, flags=flags,
        duration_minutes=int((at - visit.check_in_at).total_seconds() // 60),
        latitude=position.latitude if position else None, longitude=position.longitude if position else None,
        accuracy=position.accuracy if position else None, distance_m=distance,
        days=rules.hours_by_day(visit.check_in_at, at, CHINA),
        # Nothing can have rated an open visit yet, so its hours wait (for the rating, or the admin's review).
        ledger_status=rules.hours_status(status, None, None))
    if not await store.close_visit(res.settings, visit, out):
        raise Conflict("该服务记录已签退", code="visit_closed")
    return visit_view(replace(visit, status=status, check_out_at=at, duration_minutes=out.duration_minutes,
                              out_distance_m=distance, flags=flags)) | {"repeated": False}


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


async def flagged_for_admin(claims: AccessClaims) -> dict:
    """The local admin's queue of doubtful visits in their area, oldest first, and how many there are."""
    from backend.domain import regions
    from backend.services.queues import first_of_queue

    query = Visit.filter(status="flagged", region_code__startswith=regions.prefix_of(claims.region_code)) \
        .order_by("id").prefetch_related("expert")
    return await first_of_queue(query, lambda v: visit_view(v) | {"expert_name": v.expert.name})


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
