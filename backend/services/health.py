"""Readiness: does each dependency answer right now?"""

from __future__ import annotations

import asyncio
import logging

from backend.infra.db import ping_database
from backend.infra.resources import Resources

log = logging.getLogger("backend.health")
PROBE_TIMEOUT = 2.0


async def _probe(name: str, check) -> str | None:
    try:
        await asyncio.wait_for(check(), PROBE_TIMEOUT)
    except Exception as exc:  # any failure means not ready; the reason goes to the caller
        log.warning("readiness: %s unavailable (%s)", name, type(exc).__name__)
        return f"{type(exc).__name__}"
    return None


async def readiness(resources: Resources) -> dict:
    """{'status': 'ready'|'unavailable', 'checks': {name: 'ok'|reason}}."""
    database, redis = await asyncio.gather(
        _probe("database", ping_database),
        _probe("redis", resources.redis.ping),
    )
    checks = {
        "database": "ok" if database is None else f"数据库不可用：{database}",
        "redis": "ok" if redis is None else f"Redis 不可用：{redis}",
    }
    status = "ready" if database is None and redis is None else "unavailable"
    return {"status": status, "checks": checks}
