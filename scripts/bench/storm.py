"""Check-in storm client, run as its own process: many experts check in and out twice at once.

Each expert scans a fresh code (signed here, as the requester's phone would show it), checks
in, waits a moment, checks out with another fresh code, and does it all again. A share of
experts double-tap their first scan (the same code sent twice at once), and any request that
fails with a 5xx or a broken connection is retried with the same body, as the phone would.
Prints one JSON object: latencies, statuses and the visit ids each expert was given.

    python scripts/bench/storm.py --base http://127.0.0.1:8100 --pool pool.json --keys kid:secret \
        --code-ttl 60 --spread 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402

from reqfiles import Signer  # noqa: E402


class Storm:
    def __init__(self, base: str, signer: Signer, spread: float, double_tap: float, seed: int = 7):
        self.base = base
        self.signer = signer
        self.spread = spread
        self.double_tap = double_tap
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.retries = 0
        self.failures: list[str] = []
        self.visits: dict[str, list[int]] = {}

    async def _send(self, client: httpx.AsyncClient, path: str, token: str, body: dict) -> httpx.Response | None:
        for _attempt in range(4):
            started = time.perf_counter()
            try:
                response = await client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                self.latencies.append(time.perf_counter() - started)
                self.statuses[type(exc).__name__] = self.statuses.get(type(exc).__name__, 0) + 1
                self.retries += 1
                await asyncio.sleep(0.2)
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[str(response.status_code)] = self.statuses.get(str(response.status_code), 0) + 1
            if response.status_code >= 500:
                self.retries += 1
                await asyncio.sleep(0.2)
                continue
            return response
        return None

    async def expert(self, client: httpx.AsyncClient, order_id: int, user_id: int, lat: float, lng: float) -> None:
        rng = random.Random(order_id)
        token = self.signer.access(user_id, "expert")
        location = {"latitude": lat, "longitude": lng, "accuracy": 12.0}
        await asyncio.sleep(rng.uniform(0, self.spread))
        taps = 2 if rng.random() < self.double_tap else 1
        # Visit ids the server acknowledged, kept even when a later step fails.
        given: list[int] = self.visits.setdefault(str(order_id), [])
        for round_ in range(2):
            body = {"token": self.signer.code(order_id), "location": location}
            path = f"/api/v1/orders/{order_id}/check-in"
            answers = await asyncio.gather(*(self._send(client, path, token, body)
                                             for _ in range(taps if round_ == 0 else 1)))
            ids = {a.json()["id"] for a in answers if a is not None and a.status_code in (200, 201)}
            given.extend(sorted(ids))
            if len(ids) != 1:
                self.failures.append(f"order {order_id} round {round_}: check-in answers "
                                     f"{[a.status_code if a else None for a in answers]}")
                return
            visit_id = ids.pop()
            await asyncio.sleep(rng.uniform(0.2, 1.2))
            out = await self._send(client, f"/api/v1/visits/{visit_id}/check-out", token,
                                   {"token": self.signer.code(order_id), "location": location})
            if out is None or out.status_code != 200:
                self.failures.append(f"order {order_id} round {round_}: check-out "
                                     f"{out.status_code if out else None}")
                return
            await asyncio.sleep(rng.uniform(0.2, 1.2))

    async def run(self, pool: list) -> dict:
        limits = httpx.Limits(max_connections=len(pool) * 2, max_keepalive_connections=len(pool) * 2)
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=15.0) as client:
            await asyncio.gather(*(self.expert(client, order_id, user_id, lat, lng)
                                   for order_id, _expert, user_id, lat, lng in pool))
        elapsed = time.perf_counter() - started
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000 if ordered else 0.0

        return {"experts": len(pool), "requests": len(ordered), "elapsed_s": round(elapsed, 2),
                "p50_ms": round(pct(50), 1), "p99_ms": round(pct(99), 1), "max_ms": round(pct(100), 1),
                "statuses": self.statuses, "retries": self.retries, "failures": self.failures[:20],
                "failed_experts": len(self.failures), "visits": self.visits}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--pool", required=True, help="JSON list of [order_id, expert_id, user_id, lat, lng]")
    parser.add_argument("--keys", required=True, help="JWT_KEYS value: kid:secret[,…]")
    parser.add_argument("--code-ttl", type=int, default=60)
    parser.add_argument("--spread", type=float, default=4.0, help="seconds over which experts start")
    parser.add_argument("--double-tap", type=float, default=0.2)
    args = parser.parse_args()
    keys = [tuple(part.split(":", 1)) for part in args.keys.split(",")]
    pool = json.loads(Path(args.pool).read_text())
    storm = Storm(args.base, Signer(keys, args.code_ttl), args.spread, args.double_tap)
    print(json.dumps(asyncio.run(storm.run(pool))))


if __name__ == "__main__":
    main()
