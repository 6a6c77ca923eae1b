from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import json_body, query_args
from backend.domain.roles import Role
from backend.schemas.cases import CaseCreate, CaseListQuery
from backend.services import cases

bp = Blueprint("cases", url_prefix="/api/v1/cases")


@bp.post("")
@openapi.summary("把一次好评服务（4 分及以上）写成典型案例（草稿）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@json_body(CaseCreate)
async def create(request: Request, body: CaseCreate):
    return json(await cases.create(request.app.ctx.settings, request.ctx.auth, body), status=201)


@bp.post("/<case_id:int>/publish")
@openapi.summary("发布典型案例")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
async def publish(request: Request, case_id: int):
    return json(await cases.publish(request.app.ctx.settings, request.ctx.auth, case_id))


@bp.get("")
@openapi.summary("已发布的典型案例（公开）")
@query_args(CaseListQuery)
async def published(request: Request, query: CaseListQuery):
    return json(await cases.published(request.app.ctx.settings, query.field, query.page, query.page_size))


@bp.get("/<case_id:int>")
@openapi.summary("一个已发布的典型案例（公开）")
async def published_case(request: Request, case_id: int):
    return json(await cases.published_case(request.app.ctx.settings, case_id))
