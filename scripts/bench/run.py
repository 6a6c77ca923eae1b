"""The benchmark, in one command: fresh database and data, backend and ceiling app, wrk, report.

    python scripts/bench/run.py            # full run: 15 s per wrk scenario, 1,000,000 visits
    python scripts/bench/run.py --quick    # 3 s per scenario, a tenth of the data
    python scripts/bench/run.py --only checkin,list

Scenarios: checkin, order, list, storm, figures, recommendations, memory (memory is measured
after whatever ran), pieces (what each piece of a check-in, and placing an order's statement, costs
run on its own: pieces.py), areas (a local admin's lists for a quiet county, a busy one and a village:
areas.py) and history (a person's newest page with a short history and a long one: history.py; it runs
last, as it changes the data).
Every throughput is reported with the ratio to the machine's own ceiling: a minimal Sanic app
doing one raw asyncpg INSERT (or primary-key SELECT) per request, measured on the same machine
minutes apart, with the same workers and pool size. Each of those runs is
also charged with the CPU per request of the app, PostgreSQL, Redis and wrk (cpu.py), which the
machine's other load moves far less than throughput. Each throughput scenario is followed by its
floor (floor.py): the same requests answered by the ceiling app with the fewest calls the stack
allows, so the report shows how much of each target the libraries alone leave.

Outputs: scripts/bench/out/report.{md,json}, the request files and the servers' logs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import areas  # noqa: E402
import cpu  # noqa: E402
import datagen  # noqa: E402
import history  # noqa: E402
import pieces  # noqa: E402
import reqfiles  # noqa: E402
import report as report_mod  # noqa: E402

OUT = HERE / "out"
PYTHON = sys.executable
ADMIN_DSN = "postgres://postgres@127.0.0.1:5432/postgres"
# BENCH_DB lets two benches run side by side on their own databases.
BENCH_DB = os.environ.get("BENCH_DB", "zjfw_bench")
BENCH_DSN = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
BENCH_REDIS = "redis://127.0.0.1:6379/11"
RECOMMENDATIONS_DSN = "postgres://postgres@127.0.0.1:5432/zjfw_bench_reco_run"
BACKEND_PORT, CEILING_PORT, WECHAT_PORT = 8100, 8200, 8970
WORKERS, POOL_SIZE, CONNECTIONS, WRK_THREADS = 2, 16, 64, 2
# While the servers run, each backend worker may hold two pools of POOL_SIZE (ORM and hot statements) and each
# ceiling worker one; the harness itself needs one more connection at a time (folding, checking the storm).
SERVER_CONNECTIONS = WORKERS * POOL_SIZE * 3
STORM_TIMEOUT = 240
# More check-ins a second than the floor has answered on this machine (about 4,000): its request file is sized by it.
FLOOR_CHECKINS_PER_SECOND = 10_000
SCENARIOS = ("checkin", "order", "list", "storm", "figures", "recommendations", "memory", "pieces", "areas",
             "history")
# Only these need the backend, the ceiling app, the fake WeChat server and Redis.
HTTP_SCENARIOS = {"checkin", "order", "list", "storm", "memory"}


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def bench_env(jwt_keys: str) -> dict[str, str]:
    """The backend's environment: production-like, on the bench database and Redis db 11."""
    return {
        "APP_ENV": "bench", "DATABASE_URL": BENCH_DSN, "REDIS_URL": BENCH_REDIS, "WORKERS": str(WORKERS),
        "DB_POOL_SIZE": str(POOL_SIZE), "JWT_KEYS": jwt_keys, "LOG_JSON": "true",
        "WECHAT_API_BASE": f"http://127.0.0.1:{WECHAT_PORT}", "STORAGE_DIR": str(OUT / "uploads"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{BACKEND_PORT}", "PROMETHEUS_MULTIPROC_DIR": str(OUT / "prometheus"),
    }


# --------------------------------------------------------------------------- database and data


async def check_connection_budget() -> None:
    """Refuse to start when the servers could take every connection PostgreSQL allows.

    Past that, a connection the harness opens between scenarios is refused ("too many clients").
    """
    import asyncpg

    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        allowed = int(await conn.fetchval("SHOW max_connections"))
    finally:
        await conn.close()
    if SERVER_CONNECTIONS + 2 > allowed:
        raise SystemExit(f"PostgreSQL allows {allowed} connections; the servers may hold {SERVER_CONNECTIONS} and "
                         f"the harness needs 2 more: raise max_connections or lower POOL_SIZE in {Path(__file__).name}")


async def recreate_database(flush_redis: bool) -> None:
    import asyncpg
    import redis.asyncio as aioredis

    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {BENCH_DB}")
    finally:
        await conn.close()
    if flush_redis:
        client = aioredis.from_url(BENCH_REDIS)
        await client.flushdb()
        await client.aclose()


async def fold_figures() -> dict:
    """Fold what a scenario queued for the figure rollups now, timed, so no fold runs under the next one."""
    import asyncpg

    conn = await asyncpg.connect(BENCH_DSN)
    try:
        queued = await conn.fetchval("SELECT count(*) FROM figure_dirty")
        started = time.perf_counter()
        await conn.execute("SELECT figure_rollup_fold()")
        return {"queued_rows": queued, "seconds": round(time.perf_counter() - started, 2)}
    finally:
        await conn.close()


def fold_after(scenario: dict) -> None:
    """Fold what `scenario` queued, and say in its note how long that took."""
    fold = scenario["figure_fold"] = asyncio.run(fold_figures())
    scenario["note"] = "; ".join(filter(None, [scenario.get("note"), (
        f"afterwards, folding the {fold['queued_rows']:,} figure changes it queued took {fold['seconds']} s")]))
    log(f"folded what {scenario['name']} queued for the figure rollups: {fold}")


async def note_sites(pool) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(BENCH_REDIS)
    try:
        await reqfiles.note_sites(client, pool)
    finally:
        await client.aclose()


async def prepare_data(settings, scale: datagen.Scale) -> datagen.Plan:
    from tortoise import connections

    from backend.infra.db import close_database, open_database
    from backend.seed.loader import load_reference_data
    from backend.services.maintenance import apply_migrations

    await apply_migrations(settings)
    await close_database()
    await open_database(settings)
    try:
        log(await load_reference_data())
        conn = connections.get("default")
        started = time.perf_counter()
        plan = await datagen.generate(conn, scale)
        log(f"generated {sum(plan.counts.values()):,} rows in {time.perf_counter() - started:.0f} s: {plan.counts}")
        await conn.execute_script("ANALYZE")
    finally:
        await close_database()
    return plan


# --------------------------------------------------------------------------- processes


class Server:
    def __init__(self, name: str, cmd: list[str], port: int, env: dict[str, str], probe: str):
        self.name, self.cmd, self.port, self.env, self.probe = name, cmd, port, env, probe
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.log_file = (OUT / f"{self.name}.log").open("w")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=os.environ | self.env, stdout=self.log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: see {OUT / (self.name + '.log')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{self.probe}", timeout=2) as response:
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return
                time.sleep(0.3)
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer on port {self.port}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            # The main process only, as `docker stop` does: it stops its workers in order. Signalled all at once,
            # the workers were cut short while closing their pools ("Task was destroyed but it is pending").
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        if self.proc:
            try:  # whatever of its group is still there
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if getattr(self, "log_file", None):
            self.log_file.close()

    def pids(self) -> list[int]:
        """The server's main process and its workers: what its CPU is read from."""
        return [self.proc.pid] + [pid for pid, _ in self.worker_pids()] if self.proc else []

    def worker_pids(self) -> list[tuple[int, str]]:
        """Sanic's worker processes: the server's descendants that run the app (not the tracker)."""
        if not self.proc:
            return []
        found, queue = [], [self.proc.pid]
        while queue:
            pid = queue.pop()
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    children = [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    continue
                for child in children:
                    queue.append(child)
                    try:
                        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    except OSError:
                        continue
                    try:
                        environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
                    except OSError:
                        environ = []
                    name = next((e.split(b"=", 1)[1].decode() for e in environ
                                 if e.startswith(b"SANIC_WORKER_NAME=")), "")
                    if "resource_tracker" not in cmdline:
                        found.append((child, name or cmdline.strip()[:80]))
        return found


def answer_figures(token: str, calls: int = 8) -> list[int]:
    """A province admin's yearly figures, each call on a connection of its own so every worker is likely to answer
    one (and load what a report loads) before memory is read. Returns the HTTP statuses."""
    statuses = []
    for _ in range(calls):
        request = urllib.request.Request(f"http://127.0.0.1:{BACKEND_PORT}/api/v1/figures",
                                         headers={"Authorization": f"Bearer {token}", "Connection": "close"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
    return statuses


def loaded_numpy(pid: int) -> bool:
    try:
        return "/numpy/" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def rss_mb(pid: int) -> float | None:
    try:
        match = re.search(r"VmRSS:\s*(\d+)\s*kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None
    return round(int(match.group(1)) / 1024, 1) if match else None


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# --------------------------------------------------------------------------- wrk


def wrk(name: str, port: int, requests: list[reqfiles.Request], duration: int, commands: list[str],
        app_pids: list[int] | None = None) -> dict:
    """One wrk run; with `app_pids`, also the CPU per request of the app, PostgreSQL, Redis and wrk."""
    path = OUT / "requests" / f"{name}.tsv"
    reqfiles.write(path, requests)
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s",
           "-s", str(HERE / "replay.lua"), f"http://127.0.0.1:{port}"]
    commands.append(f"BENCH_REQUESTS={path.relative_to(ROOT)} BENCH_THREADS={WRK_THREADS} " + " ".join(cmd))
    meter = cpu.CpuMeter(app_pids) if app_pids else None
    out = subprocess.run(cmd, env=os.environ | {"BENCH_REQUESTS": str(path), "BENCH_THREADS": str(WRK_THREADS)},
                         capture_output=True, text=True, timeout=duration + 120)
    (OUT / f"wrk-{name}.txt").write_text(out.stdout + out.stderr)
    line = next((row for row in out.stdout.splitlines() if row.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk {name} printed no summary: {out.stdout[-500:]} {out.stderr[-500:]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1e6
    ok = sum(n for code, n in raw["statuses"].items() if code.startswith("2"))
    socket_errors = sum(v for k, v in raw["errors"].items() if k != "status")
    bad = raw["requests"] - ok + socket_errors
    result = {"throughput_rps": round(raw["requests"] / seconds, 1), "ok_rps": round(ok / seconds, 1),
              "p50_ms": raw["p50_us"] / 1000, "p90_ms": raw["p90_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
              "max_ms": raw["max_us"] / 1000, "requests": raw["requests"], "statuses": raw["statuses"],
              "socket_errors": raw["errors"], "error_rate": round(bad / max(1, raw["requests"]), 4),
              "wraps": raw["wraps"], "request_lines": raw["lines"]}
    if meter is not None:
        result["cpu"] = meter.per_request(raw["requests"])
    log(f"{name}: {result['throughput_rps']} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"statuses {raw['statuses']}, wraps {raw['wraps']}" + (f", CPU µs/request {result['cpu']}" if meter else ""))
    return result


def throughput_scenario(name: str, label: str, result: dict, ceiling_name: str, ceiling: dict, min_ratio: float,
                        max_p99: float | None) -> dict:
    scenario = {"name": name, "label": label, **result, "ceiling": ceiling_name,
                "ceiling_rps": ceiling["throughput_rps"], "ceiling_p99_ms": ceiling["p99_ms"],
                "ratio": round(result["ok_rps"] / ceiling["throughput_rps"], 3)}
    if result.get("cpu") and ceiling.get("cpu"):
        # The same comparison by CPU per request, which the machine's other load moves far less than throughput.
        scenario["ceiling_cpu"] = ceiling["cpu"]
        scenario["cpu_ratio"] = round(ceiling["cpu"]["total_us"] / max(1, result["cpu"]["total_us"]), 3)
    scenario["targets"] = [{"metric": "ratio", "op": ">=", "bound": min_ratio}]
    if max_p99 is not None:
        scenario["targets"].append({"metric": "p99_ms", "op": "<=", "bound": max_p99})
    scenario["targets"].append({"metric": "error_rate", "op": "<=", "bound": 0.01})
    if result["wraps"]:
        scenario["note"] = f"the request file ran out {result['wraps']} times; repeats were expected to fail"
    return scenario


def with_floor(scenario: dict, floor: dict) -> None:
    """Note the floor's run beside the scenario: its ratio to the same ceiling, and the scenario's share of it.

    Informative only: the floor is not the backend, and the targets stay on the scenario's own ratio.
    """
    scenario["floor"] = floor
    scenario["floor_ratio"] = round(floor["ok_rps"] / scenario["ceiling_rps"], 3)
    scenario["share_of_floor"] = round(scenario["ok_rps"] / max(1.0, floor["ok_rps"]), 3)
    if floor.get("cpu") and scenario.get("ceiling_cpu"):
        scenario["floor_cpu_ratio"] = round(scenario["ceiling_cpu"]["total_us"] / max(1, floor["cpu"]["total_us"]), 3)


# --------------------------------------------------------------------------- the non-wrk scenarios


async def verify_storm(pool: list, given: dict) -> dict:
    """In the database: each storm expert has exactly two closed visits on its order, no more, no fewer."""
    import asyncpg

    conn = await asyncpg.connect(BENCH_DSN)
    try:
        rows = await conn.fetch(
            "SELECT order_id, expert_id, count(*) AS n, count(*) FILTER (WHERE status = 'open') AS still_open, "
            "array_agg(id ORDER BY id) AS ids FROM visit WHERE order_id = ANY($1::bigint[]) GROUP BY 1, 2",
            [p[0] for p in pool])
        ledger = await conn.fetchval(
            "SELECT count(DISTINCT visit_id) FROM ledger_entry WHERE visit_id IN "
            "(SELECT id FROM visit WHERE order_id = ANY($1::bigint[]))", [p[0] for p in pool])
    finally:
        await conn.close()
    in_db = {visit_id for row in rows for visit_id in row["ids"]}
    acknowledged = {visit_id for ids in given.values() for visit_id in ids}
    # Lost: the server answered with a visit that the database does not have.
    lost = len(acknowledged - in_db)
    # Doubled: more than the two visits each expert made, or two visits answered for one scan.
    doubled = sum(max(0, row["n"] - 2) for row in rows) + sum(max(0, len(ids) - 2) for ids in given.values())
    incomplete = sum(1 for order_id, *_ in pool if len(given.get(str(order_id), [])) < 2)
    return {"lost": lost, "doubled": doubled, "still_open": sum(r["still_open"] for r in rows),
            "unacknowledged_visits": len(in_db - acknowledged), "incomplete_experts": incomplete,
            "visits_in_db": sum(r["n"] for r in rows), "visits_with_ledger_rows": ledger}


FIGURES_SQL = """
WITH v AS (
    SELECT substr(region_code, 1, 6) AS county, count(*) AS visits, count(DISTINCT expert_id) AS experts,
           count(DISTINCT order_id) AS orders
    FROM visit
    WHERE region_code LIKE $1 AND check_in_at >= $2 AND check_in_at < $3
      AND status IN ('completed', 'approved', 'flagged')
    GROUP BY 1
), l AS (
    SELECT substr(region_code, 1, 6) AS county, sum(hours) AS hours,
           count(DISTINCT (expert_id, service_date)) AS expert_days
    FROM ledger_entry
    WHERE region_code LIKE $1 AND year = $4 AND status = 'counted'
    GROUP BY 1
), r AS (
    SELECT substr(region_code, 1, 6) AS county, count(*) AS ratings, avg(overall) AS overall,
           count(*) FILTER (WHERE overall <= 3) AS low
    FROM rating
    WHERE region_code LIKE $1 AND created_at >= $2 AND created_at < $3
    GROUP BY 1
)
SELECT v.county, v.visits, v.experts, v.orders, l.hours, l.expert_days, r.ratings, r.overall, r.low
FROM v LEFT JOIN l USING (county) LEFT JOIN r USING (county)
ORDER BY v.county
"""


async def _figures_service(year: int, settings) -> tuple[list[float], list[float]]:
    """Milliseconds of backend.services.figures.report() (cold first), and of its turnaround percentiles alone."""
    from datetime import date

    from backend.infra.db import close_database, open_database
    from backend.infra.tokens import AccessClaims
    from backend.services import figures

    await open_database(settings)
    try:
        claims = AccessClaims(1, "province_admin", "230000000000", "bench")
        timings = []
        for _ in range(4):
            began = time.perf_counter()
            await figures.report(settings, claims, date(year, 1, 1), None, None)
            timings.append((time.perf_counter() - began) * 1000)
        scope, period = claims.region_code, figures.period_of(date(year, 1, 1), None)
        digits = figures.regions.LEVEL_DIGITS[figures.sub_level(scope)]
        turnarounds = []
        for _ in range(3):
            began = time.perf_counter()
            await figures.rollups.turnarounds(scope, period, digits)
            turnarounds.append((time.perf_counter() - began) * 1000)
        return timings, turnarounds
    finally:
        await close_database()


async def figures_scenario(year: int, settings) -> dict:
    """Province-wide yearly figures over the generated visits, ledger rows and ratings."""
    import asyncpg

    from backend.infra.clock import CHINA

    scenario = {"name": "figures", "label": "province yearly figures (1M visits)",
                "targets": [{"metric": "value_ms", "op": "<=", "bound": 500}]}
    try:
        service_ms, turnarounds_ms = await _figures_service(year, settings)
    except Exception as exc:  # noqa: BLE001 - reported as a failed scenario, not hidden behind the SQL below
        log(f"figures.report() failed: {type(exc).__name__}: {exc}")
        service_ms = None
        scenario["error"] = f"{type(exc).__name__}: {exc}"
        scenario["note"] = f"backend.services.figures.report() failed ({scenario['error']}), so it has no timing"
    else:
        scenario["turnarounds_ms"] = round(statistics.median(turnarounds_ms), 1)
        scenario["note"] = ("backend.services.figures.report() called directly as the province admin for the year "
                            "to date (totals, by city, by field, by title level), median of 3 warm calls "
                            f"(cold {service_ms[0]:.0f} ms); of that, the exact turnaround percentiles "
                            f"take {scenario['turnarounds_ms']:.0f} ms on their own (median of 3); the equivalent "
                            "single GROUP BY SQL over the source tables is also timed (sql_ms)")
    conn = await asyncpg.connect(BENCH_DSN)
    try:
        count = await conn.fetchval("SELECT count(*) FROM visit")
        start, end = datetime(year, 1, 1, tzinfo=CHINA), datetime(year + 1, 1, 1, tzinfo=CHINA)
        timings, rows = [], []
        for _ in range(6):
            began = time.perf_counter()
            rows = await conn.fetch(FIGURES_SQL, "23%", start, end, year)
            timings.append((time.perf_counter() - began) * 1000)
        plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + FIGURES_SQL, "23%", start, end, year)
    finally:
        await conn.close()
    (OUT / "figures-plan.txt").write_text("\n".join(r[0] for r in plan))
    warm = timings[1:]
    scenario.update({"sql_ms": round(statistics.median(warm), 1), "sql_cold_ms": round(timings[0], 1),
                     "visits_total": count, "counties": len(rows)})
    if service_ms is not None:
        scenario.update({"value_ms": round(statistics.median(service_ms[1:]), 1), "cold_ms": round(service_ms[0], 1)})
    scenario["note"] += (f"; {count:,} visits in the table; SQL median of 5 warm runs {scenario['sql_ms']:.0f} ms "
                         f"(cold {timings[0]:.0f} ms)")
    log(f"figures: {scenario.get('value_ms')} ms (cold {scenario.get('cold_ms')} ms) over {count:,} visits; "
        f"single SQL {scenario['sql_ms']} ms")
    return scenario


def recommendations_scenario(env: dict[str, str], commands: list[str]) -> dict:
    scenario = {"name": "recommendations", "label": "recommendations over 100,000 experts",
                "targets": [{"metric": "value_ms", "op": "<=", "bound": 100}]}
    script = HERE / "recommendations.py"
    if not script.exists():
        return scenario | {"skipped": True, "note": "scripts/bench/recommendations.py does not exist yet"}
    cmd = [PYTHON, str(script)]
    # It creates (and drops) its own database named by DATABASE_URL: never point it at the bench's.
    own_env = {"DATABASE_URL": RECOMMENDATIONS_DSN}
    commands.append(f"DATABASE_URL={RECOMMENDATIONS_DSN} " + " ".join(cmd))
    started = time.time()
    out = subprocess.run(cmd, cwd=ROOT, env=os.environ | own_env, capture_output=True, text=True, timeout=900)
    (OUT / "recommendations.txt").write_text(out.stdout + out.stderr)
    written = OUT / "recommendations.json"
    if written.exists() and written.stat().st_mtime >= started:
        data = json.loads(written.read_text())
        variants = data.get("variants", {})
        if variants:
            name, first = next(iter(variants.items()))
            figure = first.get("recommendation", {})
            others = "; ".join(f"{n}: median {v.get('recommendation', {}).get('median_ms')} ms, "
                               f"p90 {v.get('recommendation', {}).get('p90_ms')} ms"
                               for n, v in variants.items())
            return scenario | {"value_ms": figure.get("median_ms"), "p90_ms_reco": figure.get("p90_ms"),
                               "details": data,
                               "note": f"from scripts/bench/recommendations.py (its own database, "
                                       f"{data.get('data', {}).get('verified_experts', '?')} verified experts; "
                                       f"median of variant '{name}'; {others})"}
    for line in reversed(out.stdout.splitlines()):
        try:
            data = json.loads(line[line.index("{"):])
        except ValueError:
            continue
        for key in ("value_ms", "p50_ms", "median_ms", "ms"):
            if isinstance(data.get(key), (int, float)):
                return scenario | {"value_ms": float(data[key]), "details": data,
                                   "note": f"from scripts/bench/recommendations.py ({key})"}
    return scenario | {"skipped": True, "note": f"recommendations.py exited {out.returncode} without a JSON "
                                                f"figure; see out/recommendations.txt"}


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s per scenario and a tenth of the data")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(SCENARIOS)}")
    parser.add_argument("--duration", type=int, help="seconds per wrk scenario (default 15, --quick 3)")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()} or set(SCENARIOS)
    unknown = only - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    duration = args.duration or (3 if args.quick else 15)
    scale = datagen.Scale.quick() if args.quick else datagen.Scale.full()
    servers_needed = bool(only & HTTP_SCENARIOS)
    for port in (BACKEND_PORT, CEILING_PORT, WECHAT_PORT) if servers_needed else ():
        if not port_free(port):
            raise SystemExit(f"port {port} is in use: another bench still running?")
    OUT.mkdir(parents=True, exist_ok=True)

    from backend.config import Settings

    jwt_keys = f"bench:{secrets.token_urlsafe(36)}"
    env = bench_env(jwt_keys)
    settings = Settings.from_env(env)
    commands = [f"{Path(PYTHON).name} scripts/bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])]
    report = {"started_at": datetime.now().isoformat(timespec="seconds"), "mode": "quick" if args.quick else "full",
              "duration_s": duration, "connections": CONNECTIONS, "workers": WORKERS, "pool_size": POOL_SIZE,
              "machine": report_mod.machine(), "versions": report_mod.versions(PYTHON), "scenarios": []}

    log(f"recreating {BENCH_DB}" + (f" and flushing {BENCH_REDIS}" if servers_needed else ""))
    if servers_needed:
        asyncio.run(check_connection_budget())
    asyncio.run(recreate_database(flush_redis=servers_needed))
    plan = asyncio.run(prepare_data(settings, scale))
    report["data"] = plan.counts
    if "pieces" in only:
        # Before the servers start, on a fresh order of the check-in pool (its check-ins are rolled back).
        order_id, _expert_id, user_id, _lat, _lng = plan.checkin_pool[0]
        report["pieces"] = pieces.run(BENCH_DSN, settings, order_id, user_id)
        log(f"pieces: {report['pieces']}")
    signer = reqfiles.Signer(settings.signing_keys, settings.checkin_code_ttl_seconds)

    wechat = Server("wechat", [PYTHON, "-m", "backend.infra.wechat.fake_server", "--port", str(WECHAT_PORT)],
                    WECHAT_PORT, {}, "/")
    backend = Server("backend", [PYTHON, str(HERE / "serve_backend.py"), "--port", str(BACKEND_PORT),
                                 "--workers", str(WORKERS)], BACKEND_PORT, env, "/healthz")
    # With the backend's environment, so it serves the floor routes too (floor.py).
    ceiling = Server("ceiling", [PYTHON, str(HERE / "ceiling_app.py"), "--dsn", BENCH_DSN, "--port",
                                 str(CEILING_PORT), "--workers", str(WORKERS), "--pool-size", str(POOL_SIZE)],
                     CEILING_PORT, env, "/select/1")
    servers = (wechat, backend, ceiling) if servers_needed else ()
    commands += [" ".join(c.cmd[1:] if c.cmd[0] == PYTHON else c.cmd) for c in servers]
    scenarios = report["scenarios"]
    try:
        for server in servers:
            server.start()
        max_order = max(p[0] for p in plan.storm_pool or plan.checkin_pool)
        if servers_needed:
            # Warm both: every worker opens its pools and touches the hot tables.
            warm = max(2, duration // 5)
            wrk("warm-ceiling", CEILING_PORT, reqfiles.ceiling_select_requests(max_order, 5_000), warm, [])
            wrk("warm-backend", BACKEND_PORT, reqfiles.list_requests(
                [plan.expert_user[e] for e in plan.list_experts], signer, 5_000), warm, [])
        ceilings: dict[str, dict] = {}
        wrk_commands: list[str] = []

        def ceiling_for(kind: str) -> dict:
            # Measured right before the scenario it scales, so drift on the shared machine cancels out.
            if kind == "insert":
                ceilings[kind] = wrk("ceiling-insert", CEILING_PORT, reqfiles.ceiling_insert_requests(
                    plan.checkin_pool, 200_000), duration, wrk_commands, ceiling.pids())
            else:
                ceilings[kind] = wrk("ceiling-select", CEILING_PORT, reqfiles.ceiling_select_requests(
                    max_order, 200_000), duration, wrk_commands, ceiling.pids())
            return ceilings[kind]

        def floor_for(scenario: dict, requests: list[reqfiles.Request]) -> None:
            # Right after the scenario, against the same ceiling: the fewest calls its target allows (floor.py).
            result = wrk(f"floor-{scenario['name']}", CEILING_PORT, reqfiles.floor_of(requests), duration,
                         wrk_commands, ceiling.pids())
            with_floor(scenario, result)

        if "checkin" in only:
            base = ceiling_for("insert")
            asyncio.run(note_sites(plan.checkin_pool))
            result = wrk("checkin", BACKEND_PORT, reqfiles.checkin_requests(plan.checkin_pool, signer), duration,
                         wrk_commands, backend.pids())
            scenarios.append(throughput_scenario("checkin", "check-in (fresh code, distinct order/expert)", result,
                                                 "raw INSERT", base, 0.5, 250))
            # Folded first, so the backend's periodic fold of what the check-ins queued does not run under the floor.
            fold_after(scenarios[-1])
            # Codes of their own, several for each order (the floor does not look at the order), on sites noted
            # again: enough that no code comes round twice.
            asyncio.run(note_sites(plan.checkin_pool))
            floor_for(scenarios[-1], reqfiles.checkin_requests(plan.checkin_pool, signer, seed=6,
                                                               count=FLOOR_CHECKINS_PER_SECOND * duration))
        if "list" in only:
            base = ceiling_for("select")
            list_lines = reqfiles.list_requests([plan.expert_user[e] for e in plan.list_experts], signer, 200_000)
            result = wrk("list", BACKEND_PORT, list_lines, duration, wrk_commands, backend.pids())
            scenarios.append(throughput_scenario("list", "expert's assignment list (20 rows)", result,
                                                 "raw PK SELECT", base, 0.5, 250))
            floor_for(scenarios[-1], list_lines)
        if "storm" in only:
            pool_path = OUT / "requests" / "storm-pool.json"
            pool_path.parent.mkdir(parents=True, exist_ok=True)
            pool_path.write_text(json.dumps(plan.storm_pool))
            asyncio.run(note_sites(plan.storm_pool))
            cmd = [PYTHON, str(HERE / "storm.py"), "--base", f"http://127.0.0.1:{BACKEND_PORT}", "--pool",
                   str(pool_path), "--keys", jwt_keys, "--code-ttl", str(settings.checkin_code_ttl_seconds),
                   "--spread", "4"]
            wrk_commands.append(" ".join(cmd[1:]).replace(jwt_keys, "$JWT_KEYS"))
            try:
                out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=STORM_TIMEOUT)
                (OUT / "storm.txt").write_text(out.stdout + out.stderr)
                storm = json.loads(out.stdout.strip().splitlines()[-1])
            except (subprocess.TimeoutExpired, ValueError, IndexError) as exc:
                storm = {"experts": len(plan.storm_pool), "requests": 0, "elapsed_s": None, "p99_ms": None,
                         "retries": 0, "failed_experts": len(plan.storm_pool), "visits": {},
                         "error": f"storm client did not finish: {type(exc).__name__}"}
            checked = asyncio.run(verify_storm(plan.storm_pool, storm.pop("visits")))
            scenario = {"name": "storm", "label": f"check-in storm ({storm['experts']} experts × 2 in/out)",
                        **storm, **checked,
                        "targets": [{"metric": "lost", "op": "==", "bound": 0},
                                    {"metric": "doubled", "op": "==", "bound": 0},
                                    {"metric": "incomplete_experts", "op": "==", "bound": 0},
                                    {"metric": "p99_ms", "op": "<=", "bound": 1000}]}
            scenario["note"] = (f"{storm['requests']} requests incl. retries ({storm['retries']}) and 20% double-taps; "
                                f"verified in the database: {checked['visits_in_db']} visits, "
                                f"{checked['still_open']} still open, {checked['visits_with_ledger_rows']} with "
                                f"ledger rows, {checked['unacknowledged_visits']} never acknowledged to a client; "
                                f"{checked['incomplete_experts']} experts could not finish both rounds "
                                f"({storm['failed_experts']} failed a step)" + (f"; {storm['error']}"
                                                                              if storm.get("error") else ""))
            log(f"storm: {storm['requests']} requests in {storm['elapsed_s']} s, p99 {storm['p99_ms']} ms, {checked}")
            scenarios.append(scenario)
            fold_after(scenario)
        # Last: the orders' notifications keep the outbox sending for minutes, which would load what follows.
        if "order" in only:
            base = ceiling_for("insert")
            order_lines = reqfiles.order_requests(plan.requester_user_ids, plan.villages, plan.items, signer, 60_000)
            result = wrk("order", BACKEND_PORT, order_lines, duration, wrk_commands, backend.pids())
            scenarios.append(throughput_scenario("order", "placing an order (Idempotency-Key)", result,
                                                 "raw INSERT", base, 0.4, None))
            floor_for(scenarios[-1], order_lines)
        if only & HTTP_SCENARIOS:
            admin = plan.admin_user_ids[0]
            figure_statuses = answer_figures(signer.access(admin, "province_admin", "230000000000"))
            processes = [{"pid": pid, "rss_mb": rss_mb(pid), "name": name, "numpy": loaded_numpy(pid)}
                         for pid, name in backend.worker_pids()]
            processes = [p for p in processes if p["rss_mb"] is not None]
            # Sanic names its app workers Sanic-Server-<n>-<m>; anything else (its inspector) is listed apart.
            workers = [p for p in processes if p["name"].startswith("Sanic-Server")] or processes
            others = [p for p in processes if p not in workers]
            scenarios.append({"name": "memory", "label": "memory per backend worker after the load",
                              "workers": workers, "max_rss_mb": max((w["rss_mb"] for w in workers), default=None),
                              "targets": [{"metric": "max_rss_mb", "op": "<=", "bound": 200}],
                              "others": others,
                              "figure_statuses": figure_statuses,
                              "note": "VmRSS of each Sanic worker process (/proc/<pid>/status) after the scenarios "
                                      f"above and {len(figure_statuses)} province figures reports (statuses "
                                      f"{sorted(set(figure_statuses))}; numpy loaded in "
                                      f"{sum(w['numpy'] for w in workers)} of {len(workers)} workers); the manager "
                                      "process is excluded" + (
                                          "; other child processes: " + ", ".join(
                                              f"{p['name']} {p['rss_mb']} MB" for p in others) if others else "")})
            log(f"memory: {workers}")
        report["ceilings"] = ceilings
        commands += wrk_commands
    finally:
        for server in (ceiling, backend, wechat):
            server.stop()
    if "figures" in only:
        scenarios.append(asyncio.run(figures_scenario(plan.year, settings)))
    if "areas" in only:
        report["areas"] = asyncio.run(areas.run(settings))
        log(f"areas: {report['areas']}")
    if "recommendations" in only:
        scenarios.append(recommendations_scenario(env, commands))
    if "history" in only:
        # Last: it gives two people thousands of orders more.
        report["history"] = asyncio.run(history.run(settings))
        log(f"history: {report['history']}")
    report["commands"] = commands
    json_path, md_path = report_mod.write(report, OUT)
    print(md_path.read_text())
    log(f"wrote {json_path.relative_to(ROOT)} and {md_path.relative_to(ROOT)}")
    return 0 if all(s.get("pass") or s.get("skipped") for s in scenarios) else 1


if __name__ == "__main__":
    sys.exit(main())
