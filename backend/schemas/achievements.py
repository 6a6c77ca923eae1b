from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Mode = Literal["transfer", "license", "equity", "cooperation"]
Status = Literal["draft", "published"]


class AchievementCreate(BaseModel):
    title: str = Field(min_length=2, max_length=100, description="成果名称")
    field: str = Field(min_length=1, max_length=32, description="领域，对应服务菜单分类代码，如 planting")
    description: str = Field(min_length=10, max_length=5000, description="成果简介、适用范围、技术指标")
    mode: Mode = Field(description="转化方式：transfer 转让 / license 许可 / equity 入股 / cooperation 合作")
    status: Status = Field(default="published", description="draft 草稿 / published 发布")


class AchievementEdit(BaseModel):
    title: str | None = Field(default=None, min_length=2, max_length=100)
    field: str | None = Field(default=None, min_length=1, max_length=32)
    description: str | None = Field(default=None, min_length=10, max_length=5000)
    mode: Mode | None = None
    status: Status | None = None


class AchievementQuery(BaseModel):
    q: str | None = Field(default=None, max_length=100, description="关键词，按中文分词检索")
    field: str | None = Field(default=None, max_length=32)
    mode: Mode | None = None
    mine: bool = Field(default=False, description="专家查看本人的成果（含草稿）")
    cursor: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=20, ge=1, le=50)
