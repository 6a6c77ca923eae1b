from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import json_body, query_args
from backend.domain.roles import Role
from backend.schemas.orders import (
    DispatchRequest,
    ExpertAcceptance,
    OrderCreate,
    OrderEdit,
    OrderQuery,
    PublishRequest,
    Reason,
)
from backend.services import orders

bp = Blueprint("orders", url_prefix="/api/v1")
ADMINS = (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)


def _settings(request: Request):
    return request.app.ctx.settings


@bp.post("/orders")
@openapi.summary("基层下单：选择服务项目并描述问题")
@authenticated(Role.REQUESTER)
@json_body(OrderCreate)
async def place_order(request: Request, body: OrderCreate):
    return json(await orders.place_order(_settings(request), request.ctx.auth, body), status=201)


@bp.get("/orders")
@openapi.summary("需求单列表：需求方看自己的，专家看派给自己的，管理员看本辖区的")
@authenticated()
@query_args(OrderQuery)
async def list_orders(request: Request, query: OrderQuery):
    return json(await orders.list_orders(_settings(request), request.ctx.auth, query))


@bp.get("/orders/<order_id:int>")
@openapi.summary("需求单详情及全过程时间线")
@authenticated()
async def get_order(request: Request, order_id: int):
    return json(await orders.get_order(_settings(request), request.ctx.auth, order_id))


@bp.get("/board")
@openapi.summary("揭榜榜单：与本人领域相符的待揭榜需求")
@authenticated(Role.EXPERT)
@query_args(OrderQuery)
async def board(request: Request, query: OrderQuery):
    return json(await orders.board(_settings(request), request.ctx.auth, query))


@bp.post("/orders/<order_id:int>/resubmit")
@openapi.summary("被退回后补充信息并重新提交")
@authenticated(Role.REQUESTER)
@json_body(OrderEdit)
async def resubmit(request: Request, order_id: int, body: OrderEdit):
    return json(await orders.resubmit(_settings(request), request.ctx.auth, order_id, body))


@bp.post("/orders/<order_id:int>/cancel")
@openapi.summary("撤销需求单（专家上门之前）")
@authenticated(Role.REQUESTER)
@json_body(Reason)
async def cancel(request: Request, order_id: int, body: Reason):
    return json(await orders.cancel(_settings(request), request.ctx.auth, order_id, body.reason))


@bp.post("/orders/<order_id:int>/accept")
@openapi.summary("属地接单：受理")
@authenticated(*ADMINS)
async def accept(request: Request, order_id: int):
    return json(await orders.accept(_settings(request), request.ctx.auth, order_id))


@bp.post("/orders/<order_id:int>/return")
@openapi.summary("退回需求方补充信息")
@authenticated(*ADMINS)
@json_body(Reason)
async def return_order(request: Request, order_id: int, body: Reason):
    return json(await orders.return_for_information(_settings(request), request.ctx.auth, order_id, body.reason))


@bp.post("/orders/<order_id:int>/reject")
@openapi.summary("不予受理")
@authenticated(*ADMINS)
@json_body(Reason)
async def reject(request: Request, order_id: int, body: Reason):
    return json(await orders.reject(_settings(request), request.ctx.auth, order_id, body.reason))


@bp.post("/orders/<order_id:int>/dispatch")
@openapi.summary("派单：派给一位专家或一个服务团")
@authenticated(*ADMINS)
@json_body(DispatchRequest)
async def dispatch(request: Request, order_id: int, body: DispatchRequest):
    return json(await orders.dispatch(_settings(request), request.ctx.auth, order_id, body))


@bp.post("/orders/<order_id:int>/publish")
@openapi.summary("发布到揭榜榜单")
@authenticated(*ADMINS)
@json_body(PublishRequest)
async def publish(request: Request, order_id: int, body: PublishRequest):
    return json(await orders.publish(_settings(request), request.ctx.auth, order_id, body))


@bp.post("/orders/<order_id:int>/recall")
@openapi.summary("撤回派单或揭榜，重新派单")
@authenticated(*ADMINS)
@json_body(Reason)
async def recall(request: Request, order_id: int, body: Reason):
    return json(await orders.recall(_settings(request), request.ctx.auth, order_id, body.reason))


@bp.post("/orders/<order_id:int>/claim")
@openapi.summary("专家揭榜")
@authenticated(Role.EXPERT)
async def claim(request: Request, order_id: int):
    return json(await orders.claim(_settings(request), request.ctx.auth, order_id))


@bp.post("/orders/<order_id:int>/claim/confirm")
@openapi.summary("确认揭榜专家")
@authenticated(*ADMINS)
async def confirm_claim(request: Request, order_id: int):
    return json(await orders.confirm_claim(_settings(request), request.ctx.auth, order_id))


@bp.post("/orders/<order_id:int>/claim/reopen")
@openapi.summary("不确认，重新发榜")
@authenticated(*ADMINS)
@json_body(Reason)
async def reopen_claim(request: Request, order_id: int, body: Reason):
    return json(await orders.reopen_claim(_settings(request), request.ctx.auth, order_id, body.reason))


@bp.post("/orders/<order_id:int>/expert-accept")
@openapi.summary("专家（或服务团团长）接单，约定上门时间")
@authenticated(Role.EXPERT)
@json_body(ExpertAcceptance)
async def expert_accept(request: Request, order_id: int, body: ExpertAcceptance):
    return json(await orders.expert_accept(_settings(request), request.ctx.auth, order_id, body))


@bp.post("/orders/<order_id:int>/decline")
@openapi.summary("专家谢绝（需说明原因），需求单退回待派单")
@authenticated(Role.EXPERT)
@json_body(Reason)
async def decline(request: Request, order_id: int, body: Reason):
    return json(await orders.decline(_settings(request), request.ctx.auth, order_id, body.reason))


@bp.post("/orders/<order_id:int>/confirm-solved")
@openapi.summary("需求方确认问题已解决，办结")
@authenticated(Role.REQUESTER)
async def confirm_solved(request: Request, order_id: int):
    return json(await orders.confirm_solved(_settings(request), request.ctx.auth, order_id))


@bp.post("/orders/<order_id:int>/request-revisit")
@openapi.summary("需求方申请再次上门")
@authenticated(Role.REQUESTER)
@json_body(Reason)
async def request_revisit(request: Request, order_id: int, body: Reason):
    return json(await orders.request_revisit(_settings(request), request.ctx.auth, order_id, body.reason))


@bp.post("/orders/<order_id:int>/close")
@openapi.summary("管理员办结（需说明原因）")
@authenticated(*ADMINS)
@json_body(Reason)
async def admin_close(request: Request, order_id: int, body: Reason):
    return json(await orders.admin_close(_settings(request), request.ctx.auth, order_id, body.reason))
