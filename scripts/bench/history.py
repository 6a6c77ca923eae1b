"""A person's newest page, by how long their history is: an expert's task list and a requester's orders.

The list scenario's experts have 1 to about 50 orders each. A long-serving expert or a team leader gathers
hundreds or thousands, and the newest page should cost about the same for them (migration 0017). Each page
is asked for through its service, in-process, on the bench database, for the expert and the requester with
the median number of orders, the ones with the most, and those again after LONG_HISTORY more closed orders
have been given to them (dispatched to the expert and naming them to go; placed by the requester). The
expert's pages are asked for unfiltered and filtered to 已办结. The added history stays in the database, so
this runs after everything else.

    python scripts/bench/run.py --only history
"""

from __future__ import annotations

import statistics
import time
from types import SimpleNamespace

LONG_HISTORY = 2_000
# Orders given away, spread over the whole table: the closed ones whose md5 sorts first.
_TAKEN = """
SELECT id FROM service_order WHERE status = 'closed' AND {column} IS DISTINCT FROM $1
ORDER BY md5(id::text) LIMIT $2
"""


def _query(status: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(status=status, field=None, region=None, since=None, until=None, cursor=None, limit=20)


async def _people(conn, column: str) -> tuple[int, int]:
    """(median, busiest) by orders: the profile or user id in `column` of service_order."""
    by_orders = [row[0] for row in await conn.fetch(
        f"SELECT {column} FROM service_order WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY count(*), 1")]
    return by_orders[len(by_orders) // 2], by_orders[-1]


async def _give_history(conn, column: str, owner: int) -> int:
    taken = [row["id"] for row in await conn.fetch(_TAKEN.format(column=column), owner, LONG_HISTORY)]
    await conn.execute(f"UPDATE service_order SET {column} = $1 WHERE id = ANY($2::bigint[])", owner, taken)
    if column == "expert_id":
        await conn.execute("INSERT INTO order_assignee (order_id, expert_id, created_at) "
                           "SELECT id, $1, now() FROM unnest($2::bigint[]) id ON CONFLICT DO NOTHING", owner, taken)
    return len(taken)


async def _time(step, calls: int) -> tuple[float, float]:
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        await step()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings[1:] or timings), 2), round(timings[0], 2)


async def measure(settings, conn, calls: int = 9) -> list[dict]:
    """Median and first call in ms of each page, for each person (the database must be open; `conn` is an
    asyncpg connection of the harness's own, which gives the history)."""
    from backend.infra.tokens import AccessClaims
    from backend.services import orders

    median_expert, busiest_expert = await _people(conn, "expert_id")
    median_requester, busiest_requester = await _people(conn, "requester_id")
    user_of = {row["id"]: row["user_id"] for row in await conn.fetch(
        "SELECT id, user_id FROM expert_profile WHERE id = ANY($1::bigint[])", [median_expert, busiest_expert])}
    people = [("expert", "expert_id", median_expert, "median"), ("expert", "expert_id", busiest_expert, "busiest"),
              ("requester", "requester_id", median_requester, "median"),
              ("requester", "requester_id", busiest_requester, "busiest")]
    rows = []

    async def page(role: str, column: str, owner: int, who: str) -> None:
        orders_held = await conn.fetchval(f"SELECT count(*) FROM service_order WHERE {column} = $1", owner)
        user_id = user_of[owner] if role == "expert" else owner
        claims = AccessClaims(user_id, role, None, "bench-history")
        lists = {"newest page": _query()}
        if role == "expert":
            lists["已办结 only"] = _query("closed")
        for name, query in lists.items():
            median_ms, first_ms = await _time(lambda: orders.list_orders(settings, claims, query), calls)
            rows.append({"person": f"{who} {role}", "orders": orders_held, "list": name, "calls": calls,
                         "median_ms": median_ms, "first_ms": first_ms})

    for person in people:
        await page(*person)
    for role, column, owner, _who in people[1::2]:
        await _give_history(conn, column, owner)
        await conn.execute("ANALYZE service_order, order_assignee")
        await page(role, column, owner, f"busiest + {LONG_HISTORY:,}")
    return rows


async def run(settings, calls: int = 9) -> list[dict]:
    import asyncpg

    from backend.infra.db import close_database, open_database

    await open_database(settings)
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await measure(settings, conn, calls)
    finally:
        await conn.close()
        await close_database()
