from __future__ import annotations

from datetime import date
from urllib.parse import quote

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import raw
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import query_args
from backend.domain.roles import Role
from backend.schemas.visits import YearQuery
from backend.services import exports

bp = Blueprint("exports", url_prefix="/api/v1/exports")


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with an ASCII fallback and the Chinese name in RFC 5987 form."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class VisitsQuery(BaseModel):
    from_: date | None = Field(default=None, alias="from", description="签到日期起（含）")
    to: date | None = Field(default=None, description="签到日期止（含）")
    region: str | None = Field(default=None, pattern=r"^\d{6}(\d{6})?$", description="区划代码，默认本辖区")


class LedgerQuery(YearQuery):
    region: str | None = Field(default=None, pattern=r"^\d{6}(\d{6})?$", description="区划代码，默认本辖区")


def _xlsx(export: exports.Export, fallback: str):
    return raw(export.body, content_type=exports.XLSX,
               headers={"Content-Disposition": content_disposition(export.filename, fallback),
                        "Cache-Control": "no-store"})


@bp.get("/visits.xlsx")
@openapi.summary("导出本辖区服务记录（Excel）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@query_args(VisitsQuery)
async def visits_xlsx(request: Request, query: VisitsQuery):
    export = await exports.visits_export(request.app.ctx.settings, request.ctx.auth, query.from_, query.to,
                                         query.region)
    return _xlsx(export, "visits.xlsx")


@bp.get("/ledger.xlsx")
@openapi.summary("导出本辖区专家年度服务时长台账（Excel）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@query_args(LedgerQuery)
async def ledger_xlsx(request: Request, query: LedgerQuery):
    export = await exports.ledger_export(request.app.ctx.settings, request.ctx.auth, query.year, query.region)
    return _xlsx(export, f"ledger-{query.year or 'current'}.xlsx")
