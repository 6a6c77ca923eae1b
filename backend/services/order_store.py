"""An expert's and a requester's order list in one SQL statement each on PostgreSQL.

Experts open their task list, and requesters the orders they placed, far more
often than anything else is read, so on PostgreSQL the page, its items, the
dispatched expert, the region's name and (for an expert) their relation to each
order come back from one statement. Which orders an expert may see is the same
rule as `order_views.expert_orders_filter` (dispatched to them, naming them to
go, teams they lead, and engaged orders of their teams), and a requester sees
the orders they placed, as `order_views.visible_orders` says;
`tests/integration/test_expert_list_sql.py` compares both with the ORM's query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace

from backend.domain import regions
from backend.infra import jsonio
from backend.infra.clock import CHINA
from backend.infra.db import raw_connection
from backend.services import order_views
from backend.services.order_views import ENGAGED, ExpertBrief

# What the list shows of an order (order_views.order_view) and what the caller's relation to it needs: the page
# reads these and no other column, and they come first in each row, in this order.
_PAGE_COLUMNS = ("id", "status", "field", "description", "region_code", "window_start", "window_end", "on_behalf_of",
                 "contact_name", "contact_phone", "address", "latitude", "longitude", "photo_ids", "expert_id",
                 "team_id", "claim_deadline", "due_at", "agreed_visit_at", "last_reason", "submitted_at", "version")
_PAGE_COLUMNS_SQL = ", ".join(f"o.{name}" for name in _PAGE_COLUMNS)


def _filters(first: int) -> str:
    """The list's filters on parameters $first to $first+5: statuses, field, region prefix, since, until, before id."""
    statuses, field, region, since, until, before = (f"${n}" for n in range(first, first + 6))
    return f"""({statuses}::text[] IS NULL OR o.status = ANY({statuses}::text[]))
          AND ({field}::text IS NULL OR o.field = {field})
          AND ({region}::text IS NULL OR o.region_code LIKE {region})
          AND ({since}::timestamptz IS NULL OR o.submitted_at >= {since})
          AND ({until}::timestamptz IS NULL OR o.submitted_at <= {until})
          AND ({before}::bigint IS NULL OR o.id < {before})"""


def _shown(columns: str = "", joined: str = "") -> str:
    """A page's rows as a list shows them: the order's columns, the region's name, the dispatched expert and the
    items, with `columns` more from `joined`."""
    return f"""
SELECT p.*, (SELECT r.name FROM region r WHERE r.code = p.region_code) AS region_name,
       e.name AS expert_name, e.title AS expert_title,
       e.employer AS expert_employer,
       (SELECT json_agg(json_build_array(i.item_code, i.item_name, i.category_name) ORDER BY i.id)
        FROM order_item i WHERE i.order_id = p.id) AS items_json{columns}
FROM page p{joined}
LEFT JOIN expert_profile e ON e.id = p.expert_id
ORDER BY p.id DESC
"""


# The list's filters, applied in each source of the expert's orders so that its LIMIT counts only what is shown.
_PAGE_FILTERS = _filters(3)

# Each source (dispatched to the expert, naming them to go, each team of theirs) gives at most a page of ids,
# newest first from its (key, id) index (migration 0017), and the page is the newest of those: an expert with
# thousands of orders reads about as much as one with thirty.
_EXPERT_PAGE = f"""
WITH me AS (
    SELECT id, status, field FROM expert_profile WHERE user_id = $1
), teams AS (
    SELECT team_id, position FROM team_member WHERE expert_id = (SELECT id FROM me)
), mine AS (
    (SELECT o.id FROM service_order o
     WHERE o.expert_id = (SELECT id FROM me) AND {_PAGE_FILTERS}
     ORDER BY o.id DESC LIMIT $9)
    UNION
    (SELECT a.order_id FROM order_assignee a JOIN service_order o ON o.id = a.order_id
     WHERE a.expert_id = (SELECT id FROM me) AND {_PAGE_FILTERS}
     ORDER BY a.order_id DESC LIMIT $9)
    UNION
    SELECT team_orders.id FROM teams t CROSS JOIN LATERAL (
        SELECT o.id FROM service_order o
        WHERE o.team_id = t.team_id AND (t.position = 'leader' OR o.status = ANY($2::text[])) AND {_PAGE_FILTERS}
        ORDER BY o.id DESC LIMIT $9) team_orders
), page AS (
    SELECT {_PAGE_COLUMNS_SQL} FROM service_order o
    WHERE o.id IN (SELECT id FROM mine)
    ORDER BY o.id DESC
    LIMIT $9
)
""" + _shown(columns=""",
       EXISTS (SELECT 1 FROM order_assignee a WHERE a.order_id = p.id AND a.expert_id = (SELECT id FROM me))
           AS serving,
       EXISTS (SELECT 1 FROM teams t WHERE t.team_id = p.team_id AND t.position = 'leader') AS leads,
       me.id AS me_id, me.status AS me_status, me.field AS me_field""", joined=" CROSS JOIN me")

