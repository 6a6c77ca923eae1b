"""基层反向评价 and 回访: the requester rates each visit, and poor or missing ratings are followed up.

The rating is the gate on the hours: a visit counts in the ledger once it is
rated 3 or more and not flagged. A low rating, or none within seven days,
puts the visit in the local admin's follow-up queue, where the admin records
what they learned and approves or withholds the hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import regions
from backend.domain.roles import Role, scope_admits
from backend.domain.visits import PASSING_RATING
from backend.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.infra.clock import CHINA, now
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, FollowUp, Order, Rating, Visit
from backend.services import ledger
from backend.services.notifications import Event, notify, page_for
from backend.services.orders import local_admin_ids
from backend.services.queues import first_of_queue

EDIT_WINDOW = timedelta(hours=24)
REMIND_AFTER = timedelta(days=1)
FOLLOW_UP_AFTER = timedelta(days=7)
SOLVED_LABELS = {"solved": "已解决", "partly": "部分解决", "unsolved": "未解决"}


def rating_view(rating: Rating) -> dict:
    return {
        "visit_id": rating.visit_id, "order_id": rating.order_id, "overall": rating.overall,
        "attitude": rating.attitude, "expertise": rating.expertise, "solved": rating.solved,
        "solved_label": SOLVED_LABELS[rating.solved], "comment": rating.comment, "photo_ids": rating.photo_ids,
        "editable_until": rating.editable_until.isoformat(), "created_at": rating.created_at.isoformat(),
    }


async def _rateable_visit(claims: AccessClaims, visit_id: int) -> tuple[Visit, Order]:
    """The visit, if the caller is the requester of its order; otherwise it does not exist for them."""
    visit = await Visit.get_or_none(id=visit_id)
    order = await Order.get_or_none(id=visit.order_id) if visit else None
    if visit is None or order is None or claims.role != Role.REQUESTER or order.requester_id != claims.user_id:
        raise NotFound("找不到该服务记录", code="visit_not_found")
    if visit.check_out_at is None:
        raise Conflict("专家签退后才能评价", code="visit_open", extra={"current_status": visit.status})
    if visit.status == "rejected":
        raise Conflict("该服务记录未通过核实，无需评价", code="visit_rejected", extra={"current_status": visit.status})
    return visit, order


async def _audit(claims: AccessClaims, action: str, visit: Visit, order: Order, conn, detail: dict) -> None:
    await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role, action=action,
                             subject_type="visit", subject_id=str(visit.id), region_code=order.region_code,
                             detail=detail)


async def _photos(claims: AccessClaims, photo_ids: list[str]) -> list[str]:
    if not photo_ids:
        return []
    from backend.services.uploads import attach_uploads

    return [str(upload.id) for upload in await attach_uploads(claims.user_id, photo_ids, "rating_photo")]


async def _open_follow_up(settings: Settings, visit: Visit, order: Order, reason: str, conn) -> None:
    try:
        follow_up = await FollowUp.create(using_db=conn, visit_id=visit.id, order_id=order.id,
                                          region_code=order.region_code, reason=reason)
    except IntegrityError:
        return  # already in the queue
    admins = await local_admin_ids(order.region_code)
    if admins:
        text = "需求方给出低分评价，请回访" if reason == "low_rating" else "服务结束 7 天仍未评价，请回访"
        await notify(admins, Event.FOLLOW_UP, order_id=order.id, body=text, data={"order_id": order.id},
                     page=page_for(Event.FOLLOW_UP, order.id), dedupe_key=f"follow-up:{follow_up.id}",
                     using_db=conn, settings=settings)


async def rate(settings: Settings, claims: AccessClaims, visit_id: int, data) -> dict:
    """One rating per visit, by the requester of the order, after check-out."""
    visit, order = await _rateable_visit(claims, visit_id)
    photos = await _photos(claims, data.photos)
    try:
        async with in_transaction() as conn:
            rating = await Rating.create(
                using_db=conn, visit_id=visit.id, order_id=order.id, rater_id=claims.user_id,
                overall=data.overall, attitude=data.attitude, expertise=data.expertise, solved=data.solved,
                comment=data.comment.strip(), photo_ids=photos, region_code=order.region_code,
                expert_id=visit.expert_id, editable_until=now() + EDIT_WINDOW,
            )
            if data.overall < PASSING_RATING:
                await _open_follow_up(settings, visit, order, "low_rating", conn)
            await ledger.record_visit(visit, conn)
            await _audit(claims, "rating_given", visit, order, conn, {"overall": data.overall})
    except IntegrityError:
        raise Conflict("这次服务已经评价过了，可在 24 小时内修改", code="already_rated") from None
    return rating_view(rating)


async def edit_rating(settings: Settings, claims: AccessClaims, visit_id: int, data) -> dict:
    """A rating may be changed for 24 hours; raising a low score closes the follow-up it opened."""
    visit, order = await _rateable_visit(claims, visit_id)
    rating = await Rating.get_or_none(visit_id=visit.id)
    if rating is None:
        raise NotFound("还没有评价", code="rating_not_found")
    if now() > rating.editable_until:
        raise Conflict("评价超过 24 小时，不能再修改", code="rating_locked")
    photos = await _photos(claims, data.photos)
    async with in_transaction() as conn:
        await Rating.filter(id=rating.id).using_db(conn).update(
            overall=data.overall, attitude=data.attitude, expertise=data.expertise, solved=data.solved,
            comment=data.comment.strip(), photo_ids=photos)
        follow_up = await FollowUp.filter(visit_id=visit.id, status="open").using_db(conn).first()
        if data.overall < PASSING_RATING and follow_up is None:
            await _open_follow_up(settings, visit, order, "low_rating", conn)
        elif data.overall >= PASSING_RATING and follow_up is not None and follow_up.reason == "low_rating":
            await FollowUp.filter(id=follow_up.id).using_db(conn).update(
                status="closed", decision="approve", outcome="需求方在修改期内改为满意评价", closed_at=now())
        await ledger.record_visit(visit, conn)
        await _audit(claims, "rating_changed", visit, order, conn,
                     {"overall": {"from": rating.overall, "to": data.overall}})
        rating = await Rating.get(id=rating.id).using_db(conn)
    return rating_view(rating)


async def order_visits(claims: AccessClaims, order_id: int) -> list[dict]:
    """The requester's view of an order's visits: when, how long, and whether they rated it."""
    order = await Order.get_or_none(id=order_id)
    if order is None or claims.role != Role.REQUESTER or order.requester_id != claims.user_id:
        raise NotFound("找不到该需求单，或您无权查看", code="order_not_found")
    visits = await Visit.filter(order_id=order.id).order_by("id").prefetch_related("expert")
    ratings = {r.visit_id: r for r in await Rating.filter(order_id=order.id)}
    return [
        {"id": v.id, "expert_name": v.expert.name, "status": v.status,
         "check_in_at": v.check_in_at.isoformat(),
         "check_out_at": v.check_out_at.isoformat() if v.check_out_at else None,
         "duration_minutes": v.duration_minutes,
         "rating": rating_view(ratings[v.id]) if v.id in ratings else None,
         "can_rate": v.check_out_at is not None and v.status != "rejected" and v.id not in ratings}
        for v in visits
    ]


async def awaiting_rating(order_id: int, since: datetime) -> int | None:
    """The newest checked-out, unrated visit of an order, for the code screen to turn into the rating form."""
    visit = await Visit.filter(order_id=order_id, check_out_at__gte=since, rating=None) \
        .exclude(status="rejected").order_by("-check_out_at").first()
    return visit.id if visit else None


# --------------------------------------------------------------------------- 回访


def follow_up_view(item: FollowUp) -> dict:
    return {"id": item.id, "visit_id": item.visit_id, "order_id": item.order_id, "reason": item.reason,
            "reason_label": "低分评价" if item.reason == "low_rating" else "逾期未评价", "status": item.status,
            "outcome": item.outcome, "decision": item.decision, "region_code": item.region_code,
            "created_at": item.created_at.isoformat(),
            "closed_at": item.closed_at.isoformat() if item.closed_at else None}


async def follow_ups(claims: AccessClaims, status: str | None) -> dict:
    """The area's 回访 (of one status when given), newest first, and how many there are."""
    query = FollowUp.filter(region_code__startswith=regions.prefix_of(claims.region_code))
    if status:
        if status not in ("open", "closed"):
            raise ValidationFailed(fields={"status": "只能是 open 或 closed"})
        query = query.filter(status=status)
    return await first_of_queue(query.order_by("-id"), follow_up_view)


