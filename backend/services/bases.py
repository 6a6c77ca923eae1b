"""专家服务基地: bases, their printed codes, attendance (人次) and the yearly figures.

The printed code. A poster cannot rotate, so its code is a signed JWT
(HS256 pinned, key id in the header, audience `zjfw:base`) naming the base
and its `code_version`, with no expiry. Bumping the version voids every
poster at once (a lost or photographed poster). The token is deterministic
for (base, version, signing key), so its PNG/SVG is cached in-process per
(base, version) and drawn off the event loop. Removing a signing key from
JWT_KEYS voids the posters it signed: reprint them after a key rotation.

Where a person is. A fixed code proves nothing about place, so a base scan
needs the phone's location: without one it is refused with a request to
allow location and retry, a FAR scan is refused, a scan nearby (outside the
radius, inside the refusal radius) is accepted.

Who counts. Experts and participants (requesters) count once per base per
day, which the unique constraint on BaseAttendance enforces. Admins are
staff, not 人次, and are asked to switch role.

An expert's hours. A base scan proves presence at one moment, not how long
the expert served, and the printed code is easier to abuse than the
requester's rotating one. So a scan adds a fixed `base_activity_hours` row
(source `base_scan`) that stays `pending` until a local or provincial admin
of the area confirms that day's activity at the base (`confirm_activity`),
or `withheld` if they do not. Unconfirmed hours never reach totals,
certificates or rankings.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from functools import lru_cache

import jwt
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import regions
from backend.domain import visits as rules
from backend.domain.roles import Role, scope_admits
from backend.domain.visits import Fence, Placement, Position
from backend.errors import AppError, Forbidden, NotFound, OutOfRegion, ValidationFailed
from backend.infra import qr
from backend.infra.clock import CHINA, now
from backend.infra.jwt_header import secret_for, unverified_header
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, BaseAttendance, ExpertProfile, LedgerEntry, Region, ServiceBase
from backend.services.order_views import expert_profile_of
from backend.services.visits import TooFarAway

ALGORITHM = "HS256"
AUDIENCE = "zjfw:base"
IMAGE_FORMATS = ("png", "svg")


class BaseNotFound(NotFound):
    code = "base_not_found"
    message = "找不到该服务基地"


class BaseCodeInvalid(AppError):
    status = 400
    code = "base_code_invalid"
    message = "这不是有效的服务基地二维码"


class BaseCodeRevoked(AppError):
    status = 400
    code = "base_code_revoked"
    message = "该基地二维码已作废，请扫描基地最新张贴的二维码"


class LocationRequired(AppError):
    status = 422
    code = "location_required"
    message = "基地签到需要确认您在现场：请在微信中允许获取位置后重新扫码"


# --------------------------------------------------------------------------- the printed code


def sign_code(settings: Settings, base_id: int, version: int) -> str:
    """The poster's token: the same string for the same base, version and signing key."""
    kid, secret = settings.signing_keys[0]
    return jwt.encode({"aud": AUDIENCE, "b": base_id, "v": version}, secret, algorithm=ALGORITHM,
                      headers={"kid": kid})


def read_code(settings: Settings, token: str) -> tuple[int, int]:
    """(base id, code version) of a genuine base code, or BaseCodeInvalid."""
    header = unverified_header(token)
    if header is None:
        raise BaseCodeInvalid()
    secret = secret_for(header, dict(settings.signing_keys))
    if header.get("alg") != ALGORITHM or secret is None:
        raise BaseCodeInvalid()
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                             options={"require": ["aud", "b", "v"]})
    except jwt.PyJWTError:
        raise BaseCodeInvalid() from None
    base_id, version = payload["b"], payload["v"]
    if not isinstance(base_id, int) or not isinstance(version, int):
        raise BaseCodeInvalid()
    return base_id, version


@lru_cache(maxsize=256)
def _poster(base_id: int, version: int, token: str, fmt: str) -> bytes:
    return qr.png(token, box_size=12) if fmt == "png" else qr.svg(token)


# --------------------------------------------------------------------------- bases


def base_view(base: ServiceBase) -> dict:
    return {"id": base.id, "name": base.name, "region_code": base.region_code, "latitude": base.latitude,
            "longitude": base.longitude, "code_version": base.code_version,
            "created_at": base.created_at.astimezone(CHINA).isoformat() if base.created_at else None}


