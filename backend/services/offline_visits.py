"""离线签到 / 签退: time-based codes for villages without signal, verified when the record is uploaded.

How it works. While online, the requester's phone fetches one secret per day
for the next few days (`offline_secrets`). Offline, it shows a QR that changes
every step (60 s): `OFF1.<order>.<counter>.<8 digits>`, the digits being an
HMAC of the counter under that day's secret (`backend.domain.offline_codes`).
The expert's phone scans it and stores the text with its own clock and GPS.
Once back in signal it uploads check-in and check-out together (or the
check-in alone, and the check-out later, or only the check-out of a visit it
opened online). The server verifies each code, takes the visit's times from
the counters the codes prove, never from either phone, and writes the visit,
its ledger rows and the order's transitions in one transaction, exactly as an
online scan would.

Threat model: who attacks, what stops them, and what remains.

1. An expert padding hours (the main adversary, because hours count toward
   continuing education and promotion).
   - Inventing a visit or stretching one needs codes for the claimed
     minutes, and only the requester's phone holds the day secrets: the
     server derives them from its signing key and hands them only to the
     order's requester. An 8-digit code is a 1-in-10^8 guess; uploads are
     rate-limited per expert (`UPLOAD_LIMIT` an hour), so guessing takes decades.
   - The visit's times are the steps the codes prove (to within one step),
     so the expert's clock cannot move them. Check-out must prove a later step
     than check-in, and check-in cannot predate the expert's acceptance
     (`scheduled_at`).
   - Reusing a code: every scanned counter is stored in `OfflineScan`, unique
     per (order, expert, counter), across check-in and check-out, so one
     code serves once (a retry of the same record returns the same visit).
   - Logging two places at once: a visit that overlaps another of the same
     expert's closed visits is refused, so hours cannot be counted twice.
   - Codes are not bearer tokens: only an expert assigned to the order, logged
     in as themselves, can upload, and a code from another order is refused.
2. Replay of a photographed code. A screenshot sent elsewhere and scanned
   later by the official app carries the scanning phone's clock: the code's
   step must fall within one step of it (flagged `offline_clock` up to
   `offline_clock_skew_seconds`, refused beyond). Once used, it is spent.
3. Clock tampering on either phone. The requester's clock picks the counter,
   but a counter ahead of the server at upload time is refused (retry later),
   and one disagreeing with the expert's clock is flagged or refused. Setting
   the requester's clock forward to mint a future check-out needs the
   requester's cooperation, which is collusion (7).
4. GPS spoofing. The expert's position at each scan goes through the same
   geofence as online: far away is refused, nearby flagged, a mock-location
   signature (zero accuracy, the site's own coordinates) flagged. A good
   spoofer defeats GPS alone, which is why the code from the requester's
   phone is the primary proof and the position only a second one.
5. A lost requester phone. It holds at most `offline_secret_days` of secrets
   for its own orders. The finder can show codes but is not an assigned
   expert, so cannot upload. Fetching fresh secrets needs the requester's
   login. To void everything at once, remove the signing key (below).
6. A leaked secret or server key. A day secret only signs its own order and
   day. Secrets derive from `settings.signing_keys`: all configured keys
   verify (so adding a new signing key does not void the records phones
   hold), and removing a key voids every secret and code derived from it.
   A lost expert phone holds only records that the expert's own login
   uploads, and they are genuine scans anyway.
7. What remains: collusion. A requester who shares codes (a live photo,
   or a phone with its clock set forward) with an expert who spoofs GPS can
   produce a visit that never happened, and no code can tell. That is what the
   requester's rating, the local admin's review of flagged visits and the
   回访 (follow-up calls) are for. Offline visits keep `source = "offline"` and
   the per-scan evidence (`OfflineScan`: both phones' clocks, positions,
   upload delay), so admins can audit them apart from online ones. A late
   upload is flagged (`late_upload`) after `offline_late_upload_hours` and
   refused after `offline_max_upload_delay_days`, which bounds how long a
   fabricated record can be prepared.

Deliberately left out: an expert-set fingerprint in the secret derivation.
The server checks the assignment at upload, so the fingerprint would stop
nothing, yet it would void every honest record the moment a team leader added a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import offline_codes as codes
from backend.domain import visits as rules
from backend.domain.order_flow import Action, OrderStatus
from backend.domain.roles import Role
from backend.domain.visits import Flag, Placement, Position
from backend.errors import AppError, Conflict, NotFound, ValidationFailed
from backend.infra.checkin_codes import CodeForOtherOrder, CodeInvalid
from backend.infra.clock import CHINA, now
from backend.infra.resources import Resources
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, ExpertProfile, OfflineScan, Order, Visit
from backend.services import ledger, orders
from backend.services.order_views import expert_profile_of
from backend.services.visits import (
    CODE_STATUSES,
    TooFarAway,
    VisitAlreadyOpen,
    assigned_expert,
    fence_of,
    not_scannable,
    visit_closed,
    visit_view,
)

CHECK_IN = "check_in"
CHECK_OUT = "check_out"
# Uploads per expert and hour: a week's backlog fits easily, guessing 8-digit codes does not.
UPLOAD_LIMIT = 120
UPLOAD_WINDOW = 3600


class OfflineCodeInvalid(CodeInvalid):
    message = "离线签到码无效：不是本平台的签到码，或需求方手机上的离线密钥已失效"


class OfflineCodeInFuture(AppError):
    status = 422
    code = "offline_code_in_future"
    message = "签到码上的时间晚于当前时间，可能是需求方手机时间不准，请稍后再上传"


class OfflineTimeMismatch(AppError):
    status = 422
    code = "offline_time_mismatch"
    message = "签到码上的时间与您扫码时手机记录的时间相差太大，无法证明是在现场扫码"


class OfflineUploadTooLate(AppError):
    status = 422
    code = "offline_upload_too_late"
    message = "离线记录已超过上传期限，不能再上传，请联系属地管理员"


class BeforeSchedule(AppError):
    status = 422
    code = "offline_before_schedule"
    message = "签到时间早于专家接单时间，不能作为本需求单的服务记录"


class OfflineCodeUsed(Conflict):
    code = "offline_code_used"
    message = "该离线签到码已经使用过，不能重复使用"


class OfflineRecordConflict(Conflict):
    code = "offline_record_conflict"
    message = "该次签到已上传过，但签退与已上传的记录不一致"


class VisitOverlaps(Conflict):
    code = "visit_overlaps"
    message = "该时段与您的另一条服务记录重叠，同一时间只能在一处服务"


@dataclass(frozen=True)
class Scan:
    """What the expert's phone stored at a scan: the QR text, its own clock, its position."""

    text: str
    device_at: datetime
    position: Position | None


