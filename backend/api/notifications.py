"""The message centre: what happened to my orders and tasks."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import empty, json
from sanic_ext import openapi

from backend.api.deps import authenticated
from backend.api.validation import query_args
from backend.schemas.notifications import NotificationPage, NotificationQuery, UnreadCount
from backend.services import notifications

bp = Blueprint("notifications", url_prefix="/api/v1/notifications")


@bp.get("", strict_slashes=False)
@openapi.summary("我的消息（最新在前，游标分页）")
@openapi.response(200, {"application/json": NotificationPage})
@authenticated()
@query_args(NotificationQuery)
async def list_notifications(request: Request, query: NotificationQuery):
    page = await notifications.list_for(request.ctx.auth.user_id, query.cursor, query.limit, query.unread)
    return json(page)


@bp.get("/unread-count")
@openapi.summary("未读消息数")
@openapi.response(200, {"application/json": UnreadCount})
@authenticated()
async def unread_count(request: Request):
    return json({"count": await notifications.unread_count(request.ctx.auth.user_id)})


@bp.post("/<notification_id:int>/read")
@openapi.summary("标记一条消息为已读")
@authenticated()
async def mark_read(request: Request, notification_id: int):
    await notifications.mark_read(request.ctx.auth.user_id, notification_id)
    return empty()


@bp.post("/read-all")
@openapi.summary("全部标记为已读")
@authenticated()
async def mark_all_read(request: Request):
    await notifications.mark_all_read(request.ctx.auth.user_id)
    return empty()
