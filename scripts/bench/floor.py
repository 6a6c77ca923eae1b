"""The floor: each throughput scenario done with the fewest calls this stack allows, and nothing else.

The ceiling app answers one asyncpg statement per request. The floor routes, served by the same app
when it is given the backend's keys and Redis (`JWT_KEYS`, `REDIS_URL`), answer each scenario's
request as its target describes it, with the backend's own token codecs, Redis client settings and,
for the list and an order, statements, and leave out everything else the backend does: roles,
privacy, views, rate limits, metrics, logging, and for a check-in the visit's keys, the order's move
and the audit records. What a floor answers is not an API: it shows how much of a target the
libraries alone leave.

- `POST /floor/orders/<id>/check-in`: the expert's access token verified (PyJWT), the check-in code
  verified (PyJWT), the code consumed and the order's noted site read in one Redis call (a two-line
  script), the phone's distance to the site, one row INSERTed (the ceiling's table). No rate limit, no
  check of the assignment or the order's status, no audit records, no move of the order.
- `GET /floor/orders?limit=20`: the token verified (remembered per worker, as the backend does), the
  backend's own page statement for that expert, its rows written out as JSON as they come (no view).
- `POST /floor/orders`: the token verified (remembered), the Idempotency-Key taken in Redis (one
  `SET NX`; the backend also stores the answer under it), the body validated by the API's own model, and
  the backend's own statement placing it (the order, its item, the audit record, and a message-centre
  entry and an outbox message for each local admin of the village).
"""

from __future__ import annotations

import orjson
from pydantic import ValidationError
from sanic import Request, Sanic
from sanic.response import json as json_response
from sanic.response import raw

from backend.config import Settings
from backend.domain.visits import haversine_m
from backend.infra import keys
from backend.infra.checkin_codes import CheckinCodec
from backend.infra.clock import now
from backend.infra.redis import build_redis
from backend.infra.scans import SITE_TTL, decode_site
from backend.infra.tokens import AccessTokenCodec
from backend.schemas.orders import OrderCreate
from backend.services import order_store, orders

_INSERT_ONE = ("INSERT INTO bench_ceiling (order_id, expert_id, code, latitude, longitude) VALUES ($1, $2, $3, $4, $5) "
               "RETURNING id")
# KEYS[1] the code, KEYS[2] the order's noted site; ARGV[1] the holder, ARGV[2] the code's ttl.
_CONSUME = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', tonumber(ARGV[2])) then return redis.call('GET', KEYS[2]) end
return -1
"""
_KEY_TTL = 24 * 3600


def _bearer(request: Request) -> str:
    return (request.headers.get("authorization") or "").removeprefix("Bearer ")


def add_routes(app: Sanic, settings: Settings) -> None:
    tokens = AccessTokenCodec(settings.signing_keys, 3600)
    code_ttl = settings.checkin_code_ttl_seconds
    codes = CheckinCodec(settings.signing_keys, code_ttl)

    @app.before_server_start
    async def open_redis(app: Sanic) -> None:
        app.ctx.redis = build_redis(settings)  # the backend's client, as each of its workers builds it
        app.ctx.consume = app.ctx.redis.register_script(_CONSUME)

    @app.after_server_stop
    async def close_redis(app: Sanic) -> None:
        await app.ctx.redis.aclose()

    @app.post("/floor/orders/<order_id:int>/check-in")
    async def check_in(request: Request, order_id: int):
        claims = tokens.verify(_bearer(request))
        body = orjson.loads(request.body)
        code = codes.verify(body["token"], order_id)
        noted = await app.ctx.consume(keys=[f"bench:floor:code:{code.jti}", keys.order_site(order_id, SITE_TTL).name],
                                      args=[claims.user_id, code_ttl])
        if noted == -1:
            return json_response({"error": "used"}, status=409)
        site = decode_site(noted)
        if site is None:
            return json_response({"error": "no site"}, status=404)
        location = body["location"]
        distance = haversine_m(location["latitude"], location["longitude"], *site)
        row_id = await app.ctx.pool.fetchval(_INSERT_ONE, order_id, claims.user_id, code.jti,
                                             location["latitude"], location["longitude"])
        return json_response({"id": row_id, "distance_m": round(distance)}, status=201)

    @app.get("/floor/orders")
    async def page(request: Request):
        claims = tokens.verify(_bearer(request))
        limit = int(request.args.get("limit", 20))
        rows = await app.ctx.pool.fetch(*order_store.expert_page_statement(claims.user_id, limit=limit + 1))
        return raw(orjson.dumps({"items": [dict(row) for row in rows[:limit]]}),
                   content_type="application/json")

    @app.post("/floor/orders")
    async def place(request: Request):
        claims = tokens.verify(_bearer(request))
        key = request.headers.get("idempotency-key")
        if not await app.ctx.redis.set(f"bench:floor:idem:{claims.user_id}:{key}", 1, nx=True, ex=_KEY_TTL):
            return json_response({"error": "repeated"}, status=409)
        try:
            data = OrderCreate.model_validate_json(request.body)
        except ValidationError as exc:
            return json_response({"error": exc.errors(include_url=False, include_context=False)}, status=422)
        statement = order_store.place_statement(**orders.place_arguments(settings, claims, data, [], now()))
        row = await app.ctx.pool.fetchrow(*statement)
        if row["id"] is None:
            return json_response({"error": "unknown village or item"}, status=422)
        return json_response({"id": row["id"], "told": row["told"]}, status=201)