@dataclass(frozen=True)
class CheckedScan:
    """A scan whose code is authentic, with the time it proves and what looks doubtful about it."""

    kind: str
    counter: int
    code_at: datetime
    scan: Scan
    skew_seconds: int
    distance_m: int | None
    flags: tuple[str, ...]


def _visit_code(order_id: int, expert_id: int, counter: int) -> str:
    """What goes in Visit.check_in_code / check_out_code: unique, and distinct from online code ids."""
    return f"off:{order_id}:{expert_id}:{counter}"


def _merge(*groups) -> list[str]:
    merged: list[str] = []
    for group in groups:
        merged += [flag for flag in group if flag not in merged]
    return merged


# --------------------------------------------------------------------------- the requester's secrets


async def offline_secrets(settings: Settings, claims: AccessClaims, order_id: int) -> dict:
    """The day secrets the requester's phone keeps to show codes without signal."""
    order = await Order.get_or_none(id=order_id, requester_id=claims.user_id)
    if order is None or claims.role != Role.REQUESTER:
        raise NotFound(orders.ORDER_NOT_FOUND, code="order_not_found")
    if OrderStatus(order.status) not in CODE_STATUSES:
        raise Conflict("专家接单后才能下载离线签到码", code="invalid_transition",
                       extra={"current_status": order.status})
    _, key = settings.signing_keys[0]
    today = now().astimezone(CHINA).date()
    days = [today + timedelta(days=n) for n in range(settings.offline_secret_days)]
    return {
        "order_id": order.id,
        "format": codes.PREFIX,
        "algorithm": "HMAC-SHA256",
        "digits": codes.DIGITS,
        "step_seconds": settings.offline_step_seconds,
        "timezone": "Asia/Shanghai",
        "secrets": [{"date": day.isoformat(), "secret": codes.day_secret(key, order.id, day).hex()}
                    for day in days],
        "valid_until": days[-1].isoformat(),
    }


