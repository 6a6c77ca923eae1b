"""Every Redis key and its lifetime, in one place.

Nothing else in the code base writes a key string: call these helpers.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "zjfw"


@dataclass(frozen=True)
class Key:
    name: str
    ttl: int | None  # seconds; None means the key does not expire by itself


def refresh_family(family: str, ttl: int) -> Key:
    """A login (one device's session): the hash of its one valid refresh token, user and role."""
    return Key(f"{PREFIX}:rf:{family}", ttl)


def user_families(user_id: int) -> Key:
    """The set of a user's live login families, so logout-everywhere can revoke them."""
    return Key(f"{PREFIX}:uf:{user_id}", None)


def rate_limit(bucket: str, subject: str, window: int, slot: int) -> Key:
    """A fixed-window counter for one action by one subject (openid, IP, user) in one window."""
    return Key(f"{PREFIX}:rl:{bucket}:{subject}:{slot}", window + 1)


def wechat_access_token(appid: str) -> Key:
    """The WeChat server-side access token, shared by every worker."""
    return Key(f"{PREFIX}:wx:at:{appid}", 7000)


def wechat_access_token_lock(appid: str) -> Key:
    """Held by the one worker that is refreshing the access token."""
    return Key(f"{PREFIX}:wx:atlock:{appid}", 10)


def sweeper_lock(name: str, ttl: int) -> Key:
    """Held by the one worker running a periodic job."""
    return Key(f"{PREFIX}:lock:{name}", ttl)


def readiness_probe() -> Key:
    return Key(f"{PREFIX}:ready", 5)


def checkin_code(jti: str, ttl: int) -> Key:
    """A check-in code already scanned: value is the expert who used it, so a retry finds its visit."""
    return Key(f"{PREFIX}:cc:{jti}", ttl)


def order_site(order_id: int, ttl: int) -> Key:
    """An order's site ("lat,lng") noted when a check-in code is issued, so the scan's one Redis call returns it."""
    return Key(f"{PREFIX}:site:{order_id}", ttl)


def idempotency(user_id: int, key: str) -> Key:
    """A client's Idempotency-Key: 'pending:<fingerprint>' while running, then the stored answer."""
    return Key(f"{PREFIX}:idem:{user_id}:{key}", 24 * 3600)


IDEMPOTENCY_PENDING_TTL = 60


def expert_import_progress(job_id: str) -> Key:
    """Rows written so far by a running expert import, as 'processed/total'.

    The job row cannot show it: the rows are written in one transaction, and
    an update of the job row inside it stays invisible until the end.
    """
    return Key(f"{PREFIX}:imp:{job_id}", 24 * 3600)
