"""Admins provisioning colleagues within their own area."""

from __future__ import annotations

from backend.domain import regions
from backend.domain.privacy import mask_phone
from backend.domain.roles import Role, is_admin, scope_admits
from backend.errors import Forbidden, OutOfRegion, ValidationFailed
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, RoleGrant
from backend.services.users import grant_role


async def grant(claims: AccessClaims, role: Role, phone: str, name: str, region_code: str | None) -> dict:
    """An admin gives an admin role within their own region; a local admin cannot make a provincial one."""
    if role == Role.PROVINCE_ADMIN and claims.role != Role.PROVINCE_ADMIN:
        raise Forbidden("只有省厅管理员可以设置省厅管理员")
    if not is_admin(role):
        raise ValidationFailed(fields={"role": "只能授予管理员身份"})
    if not region_code:
        raise ValidationFailed(fields={"region_code": "管理员必须指定辖区"})
    if not scope_admits(claims.region_code, region_code):
        raise OutOfRegion()
    user = await grant_role(role, phone=phone, name=name, region_code=region_code, granted_by_id=claims.user_id)
    await AuditRecord.create(
        actor_id=claims.user_id, actor_role=claims.role, action="grant_role", subject_type="user",
        subject_id=str(user.id), region_code=regions.normalize(region_code), to_state=role.value,
    )
    return {"user_id": user.id, "name": user.name, "phone_masked": mask_phone(user.phone), "role": role.value,
            "region_code": regions.normalize(region_code)}


async def list_admins(claims: AccessClaims) -> list[dict]:
    """Admins whose area lies within the caller's."""
    prefix = regions.prefix_of(claims.region_code)
    grants = await RoleGrant.filter(
        role__in=[Role.LOCAL_ADMIN.value, Role.PROVINCE_ADMIN.value], region_code__startswith=prefix
    ).select_related("user").order_by("region_code", "id")
    return [
        {"user_id": g.user.id, "name": g.user.name, "phone_masked": mask_phone(g.user.phone), "role": g.role,
         "region_code": g.region_code}
        for g in grants
    ]
