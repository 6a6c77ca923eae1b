"""Check-in storm client, run as its own process: many experts check in and out twice at once.

Each expert scans a fresh code (signed here, as the requester's phone would show it), checks
in, waits a moment, checks out with another fresh code, and does it all again. A share of
experts double-tap their first scan (the same code sent twice at once, on two connections),
and any request that fails with a 5xx or a broken connection is retried with the same body,
as the phone would. Prints one JSON object: latencies, statuses and the visit ids each expert
was given.

The client must not starve the server of CPU on a two-core machine, so it speaks plain
HTTP/1.1 over asyncio streams (uvloop), one keep-alive connection per phone, and signs every
code before the storm starts: a general-purpose HTTP client spent more CPU than the server.

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
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reqfiles import Signer  # noqa: E402


class Phone:
    """One keep-alive HTTP/1.1 connection, reopened when the server drops it."""

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n").encode()
        self.writer.write(head + self.auth + b"\r\n" + body)
        try:
            status_line = await self.reader.readuntil(b"\r\n")
            headers = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise ConnectionError("connection closed") from None
        length = 0
        for line in headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            if name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                self.writer.close()
        payload = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Storm:
    def __init__(self, base: str, signer: Signer, spread: float, double_tap: float, seed: int = 7):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.signer = signer
        self.spread = spread
        self.double_tap = double_tap
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.retries = 0
        self.failures: list[str] = []
        self.visits: dict[str, list[int]] = {}

    async def _send(self, phone: Phone, path: str, body: bytes) -> tuple[int, dict] | None:
        for _attempt in range(4):
            started = time.perf_counter()
            try:
                status, payload = await phone.post(path, body)
            except OSError as exc:
                self.latencies.append(time.perf_counter() - started)
                self.statuses[type(exc).__name__] = self.statuses.get(type(exc).__name__, 0) + 1
                self.retries += 1
                phone.close()
                await asyncio.sleep(0.2)
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
            if status >= 500:
                self.retries += 1
                await asyncio.sleep(0.2)
                continue
            return status, json.loads(payload) if payload else {}
        return None

    def _scan(self, order_id: int, location: dict) -> bytes:
        return json.dumps({"token": self.signer.code(order_id), "location": location}).encode()

    async def expert(self, order_id: int, user_id: int, lat: float, lng: float) -> None:
        rng = random.Random(order_id)
        token = self.signer.access(user_id, "expert")
        location = {"latitude": lat, "longitude": lng, "accuracy": 12.0}
        # Signed before the storm, so signing costs the client nothing while it measures.
        scans = [(self._scan(order_id, location), self._scan(order_id, location)) for _ in range(2)]
        taps = 2 if rng.random() < self.double_tap else 1
        phones = [Phone(self.host, self.port, token) for _ in range(taps)]
        await asyncio.sleep(rng.uniform(0, self.spread))
        # Visit ids the server acknowledged, kept even when a later step fails.
        given: list[int] = self.visits.setdefault(str(order_id), [])
        try:
            for round_, (check_in, check_out) in enumerate(scans):
                path = f"/api/v1/orders/{order_id}/check-in"
                answers = await asyncio.gather(*(self._send(phone, path, check_in)
                                                 for phone in phones[:taps if round_ == 0 else 1]))
                ids = {a[1]["id"] for a in answers if a is not None and a[0] in (200, 201)}
                given.extend(sorted(ids))
                if len(ids) != 1:
                    self.failures.append(f"order {order_id} round {round_}: check-in answers "
                                         f"{[a[0] if a else None for a in answers]}")
                    return
                visit_id = ids.pop()
                await asyncio.sleep(rng.uniform(0.2, 1.2))
                out = await self._send(phones[0], f"/api/v1/visits/{visit_id}/check-out", check_out)
                if out is None or out[0] != 200:
                    self.failures.append(f"order {order_id} round {round_}: check-out {out[0] if out else None}")
                    return
                await asyncio.sleep(rng.uniform(0.2, 1.2))
        finally:
            for phone in phones:
                phone.close()

    async def run(self, pool: list) -> dict:
        started = time.perf_counter()
        await asyncio.gather(*(self.expert(order_id, user_id, lat, lng)
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
    import uvloop

    print(json.dumps(uvloop.run(storm.run(pool))))


if __name__ == "__main__":
    main()
