"""The 专家库: experts register themselves, admins of their area verify or reject them."""

from __future__ import annotations

import base64

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.domain import expert_rules, regions
from backend.domain.privacy import mask_phone
from backend.domain.roles import Role, scope_admits
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.infra.clock import now
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, ExpertProfile, Region, ServiceCategory, User
from backend.services.users import get_active_user, grant_role

EXPERT_NOT_FOUND = "找不到该专家，或不在您的管辖区域内"
PROFILE_MISSING = "您还没有登记专家信息"


async def category_names() -> dict[str, str]:
    """Active menu categories, code → name: the fields an expert may work in."""
    return dict(await ServiceCategory.filter(is_active=True).values_list("code", "name"))


async def _region_names(codes: set[str]) -> dict[str, str]:
    return dict(await Region.filter(code__in=list(codes)).values_list("code", "name")) if codes else {}


def profile_view(profile: ExpertProfile, phone: str | None, *, field_names: dict[str, str],
                 region_names: dict[str, str], own: bool = False) -> dict:
    """The profile for its owner (own=True) or for an admin: the phone masked, the 身份证号 never shown."""
    return {
        "id": profile.id,
        "user_id": profile.user_id,
        "name": profile.name,
        "gender": profile.gender,
        "title": profile.title,
        "title_level": profile.title_level,
        "title_level_label": expert_rules.TITLE_LEVELS.get(profile.title_level, profile.title_level),
        "field": profile.field,
        "field_name": field_names.get(profile.field),
        "specialties": profile.specialties,
        "employer": profile.employer,
        "region_code": profile.region_code,
        "region_name": region_names.get(profile.region_code),
        "latitude": profile.latitude if own else None,
        "longitude": profile.longitude if own else None,
        "service_radius_km": profile.service_radius_km,
        "honours": profile.honours,
        "retired": profile.retired,
        "available": profile.available,
        "availability_note": profile.availability_note,
        "status": profile.status,
        "status_label": expert_rules.STATUS_LABELS.get(profile.status, profile.status),
        "status_reason": profile.status_reason,
        "phone_masked": mask_phone(phone),
        "id_number_masked": expert_rules.mask_id_number(profile.id_number_last4),
        "verified_at": profile.verified_at.isoformat() if profile.verified_at else None,
        "created_at": profile.created_at.isoformat() if profile.created_at else None,
    }


async def _views(profiles: list[ExpertProfile], own: bool = False) -> list[dict]:
    user_ids = [p.user_id for p in profiles]
    phones = dict(await User.filter(id__in=user_ids).values_list("id", "phone")) if profiles else {}
    field_names = await category_names()
    region_names = await _region_names({p.region_code for p in profiles})
    return [profile_view(p, phones.get(p.user_id), field_names=field_names, region_names=region_names, own=own)
            for p in profiles]


async def _view(profile: ExpertProfile, own: bool = False) -> dict:
    return (await _views([profile], own=own))[0]


# --------------------------------------------------------------------------- the expert's own profile


async def register(claims: AccessClaims, data) -> dict:
    """Create or update the caller's own profile and give them the expert role."""
    user = await get_active_user(claims.user_id)
    if (data.latitude is None) != (data.longitude is None):
        raise ValidationFailed(fields={"latitude": "经纬度需同时填写"})
    if data.field not in await category_names():
        raise ValidationFailed(fields={"field": "领域应为服务菜单中的分类"})
    region_code = regions.normalize(data.region_code)
    if not await Region.exists(code=region_code):
        raise ValidationFailed(fields={"region_code": "区划代码不存在"})
    values = data.model_dump(exclude={"region_code"})
    values["region_code"] = region_code
    async with in_transaction() as conn:
        profile = await ExpertProfile.filter(user_id=user.id).using_db(conn).select_for_update().first()
        if profile is None:
            profile = await ExpertProfile.create(using_db=conn, user_id=user.id, status="pending", **values)
            await _audit(conn, claims, profile, "expert_registered", None, "pending")
        else:
            current = {name: getattr(profile, name) for name in expert_rules.KEY_FIELDS}
            # The admin vouched for what they checked: a new title or field is unchecked again,
            # otherwise anyone verified once could retitle themselves into other fields' orders.
            back_to_review = expert_rules.needs_reverification(profile.status, current, values)
            before = profile.status
            profile.update_from_dict(values)
            if back_to_review:
                profile.status, profile.status_reason = "pending", None
                profile.verified_at = profile.verified_by_id = None
            await profile.save(using_db=conn)
            if back_to_review:
                await _audit(conn, claims, profile, "expert_resubmitted", before, "pending")
        await grant_role(Role.EXPERT, openid=user.openid, phone=None if user.openid else user.phone,
                         region_code=region_code)
    return await _view(profile, own=True)