# A requester's orders, newest first from the (requester_id, id) index (migration 0017).
_REQUESTER_PAGE = f"""
WITH page AS (
    SELECT {_PAGE_COLUMNS_SQL} FROM service_order o
    WHERE o.requester_id = $1 AND {_filters(2)}
    ORDER BY o.id DESC
    LIMIT $8
)""" + _shown()

_TIMES = ("claim_deadline", "due_at", "agreed_visit_at", "submitted_at")


@dataclass(frozen=True)
class ExpertPageRow:
    order: SimpleNamespace  # with `region_name` beside the order's columns
    relations: set[str]


def _order(values: dict) -> SimpleNamespace:
    """The order's columns (and `items_json`, and the expert's columns when it has one) as the views read them."""
    for name in _TIMES:
        if values[name] is not None:
            values[name] = values[name].astimezone(CHINA)
    photos = values["photo_ids"]
    values["photo_ids"] = jsonio.loads(photos) if isinstance(photos, str) else photos
    values["items"] = [SimpleNamespace(item_code=code, item_name=name, category_name=category)
                       for code, name, category in jsonio.loads(values.pop("items_json") or "[]")]
    # A just-placed order has no expert, and its statement returns no expert columns.
    name, title, employer = (values.pop(f"expert_{part}", None) for part in ("name", "title", "employer"))
    values["expert"] = ExpertBrief(values["expert_id"], name, title, employer) if values["expert_id"] else None
    return SimpleNamespace(**values)


def _page_order(row) -> SimpleNamespace:
    values = dict(zip(_PAGE_COLUMNS, row))
    for name in ("items_json", "expert_name", "expert_title", "expert_employer", "region_name"):
        values[name] = row[name]
    return _order(values)


def _filter_args(statuses: list[str] | None, field: str | None, region: str | None, since, until,
                 after: int | None) -> list:
    since_at, until_at = order_views.submitted_bounds(since, until)
    return [statuses, field, regions.prefix_of(region) + "%" if region else None, since_at, until_at, after]


def expert_page_statement(user_id: int, *, statuses: list[str] | None = None, field: str | None = None,
                          region: str | None = None, since=None, until=None, after: int | None = None,
                          limit: int) -> tuple:
    """The expert's page statement and its arguments (the bench's floor runs it on its own too)."""
    return (_EXPERT_PAGE, user_id, [s.value for s in ENGAGED],
            *_filter_args(statuses, field, region, since, until, after), limit)


async def expert_page(user_id: int, *, statuses: list[str] | None, field: str | None, region: str | None,
                      since, until, after: int | None, limit: int) -> list[ExpertPageRow]:
    """Up to `limit` of the expert's orders, newest first, with what the view needs of each."""
    async with raw_connection() as conn:
        rows = await conn.fetch(*expert_page_statement(user_id, statuses=statuses, field=field, region=region,
                                                       since=since, until=until, after=after, limit=limit))
    result = []
    for row in rows:
        profile = SimpleNamespace(id=row["me_id"], status=row["me_status"], field=row["me_field"])
        order = _page_order(row)
        relations = order_views.expert_relations(order, profile, serving=row["serving"], leads=row["leads"])
        result.append(ExpertPageRow(order, relations))
    return result


async def requester_page(user_id: int, *, statuses: list[str] | None, field: str | None, region: str | None,
                         since, until, after: int | None, limit: int) -> list[SimpleNamespace]:
    """Up to `limit` of the orders the requester placed, newest first, with what the view needs of each."""
    async with raw_connection() as conn:
        rows = await conn.fetch(_REQUESTER_PAGE, user_id,
                                *_filter_args(statuses, field, region, since, until, after), limit)
    return [_page_order(row) for row in rows]


# --------------------------------------------------------------------------- placing an order

