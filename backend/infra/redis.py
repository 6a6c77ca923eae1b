"""The Redis client: a real server through redis.asyncio, or fakeredis when none is configured."""

from __future__ import annotations

import redis.asyncio as aioredis

from backend.config import Settings


def build_redis(settings: Settings, fake_server: object | None = None) -> aioredis.Redis:
    """One client per worker.

    A BlockingConnectionPool makes callers wait for a free connection
    instead of opening ever more of them; a plain pool collapses under load.
    """
    if settings.uses_fake_redis:
        import fakeredis

        return fakeredis.aioredis.FakeRedis(server=fake_server or fakeredis.FakeServer(), decode_responses=True)
    pool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=5,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
        decode_responses=True,
    )
    return aioredis.Redis(connection_pool=pool)
