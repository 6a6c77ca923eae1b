"""成果库: experts publish their achievements, everyone signed in browses them, requesters order their owners."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import json_body, query_args
from backend.domain.roles import Role
from backend.schemas.achievements import AchievementCreate, AchievementEdit, AchievementQuery
from backend.schemas.orders import OrderCreate
from backend.services import achievements

bp = Blueprint("achievements", url_prefix="/api/v1")


def _settings(request: Request):
    return request.app.ctx.settings


@bp.post("/achievements")
@openapi.summary("专家发布技术成果（转让、许可、入股、合作）")
@authenticated(Role.EXPERT)
@json_body(AchievementCreate)
async def create(request: Request, body: AchievementCreate):
    return json(await achievements.create(_settings(request), request.ctx.auth, body), status=201)


@bp.put("/achievements/<achievement_id:int>")
@openapi.summary("修改、发布或撤回本人的成果")
@authenticated(Role.EXPERT)
@json_body(AchievementEdit)
async def update(request: Request, achievement_id: int, body: AchievementEdit):
    return json(await achievements.update(_settings(request), request.ctx.auth, achievement_id, body))


@bp.get("/achievements")
@openapi.summary("成果库：浏览或按关键词检索已发布的成果")
@authenticated()
@query_args(AchievementQuery)
async def browse(request: Request, query: AchievementQuery):
    return json(await achievements.browse(_settings(request), request.ctx.auth, query))


@bp.get("/achievements/<achievement_id:int>")
@openapi.summary("成果详情")
@authenticated()
async def get(request: Request, achievement_id: int):
    return json(await achievements.get(_settings(request), request.ctx.auth, achievement_id))


@bp.post("/achievements/<achievement_id:int>/order")
@openapi.summary("向成果完成人下单：按普通需求单提交，并把该专家作为意向专家")
@authenticated(Role.REQUESTER)
@json_body(OrderCreate)
async def order_owner(request: Request, achievement_id: int, body: OrderCreate):
    return json(await achievements.order_owner(_settings(request), request.ctx.auth, achievement_id, body), status=201)
