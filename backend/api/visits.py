from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated, resources
from backend.api.validation import json_body, query_args
from backend.errors import AppError
from backend.infra import metrics
from backend.domain.roles import Role
from backend.domain.visits import Position
from backend.schemas.visits import CheckIn, CheckOut, Review, ServiceLogIn, YearQuery
from backend.services import ledger, visits

bp = Blueprint("visits", url_prefix="/api/v1")


def _position(location) -> Position | None:
    return Position(location.latitude, location.longitude, location.accuracy) if location else None


@bp.get("/orders/<order_id:int>/checkin-code")
@openapi.summary("需求方出示的签到码（约 60 秒有效，一次有效，到期前刷新）")
@authenticated(Role.REQUESTER)
async def checkin_code(request: Request, order_id: int):
    return json(await visits.checkin_code(resources(request), request.ctx.auth, order_id),
                headers={"Cache-Control": "no-store"})


@bp.post("/orders/<order_id:int>/check-in")
@openapi.summary("专家扫码签到（附定位）")
@authenticated(Role.EXPERT)
@json_body(CheckIn)
async def check_in(request: Request, order_id: int, body: CheckIn):
    try:
        result = await visits.check_in(resources(request), request.ctx.auth, order_id, body.token,
                                       _position(body.location))
    except AppError as refused:
        metrics.CHECK_INS.labels(refused.code).inc()
        raise
    metrics.CHECK_INS.labels("repeated" if result["repeated"] else "accepted").inc()
    return json(result, status=200 if result["repeated"] else 201)


@bp.post("/visits/<visit_id:int>/check-out")
@openapi.summary("专家签退（可再次扫码，或仅附定位）")
@authenticated(Role.EXPERT)
@json_body(CheckOut)
async def check_out(request: Request, visit_id: int, body: CheckOut):
    return json(await visits.check_out(resources(request), request.ctx.auth, visit_id, body.token,
                                       _position(body.location)))


@bp.put("/visits/<visit_id:int>/log")
@openapi.summary("填写服务日志")
@authenticated(Role.EXPERT)
@json_body(ServiceLogIn)
async def write_log(request: Request, visit_id: int, body: ServiceLogIn):
    return json(await visits.write_log(request.ctx.auth, visit_id, body))


@bp.get("/visits")
@openapi.summary("我的服务记录")
@authenticated(Role.EXPERT)
@query_args(YearQuery)
async def my_visits(request: Request, query: YearQuery):
    return json({"items": await visits.list_for_expert(request.ctx.auth, query.year)})


@bp.get("/visits/flagged")
@openapi.summary("本辖区待核实的服务记录")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
async def flagged(request: Request):
    return json(await visits.flagged_for_admin(request.ctx.auth))


@bp.post("/visits/<visit_id:int>/review")
@openapi.summary("核实服务记录：通过或不通过（需说明原因）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@json_body(Review)
async def review(request: Request, visit_id: int, body: Review):
    return json(await visits.review(request.ctx.auth, visit_id, body.approve, body.reason))


@bp.get("/ledger/me")
@openapi.summary("我的服务时长：小时、服务日、距 10 个工作日的进度")
@authenticated(Role.EXPERT)
@query_args(YearQuery)
async def my_ledger(request: Request, query: YearQuery):
    return json(await ledger.my_year(request.app.ctx.settings, request.ctx.auth, query.year))
