from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class RatingIn(BaseModel):
    overall: int = Field(ge=1, le=5, description="总体满意度 1–5")
    attitude: int = Field(ge=1, le=5, description="服务态度 1–5")
    expertise: int = Field(ge=1, le=5, description="专业水平 1–5")
    solved: Literal["solved", "partly", "unsolved"] = Field(description="问题是否解决：已解决 / 部分解决 / 未解决")
    comment: str = Field(default="", max_length=500)
    photos: list[str] = Field(default_factory=list, max_length=9)


class FollowUpClose(BaseModel):
    outcome: str = Field(min_length=2, max_length=1000, description="回访情况")
    approve: bool = Field(description="是否认定该次服务时长")


class CloseOrder(BaseModel):
    reason: str = Field(min_length=2, max_length=300)
