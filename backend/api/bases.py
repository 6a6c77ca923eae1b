from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi

from backend.api.deps import authenticated, rate_limited
from backend.api.validation import json_body, query_args
from backend.domain.roles import Role
from backend.domain.visits import Position
from backend.schemas.bases import ActivityConfirm, BaseCheckIn, BaseCreate
from backend.schemas.visits import YearQuery
from backend.services import bases

bp = Blueprint("bases", url_prefix="/api/v1/bases")
ADMINS = (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@bp.post("")
@openapi.summary("设立专家服务基地")
@authenticated(*ADMINS)
@json_body(BaseCreate)
async def create(request: Request, body: BaseCreate):
    return json(await bases.create_base(request.ctx.auth, body), status=201)


@bp.get("")
@openapi.summary("本辖区的专家服务基地")
@authenticated(*ADMINS)
async def list_bases(request: Request):
    return json({"items": await bases.list_bases(request.ctx.auth)})


@bp.get("/<base_id:int>/code")
@openapi.summary("基地签到码（打印张贴用，长期有效，作废需重新生成）")
@authenticated(*ADMINS)
async def code(request: Request, base_id: int):
    return json(await bases.code(request.app.ctx.settings, request.ctx.auth, base_id),
                headers={"Cache-Control": "no-store"})


async def _code_image(request: Request, base_id: int, fmt: str):
    body = await bases.code_image(request.app.ctx.settings, request.ctx.auth, base_id, fmt)
    return raw(body, content_type=IMAGE_TYPES[fmt], headers={"Cache-Control": "private, no-store"})


@bp.get("/<base_id:int>/code.png")
@openapi.summary("基地签到码图片（PNG，打印用）")
@authenticated(*ADMINS)
async def code_png(request: Request, base_id: int):
    return await _code_image(request, base_id, "png")


@bp.get("/<base_id:int>/code.svg")
@openapi.summary("基地签到码图片（SVG，印刷用）")
@authenticated(*ADMINS)
async def code_svg(request: Request, base_id: int):
    return await _code_image(request, base_id, "svg")


@bp.post("/<base_id:int>/rotate-code")
@openapi.summary("作废已打印的基地签到码并生成新码")
@authenticated(*ADMINS)
async def rotate_code(request: Request, base_id: int):
    return json(await bases.rotate_code(request.app.ctx.settings, request.ctx.auth, base_id))


@bp.post("/check-in")
@openapi.summary("扫描基地签到码（需附定位）：每人每天每个基地计 1 人次")
@authenticated()
@rate_limited("base-scan", "scan_rate_per_minute", message="扫码太频繁，请稍后再试")
@json_body(BaseCheckIn)
async def check_in(request: Request, body: BaseCheckIn):
    location = body.location
    position = Position(location.latitude, location.longitude, location.accuracy) if location else None
    result = await bases.check_in(request.app.ctx.settings, request.ctx.auth, body.token, position)
    return json(result, status=200 if result["repeated"] else 201)


@bp.post("/<base_id:int>/confirm")
@openapi.summary("确认（或不确认）基地某日活动，专家的基地活动时长随之计入（或不计入）")
@authenticated(*ADMINS)
@json_body(ActivityConfirm)
async def confirm(request: Request, base_id: int, body: ActivityConfirm):
    return json(await bases.confirm_activity(request.ctx.auth, base_id, body.date, body.approve, body.reason))


@bp.get("/<base_id:int>/stats")
@openapi.summary("基地年度活动人次（专家、参加者、活动天数，是否满 50 人次）")
@authenticated(*ADMINS)
@query_args(YearQuery)
async def stats(request: Request, base_id: int, query: YearQuery):
    return json(await bases.stats(request.app.ctx.settings, request.ctx.auth, base_id, query.year))
