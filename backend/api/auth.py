from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import empty, json
from sanic_ext import openapi

from backend.api.deps import authenticated, client_ip, resources
from backend.api.validation import json_body
from backend.schemas.auth import PhoneBinding, RefreshRequest, RoleSwitch, TokenPair, UserPublic, WeChatLogin
from backend.services import auth

bp = Blueprint("auth", url_prefix="/api/v1")


@bp.post("/auth/wechat-login")
@openapi.summary("微信登录：wx.login 的 code 换取访问令牌")
@openapi.response(200, {"application/json": TokenPair})
@json_body(WeChatLogin)
async def wechat_login(request: Request, body: WeChatLogin):
    return json(await auth.login_with_wechat(resources(request), body.code, client_ip(request)))


@bp.post("/auth/refresh")
@openapi.summary("刷新令牌（一次性，重复使用会使该次登录失效）")
@openapi.response(200, {"application/json": TokenPair})
@json_body(RefreshRequest)
async def refresh(request: Request, body: RefreshRequest):
    return json(await auth.refresh(resources(request), body.refresh_token))


@bp.post("/auth/logout")
@openapi.summary("退出登录：吊销该次登录的刷新令牌")
@json_body(RefreshRequest)
async def logout(request: Request, body: RefreshRequest):
    await auth.logout(resources(request), body.refresh_token)
    return empty()


@bp.get("/me")
@openapi.summary("当前用户")
@openapi.response(200, {"application/json": UserPublic})
@authenticated()
async def me(request: Request):
    return json(await auth.me(request.ctx.auth))


@bp.post("/auth/switch-role")
@openapi.summary("切换当前身份")
@openapi.response(200, {"application/json": TokenPair})
@authenticated()
@json_body(RoleSwitch)
async def switch_role(request: Request, body: RoleSwitch):
    return json(await auth.switch_role(resources(request), request.ctx.auth, body.role))


@bp.post("/auth/phone")
@openapi.summary("绑定手机号（getPhoneNumber 的 code）")
@openapi.response(200, {"application/json": TokenPair})
@authenticated()
@json_body(PhoneBinding)
async def bind_phone(request: Request, body: PhoneBinding):
    return json(await auth.bind_phone(resources(request), request.ctx.auth, body.code))