async def own_profile(claims: AccessClaims) -> dict:
    profile = await ExpertProfile.get_or_none(user_id=claims.user_id)
    if profile is None:
        raise NotFound(PROFILE_MISSING, code="expert_profile_missing")
    return await _view(profile, own=True)


async def set_availability(claims: AccessClaims, data) -> dict:
    """Whether the expert takes orders now; this never needs a new review."""
    profile = await ExpertProfile.get_or_none(user_id=claims.user_id)
    if profile is None:
        raise NotFound(PROFILE_MISSING, code="expert_profile_missing")
    before = "available" if profile.available else "unavailable"
    profile.available = data.available
    profile.availability_note = (data.availability_note or "").strip() or None
    async with in_transaction() as conn:
        await profile.save(using_db=conn, update_fields=["available", "availability_note", "updated_at"])
        # Availability decides who can be dispatched to: who switched it off, and when, must be traceable.
        await _audit(conn, claims, profile, "expert_availability_changed", before,
                     "available" if profile.available else "unavailable", profile.availability_note)
    return await _view(profile, own=True)


# --------------------------------------------------------------------------- admins


def _encode_cursor(profile_id: int) -> str:
    return base64.urlsafe_b64encode(f"e:{profile_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        if prefix != "e":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(fields={"cursor": "翻页参数无效"}) from None


async def list_experts(claims: AccessClaims, query) -> dict:
    """Experts of the caller's area, newest first, a page at a time."""
    rows = ExpertProfile.filter(region_code__startswith=regions.prefix_of(claims.region_code))
    if query.status:
        rows = rows.filter(status=query.status)
    if query.field:
        rows = rows.filter(field=query.field)
    if query.region:
        # Narrowing only: a region outside the caller's area simply finds nothing.
        rows = rows.filter(region_code__startswith=regions.prefix_of(query.region))
    if query.q and query.q.strip():
        text = query.q.strip()
        rows = rows.filter(Q(name__icontains=text) | Q(employer__icontains=text) | Q(title__icontains=text))
    after = _decode_cursor(query.cursor)
    if after is not None:
        rows = rows.filter(id__lt=after)
    page = await rows.order_by("-id").limit(query.limit + 1)
    more = len(page) > query.limit
    page = page[: query.limit]
    return {"items": await _views(page), "next_cursor": _encode_cursor(page[-1].id) if more and page else None}


async def _in_scope(claims: AccessClaims, expert_id: int, conn=None) -> ExpertProfile:
    query = ExpertProfile.filter(id=expert_id)
    if conn is not None:
        query = query.using_db(conn).select_for_update()
    profile = await query.first()
    if profile is None or not scope_admits(claims.region_code, profile.region_code):
        # Another area's expert looks exactly like a missing one.
        raise NotFound(EXPERT_NOT_FOUND, code="expert_not_found")
    return profile


async def get_expert(claims: AccessClaims, expert_id: int) -> dict:
    return await _view(await _in_scope(claims, expert_id))


async def _audit(conn, claims: AccessClaims, profile: ExpertProfile, action: str, before: str | None,
                 after: str, reason: str | None = None) -> None:
    await AuditRecord.create(
        using_db=conn, actor_id=claims.user_id, actor_role=claims.role, action=action, subject_type="expert",
        subject_id=str(profile.id), region_code=profile.region_code, from_state=before, to_state=after,
        reason=reason,
    )


async def verify(claims: AccessClaims, expert_id: int) -> dict:
    """An admin of the expert's area confirms the profile: from now on they can be dispatched to."""
    async with in_transaction() as conn:
        profile = await _in_scope(claims, expert_id, conn)
        if profile.status == "verified":
            raise Conflict("该专家已通过审核", code="expert_already_verified")
        before = profile.status
        profile.status, profile.status_reason = "verified", None
        profile.verified_at, profile.verified_by_id = now(), claims.user_id
        await profile.save(using_db=conn, update_fields=["status", "status_reason", "verified_at", "verified_by_id",
                                                         "updated_at"])
        await _audit(conn, claims, profile, "expert_verified", before, "verified")
    return await _view(profile)


async def reject(claims: AccessClaims, expert_id: int, reason: str) -> dict:
    """Turn a profile down (or withdraw a verification) with a reason the expert sees."""
    async with in_transaction() as conn:
        profile = await _in_scope(claims, expert_id, conn)
        if profile.status == "rejected":
            raise Conflict("该专家已是未通过状态", code="expert_already_rejected")
        before = profile.status
        profile.status, profile.status_reason = "rejected", reason
        profile.verified_at = profile.verified_by_id = None
        await profile.save(using_db=conn, update_fields=["status", "status_reason", "verified_at", "verified_by_id",
                                                         "updated_at"])
        await _audit(conn, claims, profile, "expert_rejected", before, "rejected", reason)
    return await _view(profile)
