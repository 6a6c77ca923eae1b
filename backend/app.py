"""create_app(settings): blueprints, listeners, error handlers, request ids."""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse, json
from sanic_ext import Extend

from backend.config import Settings
from backend.domain.storable import fits_int64
from backend.errors import AppError, NotFound, ServiceUnavailable
from backend.infra import jsonio, metrics
from backend.infra.logging import configure_logging, request_id_var
from backend.infra.resources import Resources

log = logging.getLogger("backend.app")

API_PREFIX = "/api/v1"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Request ids this worker makes up: a random prefix per process and a counter, unique across workers and restarts
# without reading the kernel's random source for every request as uuid4() does.
_ID_PREFIX = secrets.token_hex(6)
_ID_COUNTER = itertools.count(1)
_SANIC_CODES = {
    400: ("bad_request", "请求有误"),
    401: ("not_authenticated", "请先登录"),
    403: ("forbidden", "没有权限进行此操作"),
    404: ("not_found", "找不到该地址"),
    405: ("method_not_allowed", "不支持该请求方法"),
    408: ("request_timeout", "请求超时，请重试"),
    413: ("payload_too_large", "提交的内容太大"),
    416: ("range_not_satisfiable", "请求的范围无效"),
    429: ("too_many_requests", "操作太频繁，请稍后再试"),
    503: ("service_unavailable", "服务暂时不可用，请稍后再试"),
}


