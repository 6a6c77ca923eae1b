from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import resources
from backend.services import health

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
