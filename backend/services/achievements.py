"""The 成果库: experts publish achievements, everyone signed in finds them, requesters order their owners.

Ordering an achievement's owner places an ordinary order through
`orders.place_order` (same checks, audit and notifications as any other)
and then records the owner as the wished-for expert in `AchievementOrder`;
the dispatcher's recommendations put that expert first.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain.roles import Role
from backend.errors import Forbidden, NotFound, ValidationFailed
from backend.infra.tokens import AccessClaims
from backend.models import Achievement, AchievementOrder, AuditRecord, ExpertProfile, ServiceCategory
from backend.services import order_views, search

MODE_LABELS = {"transfer": "转让", "license": "许可", "equity": "入股", "cooperation": "合作"}
STATUS_LABELS = {"draft": "草稿", "published": "已发布"}
NOT_FOUND = "找不到该成果，或该成果尚未发布"


def _content(achievement: Achievement) -> str:
    return f"{achievement.title}\n{achievement.description}"


async def _field_labels(codes: set[str]) -> dict[str, str]:
    return dict(await ServiceCategory.filter(code__in=list(codes)).values_list("code", "name"))


async def _check_field(code: str) -> None:
    if not await ServiceCategory.exists(code=code):
        raise ValidationFailed(fields={"field": "领域应为服务菜单中的分类"})


async def _own_profile(claims: AccessClaims) -> ExpertProfile:
    profile = await order_views.expert_profile_of(claims.user_id)
    if profile is None:
        raise Forbidden("请先完善专家资料", code="expert_profile_missing")
    return profile


def _check_may_publish(profile: ExpertProfile, status: str) -> None:
    if status == "published" and profile.status != "verified":
        raise Forbidden("通过审核的专家才能发布成果", code="expert_not_verified")


async def _audit(conn, claims: AccessClaims, achievement: Achievement, action: str, before: str | None,
                 detail: dict) -> None:
    await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role, action=action,
                             subject_type="achievement", subject_id=str(achievement.id), from_state=before,
                             to_state=achievement.status, detail=detail)


def view(achievement: Achievement, owner: ExpertProfile, labels: dict[str, str], viewer_user_id: int) -> dict:
    return {
        "id": achievement.id,
        "title": achievement.title,
        "field": achievement.field,
        "field_label": labels.get(achievement.field, achievement.field),
        "description": achievement.description,
        "mode": achievement.mode,
        "mode_label": MODE_LABELS[achievement.mode],
        "status": achievement.status,
        "status_label": STATUS_LABELS[achievement.status],
        "owner": {"expert_id": owner.id, "name": owner.name, "title": owner.title, "employer": owner.employer},
        "mine": owner.user_id == viewer_user_id,
        "version": achievement.version,
        "created_at": achievement.created_at.isoformat(),
        "updated_at": achievement.updated_at.isoformat(),
    }


async def _views(achievements: list[Achievement], claims: AccessClaims) -> list[dict]:
    labels = await _field_labels({a.field for a in achievements})
    return [view(a, a.owner, labels, claims.user_id) for a in achievements]


async def create(settings: Settings, claims: AccessClaims, data) -> dict:
    """An expert adds an achievement, as a draft or published."""
    profile = await _own_profile(claims)
    _check_may_publish(profile, data.status)
    await _check_field(data.field)
    async with in_transaction() as conn:
        achievement = await Achievement.create(
            using_db=conn, owner_id=profile.id, title=data.title.strip(), field=data.field,
            description=data.description.strip(), mode=data.mode, status=data.status,
        )
        await search.index_document(search.ACHIEVEMENT, achievement.id, achievement.version, _content(achievement),
                                    conn)
        await _audit(conn, claims, achievement, "achievement_create", None, {"title": achievement.title})
    return view(achievement, profile, await _field_labels({achievement.field}), claims.user_id)


async def update(settings: Settings, claims: AccessClaims, achievement_id: int, data) -> dict:
    """The owner edits, publishes or withdraws (back to draft) their achievement."""
    profile = await _own_profile(claims)
    achievement = await Achievement.get_or_none(id=achievement_id)
    if achievement is None:
        raise NotFound(NOT_FOUND, code="achievement_not_found")
    if achievement.owner_id != profile.id:
        raise Forbidden("只能修改本人的成果", code="not_your_achievement")
    changes = data.model_dump(exclude_none=True)
    if "field" in changes:
        await _check_field(changes["field"])
    _check_may_publish(profile, changes.get("status", achievement.status))
    before = achievement.status
    for name, value in changes.items():
        setattr(achievement, name, value.strip() if isinstance(value, str) and name in ("title", "description")
                else value)
    achievement.version += 1
    async with in_transaction() as conn:
        await achievement.save(using_db=conn)
        await search.index_document(search.ACHIEVEMENT, achievement.id, achievement.version, _content(achievement),
                                    conn)
        await _audit(conn, claims, achievement, "achievement_update", before, {"changed": sorted(changes)})
    return view(achievement, profile, await _field_labels({achievement.field}), claims.user_id)


async def _visible(claims: AccessClaims, achievement_id: int) -> Achievement:
    achievement = await Achievement.get_or_none(id=achievement_id).prefetch_related("owner")
    if achievement is None or (achievement.status != "published" and achievement.owner.user_id != claims.user_id):
        raise NotFound(NOT_FOUND, code="achievement_not_found")
    return achievement


async def get(settings: Settings, claims: AccessClaims, achievement_id: int) -> dict:
    return (await _views([await _visible(claims, achievement_id)], claims))[0]


async def browse(settings: Settings, claims: AccessClaims, query) -> dict:
    """Published achievements (an expert's own drafts with `mine`), best match first when `q` is given."""
    if query.mine:
        profile = await _own_profile(claims) if claims.role == Role.EXPERT else None
        if profile is None:
            raise Forbidden("只有专家可以查看本人的成果", code="not_expert")
        scope = Achievement.filter(owner_id=profile.id)
    else:
        scope = Achievement.filter(status="published")
    if query.field:
        scope = scope.filter(field=query.field)
    if query.mode:
        scope = scope.filter(mode=query.mode)
    if query.q and query.q.strip():
        terms, hits, next_cursor = await search.search(search.ACHIEVEMENT, query.q, scope, query.cursor,
                                                       query.limit)
        rows = {a.id: a for a in await Achievement.filter(id__in=[i for i, _ in hits]).prefetch_related("owner")}
        ordered = [rows[doc_id] for doc_id, _ in hits if doc_id in rows]
        items = await _views(ordered, claims)
        scores = dict(hits)
        for item in items:
            item["score"] = scores[item["id"]]
            item["matched"] = search.matched_terms(terms, f"{item['title']}\n{item['description']}")
        return {"terms": terms, "items": items, "next_cursor": next_cursor}
    offset = search.decode_cursor(query.cursor)
    rows = await scope.order_by("-id").offset(offset).limit(query.limit + 1).prefetch_related("owner")
    more = len(rows) > query.limit
    return {"terms": [], "items": await _views(rows[: query.limit], claims),
            "next_cursor": search.encode_cursor(offset + query.limit) if more else None}


async def order_owner(settings: Settings, claims: AccessClaims, achievement_id: int, body) -> dict:
    """A requester orders the achievement's owner: an ordinary order, with the owner as the wished-for expert."""
    from backend.services import orders

    achievement = await _visible(claims, achievement_id)
    if achievement.status != "published":
        raise NotFound(NOT_FOUND, code="achievement_not_found")
    placed = await orders.place_order(settings, claims, body)
    await AchievementOrder.create(achievement_id=achievement.id, order_id=placed["id"],
                                  preferred_expert_id=achievement.owner_id)
    placed["achievement"] = {"id": achievement.id, "title": achievement.title,
                             "preferred_expert_id": achievement.owner_id, "preferred_expert_name": achievement.owner.name}
    return placed
