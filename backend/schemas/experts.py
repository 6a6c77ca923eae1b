from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.domain.expert_rules import HONOURS, MAX_RADIUS_KM, MAX_SPECIALTIES

TitleLevel = Literal["senior", "associate_senior", "intermediate"]


class ExpertRegistration(BaseModel):
    """What an expert fills in on the mini-program to join the 专家库."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=32)
    gender: Literal["男", "女", ""] = ""
    title: str = Field(min_length=2, max_length=32, description="职称，如 高级农艺师")
    title_level: TitleLevel = Field(description="senior 正高级 / associate_senior 副高级 / intermediate 中级")
    field: str = Field(min_length=2, max_length=32, description="主要领域：服务菜单分类代码，如 planting")
    specialties: list[str] = Field(default_factory=list, max_length=MAX_SPECIALTIES)
    employer: str = Field(min_length=2, max_length=100)
    region_code: str = Field(pattern=r"^\d{6}(\d{6})?$", description="所在地区划代码")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    service_radius_km: float = Field(default=100.0, ge=1, le=MAX_RADIUS_KM)
    honours: list[str] = Field(default_factory=list, max_length=len(HONOURS), description="荣誉，取自固定列表")
    retired: bool = False
    available: bool = True
    availability_note: str | None = Field(default=None, max_length=200)

    @field_validator("name", "title", "employer")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("不能为空")
        return value.strip()

    @field_validator("specialties")
    @classmethod
    def short_specialties(cls, value: list[str]) -> list[str]:
        cleaned = [item.strip() for item in value if item.strip()]
        if any(len(item) > 32 for item in cleaned):
            raise ValueError("每项专长最多 32 个字")
        return list(dict.fromkeys(cleaned))

    @field_validator("honours")
    @classmethod
    def known_honours(cls, value: list[str]) -> list[str]:
        unknown = [item for item in value if item not in HONOURS]
        if unknown:
            raise ValueError(f"「{'、'.join(unknown)}」不在可选荣誉中")
        return list(dict.fromkeys(value))


class ExpertAvailability(BaseModel):
    model_config = ConfigDict(extra="forbid")

    available: bool
    availability_note: str | None = Field(default=None, max_length=200, description="暂不接单的原因或可服务时间")


class ExpertRejection(BaseModel):
    reason: str = Field(min_length=2, max_length=200)

    @field_validator("reason")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if len(value.strip()) < 2:
            raise ValueError("请填写不通过的原因")
        return value.strip()


class ExpertQuery(BaseModel):
    status: Literal["pending", "verified", "rejected"] | None = None
    field: str | None = Field(default=None, max_length=32)
    region: str | None = Field(default=None, pattern=r"^\d{6}(\d{6})?$")
    q: str | None = Field(default=None, max_length=32, description="姓名、单位或职称中的文字")
    cursor: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=20, ge=1, le=50)
