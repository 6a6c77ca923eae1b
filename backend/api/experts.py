from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine
from typing import Any
from urllib.parse import quote

from sanic import Blueprint, Request, Sanic
from sanic.response import json, raw
from sanic_ext import openapi

from backend.api.deps import authenticated, resources
from backend.api.validation import json_body, query_args
from backend.domain.roles import Role
from backend.schemas.experts import ExpertAvailability, ExpertQuery, ExpertRegistration, ExpertRejection
from backend.services import expert_import, experts

bp = Blueprint("experts", url_prefix="/api/v1/experts")
log = logging.getLogger(__name__)

ADMINS = (Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How long a stopping worker lets running imports finish before cancelling them (they then roll back).
IMPORT_STOP_GRACE = 20.0


def _background(app: Sanic):
    """Run an import as a task the app keeps a reference to, so it is neither collected nor forgotten on stop."""
    if not hasattr(app.ctx, "expert_imports"):
        app.ctx.expert_imports = set()

    def spawn(coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        app.ctx.expert_imports.add(task)
        task.add_done_callback(app.ctx.expert_imports.discard)

    return spawn


@bp.before_server_stop
async def finish_running_imports(app: Sanic) -> None:
    tasks = list(getattr(app.ctx, "expert_imports", ()))
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=IMPORT_STOP_GRACE)
    for task in pending:
        log.warning("cancelling unfinished expert import %s", task.get_name())
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@bp.post("/me")
@openapi.summary("登记或修改本人的专家信息（提交后待属地管理员审核）")
@authenticated()
@json_body(ExpertRegistration)
async def register(request: Request, body: ExpertRegistration):
    return json(await experts.register(request.ctx.auth, body))


@bp.get("/me")
@openapi.summary("本人的专家信息与审核状态")
@authenticated()
async def own_profile(request: Request):
    return json(await experts.own_profile(request.ctx.auth))


@bp.patch("/me")
@openapi.summary("设置是否可接单（无需重新审核）")
@authenticated()
@json_body(ExpertAvailability)
async def set_availability(request: Request, body: ExpertAvailability):
    return json(await experts.set_availability(request.ctx.auth, body))


@bp.get("")
@openapi.summary("本辖区的专家（可按状态、领域、地区、关键词筛选，游标翻页）")
@authenticated(*ADMINS)
@query_args(ExpertQuery)
async def list_experts(request: Request, query: ExpertQuery):
    return json(await experts.list_experts(request.ctx.auth, query))


@bp.get("/<expert_id:int>")
@openapi.summary("本辖区的一位专家")
@authenticated(*ADMINS)
async def get_expert(request: Request, expert_id: int):
    return json(await experts.get_expert(request.ctx.auth, expert_id))


@bp.post("/<expert_id:int>/verify")
@openapi.summary("审核通过（通过后方可派单、揭榜）")
@authenticated(*ADMINS)
async def verify(request: Request, expert_id: int):
    return json(await experts.verify(request.ctx.auth, expert_id))


@bp.post("/<expert_id:int>/reject")
@openapi.summary("审核不通过（须填写原因，专家可修改后重新提交）")
@authenticated(*ADMINS)
@json_body(ExpertRejection)
async def reject(request: Request, expert_id: int, body: ExpertRejection):
    return json(await experts.reject(request.ctx.auth, expert_id, body.reason))


@bp.get("/import-template.xlsx")
@openapi.summary("专家名单导入模板（Excel）")
@authenticated(*ADMINS)
async def import_template(request: Request):
    filename = quote("专家名单导入模板.xlsx")
    return raw(await expert_import.template(), content_type=XLSX,
               headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


@bp.post("/import")
@openapi.summary("批量导入专家（multipart：file），后台校验并导入，返回任务编号")
@openapi.body({"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                                        "required": ["file"]}}, required=True)
@authenticated(*ADMINS)
async def start_import(request: Request):
    file = (request.files or {}).get("file")
    res = resources(request)
    job = await expert_import.start_import(request.ctx.auth, file.name if file else "", file.body if file else None,
                                           res.settings, res.redis, _background(request.app))
    return json(job, status=202)


@bp.get("/import/<job_id:uuid>")
@openapi.summary("导入任务的状态、进度与错误报告")
@authenticated(*ADMINS)
async def import_status(request: Request, job_id: uuid.UUID):
    return json(await expert_import.job_status(request.ctx.auth, job_id, resources(request).redis))
