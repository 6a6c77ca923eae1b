from __future__ import annotations

from pydantic import BaseModel, Field


class CaseCreate(BaseModel):
    visit_id: int = Field(ge=1, description="作为案例的服务记录（评价 4 分及以上）")
    title: str = Field(min_length=4, max_length=80, description="案例标题")
    body: str = Field(min_length=20, max_length=10_000, description="案例正文，不得包含需求方姓名和电话")
    photo_ids: list[str] = Field(default_factory=list, max_length=9,
                                 description="照片，只能选自该次服务的服务日志或评价")
    photos_consented: bool = Field(default=False, description="需求方是否同意公开照片")


class CaseListQuery(BaseModel):
    field: str | None = Field(default=None, max_length=32, description="领域（服务菜单分类代码）")
    page: int = Field(default=1, ge=1, le=1000)
    page_size: int = Field(default=20, ge=1, le=50)
