"""The order sweeper: reminders, escalation and time-outs for orders past their deadline.

Runs in one worker at a time (periodic job under a Redis lock) and is
idempotent: reminders and escalations are claimed with a conditional
update before anyone is told, transitions are version-checked, and a
second run over the same orders changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import workdays
from backend.domain.order_flow import OrderStatus
from backend.errors import AppError
from backend.infra.clock import CHINA, now
from backend.models import Order
from backend.services import orders
from backend.services.notifications import Event, notify, page_for

log = logging.getLogger("backend.sweeper")

WAITING_FOR_ADMINS = {
    OrderStatus.SUBMITTED: "需求单已超过受理期限，请尽快受理",
    OrderStatus.ACCEPTED: "需求单已超过派单期限，请尽快派单",
}


async def _remind_then_escalate(settings: Settings, order: Order, at: datetime, counts: dict) -> None:
    """First the admins who should act; a working day later, the province above them."""
    message = WAITING_FOR_ADMINS[OrderStatus(order.status)]
    if order.status == OrderStatus.SUBMITTED:
        first = await orders.local_admin_ids(order.region_code)
    else:
        first = await orders.province_admin_ids(order.region_code)
        if settings.local_dispatch_allowed:
            first += await orders.local_admin_ids(order.region_code)
    if order.reminded_at is None:
        async with in_transaction() as conn:
            claimed = await Order.filter(id=order.id, version=order.version, reminded_at__isnull=True) \
                .using_db(conn).update(reminded_at=at)
            if claimed and first:
                await notify(first, Event.REMINDER, order_id=order.id, body=message, data={"order_id": order.id},
                             page=page_for(Event.REMINDER, order.id),
                             dedupe_key=f"order:{order.id}:v{order.version}:remind", using_db=conn)
            counts["reminded"] += claimed
        return
    if order.escalated_at is None and workdays.add_working_days(order.reminded_at, 1) <= at:
        above = await orders.province_admin_ids(order.region_code)
        async with in_transaction() as conn:
            claimed = await Order.filter(id=order.id, version=order.version, escalated_at__isnull=True) \
                .using_db(conn).update(escalated_at=at)
            if claimed and above:
                await notify(above, Event.REMINDER, order_id=order.id, body=f"【督办】{message}",
                             data={"order_id": order.id}, page=page_for(Event.REMINDER, order.id),
                             dedupe_key=f"order:{order.id}:v{order.version}:escalate", using_db=conn)
            counts["escalated"] += claimed


async def sweep(settings: Settings, at: datetime | None = None, batch: int = 500) -> dict:
    """Overdue orders, then rating reminders and follow-ups, in one pass; returns what it did.

    The server runs the two as separate periodic jobs (sweep_orders every minute, the ratings less often).
    """
    from backend.services.feedback import sweep_ratings

    counts = await sweep_orders(settings, at, batch)
    counts.update(await sweep_ratings(settings, at))
    return counts


async def sweep_orders(settings: Settings, at: datetime | None = None, batch: int = 500) -> dict:
    """One pass over up to `batch` overdue orders, oldest deadline first; returns what it did."""
    # One zone for every stored time: SQLite compares them as text.
    at = (at or now()).astimezone(CHINA)
    counts = {"reminded": 0, "escalated": 0, "timed_out": 0, "claims_expired": 0}
    # An order still waiting for its admins after the escalation has nothing left to send: left in, such
    # orders would fill every batch and newer overdue orders would never be reminded.
    overdue = await Order.filter(
        Q(status__in=[OrderStatus.DISPATCHED.value, OrderStatus.PUBLISHED.value])
        | Q(status__in=[status.value for status in WAITING_FOR_ADMINS], escalated_at__isnull=True),
        due_at__lte=at,
    ).order_by("due_at").limit(batch)
    for order in overdue:
        try:
            if order.status in WAITING_FOR_ADMINS:
                await _remind_then_escalate(settings, order, at, counts)
            elif order.status == OrderStatus.DISPATCHED:
                await orders.time_out_answer(settings, order.id)
                counts["timed_out"] += 1
            elif order.status == OrderStatus.PUBLISHED:
                await orders.expire_claim(settings, order.id)
                counts["claims_expired"] += 1
        except AppError as exc:
            # Someone acted on the order while we looked at it: nothing left to do.
            log.info("sweeper skipped order %s: %s", order.id, exc.code)
    return counts
