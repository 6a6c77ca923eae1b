"""What a scrape reads at the moment it happens: outbox backlog and connection pool use."""

from __future__ import annotations

import logging

from tortoise import connections
from tortoise.functions import Count

from backend.infra import db, metrics
from backend.infra.resources import Resources
from backend.models import OutboxMessage

log = logging.getLogger("backend.metrics")


async def refresh_gauges(res: Resources) -> None:
    """Update the point-in-time gauges; a dependency that is down leaves its gauge as it was."""
    try:
        rows = await OutboxMessage.all().group_by("status").annotate(n=Count("id")).values_list("status", "n")
        counts = dict(rows)
        for status in ("pending", "sent", "dead"):
            metrics.OUTBOX_BACKLOG.labels(status).set(counts.get(status, 0))
    except Exception as exc:  # the scrape must still answer when the database is down
        log.warning("metrics: outbox backlog unavailable: %s", type(exc).__name__)
    pool = getattr(res.redis, "connection_pool", None)
    in_use = getattr(pool, "_in_use_connections", None)
    if in_use is not None:
        metrics.POOL_IN_USE.labels("redis").set(len(in_use))
    for label, db_pool in (("database", getattr(connections.get("default"), "_pool", None)),
                           ("statements", db.statement_pool())):
        if db_pool is not None and hasattr(db_pool, "get_size"):
            metrics.POOL_IN_USE.labels(label).set(db_pool.get_size() - db_pool.get_idle_size())


def may_scrape(settings, headers, ip: str) -> bool:
    """Scrapes carry the metrics token, or come from this machine without passing through the proxy."""
    if settings.metrics_token:
        return headers.get("authorization", "") == f"Bearer {settings.metrics_token}"
    return ip in ("127.0.0.1", "::1") and "x-real-ip" not in headers and "x-forwarded-for" not in headers
