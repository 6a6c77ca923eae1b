"""What a scrape reads at the moment it happens: outbox backlog and connection pool use."""

from __future__ import annotations

import logging

from tortoise import connections

from backend.infra import db, metrics
from backend.infra.resources import Resources
from backend.models import OutboxMessage
from backend.services.outbox import DEAD, PENDING

log = logging.getLogger("backend.metrics")


async def refresh_gauges(res: Resources) -> None:
    """Update the point-in-time gauges; a dependency that is down leaves its gauge as it was."""
    try:
        # One count per status, each read from its partial index: sent messages are neither indexed nor counted
        # here (zjfw_outbox_deliveries_total counts sends as they happen).
        for status in (PENDING, DEAD):
            metrics.OUTBOX_BACKLOG.labels(status).set(await OutboxMessage.filter(status=status).count())
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
