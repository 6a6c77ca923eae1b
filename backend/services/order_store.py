"""An expert's order list in one SQL statement on PostgreSQL.

Experts open their task list far more often than anything else is read, so on
PostgreSQL the page, its items, the dispatched expert, the region's name and
the caller's relation to each order come back from one statement. Which orders
an expert may see is the same rule as `order_views.expert_orders_filter`
(dispatched to them, naming them to go, teams they lead, and engaged orders of
their teams); the API tests run it on both databases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace

from backend.domain import regions
from backend.infra.clock import CHINA
from backend.infra.db import raw_connection
from backend.services import order_views
from backend.services.order_views import ENGAGED, ExpertBrief

_EXPERT_PAGE = """
WITH me AS (
    SELECT id, status, field FROM expert_profile WHERE user_id = $1
), teams AS (
    SELECT team_id, position FROM team_member WHERE expert_id = (SELECT id FROM me)
), mine AS (
    SELECT id FROM service_order WHERE expert_id = (SELECT id FROM me)
    UNION
    SELECT order_id FROM order_assignee WHERE expert_id = (SELECT id FROM me)
    UNION
    SELECT o.id FROM service_order o JOIN teams t ON o.team_id = t.team_id
    WHERE t.position = 'leader' OR o.status = ANY($2::text[])
), page AS (
    SELECT o.* FROM service_order o
    WHERE o.id IN (SELECT id FROM mine)
      AND ($3::text[] IS NULL OR o.status = ANY($3::text[]))
      AND ($4::text IS NULL OR o.field = $4)
      AND ($5::text IS NULL OR o.region_code LIKE $5)
      AND ($6::timestamptz IS NULL OR o.submitted_at >= $6)
      AND ($7::timestamptz IS NULL OR o.submitted_at <= $7)
      AND ($8::bigint IS NULL OR o.id < $8)
    ORDER BY o.id DESC
    LIMIT $9
)
SELECT p.*, r.name AS region_name, e.name AS expert_name, e.title AS expert_title,
       e.employer AS expert_employer,
       (SELECT json_agg(json_build_array(i.item_code, i.item_name, i.category_name) ORDER BY i.id)
        FROM order_item i WHERE i.order_id = p.id) AS items_json,
       EXISTS (SELECT 1 FROM order_assignee a WHERE a.order_id = p.id AND a.expert_id = (SELECT id FROM me))
           AS serving,
       EXISTS (SELECT 1 FROM teams t WHERE t.team_id = p.team_id AND t.position = 'leader') AS leads,
       me.id AS me_id, me.status AS me_status, me.field AS me_field
FROM page p CROSS JOIN me
LEFT JOIN region r ON r.code = p.region_code
LEFT JOIN expert_profile e ON e.id = p.expert_id
ORDER BY p.id DESC
"""

_TIMES = ("claim_deadline", "due_at", "agreed_visit_at", "submitted_at")


@dataclass(frozen=True)
class ExpertPageRow:
    order: SimpleNamespace
    region_name: str | None
    relations: set[str]


def _order(row) -> SimpleNamespace:
    values = dict(row)
    for name in ("me_id", "me_status", "me_field", "serving", "leads"):
        del values[name]
    for name in _TIMES:
        if values[name] is not None:
            values[name] = values[name].astimezone(CHINA)
    values["photo_ids"] = json.loads(values["photo_ids"]) if isinstance(values["photo_ids"], str) \
        else values["photo_ids"]
    items = json.loads(values.pop("items_json") or "[]")
    values["items"] = [SimpleNamespace(item_code=code, item_name=name, category_name=category)
                       for code, name, category in items]
    name, title, employer = values.pop("expert_name"), values.pop("expert_title"), values.pop("expert_employer")
    values["expert"] = ExpertBrief(values["expert_id"], name, title, employer) if values["expert_id"] else None
    return SimpleNamespace(**values)


async def expert_page(user_id: int, *, statuses: list[str] | None, field: str | None, region: str | None,
                      since, until, after: int | None, limit: int) -> list[ExpertPageRow]:
    """Up to `limit` of the expert's orders, newest first, with what the view needs of each."""
    since_at, until_at = order_views.submitted_bounds(since, until)
    async with raw_connection() as conn:
        rows = await conn.fetch(
            _EXPERT_PAGE, user_id, [s.value for s in ENGAGED], statuses, field,
            regions.prefix_of(region) + "%" if region else None, since_at, until_at, after, limit)
    result = []
    for row in rows:
        profile = SimpleNamespace(id=row["me_id"], status=row["me_status"], field=row["me_field"])
        order = _order(row)
        relations = order_views.expert_relations(order, profile, serving=row["serving"], leads=row["leads"])
        result.append(ExpertPageRow(order, order.region_name, relations))
    return result
