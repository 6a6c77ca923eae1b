"""Access tokens (JWT) and rotating refresh tokens (opaque, kept in Redis).

Access tokens are short-lived HS256 JWTs carrying a key id, so keys can be
rotated: the first configured key signs, every configured key verifies.
The algorithm is pinned; a token naming another algorithm is refused.

Refresh tokens are `<family>.<secret>`. A family is one login on one device.
Redis holds, per family, the hash of the only refresh token currently
valid. Presenting it rotates it atomically; presenting an older one means
the token leaked (or was replayed), so the whole family is revoked.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

import jwt
import redis.asyncio as aioredis

from backend.errors import RefreshTokenReused, TokenExpired, TokenInvalid
from backend.infra import keys
from backend.infra.jwt_header import secret_for, unverified_header

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    role: str
    region_code: str | None
    family: str


class AccessTokenCodec:
    # Verified tokens kept per worker: a phone sends the same token with every call for its 15 minutes,
    # and checking the signature and claims again each time was a tenth of a check-in's CPU.
    CACHE_SIZE = 4096

    def __init__(self, signing_keys: list[tuple[str, str]], ttl: int) -> None:
        self._keys = dict(signing_keys)
        self._signing_kid, self._signing_secret = signing_keys[0]
        self.ttl = ttl
        self._verified: dict[str, tuple[AccessClaims, int]] = {}

    def issue(self, user_id: int, role: str, region_code: str | None, family: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        payload = {
            "sub": str(user_id),
            "role": role,
            "region": region_code,
            "fam": family,
            "typ": "access",
            "iat": int(now),
            "exp": int(now) + self.ttl,
        }
        return jwt.encode(payload, self._signing_secret, algorithm=ALGORITHM, headers={"kid": self._signing_kid})

    def verify(self, token: str, now: float | None = None) -> AccessClaims:
        """The token's claims. A token verified before is looked up, and still refused once expired."""
        current = time.time() if now is None else now
        known = self._verified.get(token)
        if known is not None:
            claims, expires = known
            if current < expires:
                return claims
            del self._verified[token]
            raise TokenExpired()
        claims, expires = self._verify(token)
        if current >= expires:
            raise TokenExpired()
        if len(self._verified) >= self.CACHE_SIZE:
            # Oldest first: dicts keep insertion order.
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (claims, expires)
        return claims

    def _verify(self, token: str) -> tuple[AccessClaims, int]:
        header = unverified_header(token)
        if header is None:
            raise TokenInvalid()
        if header.get("alg") != ALGORITHM:
            raise TokenInvalid("登录凭证的签名算法不被接受，请重新登录")
        secret = secret_for(header, self._keys)
        if secret is None:
            raise TokenInvalid()
        try:
            payload = jwt.decode(
                token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat", "sub"]}
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpired() from exc
        except jwt.PyJWTError as exc:
            raise TokenInvalid() from exc
        if payload.get("typ") != "access":
            raise TokenInvalid()
        try:
            user_id = int(payload["sub"])
        except (TypeError, ValueError) as exc:
            raise TokenInvalid() from exc
        return AccessClaims(user_id, payload.get("role", ""), payload.get("region"), payload.get("fam", "")), \
            int(payload["exp"])


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Compare-and-swap in one round trip: rotate when the presented hash is the
# current one; revoke the family when it is an older one.
_ROTATE = """
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing', ''} end
local state = cjson.decode(raw)
if state['h'] ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'reused', raw}
end
state['h'] = ARGV[2]
redis.call('SET', KEYS[1], cjson.encode(state), 'EX', tonumber(ARGV[3]))
return {'ok', cjson.encode(state)}
"""


@dataclass(frozen=True)
class RefreshState:
    family: str
    user_id: int


class RefreshTokenStore:
    def __init__(self, redis: aioredis.Redis, ttl: int) -> None:
        self._redis = redis
        self._ttl = ttl
        self._rotate = redis.register_script(_ROTATE)

    async def start(self, user_id: int) -> tuple[str, str]:
        """Open a new login family; returns (family, refresh token)."""
        family = secrets.token_urlsafe(12)
        secret = secrets.token_urlsafe(32)
        key = keys.refresh_family(family, self._ttl)
        index = keys.user_families(user_id)
        state = json.dumps({"h": _digest(secret), "u": user_id})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key.name, state, ex=key.ttl)
            pipe.sadd(index.name, family)
            await pipe.execute()
        return family, f"{family}.{secret}"

    async def rotate(self, token: str) -> tuple[RefreshState, str]:
        """Exchange a refresh token for its successor; reuse revokes the family."""
        family, secret = _split(token)
        new_secret = secrets.token_urlsafe(32)
        key = keys.refresh_family(family, self._ttl)
        outcome, raw = await self._rotate(
            keys=[key.name], args=[_digest(secret), _digest(new_secret), key.ttl]
        )
        if outcome == "missing":
            raise TokenInvalid("登录已失效，请重新登录")
        state = json.loads(raw)
        if outcome == "reused":
            await self._redis.srem(keys.user_families(state["u"]).name, family)
            raise RefreshTokenReused()
        return RefreshState(family, int(state["u"])), f"{family}.{new_secret}"

    async def revoke(self, token: str) -> int | None:
        """End the login the token belongs to; returns its user id if it was live."""
        family, secret = _split(token)
        key = keys.refresh_family(family, self._ttl)
        raw = await self._redis.get(key.name)
        if raw is None:
            return None
        state = json.loads(raw)
        if state["h"] != _digest(secret):
            return None
        await self._redis.delete(key.name)
        await self._redis.srem(keys.user_families(state["u"]).name, family)
        return int(state["u"])

    async def is_live(self, family: str) -> bool:
        return bool(await self._redis.exists(keys.refresh_family(family, self._ttl).name))


def _split(token: str) -> tuple[str, str]:
    family, sep, secret = (token or "").partition(".")
    if not sep or not family or not secret or len(token) > 200:
        raise TokenInvalid("登录凭证无效，请重新登录")
    return family, secret
