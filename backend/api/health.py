from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi

from backend.api.deps import resources
from backend.errors import Forbidden, NotAuthenticated
from backend.infra import metrics
from backend.services import health, metrics_scrape

bp = Blueprint("health")


@bp.get("/healthz")
@openapi.summary("进程存活检查")
async def healthz(request: Request):
    return json({"status": "ok"})


@bp.get("/readyz")
@openapi.summary("就绪检查：数据库与 Redis 是否可用")
async def readyz(request: Request):
    report = await health.readiness(resources(request))
    return json(report, status=200 if report["status"] == "ready" else 503)


@bp.get("/metrics")
@openapi.exclude()
async def metrics_endpoint(request: Request):
    if not metrics_scrape.may_scrape(request.app.ctx.settings, request.headers, request.ip or ""):
        # A caller with some other credential is refused, one with none is asked for it.
        raise Forbidden() if "authorization" in request.headers else NotAuthenticated()
    await metrics_scrape.refresh_gauges(resources(request))
    return raw(metrics.render(), content_type=metrics.CONTENT_TYPE)
