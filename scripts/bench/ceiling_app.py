"""The machine's own ceiling: a minimal Sanic app doing one raw asyncpg statement per request.

`POST /insert` does one INSERT (a row shaped like a check-in) and `GET /select/<id>` one
primary-key SELECT of an order. Same pool size and worker count as the backend, JSON
responses, no access log, so the ratio backend/ceiling shows what the backend's own code costs.
Its sessions use the generic plan of each statement, as the backend's hot statements do.

With the backend's environment (`JWT_KEYS`, `REDIS_URL`, …) it also serves the floor routes (floor.py):
each scenario with the fewest calls this stack allows.

    python scripts/bench/ceiling_app.py --port 8200 --workers 2 --dsn postgres://… --pool-size 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import asyncpg
from sanic import Request, Sanic
from sanic.response import json as json_response

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

TABLE = """
CREATE TABLE IF NOT EXISTS bench_ceiling (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL,
    expert_id BIGINT NOT NULL,
    code VARCHAR(64) NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


async def _keep_session(connection) -> None:
    """asyncpg still rolls back an open transaction before calling this."""


def create_app(dsn: str, pool_size: int) -> Sanic:
    app = Sanic("bench_ceiling")
    app.config.ACCESS_LOG = False

    @app.before_server_start
    async def open_pool(app: Sanic) -> None:
        # Released connections skip asyncpg's reset query, as the backend's do (backend/infra/db.py).
        app.ctx.pool = await asyncpg.create_pool(dsn, min_size=1, max_size=pool_size, reset=_keep_session,
                                                 server_settings={"plan_cache_mode": "force_generic_plan"})

    @app.after_server_stop
    async def close_pool(app: Sanic) -> None:
        await app.ctx.pool.close()

    @app.post("/insert")
    async def insert(request: Request):
        body = json.loads(request.body)
        location = body.get("location") or {}
        row_id = await app.ctx.pool.fetchval(
            "INSERT INTO bench_ceiling (order_id, expert_id, code, latitude, longitude) VALUES ($1, $2, $3, $4, $5) "
            "RETURNING id", body["order_id"], body["expert_id"], body["token"][:64], location.get("latitude"),
            location.get("longitude"))
        return json_response({"id": row_id}, status=201)

    @app.get("/select/<order_id:int>")
    async def select(request: Request, order_id: int):
        row = await app.ctx.pool.fetchrow("SELECT * FROM service_order WHERE id = $1", order_id)
        if row is None:
            return json_response({"error": "not found"}, status=404)
        return json_response({k: (v if isinstance(v, (int, float, str, type(None))) else str(v))
                              for k, v in row.items()})

    if os.environ.get("JWT_KEYS") and os.environ.get("REDIS_URL"):
        import floor
        from backend.config import Settings

        floor.add_routes(app, Settings.from_env(os.environ))
    return app


async def create_table(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(TABLE)
    finally:
        await conn.close()


def main() -> None:
    import asyncio
    from functools import partial

    from sanic.worker.loader import AppLoader

    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-size", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(create_table(args.dsn))
    loader = AppLoader(factory=partial(create_app, args.dsn, args.pool_size))
    app = loader.load()
    app.prepare(host="127.0.0.1", port=args.port, workers=args.workers, access_log=False, motd=False, backlog=2048)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
