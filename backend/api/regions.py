from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.services import regions

bp = Blueprint("regions", url_prefix="/api/v1/regions")


@bp.get("")
@openapi.summary("下级区划（不带 parent 时为各省）")
@openapi.parameter("parent", str, location="query", required=False)
async def list_children(request: Request):
    return json({"items": await regions.children(request.args.get("parent"))})


@bp.get("/<code:str>")
@openapi.summary("一个区划及其上级路径")
async def get_region(request: Request, code: str):
    return json(await regions.get(code))
