from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import json_body
from backend.domain.roles import Role
from backend.schemas.teams import TeamCreate
from backend.services import teams

bp = Blueprint("teams", url_prefix="/api/v1/teams")


@bp.post("")
@openapi.summary("组建专家服务团（团长负责制，三年服务期）")
@authenticated(Role.PROVINCE_ADMIN, Role.LOCAL_ADMIN)
@json_body(TeamCreate)
async def create_team(request: Request, body: TeamCreate):
    return json(await teams.create_team(request.ctx.auth, body), status=201)


@bp.get("")
@openapi.summary("本辖区的专家服务团")
@authenticated(Role.PROVINCE_ADMIN, Role.LOCAL_ADMIN)
async def list_teams(request: Request):
    return json({"items": await teams.list_teams(request.ctx.auth)})


@bp.get("/<team_id:int>")
@openapi.summary("一个专家服务团及其成员")
@authenticated(Role.PROVINCE_ADMIN, Role.LOCAL_ADMIN)
async def get_team(request: Request, team_id: int):
    return json(await teams.get_team(request.ctx.auth, team_id))
