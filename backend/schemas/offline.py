from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from backend.schemas.visits import Location


class OfflineScanIn(BaseModel):
    code: str = Field(min_length=10, max_length=64, pattern=r"^\s*OFF1\.\d{1,18}\.\d{1,12}\.\d{8}\s*$",
                      description="扫描需求方离线签到码得到的文字，形如 OFF1.<需求单号>.<时间步>.<8 位数字>")
    scanned_at: datetime = Field(description="专家手机扫码时的本机时间（带时区，例如 2026-11-23T09:30:00+08:00）")
    location: Location | None = Field(default=None, description="扫码时的定位；被拒绝时可不传，记录会标记待核实")

    @field_validator("scanned_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("扫码时间需带时区，例如 2026-11-23T09:30:00+08:00")
        return value


class OfflineVisitIn(BaseModel):
    check_in: OfflineScanIn = Field(description="离线签到")
    check_out: OfflineScanIn | None = Field(default=None, description="离线签退；尚未签退时不传")


class OfflineCheckOutIn(BaseModel):
    check_out: OfflineScanIn = Field(description="离线签退")
