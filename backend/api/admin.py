from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import json_body
from backend.domain.roles import Role
from backend.schemas.admin import GrantCreate
from backend.services import admin

bp = Blueprint("admin", url_prefix="/api/v1/admin")


@bp.post("/grants")
@openapi.summary("在本辖区内设置管理员（按手机号，对方绑定手机号后生效）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@json_body(GrantCreate)
async def create_grant(request: Request, body: GrantCreate):
    result = await admin.grant(request.ctx.auth, body.role, body.phone, body.name, body.region_code)
    return json(result, status=201)


@bp.get("/grants")
@openapi.summary("本辖区内的管理员")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
async def list_grants(request: Request):
    return json({"items": await admin.list_admins(request.ctx.auth)})
