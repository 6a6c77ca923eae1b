"""Reading the region tree: the village picker walks it one level at a time."""

from __future__ import annotations

from backend.domain import regions
from backend.errors import NotFound, ValidationFailed
from backend.models import Region


def _view(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level, "parent_code": region.parent_code,
            "latitude": region.latitude, "longitude": region.longitude}


async def children(parent_code: str | None) -> list[dict]:
    if parent_code is None:
        rows = await Region.filter(level="province").order_by("code")
    else:
        if not regions.is_valid(parent_code):
            raise ValidationFailed(fields={"parent": "区划代码格式不正确"})
        rows = await Region.filter(parent_code=regions.normalize(parent_code)).order_by("code")
    return [_view(row) for row in rows]


async def get(code: str) -> dict:
    if not regions.is_valid(code):
        raise ValidationFailed(fields={"code": "区划代码格式不正确"})
    region = await Region.get_or_none(code=regions.normalize(code))
    if region is None:
        raise NotFound("没有这个区划代码", code="region_not_found")
    view = _view(region)
    names = {row.code: row.name for row in await Region.filter(code__in=regions.ancestors(region.code))}
    view["path"] = [names[code] for code in regions.ancestors(region.code) if code in names] + [region.name]
    return view