async def close_follow_up(claims: AccessClaims, follow_up_id: int, outcome: str, approve: bool) -> dict:
    """The admin records what the 回访 found and whether the hours count."""
    item = await FollowUp.get_or_none(id=follow_up_id)
    if item is None or not scope_admits(claims.region_code, item.region_code):
        raise NotFound("找不到该回访事项", code="follow_up_not_found")
    if claims.role not in (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN):
        raise Forbidden()
    async with in_transaction() as conn:
        updated = await FollowUp.filter(id=item.id, status="open").using_db(conn).update(
            status="closed", outcome=outcome.strip(), decision="approve" if approve else "withhold",
            handled_by_id=claims.user_id, closed_at=now())
        if not updated:
            raise Conflict("该回访已处理", code="follow_up_closed", extra={"current_status": "closed"})
        visit = await Visit.get(id=item.visit_id).using_db(conn)
        await ledger.record_visit(visit, conn)
        await AuditRecord.create(using_db=conn, actor_id=claims.user_id, actor_role=claims.role,
                                 action="follow_up_closed", subject_type="visit", subject_id=str(visit.id),
                                 region_code=item.region_code, to_state="approve" if approve else "withhold",
                                 reason=outcome.strip())
        item = await FollowUp.get(id=item.id).using_db(conn)
    return follow_up_view(item)


