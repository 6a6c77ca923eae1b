from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from backend.schemas.visits import Location


class BaseCreate(BaseModel):
    name: str = Field(min_length=2, max_length=64, description="基地名称")
    region_code: str = Field(pattern=r"^\d{12}$", description="基地所在地 12 位区划代码")
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class BaseCheckIn(BaseModel):
    token: str = Field(min_length=10, max_length=1000, description="扫描基地二维码得到的内容")
    location: Location | None = Field(default=None, description="基地签到必须附定位；缺少时会提示开启定位后重试")


class ActivityConfirm(BaseModel):
    date: dt.date = Field(description="活动日期")
    approve: bool
    reason: str = Field(min_length=2, max_length=200)
