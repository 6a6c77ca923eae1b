"""What a handler needs from the request: who is calling, and the open resources."""

from __future__ import annotations

from functools import wraps

from sanic import Request
from sanic_ext import openapi

from backend.api.docs import keep_docs
from backend.domain.roles import Role
from backend.errors import Forbidden, NotAuthenticated
from backend.infra.resources import Resources
from backend.infra.tokens import AccessClaims


def resources(request: Request) -> Resources:
    return request.app.ctx.resources


def client_ip(request: Request) -> str:
    # Behind nginx the app sees the proxy; nginx sets X-Real-IP (docker/nginx.conf).
    return request.headers.get("x-real-ip") or request.ip or "unknown"


def caller(request: Request) -> AccessClaims:
    """The verified claims of the caller's access token.

    Verified once per request: the Idempotency-Key middleware asks before the handler's @authenticated does.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated()
    token = token.strip()
    verified = getattr(request.ctx, "verified_token", None)
    if verified is not None and verified[0] == token:
        return verified[1]
    claims = resources(request).access_tokens.verify(token)
    request.ctx.verified_token = (token, claims)
    return claims


def authenticated(*roles: Role):
    """Require a valid access token whose active role is one of `roles` (any role when empty)."""

    def decorator(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            claims = caller(request)
            if roles and claims.role not in roles:
                raise Forbidden("当前身份不能进行此操作，请切换身份")
            request.ctx.auth = claims
            return await handler(request, *args, **kwargs)

        return openapi.secured("bearer")(keep_docs(wrapper, handler))

    return decorator


def rate_limited(bucket: str, setting: str, window: int = 60, message: str = "操作太频繁，请稍后再试"):
    """Refuse a caller past the `setting` number of calls per `window` seconds with 429 and Retry-After.

    Goes after @authenticated, so the subject is the user; anonymous calls count per IP.
    """

    def decorator(handler):
        @wraps(handler)
        async def wrapper(request: Request, *args, **kwargs):
            auth = getattr(request.ctx, "auth", None)
            subject = f"u{auth.user_id}" if auth else f"ip{client_ip(request)}"
            limit = getattr(request.app.ctx.settings, setting)
            await resources(request).rate_limiter.hit(bucket, subject, limit, window, message)
            return await handler(request, *args, **kwargs)

        return keep_docs(wrapper, handler)

    return decorator