def _require_admin(claims: AccessClaims) -> None:
    if claims.role not in (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN) or not claims.region_code:
        raise Forbidden()


async def _admin_base(claims: AccessClaims, base_id: int) -> ServiceBase:
    _require_admin(claims)
    base = await ServiceBase.get_or_none(id=base_id)
    if base is None:
        raise BaseNotFound()
    if not scope_admits(claims.region_code, base.region_code):
        raise OutOfRegion("该服务基地不在您管辖的区域内")
    return base


async def create_base(claims: AccessClaims, data) -> dict:
    """An admin registers a base in their area."""
    _require_admin(claims)
    if not await Region.exists(code=data.region_code):
        raise ValidationFailed(fields={"region_code": "找不到该区划代码"})
    if not scope_admits(claims.region_code, data.region_code):
        raise OutOfRegion("只能在您管辖的区域内设立服务基地")
    async with in_transaction() as conn:
        base = await ServiceBase.create(using_db=conn, name=data.name.strip(), region_code=data.region_code,
                                        latitude=data.latitude, longitude=data.longitude,
                                        created_by_id=claims.user_id)
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action="base_created", subject_type="service_base", subject_id=str(base.id),
                                 region_code=base.region_code, detail={"name": base.name})
    return base_view(base)


async def list_bases(claims: AccessClaims) -> list[dict]:
    _require_admin(claims)
    bases = await ServiceBase.filter(region_code__startswith=regions.prefix_of(claims.region_code)) \
        .order_by("id").limit(500)
    return [base_view(base) for base in bases]


async def code(settings: Settings, claims: AccessClaims, base_id: int) -> dict:
    """The token to print for a base, with where to fetch it as an image."""
    base = await _admin_base(claims, base_id)
    return {"base_id": base.id, "name": base.name, "code_version": base.code_version,
            "token": sign_code(settings, base.id, base.code_version),
            "png": f"/api/v1/bases/{base.id}/code.png", "svg": f"/api/v1/bases/{base.id}/code.svg"}


async def code_image(settings: Settings, claims: AccessClaims, base_id: int, fmt: str) -> bytes:
    """The poster's QR code as PNG or SVG bytes."""
    if fmt not in IMAGE_FORMATS:
        raise NotFound()
    base = await _admin_base(claims, base_id)
    token = sign_code(settings, base.id, base.code_version)
    return await asyncio.to_thread(_poster, base.id, base.code_version, token, fmt)


async def rotate_code(settings: Settings, claims: AccessClaims, base_id: int) -> dict:
    """Void every printed code of the base; the new one must be printed and put up."""
    base = await _admin_base(claims, base_id)
    async with in_transaction() as conn:
        await ServiceBase.filter(id=base.id).using_db(conn).update(code_version=F("code_version") + 1)
        base = await ServiceBase.get(id=base.id).using_db(conn)
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action="base_code_rotated", subject_type="service_base", subject_id=str(base.id),
                                 region_code=base.region_code, to_state=str(base.code_version))
    return await code(settings, claims, base.id)


# --------------------------------------------------------------------------- attendance


def _attendance_view(base: ServiceBase, attendance: BaseAttendance) -> dict:
    return {"base_id": base.id, "base_name": base.name, "role": attendance.role,
            "attended_on": attendance.attended_on.isoformat(),
            "checked_at": attendance.checked_at.astimezone(CHINA).isoformat()}


