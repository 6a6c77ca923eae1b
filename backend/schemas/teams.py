from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class TeamCreate(BaseModel):
    name: str = Field(min_length=2, max_length=64)
    field: str = Field(min_length=2, max_length=32)
    region_code: str = Field(pattern=r"^\d{6}(\d{6})?$", description="服务团所属区划")
    leader_id: int = Field(description="团长（专家 id）")
    core_ids: list[int] = Field(default_factory=list, max_length=20, description="核心专家")
    member_ids: list[int] = Field(default_factory=list, max_length=50, description="成员")
    term_start: date
