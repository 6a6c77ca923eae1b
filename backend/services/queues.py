"""An admin's work queue: the first rows to handle, and how many are waiting in all.

A queue shows at most QUEUE_LIMIT rows; a busy county can have more waiting, and the admin is told
so instead of reading the page's length as the whole queue. The count runs only when the page is
full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tortoise.queryset import QuerySet

QUEUE_LIMIT = 200


async def first_of_queue(query: QuerySet, view: Callable[[Any], Any], limit: int = QUEUE_LIMIT) -> dict:
    """{"items": the first `limit` rows of `query`, ordered, as `view` shows them; "total": how many in all}."""
    rows = await query.limit(limit)
    items = [view(row) for row in rows]
    total = len(items) if len(items) < limit else await query.count()
    return {"items": items, "total": total}
