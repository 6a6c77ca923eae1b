from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator, model_validator

from backend.domain import regions

PHONE_PATTERN = r"^1[3-9]\d{9}$"


class OrderCreate(BaseModel):
    items: list[str] = Field(min_length=1, max_length=5, description="服务项目代码，至少一项")
    description: str = Field(min_length=5, max_length=2000, description="问题描述")
    region_code: str = Field(pattern=r"^\d{12}$", description="村（社区）12 位区划代码")
    address: str = Field(min_length=2, max_length=200)
    latitude: float = Field(ge=3.0, le=54.0)
    longitude: float = Field(ge=73.0, le=136.0)
    window_start: date
    window_end: date
    contact_phone: str = Field(pattern=PHONE_PATTERN)
    contact_name: str = Field(default="", max_length=32)
    on_behalf_of: str | None = Field(default=None, max_length=32, description="村干部代村民下单时，村民姓名")
    photos: list[str] = Field(default_factory=list, max_length=9, description="上传接口返回的图片 id")

    @field_validator("items")
    @classmethod
    def _distinct_items(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("服务项目不能重复")
        return value

    @field_validator("region_code")
    @classmethod
    def _village(cls, value: str) -> str:
        if regions.level_of(value) != "village":
            raise ValueError("请选择到村（社区）")
        return value

    @model_validator(mode="after")
    def _window(self) -> OrderCreate:
        if self.window_end < self.window_start:
            raise ValueError("期望时间的结束日期不能早于开始日期")
        return self


class OrderEdit(BaseModel):
    """Fields a requester may change when the order was returned for more information."""

    description: str | None = Field(default=None, min_length=5, max_length=2000)
    address: str | None = Field(default=None, min_length=2, max_length=200)
    latitude: float | None = Field(default=None, ge=3.0, le=54.0)
    longitude: float | None = Field(default=None, ge=73.0, le=136.0)
    window_start: date | None = None
    window_end: date | None = None
    contact_phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    photos: list[str] | None = Field(default=None, max_length=9)


class Reason(BaseModel):
    reason: str = Field(min_length=2, max_length=300, description="原因")


class OptionalReason(BaseModel):
    reason: str | None = Field(default=None, max_length=300)


class DispatchRequest(BaseModel):
    expert_id: int | None = Field(default=None, description="派给一位专家")
    team_id: int | None = Field(default=None, description="或派给一个专家服务团（由团长接单）")
    note: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _one_target(self) -> DispatchRequest:
        if (self.expert_id is None) == (self.team_id is None):
            raise ValueError("请选择一位专家或一个服务团（二选一）")
        return self


class PublishRequest(BaseModel):
    claim_deadline: datetime | None = Field(default=None, description="揭榜截止时间；默认为 5 个工作日后")


class ExpertAcceptance(BaseModel):
    visit_at: datetime | None = Field(default=None, description="与需求方约定的上门时间")
    member_ids: list[int] = Field(default_factory=list, max_length=10,
                                  description="服务团团长接单时指定上门的成员（专家 id）")


class OrderQuery(BaseModel):
    status: str | None = None
    field: str | None = Field(default=None, max_length=32)
    region: str | None = Field(default=None, pattern=r"^\d{6}(\d{6})?$")
    since: date | None = Field(default=None, alias="from")
    until: date | None = Field(default=None, alias="to")
    cursor: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=20, ge=1, le=50)