async def check_in(settings: Settings, claims: AccessClaims, token: str, position: Position | None) -> dict:
    """基地扫码签到: one 人次 per person, base and day; an expert's scan adds pending hours."""
    if claims.role not in (Role.EXPERT, Role.REQUESTER):
        raise Forbidden("管理员不计入基地活动人次，请切换为专家或需求方身份后扫码", code="role_cannot_attend")
    base_id, version = read_code(settings, token)
    base = await ServiceBase.get_or_none(id=base_id)
    if base is None:
        raise BaseNotFound()
    if version != base.code_version:
        raise BaseCodeRevoked()
    if position is None:
        raise LocationRequired()
    site = (base.latitude, base.longitude)
    placement, distance = rules.place(position, site, Fence(settings.checkin_radius_m,
                                                            settings.checkin_refuse_radius_m))
    if placement == Placement.FAR:
        raise TooFarAway(f"您当前离服务基地约 {distance / 1000:.1f} 公里，请到基地后再扫码签到",
                         extra={"distance_m": distance})
    doubts = []
    if placement == Placement.NEARBY:
        doubts.append("签到位置不在基地附近")
    if rules.looks_fake(position, site):
        doubts.append("定位疑似伪造")

    profile: ExpertProfile | None = None
    if claims.role == Role.EXPERT:
        profile = await expert_profile_of(claims.user_id)
        if profile is None:
            raise NotFound("请先完善专家资料", code="expert_profile_missing")
    at = now()
    day = at.date()
    hours = Decimal(str(settings.base_activity_hours)).quantize(Decimal("0.01"))
    try:
        async with in_transaction() as conn:
            attendance = await BaseAttendance.create(
                using_db=conn, base_id=base.id, user_id=claims.user_id,
                role="expert" if profile else "participant", attended_on=day, checked_at=at,
                latitude=position.latitude, longitude=position.longitude)
            if profile is not None and hours > 0:
                reason = f"服务基地「{base.name}」活动，待管理员确认" + (f"（{'、'.join(doubts)}）" if doubts else "")
                await LedgerEntry.create(
                    using_db=conn, expert_id=profile.id, service_date=day, year=day.year, hours=hours,
                    source="base_scan", status="pending", reason=reason[:300], region_code=base.region_code,
                    created_by_id=claims.user_id)
            await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                     action="base_check_in", subject_type="service_base", subject_id=str(base.id),
                                     region_code=base.region_code,
                                     detail={"distance_m": distance, "doubts": doubts, "role": attendance.role})
    except IntegrityError:
        existing = await BaseAttendance.get(base_id=base.id, user_id=claims.user_id, attended_on=day)
        return _attendance_view(base, existing) | {"repeated": True}
    result = _attendance_view(base, attendance) | {"repeated": False, "distance_m": distance, "doubts": doubts}
    if profile is not None:
        result["hours"] = float(hours)
        result["hours_status"] = "pending"
    return result


async def confirm_activity(claims: AccessClaims, base_id: int, day: date, approve: bool, reason: str) -> dict:
    """An admin of the area confirms (or not) a day's activity: its experts' pending hours count (or not)."""
    base = await _admin_base(claims, base_id)
    user_ids = await BaseAttendance.filter(base_id=base.id, attended_on=day, role="expert") \
        .values_list("user_id", flat=True)
    expert_ids = await ExpertProfile.filter(user_id__in=list(user_ids)).values_list("id", flat=True) if user_ids else []
    status = "counted" if approve else "withheld"
    note = f"服务基地「{base.name}」活动{'已确认' if approve else '未予确认'}：{reason.strip()}"[:300]
    async with in_transaction() as conn:
        # A LedgerEntry has no base column: the base's region narrows the rows to this base's
        # scans of that day (two bases sharing one village code on one day would be confirmed together).
        updated = await LedgerEntry.filter(expert_id__in=list(expert_ids), service_date=day, source="base_scan",
                                           status="pending", region_code=base.region_code) \
            .using_db(conn).update(status=status, reason=note) if expert_ids else 0
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action="base_activity_confirmed" if approve else "base_activity_refused",
                                 subject_type="service_base", subject_id=str(base.id), region_code=base.region_code,
                                 reason=reason.strip(), detail={"date": day.isoformat(), "entries": updated})
    return {"base_id": base.id, "date": day.isoformat(), "hours_status": status, "entries": updated}


async def stats(settings: Settings, claims: AccessClaims, base_id: int, year: int | None) -> dict:
    """The base's year in 人次: everyone who scanned, experts and participants, and the days it was active."""
    base = await _admin_base(claims, base_id)
    year = year or now().year
    rows = await BaseAttendance.filter(base_id=base.id, attended_on__gte=date(year, 1, 1),
                                       attended_on__lte=date(year, 12, 31)).values_list("role", "attended_on")
    experts = sum(1 for role, _ in rows if role == "expert")
    target = settings.base_participant_visits_target
    return {
        "base_id": base.id,
        "name": base.name,
        "year": year,
        "participant_visits": len(rows),
        "experts": experts,
        "participants": len(rows) - experts,
        "activity_days": len({day for _, day in rows}),
        "target": target,
        "target_met": len(rows) >= target,
        "rule": f"专家服务基地每年开展活动不少于 {target} 人次（专家与参加者每人每天计 1 人次）",
    }