# --------------------------------------------------------------------------- checking one scan


def _authentic(settings: Settings, order_id: int, text: str) -> codes.OfflineCode:
    scanned = codes.parse(text)
    if scanned is None:
        raise OfflineCodeInvalid()
    if scanned.order_id != order_id:
        raise CodeForOtherOrder()
    keys = [secret for _, secret in settings.signing_keys]
    if not codes.authentic(keys, scanned, settings.offline_step_seconds):
        raise OfflineCodeInvalid()
    return scanned


def _check(settings: Settings, order: Order, kind: str, counter: int, scan: Scan, at: datetime,
           earlier: Position | None = None) -> CheckedScan:
    """The time a code proves and the doubts about it, or why it cannot count at all."""
    step = settings.offline_step_seconds
    code_at = codes.step_start(counter, step).astimezone(CHINA)
    if code_at > at + timedelta(seconds=step):
        raise OfflineCodeInFuture()
    max_days = settings.offline_max_upload_delay_days
    if at - code_at > timedelta(days=max_days):
        raise OfflineUploadTooLate(f"离线记录已超过 {max_days} 天，不能再上传，请联系属地管理员",
                                   extra={"max_days": max_days})
    flags: list[str] = []
    skew = int((scan.device_at - code_at).total_seconds())
    if not codes.within_window(counter, scan.device_at, step):
        if abs(skew) > settings.offline_clock_skew_seconds + step:
            raise OfflineTimeMismatch(extra={"skew_seconds": skew})
        flags.append(Flag.OFFLINE_CLOCK.value)

    distance = None
    site = (order.latitude, order.longitude)
    if scan.position is None:
        flags.append(Flag.NO_LOCATION.value)
    else:
        placement, distance = rules.place(scan.position, site, fence_of(settings))
        if placement == Placement.FAR and kind == CHECK_IN:
            raise TooFarAway(f"扫码时您离服务地点约 {distance / 1000:.1f} 公里，不能作为现场签到",
                             extra={"distance_m": distance})
        if placement != Placement.INSIDE:
            flags.append(Flag.OUT_OF_AREA.value)
        if rules.looks_fake(scan.position, site, earlier):
            flags.append(Flag.SUSPICIOUS_LOCATION.value)
    return CheckedScan(kind, counter, code_at, scan, skew, distance, tuple(flags))


def _late(settings: Settings, last: CheckedScan, at: datetime) -> list[str]:
    if at - last.code_at > timedelta(hours=settings.offline_late_upload_hours):
        return [Flag.LATE_UPLOAD.value]
    return []


def _evidence(checked: CheckedScan, order: Order, expert: ExpertProfile, visit_id: int, at: datetime,
              step: int) -> OfflineScan:
    position = checked.scan.position
    return OfflineScan(
        order_id=order.id, expert_id=expert.id, visit_id=visit_id, kind=checked.kind, counter=checked.counter,
        step_seconds=step, code_at=checked.code_at, device_at=checked.scan.device_at,
        skew_seconds=checked.skew_seconds, latitude=position.latitude if position else None,
        longitude=position.longitude if position else None, accuracy=position.accuracy if position else None,
        distance_m=checked.distance_m, uploaded_at=at,
    )


