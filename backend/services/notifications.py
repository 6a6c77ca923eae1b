"""Telling people what happened: the message centre, and WeChat subscribe messages through the outbox.

`notify` writes in the caller's transaction: pass the transaction's
connection as `using_db`, so a transition that rolls back tells nobody
and one that commits always has its WeChat message queued. The outbox
drain (`backend.services.outbox`) sends the queued messages later, so a
slow or failing WeChat never holds up or undoes the transition itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.infra import clock
from backend.api import pagination
from backend.config import Settings, default_settings
from backend.errors import NotFound
from backend.models import Notification, OutboxMessage, User

MAX_PAGE = 50
DEFAULT_PAGE = 20
WECHAT_SUBSCRIBE = "wechat_subscribe"
# The column holds 160: room for the per-person suffix.
MAX_DEDUPE_KEY = 128


@dataclass(frozen=True)
class EventSpec:
    title: str
    # The Settings field holding the subscribe-message template id this event is sent with.
    template_setting: str


class Event(StrEnum):
    """What people wait to hear about, one value per kind of news."""

    NEW_ORDER = "new_order"  # 属地管理员: 有新需求待受理
    ORDER_ACCEPTED = "order_accepted"  # 需求方: 已受理
    ORDER_RETURNED = "order_returned"  # 需求方: 需补充信息
    ORDER_REJECTED = "order_rejected"  # 需求方: 不予受理
    ORDER_CANCELLED = "order_cancelled"  # 专家: 需求方已撤销
    ORDER_DISPATCHED = "order_dispatched"  # 需求方: 已派单
    ASSIGNED = "assigned"  # 专家 / 团长 / 团员: 收到新任务
    ORDER_RECALLED = "order_recalled"  # 专家: 派给自己的任务已撤回或转派
    ORDER_CLAIMED = "order_claimed"  # 派单管理员: 有专家揭榜，待确认
    CLAIM_CONFIRMED = "claim_confirmed"  # 揭榜专家: 揭榜已确认
    CLAIM_REOPENED = "claim_reopened"  # 揭榜专家: 未获确认，重新发榜
    EXPERT_ACCEPTED = "expert_accepted"  # 需求方 / 管理员: 专家已接单
    EXPERT_DECLINED = "expert_declined"  # 派单管理员: 专家婉拒，需重新派单
    REMINDER = "reminder"  # 责任人: 催办，已超时或即将超时
    RATE_VISIT = "rate_visit"  # 需求方: 请为刚结束的服务评价
    FOLLOW_UP = "follow_up"  # 属地管理员: 低分或未评价，需回访

    @property
    def title(self) -> str:
        return EVENTS[self].title

    def template_id(self, settings: Settings) -> str:
        return getattr(settings, EVENTS[self].template_setting)


EVENTS: dict[Event, EventSpec] = {
    Event.NEW_ORDER: EventSpec("有新的服务需求待受理", "template_assignment"),
    Event.ORDER_ACCEPTED: EventSpec("您的需求已受理", "template_order_update"),
    Event.ORDER_RETURNED: EventSpec("您的需求需要补充信息", "template_order_update"),
    Event.ORDER_REJECTED: EventSpec("您的需求未予受理", "template_order_update"),
    Event.ORDER_CANCELLED: EventSpec("需求方已撤销需求", "template_order_update"),
    Event.ORDER_DISPATCHED: EventSpec("您的需求已派单", "template_order_update"),
    Event.ASSIGNED: EventSpec("您收到一项新的服务任务", "template_assignment"),
    Event.ORDER_RECALLED: EventSpec("派给您的任务已撤回", "template_order_update"),
    Event.ORDER_CLAIMED: EventSpec("有专家揭榜，待您确认", "template_assignment"),
    Event.CLAIM_CONFIRMED: EventSpec("您的揭榜已确认", "template_assignment"),
    Event.CLAIM_REOPENED: EventSpec("揭榜未获确认，任务已重新发榜", "template_assignment"),
    Event.EXPERT_ACCEPTED: EventSpec("专家已接单", "template_order_update"),
    Event.EXPERT_DECLINED: EventSpec("专家未接单，需重新派单", "template_order_update"),
    Event.REMINDER: EventSpec("催办：有待您处理的事项", "template_reminder"),
    Event.RATE_VISIT: EventSpec("请为专家的服务评价", "template_reminder"),
    Event.FOLLOW_UP: EventSpec("有服务需要回访", "template_reminder"),
}

# Where a tap on the message lands, by who receives each event (mini-program routes).
REQUESTER_ORDER_PAGE = "pages/requester/order-detail/index?id={order_id}"
EXPERT_TASK_PAGE = "pages/expert/task/index?id={order_id}"
ADMIN_ORDER_PAGE = "pages/admin/order/index?id={order_id}"
EVENT_PAGES = {
    Event.ORDER_ACCEPTED: REQUESTER_ORDER_PAGE,
    Event.ORDER_RETURNED: REQUESTER_ORDER_PAGE,
    Event.ORDER_REJECTED: REQUESTER_ORDER_PAGE,
    Event.ORDER_DISPATCHED: REQUESTER_ORDER_PAGE,
    Event.EXPERT_ACCEPTED: REQUESTER_ORDER_PAGE,
    Event.ASSIGNED: EXPERT_TASK_PAGE,
    Event.ORDER_RECALLED: EXPERT_TASK_PAGE,
    Event.CLAIM_CONFIRMED: EXPERT_TASK_PAGE,
    Event.CLAIM_REOPENED: EXPERT_TASK_PAGE,
    Event.ORDER_CANCELLED: EXPERT_TASK_PAGE,
    Event.NEW_ORDER: ADMIN_ORDER_PAGE,
    Event.ORDER_CLAIMED: ADMIN_ORDER_PAGE,
    Event.EXPERT_DECLINED: ADMIN_ORDER_PAGE,
    Event.REMINDER: ADMIN_ORDER_PAGE,
    Event.RATE_VISIT: REQUESTER_ORDER_PAGE,
    Event.FOLLOW_UP: ADMIN_ORDER_PAGE,
}


def page_for(event: Event, order_id: int) -> str:
    """The mini-program page that shows this event's order to the person it is sent to."""
    return EVENT_PAGES[event].format(order_id=order_id)



