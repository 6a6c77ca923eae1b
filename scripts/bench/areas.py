"""An area's lists, as a local admin opens them: the quietest county, the busiest, and its busiest village.

Admins' lists are scoped by a region-code prefix. Whether that prefix can use an index decides
how a quiet area's page behaves on a big table (migration 0013), which none of the throughput
scenarios exercise. Each list is called through its service, in-process, on the bench database,
`calls` times in a row; the report gives the median of all but the first call, and the first.

    python scripts/bench/run.py --only areas
"""

from __future__ import annotations

import statistics
import time
from types import SimpleNamespace

LISTS = ("audit trail", "flagged visits", "open follow-ups", "orders awaiting acceptance")


async def pick_areas(conn) -> dict[str, str]:
    """Region codes: the county with the most orders, its village with the most, and the county with the fewest."""
    from backend.domain import regions

    param = "$1" if conn.capabilities.dialect == "postgres" else "?"
    orders = {row["county"]: row["n"] for row in await conn.execute_query_dict(
        "SELECT substr(region_code, 1, 6) AS county, count(*) AS n FROM service_order GROUP BY 1")}
    # The most orders; among equals, the lowest code.
    busy = min(orders, key=lambda county: (-orders[county], county))
    rows = await conn.execute_query_dict(
        f"SELECT region_code, count(*) AS n FROM service_order WHERE substr(region_code, 1, 6) = {param} GROUP BY 1 "
        "ORDER BY 2 DESC, 1 LIMIT 1", [busy])
    village = rows[0]["region_code"]
    counties = await conn.execute_query_dict(
        f"SELECT code FROM region WHERE level = 'county' AND substr(code, 1, 2) = {param} ORDER BY code", [busy[:2]])
    quiet = min(counties, key=lambda row: (orders.get(row["code"][:6], 0), row["code"]))["code"]
    return {"quiet county": regions.normalize(quiet), "busy county": regions.normalize(busy),
            "one village": regions.normalize(village)}


async def measure(settings, calls: int = 7) -> list[dict]:
    """Each list for each area as its local admin: median and first call in ms (the database must be open)."""
    from tortoise import connections

    from backend.infra.tokens import AccessClaims
    from backend.services import audit, feedback, orders, visits

    areas = await pick_areas(connections.get("default"))
    waiting = SimpleNamespace(status="submitted", field=None, region=None, since=None, until=None, cursor=None,
                              limit=20)
    rows = []
    for area, code in areas.items():
        claims = AccessClaims(0, "local_admin", code, "bench-areas")
        steps = dict(zip(LISTS, (
            lambda: audit.trail(claims, None, None, None, 20),
            lambda: visits.flagged_for_admin(claims),
            lambda: feedback.follow_ups(claims, "open"),
            lambda: orders.list_orders(settings, claims, waiting))))
        for name, step in steps.items():
            timings = []
            for _ in range(calls):
                started = time.perf_counter()
                await step()
                timings.append((time.perf_counter() - started) * 1000)
            rows.append({"area": area, "region_code": code, "list": name, "calls": calls,
                         "median_ms": round(statistics.median(timings[1:] or timings), 2),
                         "first_ms": round(timings[0], 2)})
    return rows


async def run(settings, calls: int = 7) -> list[dict]:
    from backend.infra.db import close_database, open_database

    await open_database(settings)
    try:
        return await measure(settings, calls)
    finally:
        await close_database()