def _audit_detail(order: Order, checked: CheckedScan, flags: list[str]) -> dict:
    return {"order_id": order.id, "counter": checked.counter, "code_at": checked.code_at.isoformat(),
            "device_at": checked.scan.device_at.isoformat(), "skew_seconds": checked.skew_seconds, "flags": flags}


async def _overlaps(expert_id: int, start: datetime, end: datetime, exclude: int | None = None) -> bool:
    """Whether the expert already has a closed, not rejected, visit sharing any of [start, end)."""
    query = Visit.filter(expert_id=expert_id, check_out_at__isnull=False, check_in_at__lt=end,
                         check_out_at__gt=start).exclude(status="rejected")
    if exclude is not None:
        query = query.exclude(id=exclude)
    return await query.exists()


def _serving(order: Order, check_out_at: datetime | None) -> bool:
    """Whether the upload moves the order along (True), only records hours (False), or is refused.

    An order closed after an offline visit ended, before its record reached the
    server, still gets the visit and its hours, without reopening the order.
    """
    status = OrderStatus(order.status)
    if status in CODE_STATUSES:
        return True
    if status == OrderStatus.CLOSED and check_out_at is not None and order.closed_at is not None \
            and check_out_at <= order.closed_at:
        return False
    raise not_scannable(order.status)


def _visit_status(flags: list[str]) -> str:
    return "flagged" if flags else "completed"


def _duration_flags(settings: Settings, start: datetime, end: datetime) -> list[str]:
    duration_rules = rules.DurationRules(settings.min_visit_minutes, settings.max_visit_hours)
    return [flag.value for flag in rules.duration_flags(start, end, duration_rules, CHINA)]


async def _limit(res: Resources, expert_id: int) -> None:
    await res.rate_limiter.hit("offline-upload", str(expert_id), UPLOAD_LIMIT, UPLOAD_WINDOW,
                               "离线记录上传太频繁，请一小时后再试")


# --------------------------------------------------------------------------- uploads


