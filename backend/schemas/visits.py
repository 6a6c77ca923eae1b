from __future__ import annotations

from pydantic import BaseModel, Field


class Location(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy: float | None = Field(default=None, ge=0, le=100_000, description="定位精度（米）")


class CheckIn(BaseModel):
    token: str = Field(min_length=10, max_length=1000, description="扫描需求方签到码得到的内容")
    location: Location | None = Field(default=None, description="定位被拒绝时可不传，记录会标记待核实")


class CheckOut(BaseModel):
    token: str | None = Field(default=None, min_length=10, max_length=1000, description="可再次扫码签退，或不传")
    location: Location | None = None


class ServiceLogIn(BaseModel):
    content: str = Field(min_length=5, max_length=4000, description="服务内容")
    problems_solved: int = Field(default=0, ge=0, le=100)
    problems: str = Field(default="", max_length=2000, description="解决的具体问题")
    people_served: int = Field(default=0, ge=0, le=100_000)
    people_trained: int = Field(default=0, ge=0, le=100_000)
    photos: list[str] = Field(default_factory=list, max_length=9)


class Review(BaseModel):
    approve: bool
    reason: str = Field(min_length=2, max_length=300)


class YearQuery(BaseModel):
    year: int | None = Field(default=None, ge=2000, le=2100, description="年份，默认今年")
