from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class FiguresQuery(BaseModel):
    from_: date | None = Field(default=None, alias="from", description="统计期起（含），默认当年 1 月 1 日")
    to: date | None = Field(default=None, description="统计期止（含），默认今天")
    region: str | None = Field(default=None, pattern=r"^\d{6}(\d{6})?$", description="区划代码，默认本辖区")