async def upload_visit(res: Resources, claims: AccessClaims, order_id: int, check_in: Scan,
                       check_out: Scan | None) -> dict:
    """Upload one offline visit: its check-in, and its check-out when there was one.

    Uploading the same record again returns the same visit, never a second one,
    and a check-in uploaded alone is completed by uploading it with its check-out.
    """
    settings = res.settings
    order = await Order.get_or_none(id=order_id)
    if order is None:
        raise NotFound(orders.ORDER_NOT_FOUND, code="order_not_found")
    profile = await assigned_expert(claims, order)
    await _limit(res, profile.id)
    first = _authentic(settings, order.id, check_in.text)
    last = _authentic(settings, order.id, check_out.text) if check_out else None
    if last is not None and last.counter <= first.counter:
        raise ValidationFailed(fields={"check_out.code": "签退码的时间应晚于签到码"})

    known = await OfflineScan.get_or_none(order_id=order.id, expert_id=profile.id, counter=first.counter)
    if known is not None:
        return await _repeat(res, claims, order, profile, known, last.counter if last else None, check_out)
    if last is not None and await OfflineScan.exists(order_id=order.id, expert_id=profile.id, counter=last.counter):
        raise OfflineCodeUsed(fields={"check_out.code": "该签退码已经使用过"})

    at = now()
    step = settings.offline_step_seconds
    arrival = _check(settings, order, CHECK_IN, first.counter, check_in, at)
    if order.scheduled_at is not None and arrival.code_at + timedelta(seconds=step) <= order.scheduled_at:
        raise BeforeSchedule()
    departure = None
    if last is not None and check_out is not None:
        departure = _check(settings, order, CHECK_OUT, last.counter, check_out, at, check_in.position)
    end = departure.code_at if departure else arrival.code_at + timedelta(seconds=step)
    if await _overlaps(profile.id, arrival.code_at, end):
        raise VisitOverlaps()
    serving = _serving(order, departure.code_at if departure else None)

    flags = _merge(arrival.flags, departure.flags if departure else (),
                   _late(settings, departure or arrival, at),
                   _duration_flags(settings, arrival.code_at, departure.code_at) if departure else ())
    in_position, out_position = check_in.position, check_out.position if check_out else None
    try:
        async with in_transaction() as conn:
            visit = await Visit.create(
                using_db=conn, order_id=order.id, expert_id=profile.id, source="offline",
                status=_visit_status(flags) if departure else "open",
                check_in_at=arrival.code_at, check_in_code=_visit_code(order.id, profile.id, arrival.counter),
                check_out_at=departure.code_at if departure else None,
                check_out_code=_visit_code(order.id, profile.id, departure.counter) if departure else None,
                duration_minutes=int((departure.code_at - arrival.code_at).total_seconds() // 60)
                if departure else None,
                open_key=None if departure else f"{order.id}:{profile.id}",
                in_latitude=in_position.latitude if in_position else None,
                in_longitude=in_position.longitude if in_position else None,
                in_accuracy=in_position.accuracy if in_position else None, in_distance_m=arrival.distance_m,
                out_latitude=out_position.latitude if out_position else None,
                out_longitude=out_position.longitude if out_position else None,
                out_accuracy=out_position.accuracy if out_position else None,
                out_distance_m=departure.distance_m if departure else None,
                flags=flags, region_code=order.region_code,
            )
            await OfflineScan.bulk_create(
                [_evidence(checked, order, profile, visit.id, at, step) for checked in (arrival, departure) if checked],
                using_db=conn)
            if serving and order.status != OrderStatus.IN_SERVICE:
                first_visit = min(order.first_visit_at, arrival.code_at) if order.first_visit_at else arrival.code_at
                await orders.system_transition(settings, order.id, Action.START_SERVICE, conn=conn,
                                               changes={"first_visit_at": first_visit})
            await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                     action="offline_check_in", subject_type="visit", subject_id=str(visit.id),
                                     region_code=order.region_code, detail=_audit_detail(order, arrival, flags))
            if departure is not None:
                await _after_check_out(settings, claims, order, visit, departure, flags, serving, conn)
    except IntegrityError:
        # The same record raced itself, a code was spent meanwhile, or another visit is open.
        known = await OfflineScan.get_or_none(order_id=order.id, expert_id=profile.id, counter=first.counter)
        if known is not None:
            return await _repeat(res, claims, order, profile, known, last.counter if last else None, check_out)
        if last is not None and await OfflineScan.exists(order_id=order.id, expert_id=profile.id,
                                                          counter=last.counter):
            raise OfflineCodeUsed(fields={"check_out.code": "该签退码已经使用过"}) from None
        raise VisitAlreadyOpen() from None
    return visit_view(visit) | {"repeated": False}


async def _repeat(res: Resources, claims: AccessClaims, order: Order, profile: ExpertProfile, known: OfflineScan,
                  out_counter: int | None, check_out: Scan | None) -> dict:
    """A check-in code this expert already used: the same record again, its check-out, or a replay."""
    if known.kind != CHECK_IN:
        raise OfflineCodeUsed(fields={"check_in.code": "该签到码已作为签退码使用过"})
    visit = await Visit.get(id=known.visit_id)
    if out_counter is None or visit.check_out_code == _visit_code(order.id, profile.id, out_counter):
        return visit_view(visit) | {"repeated": True}
    if visit.status == "open" and check_out is not None:
        return await _close(res, claims, order, profile, visit, out_counter, check_out)
    raise OfflineRecordConflict()