def _is_unavailable(exc: BaseException) -> bool:
    """Connection failures of the database or Redis: the client should retry later."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from tortoise.exceptions import DBConnectionError

    unavailable = (RedisConnectionError, RedisTimeoutError, DBConnectionError, ConnectionError, TimeoutError)
    try:
        import asyncpg

        unavailable += (asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.CannotConnectNowError,
                        asyncpg.exceptions.InterfaceError)
    except ImportError:  # pragma: no cover - asyncpg is a pinned dependency
        pass
    seen = exc
    while seen is not None:
        if isinstance(seen, unavailable):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def error_response(error: AppError) -> HTTPResponse:
    return json(error.to_body(), status=error.status, headers=error.headers)


def create_app(settings: Settings, resources: Resources | None = None, name: str = "zjfw") -> Sanic:
    """Build the app. Pass open `resources` to share them across apps (tests)."""
    settings.check()
    configure_logging(settings.log_json, logging.getLevelName(settings.log_level.upper()))
    app = Sanic(name, env_prefix="SANIC_UNUSED_", dumps=jsonio.dumps, loads=jsonio.loads)
    app.config.REQUEST_MAX_SIZE = settings.max_body_bytes
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.OAS_UI_DEFAULT = "swagger"
    app.config.OAS_URL_PREFIX = "/docs"
    app.config.API_TITLE = "专家服务基层 · 点餐式服务平台 API"
    app.config.API_VERSION = "1.0"
    app.config.API_DESCRIPTION = "基层下单、属地接单、省厅派单、上门签到、基层评价。所有错误均返回 {\"error\": {\"code\", \"message\", \"fields\"}}。"
    app.config.CORS = False
    app.config.HEALTH = False
    Extend(app, openapi_config={}, built_in_extensions=True)
    app.ext.openapi.add_security_scheme("bearer", "http", scheme="bearer", bearer_format="JWT")

    app.ctx.settings = settings
    owns_resources = resources is None
    app.ctx.resources = resources or Resources(settings)

    @app.before_server_start
    async def open_resources(app: Sanic) -> None:
        await app.ctx.resources.open()

    @app.after_server_stop
    async def close_resources(app: Sanic) -> None:
        if owns_resources:
            await app.ctx.resources.close()

    if settings.app_env != "test":
        # Tests drive the jobs themselves (outbox.drain, PeriodicJobs.run_once) so they stay deterministic.
        @app.after_server_start
        async def start_background_jobs(app: Sanic) -> None:
            from functools import partial

            from backend.infra.periodic import PeriodicJobs
            from backend.services import feedback, figure_rollups, outbox, sweeper

            res = app.ctx.resources
            jobs = PeriodicJobs(res.redis)
            jobs.register("outbox", settings.outbox_interval_seconds, partial(outbox.drain, res),
                          lock_ttl=int(outbox.LEASE.total_seconds()))
            jobs.register("outbox-purge", settings.outbox_purge_interval_seconds, partial(outbox.purge, settings))
            jobs.register("order-sweeper", settings.sweeper_interval_seconds, partial(sweeper.sweep_orders, settings))
            jobs.register("rating-sweeper", settings.rating_sweep_interval_seconds,
                          partial(feedback.sweep_ratings, settings))
            jobs.register("figure-fold", settings.figure_fold_interval_seconds, figure_rollups.fold)
            jobs.start(app)
            app.ctx.jobs = jobs

        @app.before_server_stop
        async def stop_background_jobs(app: Sanic) -> None:
            jobs = getattr(app.ctx, "jobs", None)
            if jobs is not None:
                await jobs.stop()

    @app.on_request(priority=100)
    async def assign_request_id(request: Request) -> None:
        given = request.headers.get("x-request-id", "")
        request.ctx.request_id = given if _REQUEST_ID.match(given) else f"{_ID_PREFIX}{next(_ID_COUNTER):020x}"
        request.ctx.started = time.perf_counter()
        request_id_var.set(request.ctx.request_id)

    # sanic-ext's Swagger UI adds an OAuth2 redirect page whose HTML the server downloads from a CDN when the
    # page is first asked for. The API signs in with bearer tokens, not OAuth2, and an anonymous request must not
    # make the server reach the internet: the page is not served.
    oauth2_redirect = app.config.OAS_URL_PREFIX + app.config.OAS_UI_SWAGGER_OAUTH2_REDIRECT

    @app.on_request(priority=90)
    async def refuse_unservable_paths(request: Request) -> None:
        if request.path == oauth2_redirect:
            raise NotFound("找不到该页面")
        # No record has such an id; the database would fail on it instead of finding nothing.
        for value in request.match_info.values():
            if isinstance(value, int) and not fits_int64(value):
                raise NotFound()

    @app.on_response
    async def attach_request_id(request: Request, response: HTTPResponse) -> None:
        request_id = getattr(request.ctx, "request_id", None)
        if request_id:
            response.headers["X-Request-ID"] = request_id
        started = getattr(request.ctx, "started", None)
        if started is not None:
            # The route's pattern, not the path: ids in paths would make one series per record.
            route = request.route.path if request.route else "unmatched"
            metrics.REQUESTS.labels(route, request.method, str(response.status)).inc()
            metrics.LATENCY.labels(route, request.method).observe(time.perf_counter() - started)

    @app.exception(AppError)
    async def on_app_error(request: Request, exc: AppError) -> HTTPResponse:
        return error_response(exc)

    @app.exception(SanicException)
    async def on_sanic_error(request: Request, exc: SanicException) -> HTTPResponse:
        status = getattr(exc, "status_code", 500) or 500
        if status >= 500:
            return await on_unexpected(request, exc)
        code, message = _SANIC_CODES.get(status, ("bad_request", "请求有误"))
        headers = dict(getattr(exc, "headers", {}) or {})
        return json({"error": {"code": code, "message": message, "fields": {}}}, status=status, headers=headers)

    @app.exception(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> HTTPResponse:
        if _is_unavailable(exc):
            log.warning("dependency unavailable: %s", type(exc).__name__)
            return error_response(ServiceUnavailable())
        log.exception("unhandled error")
        body = {"error": {"code": "internal_error", "message": "服务器出错了，请稍后再试", "fields": {}}}
        return json(body, status=500)

    from backend.api import idempotency, register_blueprints

    idempotency.install(app)
    register_blueprints(app)
    return app
