"""Small factories: people with roles, created through the same service the admin command uses."""

from __future__ import annotations

from backend.domain.roles import Role
from backend.seed.loader import demo_openid
from backend.services.users import grant_role
from support.auth import login

# 黑龙江省 › 哈尔滨市 › 五常市 / 宾县, from the shipped region tree.
PROVINCE = "230000000000"
HARBIN = "230100000000"
WUCHANG = "230184000000"
BINXIAN = "230125000000"


async def admin_tokens(client, identity: str, role: Role, region_code: str) -> dict:
    """Provision an admin of `region_code` and log in as them."""
    await grant_role(role, openid=demo_openid(identity), name=identity, region_code=region_code)
    return await login(client, identity)