async def upload_check_out(res: Resources, claims: AccessClaims, visit_id: int, check_out: Scan) -> dict:
    """Upload the offline check-out of an open visit, whether it was opened online or offline."""
    profile = await expert_profile_of(claims.user_id)
    visit = await Visit.get_or_none(id=visit_id)
    if visit is None or profile is None or visit.expert_id != profile.id:
        raise NotFound("找不到该服务记录", code="visit_not_found")
    order = await Order.get(id=visit.order_id)
    await _limit(res, profile.id)
    last = _authentic(res.settings, order.id, check_out.text)
    if visit.check_out_code == _visit_code(order.id, profile.id, last.counter):
        return visit_view(visit) | {"repeated": True}
    if visit.status != "open":
        raise visit_closed(visit)
    return await _close(res, claims, order, profile, visit, last.counter, check_out)


async def _close(res: Resources, claims: AccessClaims, order: Order, profile: ExpertProfile, visit: Visit,
                 counter: int, check_out: Scan) -> dict:
    settings = res.settings
    if await OfflineScan.exists(order_id=order.id, expert_id=profile.id, counter=counter):
        raise OfflineCodeUsed(fields={"check_out.code": "该签退码已经使用过"})
    at = now()
    earlier = (Position(visit.in_latitude, visit.in_longitude, visit.in_accuracy)
               if visit.in_latitude is not None else None)
    departure = _check(settings, order, CHECK_OUT, counter, check_out, at, earlier)
    if departure.code_at <= visit.check_in_at:
        raise ValidationFailed(fields={"check_out.code": "签退码的时间应晚于签到时间"})
    if await _overlaps(profile.id, visit.check_in_at, departure.code_at, exclude=visit.id):
        raise VisitOverlaps()
    serving = _serving(order, departure.code_at)
    flags = _merge(visit.flags, departure.flags, _late(settings, departure, at),
                   _duration_flags(settings, visit.check_in_at, departure.code_at))
    position = check_out.position
    try:
        async with in_transaction() as conn:
            updated = await Visit.filter(id=visit.id, status="open").using_db(conn).update(
                source="offline", status=_visit_status(flags), check_out_at=departure.code_at, open_key=None,
                check_out_code=_visit_code(order.id, profile.id, counter), flags=flags,
                duration_minutes=int((departure.code_at - visit.check_in_at).total_seconds() // 60),
                out_latitude=position.latitude if position else None,
                out_longitude=position.longitude if position else None,
                out_accuracy=position.accuracy if position else None, out_distance_m=departure.distance_m,
            )
            if not updated:
                raise Conflict("该服务记录已签退", code="visit_closed")
            visit = await Visit.get(id=visit.id).using_db(conn)
            await OfflineScan.bulk_create([_evidence(departure, order, profile, visit.id, at,
                                                     settings.offline_step_seconds)], using_db=conn)
            await _after_check_out(settings, claims, order, visit, departure, flags, serving, conn)
    except IntegrityError:
        visit = await Visit.get(id=visit.id)
        if visit.check_out_code == _visit_code(order.id, profile.id, counter):
            return visit_view(visit) | {"repeated": True}
        raise OfflineCodeUsed(fields={"check_out.code": "该签退码已经使用过"}) from None
    return visit_view(visit) | {"repeated": False}


async def _after_check_out(settings: Settings, claims: AccessClaims, order: Order, visit: Visit,
                           departure: CheckedScan, flags: list[str], serving: bool, conn) -> None:
    """The ledger rows, the order's move to 'serviced' when no visit stays open, and the audit trail."""
    await ledger.record_visit(visit, conn)
    if serving:
        still_open = await Visit.filter(order_id=order.id, status="open").using_db(conn).exists()
        current = await Order.get(id=order.id).using_db(conn)
        if not still_open and current.status == OrderStatus.IN_SERVICE:
            await orders.system_transition(settings, order.id, Action.FINISH_SERVICE, conn=conn)
    await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                             action="offline_check_out", subject_type="visit", subject_id=str(visit.id),
                             region_code=order.region_code,
                             detail=_audit_detail(order, departure, flags) | {"minutes": visit.duration_minutes})
