"""The outbox drain: sends the WeChat messages that committed transactions queued.

Claiming
    A drain claims up to `batch` due messages in one short transaction and
    pushes their `next_attempt_at` a lease ahead, then sends them outside
    any transaction (an HTTP call must not hold row locks or a pooled
    connection). On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP
    LOCKED``, so two workers draining at once never pick the same row.
    On SQLite (one process) a plain select is enough. A worker that dies
    after claiming leaves its messages pending; they become due again when
    the lease runs out and are sent then (at least once, never lost).

Outcomes
    Sent → ``sent``. WeChat refused (43101: the user has not subscribed) →
    ``dead`` at once: retrying cannot help. WeChat busy, rate limited or
    timing out → back off (30 s × 2^(attempts-1), at most an hour) until
    ``outbox_max_attempts``, then ``dead``. ``last_error`` holds an error
    code or exception type only. `drain` never raises: it runs in a loop.

Retention
    `purge` deletes sent and dead messages once they are ``outbox_keep_days``
    old: each holds its recipient's openid, and the message centre
    (`Notification`, which also carries the dedupe keys that stop a
    person being told twice) is the record of what people were told.
    Pending messages are never purged.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from tortoise.timezone import localtime
from tortoise.transactions import in_transaction

from backend.errors import WeChatRateLimited, WeChatUnavailable
from backend.infra import clock, metrics
from backend.infra.wechat.gateway import WeChatMessageRefused
from backend.models import OutboxMessage

log = logging.getLogger(__name__)

PENDING = "pending"
SENT = "sent"
DEAD = "dead"
WECHAT_SUBSCRIBE = "wechat_subscribe"

# Longer than the slowest batch (50 sends that each time out) so a live drain never loses its claim.
LEASE = timedelta(minutes=5)
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try, after `attempts` failed ones."""
    return timedelta(seconds=min(BASE_DELAY_SECONDS * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS))


def due(now: datetime, batch: int, conn):
    """The claim's query: up to `batch` pending messages due at `now`, oldest first (index outbox_message_due)."""
    query = (
        OutboxMessage.filter(status=PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(batch)
        .using_db(conn)
    )
    if conn.capabilities.dialect == "postgres":
        query = query.select_for_update(skip_locked=True)
    return query


async def _claim(now: datetime, batch: int) -> list[OutboxMessage]:
    async with in_transaction() as conn:
        messages = await due(now, batch, conn)
        if messages:
            await OutboxMessage.filter(id__in=[m.id for m in messages]).using_db(conn).update(
                next_attempt_at=now + LEASE
            )
    return messages


async def _send(resources: Any, message: OutboxMessage) -> None:
    payload = message.payload or {}
    if message.kind != WECHAT_SUBSCRIBE:
        raise _Undeliverable("unknown_kind")
    if not payload.get("openid") or not payload.get("template_id"):
        raise _Undeliverable("invalid_payload")
    # The gateway may fetch a token and retry once: allow for three calls before giving up on it.
    timeout = resources.settings.wechat_timeout * 3 + 1
    await asyncio.wait_for(
        resources.wechat.send_subscribe_message(
            payload["openid"], payload["template_id"], payload.get("data") or {}, page=payload.get("page")
        ),
        timeout=timeout,
    )


class _Undeliverable(Exception):
    """The message itself is wrong: no retry can send it."""


async def _deliver(resources: Any, message: OutboxMessage, now: datetime) -> str:
    """Send one claimed message and record the outcome; returns "sent", "retried" or "dead"."""
    attempts = message.attempts + 1
    changes: dict[str, Any]
    try:
        await _send(resources, message)
    except (WeChatMessageRefused, _Undeliverable) as exc:
        error = exc.code if isinstance(exc, WeChatMessageRefused) else str(exc)
        log.info("outbox message %s is undeliverable: %s", message.id, error)
        changes = {"status": DEAD, "last_error": error}
    except Exception as exc:
        if isinstance(exc, (WeChatUnavailable, WeChatRateLimited)):
            error = exc.code
        elif isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
            error = "timeout"
        else:
            # A bug, not WeChat: keep the traceback (our own frames, no secrets) for a human.
            log.exception("outbox message %s: unexpected error while sending", message.id)
            error = type(exc).__name__
        if attempts >= resources.settings.outbox_max_attempts:
            log.warning("outbox message %s: giving up after %s attempts (%s)", message.id, attempts, error)
            changes = {"status": DEAD, "last_error": error}
        else:
            changes = {"next_attempt_at": now + backoff(attempts), "last_error": error}
    else:
        changes = {"status": SENT, "sent_at": now, "last_error": None}
    await OutboxMessage.filter(id=message.id).update(attempts=attempts, **changes)
    if changes.get("status") == SENT:
        return "sent"
    return "dead" if changes.get("status") == DEAD else "retried"


async def drain(resources: Any, *, now: datetime | None = None, batch: int = 50) -> dict:
    """Send the due pending messages; returns counts of claimed, sent, retried, dead and failed. Never raises."""
    now = localtime(now) if now else clock.now()
    result = {"claimed": 0, "sent": 0, "retried": 0, "dead": 0, "failed": 0}
    try:
        messages = await _claim(now, batch)
    except Exception as exc:
        log.warning("outbox: could not claim messages: %s", type(exc).__name__)
        result["failed"] += 1
        return result
    result["claimed"] = len(messages)
    for message in messages:
        try:
            outcome = await _deliver(resources, message, now)
        except Exception as exc:
            # Recording the outcome failed (database gone): the lease brings the message back later.
            log.warning("outbox message %s: could not record the outcome: %s", message.id, type(exc).__name__)
            result["failed"] += 1
        else:
            result[outcome] += 1
            metrics.OUTBOX_DELIVERIES.labels(outcome).inc()
    return result


async def purge(settings: Any, *, now: datetime | None = None, batch: int = 5000) -> int:
    """Delete the sent and dead messages older than `settings.outbox_keep_days`; returns how many went.

    Walks the primary key in batches, so each DELETE is short and the next one starts where it stopped.
    """
    now = localtime(now) if now else clock.now()
    cutoff = now - timedelta(days=settings.outbox_keep_days)
    done = (SENT, DEAD)
    deleted = 0
    after = 0
    while True:
        ids = await (OutboxMessage.filter(id__gt=after, status__in=done, created_at__lt=cutoff)
                     .order_by("id").limit(batch).values_list("id", flat=True))
        if ids:
            deleted += await OutboxMessage.filter(id__in=ids, status__in=done).delete()
            after = ids[-1]
        if len(ids) < batch:
            break
    if deleted:
        log.info("outbox: deleted %s sent or dead messages older than %s days", deleted, settings.outbox_keep_days)
    return deleted


__all__ = ["DEAD", "PENDING", "SENT", "backoff", "drain", "purge"]
