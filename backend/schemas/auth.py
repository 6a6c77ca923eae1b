from __future__ import annotations

from pydantic import BaseModel, Field

from backend.domain.roles import Role


class WeChatLogin(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="wx.login 返回的 code")


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class PhoneBinding(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="getPhoneNumber 按钮返回的 code")


class RoleSwitch(BaseModel):
    role: Role


class UserPublic(BaseModel):
    id: int
    name: str
    nickname: str
    phone_masked: str | None
    roles: list[Role]
    active_role: Role
    region_code: str | None = Field(description="当前身份的辖区或所在地区划代码")


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str | None = None
    token_type: str = "Bearer"
    expires_in: int
    user: UserPublic