def _unique(user_ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(user_id) for user_id in user_ids))


def _per_person(dedupe_key: str | None, user_id: int) -> str | None:
    return f"{dedupe_key}:u{user_id}" if dedupe_key else None


async def notify(
    user_ids: Iterable[int],
    event: Event,
    *,
    order_id: int | None = None,
    body: str,
    data: Mapping[str, Any],
    page: str | None = None,
    dedupe_key: str | None = None,
    using_db: BaseDBAsyncClient | None = None,
    settings: Settings | None = None,
) -> int:
    """Tell each user about `event`: one message-centre entry each, one WeChat message for those with an openid.

    `data` is the subscribe template's fields (e.g. {"thing1": "果树病虫害诊断", "time2": "2025-10-09 09:00"}).
    With a `dedupe_key` (e.g. f"order:{id}:reminder:{deadline:%Y%m%d}") a user already told is skipped.
    Pass `settings=res.settings` where you have them: the template ids come from there,
    otherwise from the environment.
    Returns how many people were newly told (a concurrent duplicate run may make this an over-count).
    """
    if dedupe_key and len(dedupe_key) > MAX_DEDUPE_KEY:
        # Truncating would make different events collide: this is a programming error, not user input.
        raise ValueError(f"dedupe_key is longer than {MAX_DEDUPE_KEY} characters")
    ids = _unique(user_ids)
    if not ids:
        return 0
    users = await User.filter(id__in=ids).using_db(using_db).values("id", "openid", "is_active")
    known = {row["id"]: row for row in users}
    targets = [user_id for user_id in ids if user_id in known]
    if dedupe_key:
        wanted = [_per_person(dedupe_key, user_id) for user_id in targets]
        told = set(
            await Notification.filter(dedupe_key__in=wanted).using_db(using_db).values_list("dedupe_key", flat=True)
        )
        targets = [user_id for user_id in targets if _per_person(dedupe_key, user_id) not in told]
    if not targets:
        return 0
    title = event.title
    now = clock.now()
    notifications = [
        Notification(user_id=user_id, event=event.value, title=title, body=body[:500], order_id=order_id,
                     dedupe_key=_per_person(dedupe_key, user_id))
        for user_id in targets
    ]
    template_id = event.template_id(settings or default_settings())
    messages = [
        OutboxMessage(
            kind=WECHAT_SUBSCRIBE,
            payload={"openid": known[user_id]["openid"], "template_id": template_id, "data": dict(data), "page": page},
            next_attempt_at=now,
            dedupe_key=_per_person(dedupe_key, user_id),
        )
        for user_id in targets
        if known[user_id]["openid"] and known[user_id]["is_active"]
    ]
    # ignore_conflicts: a concurrent run that got there first wins quietly instead of aborting the caller.
    await Notification.bulk_create(notifications, ignore_conflicts=bool(dedupe_key), using_db=using_db)
    if messages:
        await OutboxMessage.bulk_create(messages, ignore_conflicts=bool(dedupe_key), using_db=using_db)
    return len(notifications)


# --- message centre ------------------------------------------------------

def _encode_cursor(notification_id: int) -> str:
    return pagination.encode_cursor("n", notification_id)


def _decode_cursor(cursor: str) -> int:
    return pagination.decode_cursor("n", cursor)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def public_view(notification: Notification) -> dict:
    return {
        "id": notification.id,
        "event": notification.event,
        "title": notification.title,
        "body": notification.body,
        "order_id": notification.order_id,
        "created_at": _iso(notification.created_at),
        "read": notification.read_at is not None,
        "read_at": _iso(notification.read_at),
    }


async def list_for(user_id: int, cursor: str | None = None, limit: int = DEFAULT_PAGE,
                   unread_only: bool = False) -> dict:
    """A page of the user's notifications, newest first, and the cursor of the next page (None at the end)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = Notification.filter(user_id=user_id)
    if unread_only:
        query = query.filter(read_at__isnull=True)
    if cursor:
        query = query.filter(id__lt=_decode_cursor(cursor))
    # Ids only grow, so ordering by id is newest first and gives a stable cursor even when times tie.
    rows = await query.order_by("-id").limit(limit + 1)
    page = rows[:limit]
    next_cursor = _encode_cursor(page[-1].id) if len(rows) > limit else None
    return {"items": [public_view(row) for row in page], "next_cursor": next_cursor}


async def unread_count(user_id: int) -> int:
    return await Notification.filter(user_id=user_id, read_at__isnull=True).count()


async def mark_read(user_id: int, notification_id: int) -> None:
    """Mark one of the user's own notifications read; someone else's is reported as not found."""
    updated = await Notification.filter(id=notification_id, user_id=user_id, read_at__isnull=True).update(
        read_at=clock.now()
    )
    if not updated and not await Notification.exists(id=notification_id, user_id=user_id):
        raise NotFound("找不到该消息", code="notification_not_found")


async def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return await Notification.filter(user_id=user_id, read_at__isnull=True).update(read_at=clock.now())


__all__ = ["EVENTS", "Event", "list_for", "mark_all_read", "mark_read", "notify", "unread_count"]
