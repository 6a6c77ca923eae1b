"""Login through WeChat, token refresh and rotation, logout, phone binding, role switching."""

from __future__ import annotations

from backend.domain.roles import Role
from backend.errors import TokenInvalid
from backend.infra.resources import Resources
from backend.infra.tokens import AccessClaims
from backend.models import RoleGrant, User
from backend.services import users

LOGIN_WINDOW = 60
PHONE_BIND_LIMIT = 5
PHONE_BIND_WINDOW = 3600


async def _issue(res: Resources, user: User, grants: dict[Role, RoleGrant], family: str,
                 refresh_token: str | None) -> dict:
    active = users.pick_active_role(user, grants)
    access = res.access_tokens.issue(user.id, active.value, grants[active].region_code, family)
    return {
        "access_token": access,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": res.access_tokens.ttl,
        "user": users.public_view(user, grants, active),
    }


async def login_with_wechat(res: Resources, code: str, ip: str) -> dict:
    """wx.login code → openid → user → an access token and a fresh refresh-token family."""
    limit = res.settings.login_rate_per_minute
    await res.rate_limiter.hit("login-ip", ip, limit * 6, LOGIN_WINDOW, "登录尝试太频繁，请稍后再试")
    session = await res.wechat.code_to_session(code)
    await res.rate_limiter.hit("login-openid", session.openid, limit, LOGIN_WINDOW, "登录尝试太频繁，请稍后再试")
    user = await users.find_or_register(session.openid, session.unionid)
    if not user.is_active:
        raise TokenInvalid("账号已停用，请联系管理员")
    grants = await users.grants_of(user)
    family, refresh_token = await res.refresh_tokens.start(user.id)
    return await _issue(res, user, grants, family, refresh_token)


async def refresh(res: Resources, refresh_token: str) -> dict:
    """Rotate the refresh token; the old one stops working, and reusing it ends the login."""
    state, successor = await res.refresh_tokens.rotate(refresh_token)
    user = await User.get_or_none(id=state.user_id, is_active=True)
    if user is None:
        await res.refresh_tokens.revoke(successor)
        raise TokenInvalid("账号已停用，请联系管理员")
    grants = await users.grants_of(user)
    return await _issue(res, user, grants, state.family, successor)


async def logout(res: Resources, refresh_token: str) -> None:
    await res.refresh_tokens.revoke(refresh_token)


async def me(claims: AccessClaims) -> dict:
    user = await users.get_active_user(claims.user_id)
    grants = await users.grants_of(user)
    active = Role(claims.role) if claims.role in grants else users.pick_active_role(user, grants)
    return users.public_view(user, grants, active)


async def switch_role(res: Resources, claims: AccessClaims, role: Role) -> dict:
    """A new access token for another role the user holds; later refreshes keep it."""
    user = await users.get_active_user(claims.user_id)
    grants = await users.choose_role(user, role)
    return await _issue(res, user, grants, claims.family, None)


async def bind_phone(res: Resources, claims: AccessClaims, code: str) -> dict:
    await res.rate_limiter.hit("bind-phone", str(claims.user_id), PHONE_BIND_LIMIT, PHONE_BIND_WINDOW,
                               "绑定手机号太频繁，请一小时后再试")
    phone = await res.wechat.phone_number(code)
    user = await users.get_active_user(claims.user_id)
    user = await users.bind_phone(user, phone)
    grants = await users.grants_of(user)
    return await _issue(res, user, grants, claims.family, None)
