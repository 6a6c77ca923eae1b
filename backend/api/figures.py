from __future__ import annotations

from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import query_args
from backend.domain.roles import Role
from backend.schemas.figures import FiguresQuery
from backend.services import figures, figures_excel

bp = Blueprint("figures", url_prefix="/api/v1")


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with an ASCII fallback and the Chinese name in RFC 5987 form."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.get("/figures")
@openapi.summary("跟踪问效统计：汇总及按下级地区、领域、职称分组")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@query_args(FiguresQuery)
async def report(request: Request, query: FiguresQuery):
    return json(await figures.report(request.app.ctx.settings, request.ctx.auth, query.from_, query.to,
                                     query.region))


@bp.get("/figures/experts")
@openapi.summary("跟踪问效统计：每位专家在本区域、本期的服务情况（按服务时长排序）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@query_args(FiguresQuery)
async def experts(request: Request, query: FiguresQuery):
    return json(await figures.experts_report(request.app.ctx.settings, request.ctx.auth, query.from_, query.to,
                                             query.region))


@bp.get("/figures.xlsx")
@openapi.summary("导出跟踪问效统计（Excel）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@query_args(FiguresQuery)
async def workbook(request: Request, query: FiguresQuery):
    export = await figures_excel.export(request.app.ctx.settings, request.ctx.auth, query.from_, query.to,
                                        query.region)
    return raw(export.body, content_type=figures_excel.XLSX,
               headers={"Content-Disposition": content_disposition(export.filename, export.fallback),
                        "Cache-Control": "no-store"})
