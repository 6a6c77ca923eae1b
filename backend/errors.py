"""Typed errors raised by services and infrastructure.

One handler in `backend.app` turns every `AppError` into
`{"error": {"code", "message", "fields"}}` with the error's HTTP status.
Messages are for the person holding the phone, so they are Chinese.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every error a client is meant to see."""

    status: int = 400
    code: str = "bad_request"
    message: str = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        code: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.fields = fields or {}
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "fields": self.fields}
        error.update(self.extra)
        return {"error": error}


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"
    message = "提交的内容有误，请检查后重试"


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"
    message = "请先登录"


class TokenExpired(NotAuthenticated):
    code = "token_expired"
    message = "登录已过期，请重新登录"


class TokenInvalid(NotAuthenticated):
    code = "token_invalid"
    message = "登录凭证无效，请重新登录"


class RefreshTokenReused(NotAuthenticated):
    code = "refresh_token_reused"
    message = "登录凭证已被使用，为保护账号安全已退出该次登录，请重新登录"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = "没有权限进行此操作"


class OutOfRegion(Forbidden):
    code = "out_of_region"
    message = "该记录不在您管辖的区域内"


class RoleNotHeld(Forbidden):
    code = "role_not_held"
    message = "您没有该身份"


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "找不到该记录"


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = "操作与当前状态冲突"


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    message = "操作太频繁，请稍后再试"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(
            message,
            extra={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    message = "服务暂时不可用，请稍后再试"


class WeChatCodeInvalid(AppError):
    status = 400
    code = "wechat_code_invalid"
    message = "微信登录凭证无效，请重新进入小程序"


class WeChatCodeUsed(AppError):
    status = 400
    code = "wechat_code_used"
    message = "微信登录凭证已使用，请重新进入小程序"


class WeChatRateLimited(AppError):
    status = 429
    code = "wechat_rate_limited"
    message = "微信接口调用太频繁，请稍后再试"


class WeChatUnavailable(ServiceUnavailable):
    code = "wechat_unavailable"
    message = "微信服务繁忙，请稍后再试"
