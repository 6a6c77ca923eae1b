"""Idempotency-Key: a retried POST (weak signal, a tap on 重试) is answered once and replayed after.

The mini-program sends the same key when it retries a submission. The first
request with a key runs; while it runs, a duplicate gets 409; afterwards,
duplicates get the stored answer with `Idempotent-Replayed: true`. A key
reused for a different request body is refused. Server errors (5xx) are not
stored, so the client can retry them.
"""

from __future__ import annotations

import hashlib
import re

from sanic import Request, Sanic
from sanic.response import HTTPResponse, raw

from backend.api.deps import caller
from backend.errors import AppError, Conflict, ValidationFailed
from backend.infra import jsonio, keys

HEADER = "idempotency-key"
_VALID = re.compile(r"^[A-Za-z0-9_.:-]{8,80}$")
_METHODS = {"POST", "PUT", "PATCH"}


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.body or b"")
    return digest.hexdigest()[:32]


def _user_id(request: Request) -> int | None:
    try:
        return caller(request).user_id
    except AppError:
        return None


def install(app: Sanic) -> None:
    @app.on_request
    async def replay_or_reserve(request: Request) -> HTTPResponse | None:
        given = request.headers.get(HEADER)
        if not given or request.method not in _METHODS:
            return None
        if not _VALID.match(given):
            raise ValidationFailed(fields={"Idempotency-Key": "格式不正确"})
        user_id = _user_id(request)
        if user_id is None:
            return None
        redis = request.app.ctx.resources.redis
        key = keys.idempotency(user_id, given)
        fingerprint = _fingerprint(request)
        if await redis.set(key.name, f"pending:{fingerprint}", nx=True, ex=keys.IDEMPOTENCY_PENDING_TTL):
            request.ctx.idempotency_key = key
            request.ctx.idempotency_fingerprint = fingerprint
            return None
        stored = await redis.get(key.name) or ""
        if stored.startswith("pending:"):
            raise Conflict("该请求正在处理中，请稍候", code="request_in_progress")
        answer = jsonio.loads(stored)
        if answer["fingerprint"] != fingerprint:
            raise ValidationFailed("Idempotency-Key 已用于另一个请求", code="idempotency_key_reused",
                                   fields={"Idempotency-Key": "已用于另一个请求"})
        return raw(answer["body"].encode(), status=answer["status"], content_type=answer["content_type"],
                   headers={"Idempotent-Replayed": "true"})

    @app.on_response
    async def remember(request: Request, response: HTTPResponse) -> None:
        key = getattr(request.ctx, "idempotency_key", None)
        if key is None:
            return
        redis = request.app.ctx.resources.redis
        if response.status >= 500:
            await redis.delete(key.name)
            return
        answer = {"fingerprint": request.ctx.idempotency_fingerprint, "status": response.status,
                  "content_type": response.content_type, "body": (response.body or b"").decode()}
        await redis.set(key.name, jsonio.dumps(answer), ex=key.ttl)
