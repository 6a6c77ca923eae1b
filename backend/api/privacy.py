from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import empty, json
from sanic_ext import openapi

from backend.api.deps import authenticated, resources
from backend.domain.roles import Role
from backend.services import personal_data

bp = Blueprint("privacy", url_prefix="/api/v1/me")


@bp.get("/data-export")
@openapi.summary("导出本人的个人信息（需求单、评价、上传的照片信息）")
@authenticated(Role.REQUESTER)
async def export(request: Request):
    return json(await personal_data.export(request.ctx.auth), headers={"Cache-Control": "no-store"})


@bp.delete("")
@openapi.summary("注销账号：删除个人身份信息，保留专家服务时长所需的记录（匿名）")
@authenticated(Role.REQUESTER)
async def delete_account(request: Request):
    await personal_data.delete_account(resources(request), request.ctx.auth)
    return empty()