# A visit rated, followed up or rejected stays so: it is settled once, and the sweep reads only the rest
# through the partial index visit_feedback_unsettled (migration 0011 settled the visits before it).
SETTLE = """
UPDATE visit SET feedback_settled = TRUE
WHERE feedback_settled = FALSE
  AND (status = 'rejected'
       OR EXISTS (SELECT 1 FROM rating r WHERE r.visit_id = visit.id)
       OR EXISTS (SELECT 1 FROM follow_up f WHERE f.visit_id = visit.id))
"""


async def sweep_ratings(settings: Settings, at: datetime | None = None) -> dict:
    """Remind requesters a day after a visit; after a week without a rating, queue a follow-up."""
    at = (at or now()).astimezone(CHINA)
    await connections.get("default").execute_query(SETTLE)
    counts = {"rating_reminders": 0, "followed_up": 0}
    # Rated or followed up since the statement above: still checked here, so the passes never need the flag.
    unrated = Visit.filter(feedback_settled=False, check_out_at__isnull=False, rating=None, follow_up=None) \
        .exclude(status="rejected")
    # Counted from when the server learned of the visit too: an offline visit uploaded days late
    # gets the same week to be rated as any other.
    for visit in await unrated.filter(check_out_at__lte=at - FOLLOW_UP_AFTER, created_at__lte=at - FOLLOW_UP_AFTER) \
            .limit(500):
        order = await Order.get(id=visit.order_id)
        async with in_transaction() as conn:
            await _open_follow_up(settings, visit, order, "no_rating", conn)
            await ledger.record_visit(visit, conn)
        counts["followed_up"] += 1
    due = unrated.filter(check_out_at__lte=at - REMIND_AFTER, created_at__lte=at - REMIND_AFTER,
                         rating_reminded_at__isnull=True)
    for visit in await due.limit(500):
        async with in_transaction() as conn:
            claimed = await Visit.filter(id=visit.id, rating_reminded_at__isnull=True).using_db(conn) \
                .update(rating_reminded_at=at)
            if claimed:
                order = await Order.get(id=visit.order_id).using_db(conn)
                await notify([order.requester_id], Event.RATE_VISIT, order_id=order.id,
                             body="专家的服务已结束，请花一分钟为这次服务评价", data={"order_id": order.id},
                             page=page_for(Event.RATE_VISIT, order.id), dedupe_key=f"rate:{visit.id}",
                             using_db=conn, settings=settings)
                counts["rating_reminders"] += claimed
    return counts