# Everything 基层下单 writes, in one statement: the order, its items copied from the menu, the audit
# record, and for each local admin of the village a message-centre entry and (with an openid) a WeChat
# message in the outbox. Nothing is written unless the village exists and every item is on the menu.
_PLACE = """
WITH village AS (
    SELECT code, name FROM region WHERE code = $1 AND level = 'village'
), wanted AS (
    SELECT code, ord FROM unnest($2::text[]) WITH ORDINALITY AS w(code, ord)
), menu AS (
    SELECT w.ord, i.id, i.code, i.name, i.field, c.name AS category_name
    FROM wanted w
    JOIN service_item i ON i.code = w.code AND i.retired_at IS NULL
    JOIN service_category c ON c.id = i.category_id
), first_item AS (
    SELECT name, field FROM menu ORDER BY ord LIMIT 1
), ok AS (
    SELECT 1 AS ok FROM village WHERE (SELECT count(*) FROM menu) = cardinality($2::text[])
), o AS (
    INSERT INTO service_order (requester_id, on_behalf_of, status, field, description, region_code, address,
                               latitude, longitude, contact_name, contact_phone, window_start, window_end, photo_ids,
                               submitted_at, due_at, version, updated_at)
    SELECT $3, $4, $5, (SELECT field FROM first_item), $6, $1, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16,
           1, $15
    FROM ok
    RETURNING *
), items AS (
    INSERT INTO order_item (order_id, item_id, item_code, item_name, category_name, field)
    SELECT o.id, m.id, m.code, m.name, m.category_name, m.field FROM o, menu m ORDER BY m.ord
    RETURNING id
), audit AS (
    INSERT INTO audit_record (actor_id, actor_role, action, subject_type, subject_id, region_code, from_state,
                              to_state, detail, created_at)
    SELECT $3, $17, 'submit', 'order', o.id::text, o.region_code, NULL, $5, $18::jsonb, $15 FROM o
    RETURNING created_at
), admins AS (
    -- LIMIT keeps the user lookup per grant: a cached generic plan would otherwise hash-join every user.
    SELECT DISTINCT g.user_id AS id, u.openid, u.is_active
    FROM role_grant g
    CROSS JOIN LATERAL (SELECT openid, is_active FROM app_user WHERE id = g.user_id LIMIT 1) u
    WHERE g.role = $19 AND g.region_code = ANY($20::text[])
), told AS (
    INSERT INTO notification (user_id, event, title, body, order_id, dedupe_key, created_at)
    SELECT a.id, $21, $22,
           left(replace(replace($23, '{village}', (SELECT name FROM village)), '{item}', (SELECT name FROM first_item)),
                500),
           o.id, 'order:' || o.id || ':submitted:u' || a.id, $15
    FROM o, admins a
    ON CONFLICT DO NOTHING
    RETURNING id
), sent AS (
    INSERT INTO outbox_message (kind, payload, status, attempts, next_attempt_at, created_at, dedupe_key)
    SELECT $24, jsonb_build_object('openid', a.openid, 'template_id', $25::text,
                                   'data', jsonb_build_object('order_id', o.id),
                                   'page', replace($26, '{order_id}', o.id::text)),
           'pending', 0, $15, $15, 'order:' || o.id || ':submitted:u' || a.id
    FROM o, admins a
    WHERE a.openid IS NOT NULL AND a.openid <> '' AND a.is_active
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT name FROM village) AS village_name,
       (SELECT coalesce(array_agg(code), '{}') FROM menu) AS found_codes,
       (SELECT json_agg(json_build_array(code, name, category_name) ORDER BY ord) FROM menu) AS items_json,
       (SELECT created_at FROM audit) AS audit_at,
       (SELECT count(*) FROM told) AS told, (SELECT count(*) FROM sent) AS sent,
       o.*
FROM (SELECT 1) one LEFT JOIN o ON true
"""


@dataclass(frozen=True)
class Placed:
    """The order as written, or what was missing: the village (None) or menu items."""

    order: SimpleNamespace | None
    village_name: str | None
    missing_items: list[str]
    submitted_record_at: object = None


def place_statement(*, requester_id: int, role: str, data, status: str, photo_ids: list[str], submitted_at, due_at,
                    admin_role: str, admin_regions: list[str], event: str, title: str, body_template: str,
                    outbox_kind: str, template_id: str, page_template: str) -> tuple:
    """(sql, *args) of placing the order `data` describes."""
    return (_PLACE, data.region_code, list(data.items), requester_id, data.on_behalf_of, status,
            data.description.strip(), data.address.strip(), data.latitude, data.longitude, data.contact_name,
            data.contact_phone, data.window_start, data.window_end, json.dumps(photo_ids), submitted_at, due_at,
            role, json.dumps({"items": list(data.items)}, ensure_ascii=False), admin_role, admin_regions, event,
            title, body_template, outbox_kind, template_id, page_template)


async def place(data, **arguments) -> Placed:
    """Place the order `data` describes; `arguments` are place_statement's others."""
    sql, *args = place_statement(data=data, **arguments)
    async with raw_connection() as conn:
        row = await conn.fetchrow(sql, *args)
    if row["village_name"] is None:
        return Placed(None, None, [])
    found = set(row["found_codes"])
    missing = [code for code in data.items if code not in found]
    if missing or row["id"] is None:
        return Placed(None, row["village_name"], missing)
    values = {key: row[key] for key in row.keys()
              if key not in ("village_name", "found_codes", "audit_at", "told", "sent")}
    return Placed(_order(values), row["village_name"], [], row["audit_at"].astimezone(CHINA))
