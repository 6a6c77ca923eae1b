"""典型案例: an admin turns a visit that worked into a story for publicity.

Only a verified visit the requester rated 4 or 5 qualifies. Photos come only from that
visit's service log or rating, and only with the requester's consent, which the admin
records. The public sees published stories with the place down to the township and
nothing that names or reaches the requester.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import regions
from backend.domain.roles import scope_admits
from backend.errors import Conflict, NotFound, ValidationFailed
from backend.infra.clock import now
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, CaseStory, Order, Rating, Region, ServiceLog, User, Visit
from backend.services.figures import field_labels
from backend.services.uploads import signed_url

CASE_MIN_RATING = 4
CASE_VISIT_STATUSES = ("completed", "approved")
_PUBLIC_PLACE_LEVELS = ("city", "county", "township")


class CaseNotFound(NotFound):
    code = "case_not_found"
    message = "找不到该案例"


async def _places(codes: set[str]) -> dict[str, str]:
    """Each code as a place from the city down to the township: close enough to tell, not to find a farm."""
    chains = {code: [c for c in regions.ancestors(code) + [regions.normalize(code)]
                     if regions.level_of(c) in _PUBLIC_PLACE_LEVELS]
              for code in codes if regions.is_valid(code)}
    wanted = {c for chain in chains.values() for c in chain}
    names = dict(await Region.filter(code__in=list(wanted)).values_list("code", "name")) if wanted else {}
    return {code: "".join(names[c] for c in chain if c in names) for code, chain in chains.items()}


def _public(settings: Settings, case: CaseStory, place: str, fields: dict[str, str]) -> dict:
    photos = case.photo_ids if case.photos_consented else []
    return {
        "id": case.id, "title": case.title, "body": case.body, "field": case.field,
        "field_label": fields.get(case.field, case.field), "region_name": place,
        "photo_urls": [signed_url(settings, photo_id) for photo_id in photos],
        "published_at": case.published_at.isoformat() if case.published_at else None,
    }


async def _admin_view(settings: Settings, case: CaseStory) -> dict:
    places = await _places({case.region_code})
    return _public(settings, case, places.get(case.region_code, ""), await field_labels()) | {
        "visit_id": case.visit_id, "region_code": case.region_code, "photo_ids": case.photo_ids,
        "photos_consented": case.photos_consented, "published": case.published_at is not None,
        "created_at": case.created_at.isoformat()}


async def _requester_words(order: Order) -> list[str]:
    """Names and numbers that would identify the requester if printed."""
    requester = await User.get_or_none(id=order.requester_id)
    words = [order.contact_name, order.contact_phone, order.on_behalf_of]
    if requester is not None:
        words += [requester.name, requester.phone]
    return [word.strip() for word in words if word and len(word.strip()) >= 2]


async def create(settings: Settings, claims: AccessClaims, data) -> dict:
    """A draft story from a well-rated visit in the admin's area."""
    visit = await Visit.get_or_none(id=data.visit_id)
    if visit is None or not scope_admits(claims.region_code, visit.region_code):
        raise NotFound("找不到该服务记录", code="visit_not_found")
    if visit.status not in CASE_VISIT_STATUSES:
        raise Conflict("只有已完成且核实无误的服务才能作为典型案例", code="visit_not_verified",
                       extra={"current_status": visit.status})
    rating = await Rating.get_or_none(visit_id=visit.id)
    if rating is None or rating.overall < CASE_MIN_RATING:
        raise Conflict(f"需求方评价 {CASE_MIN_RATING} 分及以上的服务才能作为典型案例", code="rating_too_low",
                       extra={"overall": rating.overall if rating else None})
    photo_ids = list(dict.fromkeys(str(photo_id) for photo_id in data.photo_ids))
    if photo_ids and not data.photos_consented:
        raise ValidationFailed("需求方未同意公开照片，不能使用照片。可以不选照片，或征得同意后再选",
                               fields={"photo_ids": "需求方未同意公开照片"}, code="photos_not_consented")
    log = await ServiceLog.get_or_none(visit_id=visit.id)
    offered = set(rating.photo_ids or []) | set(log.photo_ids if log else [])
    if any(photo_id not in offered for photo_id in photo_ids):
        raise ValidationFailed(fields={"photo_ids": "只能选用这次服务的服务日志或评价中的照片"})
    order = await Order.get(id=visit.order_id)
    text = f"{data.title}\n{data.body}"
    if any(word in text for word in await _requester_words(order)):
        raise ValidationFailed("案例将公开发布，不能包含需求方的姓名或电话", fields={"body": "请删去需求方的姓名或电话"},
                               code="personal_data")
    try:
        async with in_transaction() as conn:
            case = await CaseStory.create(
                using_db=conn, visit_id=visit.id, title=data.title.strip(), body=data.body.strip(),
                photo_ids=photo_ids, photos_consented=data.photos_consented, region_code=order.region_code,
                field=order.field, created_by_id=claims.user_id)
            await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                     action="case_created", subject_type="case_story", subject_id=str(case.id),
                                     region_code=order.region_code, detail={"visit_id": visit.id})
    except IntegrityError:
        raise Conflict("这次服务已经写成案例了", code="case_exists") from None
    return await _admin_view(settings, case)


async def publish(settings: Settings, claims: AccessClaims, case_id: int) -> dict:
    """Make a story public; publishing it again changes nothing."""
    case = await CaseStory.get_or_none(id=case_id)
    if case is None or not scope_admits(claims.region_code, case.region_code):
        raise CaseNotFound()
    if case.published_at is None:
        async with in_transaction() as conn:
            await CaseStory.filter(id=case.id, published_at__isnull=True).using_db(conn).update(published_at=now())
            await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                     action="case_published", subject_type="case_story", subject_id=str(case.id),
                                     region_code=case.region_code)
        case = await CaseStory.get(id=case.id)
    return await _admin_view(settings, case)


async def published(settings: Settings, field: str | None, page: int, page_size: int) -> dict:
    """The public list of published stories, newest first."""
    query = CaseStory.filter(published_at__isnull=False)
    if field:
        query = query.filter(field=field)
    total = await query.count()
    cases = await query.order_by("-published_at", "-id").offset((page - 1) * page_size).limit(page_size)
    places = await _places({case.region_code for case in cases})
    fields = await field_labels()
    return {"items": [_public(settings, case, places.get(case.region_code, ""), fields) for case in cases],
            "total": total, "page": page, "page_size": page_size}


async def published_case(settings: Settings, case_id: int) -> dict:
    case = await CaseStory.get_or_none(id=case_id, published_at__isnull=False)
    if case is None:
        raise CaseNotFound()
    places = await _places({case.region_code})
    return _public(settings, case, places.get(case.region_code, ""), await field_labels())
