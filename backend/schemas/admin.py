from __future__ import annotations

from pydantic import BaseModel, Field

from backend.domain.roles import Role


class GrantCreate(BaseModel):
    phone: str = Field(pattern=r"^1[3-9]\d{9}$", description="被授权人的手机号，其首次微信登录并绑定该号码后生效")
    name: str = Field(min_length=1, max_length=32)
    role: Role
    region_code: str | None = Field(default=None, pattern=r"^\d{6}(\d{6})?$", description="管理员的辖区区划代码")
