"""精准匹配: ranked experts and teams for an order, with the reasons, for the admin who dispatches it."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import query_args
from backend.domain.roles import Role
from backend.services import recommendations

bp = Blueprint("recommendations", url_prefix="/api/v1")


class RecommendationQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=50)


@bp.get("/orders/<order_id:int>/recommendations")
@openapi.summary("派单推荐：按领域、专长、距离、在办任务、评价和职称排序的专家（及服务团），附加分理由")
@authenticated(Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN)
@query_args(RecommendationQuery)
async def recommend(request: Request, order_id: int, query: RecommendationQuery):
    return json(await recommendations.recommend(request.app.ctx.settings, request.ctx.auth, order_id, query.limit))
