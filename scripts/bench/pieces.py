"""A check-in's pieces, one at a time, and placing an order: the CPU each costs on this machine, per call.

The CPU table of a wrk run says what a request costs on each side; this says what that cost is
made of. Each piece runs `calls` times in a row, with nothing else in flight, and is charged with
the CPU of the process that does the work: this process for client-side work (PyJWT, redis-py,
asyncpg), the PostgreSQL backend for statements. Reads /proc, so only on Linux.

The check-in statement runs in a transaction that is rolled back each time, so it writes nothing
and may run on one order again and again; BEGIN and ROLLBACK are counted with it, its commit is
not (compare the one-row INSERT, which commits). Placing an order runs the same way: the API's
one statement, for the check-in order's requester, village and items, so its local admins are told.

    python scripts/bench/run.py --only pieces
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import cpu

SCRATCH_TABLE = "bench_piece"


class _Rollback(Exception):
    pass


def _row(piece: str, side: str, calls: int, seconds: float) -> dict:
    return {"piece": piece, "side": side, "calls": calls, "us_per_call": round(seconds / calls * 1e6, 1)}


async def _client(piece: str, calls: int, step) -> dict:
    """`step()` (a coroutine function) `calls` times, charged with this process's CPU."""
    await step()
    started = time.process_time()
    for _ in range(calls):
        await step()
    return _row(piece, "client", calls, time.process_time() - started)


async def _server(conn, piece: str, calls: int, step) -> dict:
    """`step()` `calls` times, charged with the CPU of `conn`'s PostgreSQL backend."""
    backend = await conn.fetchval("SELECT pg_backend_pid()")
    await step()
    before = cpu.cpu_seconds(backend)
    for _ in range(calls):
        await step()
    return _row(piece, "PostgreSQL", calls, cpu.cpu_seconds(backend) - before)


