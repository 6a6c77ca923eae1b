"""Pre-generated request files that `replay.lua` sends through wrk, one request a line.

Line format (tab-separated, `-` for empty): METHOD, PATH, bearer token, Idempotency-Key, JSON body.
Each check-in line carries a fresh code signed for its own order, exactly as the requester's
phone would show it, and the access token of that order's assigned expert.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

from backend.infra.checkin_codes import CheckinCodec
from backend.infra.tokens import AccessTokenCodec

# Long enough for the whole run; the server checks only the signature and expiry.
BENCH_ACCESS_TTL = 4 * 3600


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str | None = None
    idempotency_key: str | None = None
    body: dict | None = None

    def line(self) -> str:
        body = json.dumps(self.body, ensure_ascii=False, separators=(",", ":")) if self.body is not None else "-"
        fields = (self.method, self.path, self.token or "-", self.idempotency_key or "-", body)
        if any("\t" in f or "\n" in f for f in fields):
            raise ValueError("a request field contains a tab or a newline")
        return "\t".join(fields)


def parse_line(line: str) -> Request:
    method, path, token, key, body = line.rstrip("\n").split("\t")
    return Request(method, path, None if token == "-" else token, None if key == "-" else key,
                   None if body == "-" else json.loads(body))


def write(path: Path, requests: Iterable[Request]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for request in requests:
            fh.write(request.line() + "\n")
            count += 1
    return count


class Signer:
    """Signs what the clients would hold: experts' and requesters' access tokens, requesters' check-in codes."""

    def __init__(self, signing_keys: list[tuple[str, str]], code_ttl: int):
        self.tokens = AccessTokenCodec(signing_keys, BENCH_ACCESS_TTL)
        self.codes = CheckinCodec(signing_keys, code_ttl)
        self._cache: dict[tuple[int, str], str] = {}

    def access(self, user_id: int, role: str, region: str | None = None) -> str:
        key = (user_id, role)
        if key not in self._cache:
            self._cache[key] = self.tokens.issue(user_id, role, region, f"bench-{user_id}")
        return self._cache[key]

    def code(self, order_id: int) -> str:
        return self.codes.issue(order_id)[0]


def _near(value: float, rng: random.Random, spread: float = 0.0003) -> float:
    """A phone's fix a few tens of metres from the site."""
    return round(value + rng.uniform(-spread, spread), 6)


async def note_sites(redis, pool) -> None:
    """What GET /checkin-code does besides signing: note each order's site for the scan (backend/infra/scans.py).

    The request files carry codes signed beforehand, as if each requester's phone had just fetched one.
    """
    from backend.infra import keys
    from backend.infra.scans import SITE_TTL, encode_site

    async with redis.pipeline(transaction=False) as pipe:
        for order_id, _expert_id, _user_id, lat, lng in pool:
            pipe.set(keys.order_site(order_id, SITE_TTL).name, encode_site(lat, lng), ex=SITE_TTL)
        await pipe.execute()


def checkin_requests(pool, signer: Signer, seed: int = 1, count: int | None = None) -> list[Request]:
    """One check-in per (order, expert) of the pool, each with its own fresh code.

    With `count`, that many, going round the pool again as often as needed, still each with a fresh code.
    """
    rng = random.Random(seed)
    count = len(pool) if count is None else count
    return [
        Request("POST", f"/api/v1/orders/{order_id}/check-in", signer.access(user_id, "expert"), None,
                {"token": signer.code(order_id),
                 "location": {"latitude": _near(lat, rng), "longitude": _near(lng, rng), "accuracy": 15.0}})
        for order_id, _expert_id, user_id, lat, lng in (pool[i % len(pool)] for i in range(count))
    ]


def list_requests(expert_user_ids: list[int], signer: Signer, count: int, seed: int = 2) -> list[Request]:
    """Experts opening their assignment list (first page of 20)."""
    rng = random.Random(seed)
    return [Request("GET", "/api/v1/orders?limit=20", signer.access(rng.choice(expert_user_ids), "expert"))
            for _ in range(count)]


def order_requests(requester_user_ids: list[int], villages: list[dict], items: list[dict], signer: Signer,
                   count: int, seed: int = 3) -> list[Request]:
    """Requesters placing orders from the menu, each submission with its own Idempotency-Key."""
    rng = random.Random(seed)
    start = date.today() + timedelta(days=3)
    requests = []
    for i in range(count):
        village = rng.choice(villages)
        item = rng.choice(items)
        body = {
            "items": [item["code"]], "description": f"{item['name']}：想请专家上门指导，第 {i} 单",
            "region_code": village["code"], "address": f"{village['name']}{rng.randint(1, 9)}组",
            "latitude": _near(village["lat"], rng, 0.01), "longitude": _near(village["lng"], rng, 0.01),
            "window_start": start.isoformat(), "window_end": (start + timedelta(days=7)).isoformat(),
            "contact_phone": f"138{rng.randint(0, 99_999_999):08d}", "contact_name": "张大山",
        }
        user = rng.choice(requester_user_ids)
        requests.append(Request("POST", "/api/v1/orders", signer.access(user, "requester"),
                                f"bench-{uuid.uuid4().hex}", body))
    return requests


def ceiling_insert_requests(pool, count: int, seed: int = 4) -> list[Request]:
    """Bodies of the same shape as a check-in's, for the raw-INSERT ceiling."""
    rng = random.Random(seed)
    requests = []
    for i in range(count):
        order_id, expert_id, _user, lat, lng = pool[i % len(pool)]
        requests.append(Request("POST", "/insert", None, None,
                                {"order_id": order_id, "expert_id": expert_id, "token": uuid.uuid4().hex * 4,
                                 "location": {"latitude": _near(lat, rng), "longitude": _near(lng, rng),
                                              "accuracy": 15.0}}))
    return requests


def floor_of(requests: Iterable[Request]) -> list[Request]:
    """The same requests sent to the ceiling app's floor routes (floor.py) instead of the backend."""
    return [Request(r.method, r.path.replace("/api/v1/", "/floor/", 1), r.token, r.idempotency_key, r.body)
            for r in requests]


def ceiling_select_requests(max_order_id: int, count: int, seed: int = 5) -> list[Request]:
    rng = random.Random(seed)
    return [Request("GET", f"/select/{rng.randint(1, max_order_id)}") for _ in range(count)]
