from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import json_body
from backend.domain.roles import Role
from backend.schemas.menu import CategoryCreate, CategoryUpdate, ItemCreate, ItemUpdate
from backend.services import menu

bp = Blueprint("menu", url_prefix="/api/v1/menu")


@bp.get("")
@openapi.summary("服务菜单（点餐）：分类及服务项目")
async def get_menu(request: Request):
    return json({"categories": await menu.menu()}, headers={"Cache-Control": "public, max-age=300"})


@bp.get("/all")
@openapi.summary("含已停用项目的完整菜单（省厅管理员）")
@authenticated(Role.PROVINCE_ADMIN)
async def get_full_menu(request: Request):
    return json({"categories": await menu.menu(include_retired=True)})


@bp.post("/categories")
@openapi.summary("新增服务分类")
@authenticated(Role.PROVINCE_ADMIN)
@json_body(CategoryCreate)
async def create_category(request: Request, body: CategoryCreate):
    return json(await menu.create_category(request.ctx.auth, body), status=201)


@bp.patch("/categories/<code:str>")
@openapi.summary("修改服务分类")
@authenticated(Role.PROVINCE_ADMIN)
@json_body(CategoryUpdate)
async def update_category(request: Request, code: str, body: CategoryUpdate):
    return json(await menu.update_category(request.ctx.auth, code, body))


@bp.post("/items")
@openapi.summary("新增服务项目")
@authenticated(Role.PROVINCE_ADMIN)
@json_body(ItemCreate)
async def create_item(request: Request, body: ItemCreate):
    return json(await menu.create_item(request.ctx.auth, body), status=201)


@bp.patch("/items/<code:str>")
@openapi.summary("修改服务项目")
@authenticated(Role.PROVINCE_ADMIN)
@json_body(ItemUpdate)
async def update_item(request: Request, code: str, body: ItemUpdate):
    return json(await menu.update_item(request.ctx.auth, code, body))


@bp.post("/items/<code:str>/retire")
@openapi.summary("停用服务项目（已下的单不受影响）")
@authenticated(Role.PROVINCE_ADMIN)
async def retire_item(request: Request, code: str):
    return json(await menu.retire_item(request.ctx.auth, code))