async def measure(dsn: str, settings, order_id: int, expert_user_id: int, calls: int = 2000) -> list[dict]:
    """Every piece, `calls` times each (statements that write, a quarter as often as the cheapest)."""
    import asyncpg

    from backend.infra.checkin_codes import CheckinCodec
    from backend.infra.redis import build_redis
    from backend.infra.scans import ScanGate
    from backend.infra.tokens import AccessTokenCodec
    from backend.services.visit_store import NewVisit, check_in_statement
    from backend.services.visits import CODE_STATUSES

    rows = []
    tokens = AccessTokenCodec(settings.signing_keys, settings.access_token_ttl)
    codes = CheckinCodec(settings.signing_keys, settings.checkin_code_ttl_seconds)
    access = tokens.issue(expert_user_id, "expert", None, "bench-pieces")
    code, _ = codes.issue(order_id)

    async def verify_access():
        tokens._verify(access)  # the verification itself, past the per-worker cache

    async def verify_code():
        codes.verify(code, order_id)

    rows.append(await _client("access token verified (PyJWT)", calls, verify_access))
    rows.append(await _client("check-in code verified (PyJWT)", calls, verify_code))

    redis = build_redis(settings)
    gate = ScanGate(redis)
    key = f"bench:piece:{uuid.uuid4().hex}"
    try:
        await redis.set(key, "1", ex=600)
        rows.append(await _client("Redis GET (redis-py, the app's pool)", calls, lambda: redis.get(key)))
        rows.append(await _client("scan admitted (the one Redis script)", calls, lambda: gate.admit(
            0, 10 ** 9, uuid.uuid4().hex, 60, site_of=order_id)))
    finally:
        await redis.delete(key)
        await redis.aclose()

    conn = await asyncpg.connect(dsn, server_settings={"plan_cache_mode": "force_generic_plan"})
    try:
        select_one = await conn.prepare("SELECT 1")
        rows.append(await _client("asyncpg SELECT 1", calls, select_one.fetchval))
        rows.append(await _server(conn, "SELECT 1", calls, select_one.fetchval))
        await conn.execute(f"CREATE TABLE {SCRATCH_TABLE} (id bigserial PRIMARY KEY, note text)")
        one = await conn.prepare(f"INSERT INTO {SCRATCH_TABLE} (note) VALUES ($1) RETURNING id")
        two = await conn.prepare(f"INSERT INTO {SCRATCH_TABLE} (note) VALUES ($1), ($1) RETURNING id")
        rows.append(await _server(conn, "one-row INSERT, committed", calls // 2, lambda: one.fetchval("x")))
        rows.append(await _server(conn, "two rows in one INSERT, committed", calls // 2, lambda: two.fetchval("x")))

        allowed = set(CODE_STATUSES)

        def fresh_visit():
            return NewVisit(order_id=order_id, user_id=expert_user_id, role="expert", at=datetime.now(timezone.utc),
                            jti=uuid.uuid4().hex, latitude=45.0, longitude=127.0, accuracy=15.0, distance_m=20,
                            flags=[])

        prepared = await conn.prepare(check_in_statement(fresh_visit(), allowed)[0])
        place_sql, *place_args = await _order_like(conn, settings, order_id)
        place_prepared = await conn.prepare(place_sql)
        placed = []

        async def place():
            row = await place_prepared.fetchrow(*place_args)
            placed.append((row["id"], row["told"]))
        written = []

        async def check_in():
            row = await prepared.fetchrow(*check_in_statement(fresh_visit(), allowed)[1:])
            written.append(row["visit_id"])

        # Three round trips each (BEGIN, the statement, ROLLBACK): the same with SELECT 1 is what to subtract.
        for side in (_server, _client):
            args = (conn,) if side is _server else ()
            rows.append(await side(*args, "BEGIN, SELECT 1, ROLLBACK", calls // 4,
                                   _rolled_back(conn, select_one.fetchval)))
            rows.append(await side(*args, "BEGIN, check-in statement, ROLLBACK", calls // 4,
                                   _rolled_back(conn, check_in)))
            rows.append(await side(*args, "BEGIN, placing an order, ROLLBACK", calls // 4,
                                   _rolled_back(conn, place)))
        if None in written:
            raise RuntimeError(f"order {order_id} took no check-in from user {expert_user_id}: not a fresh one?")
        if any(order is None or told == 0 for order, told in placed):
            raise RuntimeError(f"an order like {order_id} was not placed, or told no local admin")
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}")
        await conn.close()
    return rows


async def _order_like(conn, settings, order_id: int) -> tuple:
    """(sql, *args) placing an order like `order_id`: its requester, village and items, as the API would."""
    from datetime import date, timedelta

    from backend.domain.roles import Role
    from backend.infra.tokens import AccessClaims
    from backend.schemas.orders import OrderCreate
    from backend.services import order_store
    from backend.services.orders import place_arguments

    order = await conn.fetchrow("SELECT requester_id, region_code FROM service_order WHERE id = $1", order_id)
    items = await conn.fetch("SELECT item_code FROM order_item WHERE order_id = $1 ORDER BY id", order_id)
    today = date.today()
    data = OrderCreate(items=[row["item_code"] for row in items], description="玉米叶片发黄，请专家来看看",
                       region_code=order["region_code"], address="村委会东侧", latitude=45.0, longitude=127.0,
                       window_start=today, window_end=today + timedelta(days=7), contact_phone="13800000000")
    claims = AccessClaims(order["requester_id"], Role.REQUESTER.value, None, "bench-pieces")
    return order_store.place_statement(**place_arguments(settings, claims, data, [], datetime.now(timezone.utc)))


def _rolled_back(conn, step):
    """`step()` in a transaction of its own on `conn`, rolled back whatever it wrote."""

    async def run() -> None:
        try:
            async with conn.transaction():
                await step()
                raise _Rollback()
        except _Rollback:
            pass

    return run


def run(dsn: str, settings, order_id: int, expert_user_id: int, calls: int = 2000) -> list[dict]:
    """measure() on uvloop, the event loop the backend's workers run."""
    import uvloop

    return uvloop.run(measure(dsn, settings, order_id, expert_user_id, calls))
