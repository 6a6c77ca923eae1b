"""A check-out reads its own visit and its order's visits, however many visits are open elsewhere.

Check-out runs on a cached generic plan. With statistics gathered while few visits were open,
"status = 'open'" looked like one row, and an index on visit.status won over the primary key:
every open visit in the table was read twice per check-out (migration 0012).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import asyncpg
import pytest

from backend.domain.order_flow import Action
from backend.infra.clock import now
from backend.services.visit_store import _FINISH, _PG_CHECK_OUT
from support.auth import bearer
from support.factories import MINLE_POINT, scheduled_order

pytestmark = pytest.mark.postgres

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}
OTHER_OPEN_VISITS = 3000


def _visit_nodes(plan: dict):
    """Every node of the plan that reads the visit table, with how many rows it went through."""
    if plan.get("Relation Name") == "visit":
        yield plan.get("Node Type"), plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
    for child in plan.get("Plans", []):
        yield from _visit_nodes(child)


async def test_check_out_reads_only_its_own_visit_and_its_orders_visits(client, settings):
    mine, other = await scheduled_order(client), await scheduled_order(client)
    _, code = await client.get(f"/api/v1/orders/{mine['order']['id']}/checkin-code", headers=bearer(mine["farmer"]))
    _, visit = await client.post(f"/api/v1/orders/{mine['order']['id']}/check-in",
                                 json={"token": code.json["token"], "location": ON_SITE},
                                 headers=bearer(mine["expert"]))
    assert visit.status == 201
    conn = await asyncpg.connect(settings.database_url,
                                 server_settings={"plan_cache_mode": "force_generic_plan"})
    try:
        # Statistics taken while hardly anything is open, then thousands of visits left open on another order.
        await conn.execute("ALTER TABLE visit SET (autovacuum_enabled = false)")
        await conn.execute("ANALYZE visit")
        expert_id = await conn.fetchval("SELECT expert_id FROM visit WHERE id = $1", visit.json["id"])
        await conn.execute(
            """INSERT INTO visit (order_id, expert_id, source, status, check_in_at, check_in_code, flags, region_code,
                                  created_at)
               SELECT $1, $2, 'scan', 'open', now(), 'plan-test-' || $3 || '-' || n, '[]', '230102', now()
               FROM generate_series(1, $4) AS n""",
            other["order"]["id"], expert_id, uuid.uuid4().hex, OTHER_OPEN_VISITS)
        # EXPLAIN ANALYZE runs the check-out; it is rolled back, the plan is what counts.
        transaction = conn.transaction()
        await transaction.start()
        try:
            rows = await conn.fetch(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + _PG_CHECK_OUT, visit.json["id"], "completed", now(),
                uuid.uuid4().hex, "[]", 120, ON_SITE["latitude"], ON_SITE["longitude"], 15.0, 20, "pending",
                [date.today()], [Decimal("2.00")], _FINISH.target.value, [s.value for s in _FINISH.sources],
                Action.FINISH_SERVICE.value, 1, "expert")
        finally:
            await transaction.rollback()
        plan = json.loads(rows[0][0])[0]["Plan"]
        read = list(_visit_nodes(plan))
    finally:
        await conn.execute("DELETE FROM visit WHERE check_in_code LIKE 'plan-test-%'")
        await conn.execute("ALTER TABLE visit RESET (autovacuum_enabled)")
        await conn.close()
    assert read, "the plan should read the visit table"
    assert max(rows_read for _, rows_read in read) <= 10, read
