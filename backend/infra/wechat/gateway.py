"""The one way the backend talks to the WeChat server API.

Built on wechatpy, which is synchronous: every wechatpy call runs in a
worker thread (``asyncio.to_thread``), never on the event loop.

Access token
    WeChat invalidates an app's older access tokens whenever a new one is
    fetched, so all workers share one token through Redis. A worker reads
    the cached token; when it is missing, exactly one worker (holder of the
    lock key) fetches a new one, the others poll Redis briefly and re-read.
    When WeChat answers 40001/40014/42001 the gateway drops the cached token,
    but only if it is still the one that failed (another worker may already
    have stored a fresh one), and retries the call once. wechatpy's own
    token cache and auto-retry are switched off: they would refresh per
    process and invalidate everybody else's token.

Errors
    Every failure becomes a typed ``AppError``: 40029 ``WeChatCodeInvalid``,
    40163 ``WeChatCodeUsed``, 45009/45011 ``WeChatRateLimited``, 43101 on a
    subscribe message ``WeChatMessageRefused`` (do not retry), everything
    else — -1, HTTP 5xx, timeouts, refused connections, unknown errcodes —
    ``WeChatUnavailable`` (retry later). No wechatpy or requests exception
    leaves this module.

Secrets
    Login codes, phone codes, the app secret, access tokens and session keys
    are never logged: log lines carry the operation and errcode only, and
    exceptions are re-raised ``from None`` because requests puts the full
    URL (secret and code in its query) into its exception messages. Keep
    the ``urllib3`` logger above DEBUG in production for the same reason.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import redis.asyncio as aioredis
import requests
import requests.adapters
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException, WeChatException

from backend.config import FAKE_WECHAT, Settings
from backend.errors import (
    AppError,
    WeChatCodeInvalid,
    WeChatCodeUsed,
    WeChatRateLimited,
    WeChatUnavailable,
)
from backend.infra import keys

logger = logging.getLogger(__name__)

T = TypeVar("T")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Token answers that mean "fetch a new access token and try again".
_TOKEN_REJECTED = frozenset({40001, 40014, 42001})
_RATE_LIMITED = frozenset({45009, 45011})
# Keep the cached token a little shorter than WeChat's lifetime so nobody uses a dying one.
_TOKEN_EXPIRY_MARGIN = 200
_LOCK_POLL_SECONDS = 0.05

# Deletes a key only while it still holds the given value (lock release, stale-token drop).
_DELETE_IF_EQUAL = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class WeChatMessageRefused(AppError):
    """The user has not (or no longer) subscribed to this message: retrying will not help."""

    status = 409
    code = "wechat_message_refused"
    message = "用户未订阅该消息或已拒收，无法发送"


@dataclass(frozen=True)
class WeChatSession:
    """What jscode2session tells about the person who logged in."""

    openid: str
    unionid: str | None
    session_key: str = field(repr=False)


class _TokenRejected(Exception):
    """WeChat refused the access token; the caller refreshes it and retries once."""


class _WeChatClient(WeChatClient):
    """wechatpy's client, pointed at a configurable base URL, with the access token handed in per call."""

    def __init__(self, appid: str, secret: str, base_url: str, timeout: float) -> None:
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self._base_url = base_url
        # wechatpy joins endpoints onto these; the wxa API carries its own class-level base.
        self.API_BASE_URL = f"{base_url}/cgi-bin/"
        self.wxa.API_BASE_URL = f"{base_url}/"
        self._local = threading.local()
        # Match asyncio's default thread pool (at most 32 threads) so busy workers reuse connections.
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)

    @property
    def access_token(self) -> str | None:  # type: ignore[override]
        """The token of the call running on this thread; None (dropped from the query) when there is none."""
        return getattr(self._local, "token", None)

    def run(self, token: str | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a wechatpy method on this (worker) thread with `token` as its access token."""
        self._local.token = token
        try:
            return fn(*args, **kwargs)
        finally:
            self._local.token = None

    def fetch_access_token(self) -> dict[str, Any]:
        """GET /cgi-bin/token through wechatpy's request path (timeout and error parsing included)."""
        return self.get(
            f"{self._base_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def get_phone_number(self, code: str) -> dict[str, Any]:
        """POST /wxa/business/getuserphonenumber, which wechatpy 1.8 does not wrap."""
        return self.post(
            "wxa/business/getuserphonenumber",
            data={"code": code},
            api_base_url=f"{self._base_url}/",
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


class WeChatGateway:
    """Async access to the WeChat server API: login, phone number, subscribe messages, mini-program codes."""

    def __init__(
        self,
        *,
        appid: str,
        secret: str,
        base_url: str,
        redis: aioredis.Redis,
        timeout: float = 5.0,
    ) -> None:
        self._appid = appid
        self._redis = redis
        self._timeout = timeout
        self._client = _WeChatClient(appid, secret, base_url.rstrip("/"), timeout)
        self._token_key = keys.wechat_access_token(appid)
        self._lock_key = keys.wechat_access_token_lock(appid)

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await asyncio.to_thread(self._client._http.close)

    # --- public API -----------------------------------------------------
    async def code_to_session(self, code: str) -> WeChatSession:
        """Exchange a wx.login() code for the user's openid, unionid and session key."""
        result = await self._call(
            "code_to_session",
            None,
            self._client.wxa.code_to_session,
            code,
            errors={40029: WeChatCodeInvalid, 40163: WeChatCodeUsed},
        )
        openid = result.get("openid") if isinstance(result, dict) else None
        if not openid or not result.get("session_key"):
            logger.warning("wechat code_to_session answered without openid or session_key")
            raise WeChatUnavailable()
        return WeChatSession(
            openid=openid, unionid=result.get("unionid") or None, session_key=result["session_key"]
        )

    async def phone_number(self, code: str) -> str:
        """The pure phone number (no country code) behind a getPhoneNumber button code."""
        result = await self._call_with_token(
            "phone_number",
            self._client.get_phone_number,
            code,
            errors={40029: lambda: WeChatCodeInvalid("手机号授权已失效，请重新授权")},
        )
        info = result.get("phone_info") if isinstance(result, dict) else None
        phone = info.get("purePhoneNumber") if isinstance(info, dict) else None
        if not phone:
            logger.warning("wechat phone_number answered without phone_info")
            raise WeChatUnavailable()
        return str(phone)

    async def send_subscribe_message(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, Any],
        page: str | None = None,
    ) -> None:
        """Send a subscribe message; plain values in `data` are wrapped as {"value": …}."""
        payload = {k: v if isinstance(v, Mapping) else {"value": v} for k, v in data.items()}
        await self._call_with_token(
            "send_subscribe_message",
            self._client.wxa.send_subscribe_message,
            openid,
            template_id,
            payload,
            page=page,
            errors={43101: WeChatMessageRefused},
        )

    async def mini_program_code(self, scene: str, page: str, width: int = 430) -> bytes:
        """A PNG mini-program code (wxacode.getUnlimited) that opens `page` with `scene`."""
        result = await self._call_with_token(
            "mini_program_code",
            self._client.wxa.get_wxa_code_unlimited,
            scene,
            width=width,
            page=page,
            errors={},
        )
        # wechatpy hands back the raw response when the body is not JSON, i.e. the image.
        content = getattr(result, "content", None)
        if not isinstance(content, bytes) or not content.startswith(PNG_SIGNATURE):
            logger.warning("wechat mini_program_code answered without a PNG")
            raise WeChatUnavailable()
        return content

    # --- calls ----------------------------------------------------------
    async def _call_with_token(
        self,
        operation: str,
        fn: Callable[..., Any],
        *args: Any,
        errors: Mapping[int, Callable[[], AppError]],
        **kwargs: Any,
    ) -> Any:
        """Run a call that needs the access token; refresh the token and retry once if WeChat rejects it."""
        token = await self._access_token()
        try:
            return await self._call(operation, token, fn, *args, errors=errors, **kwargs)
        except _TokenRejected:
            logger.info("wechat %s: access token rejected, refreshing once", operation)
            await self._redis.eval(_DELETE_IF_EQUAL, 1, self._token_key.name, token)
            token = await self._access_token()
            try:
                return await self._call(operation, token, fn, *args, errors=errors, **kwargs)
            except _TokenRejected:
                logger.error("wechat %s: a freshly fetched access token was rejected", operation)
                raise WeChatUnavailable() from None

    async def _call(
        self,
        operation: str,
        token: str | None,
        fn: Callable[..., Any],
        *args: Any,
        errors: Mapping[int, Callable[[], AppError]],
        **kwargs: Any,
    ) -> Any:
        """Run one wechatpy call in a worker thread and turn every failure into a typed error."""
        try:
            return await asyncio.to_thread(self._client.run, token, fn, *args, **kwargs)
        except WeChatClientException as exc:
            errcode = exc.errcode
            if errcode is None:
                status = getattr(exc.response, "status_code", None)
                logger.warning("wechat %s: HTTP %s", operation, status)
                raise WeChatUnavailable() from None
            errcode = int(errcode)
            if token is not None and errcode in _TOKEN_REJECTED:
                raise _TokenRejected() from None
            if errcode in errors:
                logger.info("wechat %s: errcode %s", operation, errcode)
                raise errors[errcode]() from None
            if errcode in _RATE_LIMITED:
                logger.warning("wechat %s: errcode %s (rate limited)", operation, errcode)
                raise WeChatRateLimited() from None
            # -1 is WeChat being busy; anything else unexpected is logged louder for a human to look at.
            level = logging.WARNING if errcode == -1 else logging.ERROR
            logger.log(level, "wechat %s: errcode %s", operation, errcode)
            raise WeChatUnavailable() from None
        except requests.Timeout:
            logger.warning("wechat %s: timed out after %ss", operation, self._timeout)
            raise WeChatUnavailable() from None
        except (requests.RequestException, WeChatException, ValueError) as exc:
            # Only the type: requests' messages contain the URL, and with it secrets and codes.
            logger.warning("wechat %s: %s", operation, type(exc).__name__)
            raise WeChatUnavailable() from None

    # --- access token ---------------------------------------------------
    async def _access_token(self) -> str:
        token = _text(await self._redis.get(self._token_key.name))
        if token:
            return token
        return await self._refresh_access_token()

    async def _refresh_access_token(self) -> str:
        """Fetch a new token under the lock, or wait for the worker holding it to store one."""
        loop = asyncio.get_running_loop()
        # The holder's fetch is bounded by the HTTP timeout; waiting longer would only hide an outage.
        deadline = loop.time() + self._timeout + 1.0
        owner = secrets.token_hex(8)
        while True:
            if await self._redis.set(self._lock_key.name, owner, nx=True, ex=self._lock_key.ttl):
                try:
                    # Another worker may have stored a token between our read and our lock.
                    token = _text(await self._redis.get(self._token_key.name))
                    if token:
                        return token
                    return await self._fetch_and_store_token()
                finally:
                    await self._redis.eval(_DELETE_IF_EQUAL, 1, self._lock_key.name, owner)
            await asyncio.sleep(_LOCK_POLL_SECONDS)
            token = _text(await self._redis.get(self._token_key.name))
            if token:
                return token
            if loop.time() > deadline:
                logger.warning("wechat access token: gave up waiting for the refreshing worker")
                raise WeChatUnavailable()

    async def _fetch_and_store_token(self) -> str:
        result = await self._call("fetch_access_token", None, self._client.fetch_access_token, errors={})
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            logger.error("wechat fetch_access_token answered without access_token")
            raise WeChatUnavailable()
        expires_in = int(result.get("expires_in") or 7200)
        ttl = max(60, min(self._token_key.ttl or expires_in, expires_in - _TOKEN_EXPIRY_MARGIN))
        await self._redis.set(self._token_key.name, token, ex=ttl)
        logger.info("wechat access token refreshed")
        return str(token)


def build_wechat_gateway(
    settings: Settings, redis: aioredis.Redis, fake_base_url: str | None = None
) -> WeChatGateway:
    """The gateway for these settings; with WECHAT_API_BASE=fake, pass the running fake server's URL."""
    if settings.wechat_api_base == FAKE_WECHAT:
        if not fake_base_url:
            raise ValueError("WECHAT_API_BASE=fake needs the URL of a running FakeWeChatServer")
        base_url = fake_base_url
    else:
        base_url = settings.wechat_api_base
    return WeChatGateway(
        appid=settings.wechat_appid,
        secret=settings.wechat_secret,
        base_url=base_url,
        redis=redis,
        timeout=settings.wechat_timeout,
    )


__all__ = [
    "WeChatGateway",
    "WeChatMessageRefused",
    "WeChatSession",
    "build_wechat_gateway",
]
