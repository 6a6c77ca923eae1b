"""A requester's own data: a copy on request, and deletion that keeps what the ledger needs (个人信息保护法).

Deletion anonymises rather than erases: the account loses its WeChat
identity, phone and name; the requester's orders lose the contact details,
exact address and photos; ratings keep their scores (they decided whether an
expert's hours count) but lose their comments. Experts' ledgers, visits and
the audit trail stay whole.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend.domain.roles import Role
from backend.errors import Conflict
from backend.infra import keys
from backend.infra.resources import Resources
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, Notification, Order, Rating, RoleGrant, Upload, User
from backend.services.users import get_active_user

DELETED_NAME = "已注销用户"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


async def export(claims: AccessClaims) -> dict:
    """Everything the platform holds about the caller as a requester."""
    user = await get_active_user(claims.user_id)
    orders = await Order.filter(requester_id=user.id).order_by("id").prefetch_related("items")
    ratings = await Rating.filter(rater_id=user.id).order_by("id")
    uploads = await Upload.filter(owner_id=user.id).order_by("created_at")
    roles = await RoleGrant.filter(user_id=user.id).values_list("role", flat=True)
    return {
        "user": {"id": user.id, "name": user.name, "nickname": user.nickname, "phone": user.phone,
                 "roles": list(roles), "created_at": _iso(user.created_at)},
        "orders": [
            {"id": o.id, "status": o.status, "items": [i.item_name for i in o.items], "description": o.description,
             "region_code": o.region_code, "address": o.address, "latitude": o.latitude, "longitude": o.longitude,
             "contact_name": o.contact_name, "contact_phone": o.contact_phone, "on_behalf_of": o.on_behalf_of,
             "window_start": _iso(o.window_start), "window_end": _iso(o.window_end),
             "submitted_at": _iso(o.submitted_at), "closed_at": _iso(o.closed_at)}
            for o in orders
        ],
        "ratings": [
            {"visit_id": r.visit_id, "order_id": r.order_id, "overall": r.overall, "attitude": r.attitude,
             "expertise": r.expertise, "solved": r.solved, "comment": r.comment, "created_at": _iso(r.created_at)}
            for r in ratings
        ],
        "uploads": [
            {"id": str(u.id), "purpose": u.purpose, "content_type": u.content_type, "size": u.size,
             "created_at": _iso(u.created_at)}
            for u in uploads
        ],
    }


async def delete_account(res: Resources, claims: AccessClaims) -> None:
    """Anonymise a requester's account; experts and admins go through their administrators."""
    user = await get_active_user(claims.user_id)
    roles = set(await RoleGrant.filter(user_id=user.id).values_list("role", flat=True))
    if roles - {Role.REQUESTER.value}:
        raise Conflict("您还有专家或管理员身份，请先联系管理员解除后再注销", code="account_has_duties")
    uploads = await Upload.filter(owner_id=user.id)
    async with in_transaction() as conn:
        await User.filter(id=user.id).using_db(conn).update(
            openid=None, unionid=None, phone=None, name=DELETED_NAME, nickname="", is_active=False)
        for order in await Order.filter(requester_id=user.id).using_db(conn):
            # Village and a ~1 km point stay for the figures; the farm's exact place does not.
            await Order.filter(id=order.id).using_db(conn).update(
                contact_name="", contact_phone="", address="（需求方已注销）", on_behalf_of=None, photo_ids=[],
                latitude=round(order.latitude, 2), longitude=round(order.longitude, 2))
        await Rating.filter(rater_id=user.id).using_db(conn).update(comment="", photo_ids=[])
        await Notification.filter(user_id=user.id).using_db(conn).delete()
        await Upload.filter(owner_id=user.id).using_db(conn).delete()
        await RoleGrant.filter(user_id=user.id).using_db(conn).delete()
        await AuditRecord.create(using_db=conn, actor_id=user.id, actor_role=claims.role, action="account_deleted",
                                 subject_type="user", subject_id=str(user.id),
                                 detail={"orders": await Order.filter(requester_id=user.id).using_db(conn).count(),
                                         "uploads": len(uploads)})
    for upload in uploads:
        await res.storage.delete(upload.storage_key)
    families = await res.redis.smembers(keys.user_families(user.id).name)
    for family in families:
        await res.redis.delete(keys.refresh_family(family, res.settings.refresh_token_ttl).name)
    await res.redis.delete(keys.user_families(user.id).name)
