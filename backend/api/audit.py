from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import query_args
from backend.domain.roles import Role
from backend.schemas.audit import AuditQuery
from backend.services import audit

bp = Blueprint("audit", url_prefix="/api/v1/audit")


@bp.get("")
@openapi.summary("本辖区的操作留痕（只读）")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@query_args(AuditQuery)
async def trail(request: Request, query: AuditQuery):
    return json(await audit.trail(request.ctx.auth, query.subject_type, query.subject_id, query.cursor, query.limit))
