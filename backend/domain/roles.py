"""Roles and who may act where. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum

from backend.domain import regions


class Role(StrEnum):
    REQUESTER = "requester"
    EXPERT = "expert"
    LOCAL_ADMIN = "local_admin"
    PROVINCE_ADMIN = "province_admin"


ROLE_LABELS = {
    Role.REQUESTER: "需求方",
    Role.EXPERT: "专家",
    Role.LOCAL_ADMIN: "属地管理员",
    Role.PROVINCE_ADMIN: "省厅管理员",
}

ADMIN_ROLES = frozenset({Role.LOCAL_ADMIN, Role.PROVINCE_ADMIN})

# The level of region each admin role may be granted.
ADMIN_SCOPE_LEVELS = {
    Role.LOCAL_ADMIN: {"city", "county"},
    Role.PROVINCE_ADMIN: {"province"},
}


def is_admin(role: str) -> bool:
    return role in ADMIN_ROLES


def scope_admits(scope_code: str | None, region_code: str | None) -> bool:
    """Whether an admin governing `scope_code` may act on a record in `region_code`."""
    if not scope_code or not region_code:
        return False
    return regions.is_within(region_code, scope_code)


def check_admin_scope(role: Role, region_code: str) -> str | None:
    """Why `region_code` cannot be granted to `role`, or None when it can."""
    if not regions.is_valid(region_code):
        return "区划代码格式不正确"
    level = regions.level_of(region_code)
    allowed = ADMIN_SCOPE_LEVELS.get(role)
    if allowed is None:
        return "该身份不是管理员"
    if level not in allowed:
        names = "、".join(regions.LEVEL_NAMES[name] for name in sorted(allowed))
        return f"{ROLE_LABELS[role]}只能管辖{names}级区域"
    return None
