"""One Redis round trip per scan: count it against the caller's scan limit and consume the code.

Check-in and check-out are the hottest writes in the system (a whole county's
experts arrive at nine in the morning), so the rate limit and the code's
single use share one Lua script instead of two round trips. The limit is the
same fixed window `RateLimiter` keeps (same key), so other scans of the same
person (service bases) count against it too. The same call returns the order's
site as noted when its code was issued, so the geofence needs no read of the
order before the one statement that writes the visit.
"""

from __future__ import annotations

import time
from enum import StrEnum

import redis.asyncio as aioredis

from backend.errors import TooManyRequests
from backend.infra import keys

SCAN_BUCKET = "scan"

# KEYS[1] the rate-limit counter, KEYS[2] the code's key (absent when the code did not verify),
# KEYS[3] the order's noted site. ARGV: limit, counter ttl, holder, code ttl.
_ADMIT = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
if n > tonumber(ARGV[1]) then return {n, 'limited'} end
if not KEYS[2] then return {n, 'counted'} end
local site = false
if KEYS[3] then site = redis.call('GET', KEYS[3]) end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'EX', tonumber(ARGV[4])) then return {n, 'first', site} end
if redis.call('GET', KEYS[2]) == ARGV[3] then return {n, 'again', site} end
return {n, 'used', site}
"""

# Give a code back, but only if this holder still holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class CodeUse(StrEnum):
    FIRST = "first"  # nobody had used the code: it is now this caller's
    AGAIN = "again"  # this caller used it before: a retried scan
    USED = "used"  # somebody else used it


# Longer than a code lives: the requester's phone notes the site again with every code it fetches.
SITE_TTL = 15 * 60


def encode_site(latitude: float, longitude: float) -> str:
    return f"{latitude!r},{longitude!r}"


def decode_site(raw: bytes | str | None) -> tuple[float, float] | None:
    """The (latitude, longitude) `encode_site` wrote, or None when none was noted or it cannot be read."""
    if not raw:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    latitude, _, longitude = text.partition(",")
    try:
        return float(latitude), float(longitude)
    except ValueError:
        return None


class ScanGate:
    def __init__(self, redis: aioredis.Redis, window: int = 60) -> None:
        self._redis = redis
        self._admit = redis.register_script(_ADMIT)
        self._release = redis.register_script(_RELEASE)
        self.window = window

    async def admit(self, user_id: int, limit: int, jti: str | None, code_ttl: int, message: str | None = None,
                    *, site_of: int | None = None) -> tuple[CodeUse | None, tuple[float, float] | None]:
        """Count the scan; consume code `jti` for this user (no use when no code was given to consume).

        With `site_of`, also the site noted for that order when its code was issued (None if not noted).
        """
        slot = int(time.time()) // self.window
        counter = keys.rate_limit(SCAN_BUCKET, f"u{user_id}", self.window, slot)
        names = [counter.name]
        if jti:
            names.append(keys.checkin_code(jti, code_ttl).name)
            if site_of is not None:
                names.append(keys.order_site(site_of, SITE_TTL).name)
        _count, outcome, *rest = await self._admit(keys=names, args=[limit, counter.ttl, str(user_id), code_ttl])
        if outcome == "limited":
            retry_after = max(1, (slot + 1) * self.window - int(time.time()))
            raise TooManyRequests(retry_after, message)
        if outcome == "counted":
            return None, None
        return CodeUse(outcome), decode_site(rest[0] if rest else None)

    async def note_site(self, order_id: int, latitude: float, longitude: float) -> None:
        """Note the order's site as its code is issued (the site cannot change once codes are shown)."""
        key = keys.order_site(order_id, SITE_TTL)
        await self._redis.set(key.name, encode_site(latitude, longitude), ex=key.ttl)

    async def release(self, user_id: int, jti: str, code_ttl: int) -> None:
        """Hand back a code this user consumed but could not use (not theirs to scan)."""
        await self._release(keys=[keys.checkin_code(jti, code_ttl).name], args=[str(user_id)])
