"""Offline check-in: the requester's day secrets, and the expert's uploads of offline scans."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated, resources
from backend.api.validation import json_body
from backend.domain.roles import Role
from backend.domain.visits import Position
from backend.schemas.offline import OfflineCheckOutIn, OfflineScanIn, OfflineVisitIn
from backend.services import offline_visits

bp = Blueprint("offline", url_prefix="/api/v1")


def _scan(scan: OfflineScanIn | None) -> offline_visits.Scan | None:
    if scan is None:
        return None
    location = scan.location
    position = Position(location.latitude, location.longitude, location.accuracy) if location else None
    return offline_visits.Scan(scan.code.strip(), scan.scanned_at, position)


@bp.get("/orders/<order_id:int>/offline-secret")
@openapi.summary("需求方下载离线签到密钥（未来数天，每天一个，无信号时手机据此生成签到码）")
@authenticated(Role.REQUESTER)
async def offline_secret(request: Request, order_id: int):
    return json(await offline_visits.offline_secrets(request.app.ctx.settings, request.ctx.auth, order_id),
                headers={"Cache-Control": "no-store"})


@bp.post("/orders/<order_id:int>/offline-visits")
@openapi.summary("专家上传离线签到（及签退）记录；重复上传返回同一条服务记录")
@authenticated(Role.EXPERT)
@json_body(OfflineVisitIn)
async def upload_visit(request: Request, order_id: int, body: OfflineVisitIn):
    result = await offline_visits.upload_visit(resources(request), request.ctx.auth, order_id,
                                               _scan(body.check_in), _scan(body.check_out))
    return json(result, status=200 if result["repeated"] else 201)


@bp.post("/visits/<visit_id:int>/offline-check-out")
@openapi.summary("专家上传离线签退记录（签到可以是在线或离线）")
@authenticated(Role.EXPERT)
@json_body(OfflineCheckOutIn)
async def upload_check_out(request: Request, visit_id: int, body: OfflineCheckOutIn):
    return json(await offline_visits.upload_check_out(resources(request), request.ctx.auth, visit_id,
                                                      _scan(body.check_out)))
