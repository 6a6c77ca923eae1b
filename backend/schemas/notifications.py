from __future__ import annotations

from pydantic import BaseModel, Field


class NotificationQuery(BaseModel):
    cursor: str | None = Field(None, max_length=64, description="上一页返回的 next_cursor，首页不传")
    limit: int = Field(20, ge=1, le=50, description="每页条数，最多 50")
    unread: bool = Field(False, description="为 1 时只看未读")


class NotificationPublic(BaseModel):
    id: int
    event: str = Field(description="事件类型，如 order_accepted、task_assigned、reminder")
    title: str
    body: str
    order_id: int | None
    created_at: str
    read: bool
    read_at: str | None


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    next_cursor: str | None = Field(description="下一页的游标；为空表示没有更多")


class UnreadCount(BaseModel):
    count: int
