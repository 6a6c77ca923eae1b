"""Users, their roles, and the provisioning of admins."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend.domain import regions
from backend.domain.privacy import mask_phone
from backend.domain.roles import Role, check_admin_scope, is_admin
from backend.errors import Conflict, NotAuthenticated, RoleNotHeld, ValidationFailed
from backend.models import Region, RoleGrant, User

# Which role a user lands in when they have not chosen one before.
ROLE_PREFERENCE = [Role.PROVINCE_ADMIN, Role.LOCAL_ADMIN, Role.EXPERT, Role.REQUESTER]


async def grants_of(user: User) -> dict[Role, RoleGrant]:
    return {Role(grant.role): grant for grant in await RoleGrant.filter(user_id=user.id)}


def pick_active_role(user: User, grants: dict[Role, RoleGrant]) -> Role:
    if user.last_role and user.last_role in grants:
        return Role(user.last_role)
    return next(role for role in ROLE_PREFERENCE if role in grants)


def public_view(user: User, grants: dict[Role, RoleGrant], active: Role) -> dict:
    """The user as the user themself sees it."""
    return {
        "id": user.id,
        "name": user.name,
        "nickname": user.nickname,
        "phone_masked": mask_phone(user.phone),
        "roles": [role.value for role in ROLE_PREFERENCE[::-1] if role in grants],
        "active_role": active.value,
        "region_code": grants[active].region_code,
    }


async def get_active_user(user_id: int) -> User:
    user = await User.get_or_none(id=user_id, is_active=True)
    if user is None:
        # The token outlived the account (deleted or disabled): the client must log in again.
        raise NotAuthenticated("账号不存在或已注销，请重新登录", code="account_closed")
    return user


async def find_or_register(openid: str, unionid: str | None) -> User:
    """The user behind a WeChat openid; a first login registers a requester."""
    user = await User.get_or_none(openid=openid)
    if user is not None:
        if unionid and user.unionid != unionid:
            user.unionid = unionid
            await user.save(update_fields=["unionid", "updated_at"])
        return user
    async with in_transaction():
        user = await User.create(openid=openid, unionid=unionid)
        await RoleGrant.create(user=user, role=Role.REQUESTER.value)
    return user


async def choose_role(user: User, role: Role) -> dict[Role, RoleGrant]:
    grants = await grants_of(user)
    if role not in grants:
        raise RoleNotHeld(fields={"role": "您没有该身份"})
    if user.last_role != role.value:
        user.last_role = role.value
        await user.save(update_fields=["last_role", "updated_at"])
    return grants


async def bind_phone(user: User, phone: str) -> User:
    """Attach a verified phone number; claim an account an admin provisioned for it.

    Admins and imported experts are created by phone number before they ever
    open the mini-program. When such a person binds that number, the
    provisioned account's roles move to the WeChat account.
    """
    async with in_transaction():
        holder = await User.filter(phone=phone).exclude(id=user.id).select_for_update().first()
        if holder is not None:
            if holder.openid:
                raise Conflict("该手机号已绑定另一个微信账号", code="phone_taken", fields={"code": "手机号已被占用"})
            held = {grant.role for grant in await RoleGrant.filter(user_id=user.id)}
            for grant in await RoleGrant.filter(user_id=holder.id):
                if grant.role in held:
                    await RoleGrant.filter(user_id=user.id, role=grant.role).update(region_code=grant.region_code)
                    await grant.delete()
                else:
                    grant.user_id = user.id
                    await grant.save(update_fields=["user_id"])
            if not user.name:
                user.name = holder.name
            await holder.delete()
        user.phone = phone
        await user.save(update_fields=["phone", "name", "updated_at"])
    return user


async def grant_role(
    role: Role,
    *,
    phone: str | None = None,
    openid: str | None = None,
    name: str = "",
    region_code: str | None = None,
    granted_by_id: int | None = None,
) -> User:
    """Give a role to the person with this phone or openid, creating the account if needed."""
    if not phone and not openid:
        raise ValidationFailed("需要手机号或 openid", fields={"phone": "手机号或 openid 至少填一项"})
    if is_admin(role):
        problem = check_admin_scope(role, region_code or "")
        if problem:
            raise ValidationFailed(problem, fields={"region_code": problem})
        region_code = regions.normalize(region_code)
        if not await Region.exists(code=region_code):
            raise ValidationFailed("区划代码不存在", fields={"region_code": "区划代码不存在"})
    async with in_transaction():
        user = await User.get_or_none(openid=openid) if openid else await User.get_or_none(phone=phone)
        if user is None:
            user = await User.create(openid=openid, phone=phone, name=name)
        elif name and not user.name:
            user.name = name
            await user.save(update_fields=["name", "updated_at"])
        grant = await RoleGrant.get_or_none(user_id=user.id, role=role.value)
        if grant is None:
            await RoleGrant.create(user=user, role=role.value, region_code=region_code, granted_by_id=granted_by_id)
        elif grant.region_code != region_code:
            grant.region_code = region_code
            await grant.save(update_fields=["region_code"])
    return user
