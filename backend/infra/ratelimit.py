"""Fixed-window rate limits kept in Redis."""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from backend.errors import TooManyRequests
from backend.infra import keys


class RateLimiter:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def hit(self, bucket: str, subject: str, limit: int, window: int, message: str | None = None) -> None:
        """Count one attempt; raise TooManyRequests with Retry-After once over the limit."""
        slot = int(time.time()) // window
        key = keys.rate_limit(bucket, subject, window, slot)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key.name)
            pipe.expire(key.name, key.ttl)
            count, _ = await pipe.execute()
        if count > limit:
            retry_after = max(1, (slot + 1) * window - int(time.time()))
            raise TooManyRequests(retry_after, message)
