"""The 点餐 service menu: read by everyone, edited by provincial admins.

Retiring an item hides it from the menu; orders keep the name they were
placed with, because order items copy it.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from backend.errors import Conflict, NotFound
from backend.infra.clock import now
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, ServiceCategory, ServiceItem


async def _by_code(model, code: str):
    """The row with this code, or None, also for codes longer than any stored one (a lookup, not a 500)."""
    if len(code) > model._meta.fields_map["code"].max_length:
        return None
    return await model.get_or_none(code=code)


def _item_view(item: ServiceItem) -> dict:
    return {"id": item.id, "code": item.code, "name": item.name, "description": item.description,
            "field": item.field, "typical_hours": item.typical_hours, "retired": item.retired_at is not None}


async def menu(include_retired: bool = False) -> list[dict]:
    """Categories with their items, in menu order."""
    categories = await ServiceCategory.all().order_by("sort_order", "id")
    items = ServiceItem.all().order_by("sort_order", "id")
    if not include_retired:
        categories = [c for c in categories if c.is_active]
        items = items.filter(retired_at__isnull=True)
    by_category: dict[int, list[dict]] = {}
    for item in await items:
        by_category.setdefault(item.category_id, []).append(_item_view(item))
    return [
        {"code": c.code, "name": c.name, "description": c.description, "icon": c.icon, "active": c.is_active,
         "items": by_category.get(c.id, [])}
        for c in categories
    ]


async def _audit(claims: AccessClaims, action: str, subject: str, detail: dict) -> None:
    await AuditRecord.create(actor_id=claims.user_id, actor_role=claims.role, action=action,
                             subject_type="menu", subject_id=subject, region_code=claims.region_code, detail=detail)


async def create_category(claims: AccessClaims, data) -> dict:
    try:
        category = await ServiceCategory.create(**data.model_dump())
    except IntegrityError:
        raise Conflict("分类代码已存在", code="duplicate_code", fields={"code": "分类代码已存在"}) from None
    await _audit(claims, "menu_category_created", category.code, data.model_dump())
    return {"code": category.code, "name": category.name}


async def update_category(claims: AccessClaims, code: str, data) -> dict:
    category = await _by_code(ServiceCategory, code)
    if category is None:
        raise NotFound("没有这个服务分类")
    changes = data.model_dump(exclude_none=True)
    if changes:
        await ServiceCategory.filter(id=category.id).update(**changes)
        await _audit(claims, "menu_category_updated", code, changes)
    return {"code": code, **changes}


async def create_item(claims: AccessClaims, data) -> dict:
    category = await ServiceCategory.get_or_none(code=data.category_code)
    if category is None:
        raise NotFound("没有这个服务分类", fields={"category_code": "分类不存在"})
    fields = data.model_dump(exclude={"category_code"})
    try:
        item = await ServiceItem.create(category=category, field=category.code, **fields)
    except IntegrityError:
        raise Conflict("服务项目代码已存在", code="duplicate_code", fields={"code": "服务项目代码已存在"}) from None
    await _audit(claims, "menu_item_created", item.code, data.model_dump())
    return _item_view(item)


async def update_item(claims: AccessClaims, code: str, data) -> dict:
    item = await _by_code(ServiceItem, code)
    if item is None:
        raise NotFound("没有这个服务项目")
    changes = data.model_dump(exclude_none=True)
    if changes:
        await ServiceItem.filter(id=item.id).update(**changes)
        await _audit(claims, "menu_item_updated", code, changes)
    return _item_view(await ServiceItem.get(id=item.id))


async def retire_item(claims: AccessClaims, code: str) -> dict:
    item = await _by_code(ServiceItem, code)
    if item is None:
        raise NotFound("没有这个服务项目")
    if item.retired_at is None:
        await ServiceItem.filter(id=item.id).update(retired_at=now())
        await _audit(claims, "menu_item_retired", code, {})
    return _item_view(await ServiceItem.get(id=item.id))
