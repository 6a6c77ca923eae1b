from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated, rate_limited
from backend.api.validation import json_body
from backend.domain.roles import Role
from backend.schemas.feedback import FollowUpClose, RatingIn
from backend.services import feedback

bp = Blueprint("feedback", url_prefix="/api/v1")


@bp.post("/visits/<visit_id:int>/rating")
@openapi.summary("需求方评价一次服务（签退后，每次服务一次）")
@authenticated(Role.REQUESTER)
@rate_limited("rating", "rating_rate_per_minute", message="评价提交太频繁，请稍后再试")
@json_body(RatingIn)
async def rate(request: Request, visit_id: int, body: RatingIn):
    return json(await feedback.rate(request.app.ctx.settings, request.ctx.auth, visit_id, body), status=201)


@bp.put("/visits/<visit_id:int>/rating")
@openapi.summary("24 小时内修改评价")
@authenticated(Role.REQUESTER)
@rate_limited("rating", "rating_rate_per_minute", message="评价提交太频繁，请稍后再试")
@json_body(RatingIn)
async def edit_rating(request: Request, visit_id: int, body: RatingIn):
    return json(await feedback.edit_rating(request.app.ctx.settings, request.ctx.auth, visit_id, body))


@bp.get("/orders/<order_id:int>/visits")
@openapi.summary("需求单的各次上门服务及评价情况（需求方）")
@authenticated(Role.REQUESTER)
async def order_visits(request: Request, order_id: int):
    return json({"items": await feedback.order_visits(request.ctx.auth, order_id)})


@bp.get("/follow-ups")
@openapi.summary("本辖区的回访事项")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
async def follow_ups(request: Request):
    return json(await feedback.follow_ups(request.ctx.auth, request.args.get("status")))


@bp.post("/follow-ups/<follow_up_id:int>/close")
@openapi.summary("记录回访结果并认定或不认定服务时长")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@json_body(FollowUpClose)
async def close_follow_up(request: Request, follow_up_id: int, body: FollowUpClose):
    return json(await feedback.close_follow_up(request.ctx.auth, follow_up_id, body.outcome, body.approve))
