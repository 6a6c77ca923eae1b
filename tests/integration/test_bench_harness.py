"""The bench harness in miniature, so it cannot rot: data generation, request files, the report.

No timings are asserted and wrk is not needed: this checks that what the bench writes is
valid for the real schema and the real API, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench"
sys.path.insert(0, str(BENCH))

import areas  # noqa: E402
import cpu  # noqa: E402
import datagen  # noqa: E402
import history  # noqa: E402
import pieces  # noqa: E402
import reqfiles  # noqa: E402
import report  # noqa: E402


@pytest.fixture
async def plan(resources):
    from tortoise import connections

    return await datagen.generate(connections.get("default"), datagen.Scale.tiny(), chunk=7)


async def test_generated_data_has_every_table_the_scenarios_read(plan):
    from backend.models import ExpertProfile, LedgerEntry, Order, OrderAssignee, Rating, Visit

    scale = datagen.Scale.tiny()
    assert await ExpertProfile.all().count() == scale.experts
    assert await Visit.all().count() == scale.visits
    assert await LedgerEntry.all().count() == scale.visits
    assert await Order.all().count() == scale.background_orders + scale.checkin_orders + scale.storm_orders
    ratings = await Rating.all().values_list("overall", flat=True)
    assert ratings and set(ratings) <= {1, 2, 3, 4, 5}
    for order_id, expert_id, _user, _lat, _lng in plan.checkin_pool + plan.storm_pool:
        order = await Order.get(id=order_id)
        assert order.status == "scheduled"
        assert await OrderAssignee.exists(order_id=order_id, expert_id=expert_id)
    assert len({p[0] for p in plan.checkin_pool}) == len(plan.checkin_pool)
    assert plan.counts["visit"] == scale.visits


def test_orders_spread_over_made_up_villages_of_every_county_busy_and_quiet():
    from dataclasses import replace

    from backend.seed import catalog

    villages, items, counties = datagen.reference()
    item_ids = {item["code"]: n for n, item in enumerate(items, 1)}
    scale = replace(datagen.Scale.tiny(), background_orders=3_000, villages_per_county=3)
    generator = datagen.Generator(scale, item_ids)
    made_up = {row["code"]: row for row in generator.region_rows}
    shipped = {row["code"] for row in catalog.province_tree()}
    assert made_up and not set(made_up) & {code.ljust(12, "0") for code in shipped}
    province_counties = {c["code"] for c in counties}
    for row in made_up.values():
        assert len(row["code"]) == 12 and row["code"].startswith("23")
        if row["level"] == "village":
            assert made_up[row["parent_code"]]["level"] == "township"
            assert 43.0 < row["latitude"] < 54.0 and 121.0 < row["longitude"] < 136.0  # within Heilongjiang
        else:
            assert row["level"] == "township" and row["parent_code"] in province_counties

    orders = []
    for table, rows in generator.tables():  # in order: the orders draw on the experts made before them
        for row in rows:
            if table == "*orders" and row[0] == "service_order":
                orders.append(row[1])
    per_county: dict[str, int] = {}
    for order in orders:
        per_county[order["region_code"][:6]] = per_county.get(order["region_code"][:6], 0) + 1
    tree_counties = {v["code"][:6] for v in villages}
    assert len(per_county) > len(tree_counties) * 3
    ranked = sorted(per_county.values())
    assert ranked[-1] > 5 * ranked[len(ranked) // 2]  # a few busy counties, a long tail of quiet ones


async def test_generated_visits_are_settled_as_the_rating_sweep_would_settle_them(plan):
    from tortoise import connections

    from backend.models import Visit
    from backend.services.feedback import SETTLE

    settled = await Visit.filter(feedback_settled=True).count()
    assert settled > 0
    changed, _ = await connections.get("default").execute_query(SETTLE)
    assert changed == 0
    assert await Visit.filter(feedback_settled=True).count() == settled
    # and none is settled that the sweep would still have to look at
    assert not await Visit.filter(feedback_settled=True, rating=None, follow_up=None).exclude(status="rejected") \
        .exists()


async def test_rows_written_after_the_bench_get_fresh_ids(plan):
    from backend.models import User

    user = await User.create(openid="after-the-bench", name="后来的人")
    assert user.id > max(plan.requester_user_ids + list(plan.expert_user.values()))


@pytest.mark.parametrize("site_noted", [True, False])
async def test_a_check_in_line_from_the_request_file_is_accepted_by_the_api(plan, settings, client, resources, tmp_path,
                                                                           site_noted):
    if site_noted:
        await reqfiles.note_sites(resources.redis, plan.checkin_pool)
    signer = reqfiles.Signer(settings.signing_keys, settings.checkin_code_ttl_seconds)
    path = tmp_path / "checkin.tsv"
    assert reqfiles.write(path, reqfiles.checkin_requests(plan.checkin_pool, signer)) == len(plan.checkin_pool)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(len(line.split("\t")) == 5 for line in lines)
    request = reqfiles.parse_line(lines[0])
    _, response = await client.post(request.path, json=request.body,
                                    headers={"Authorization": f"Bearer {request.token}"})
    assert response.status == 201, response.json
    assert response.json["order_id"] == plan.checkin_pool[0][0]


async def test_order_and_list_lines_are_valid_requests(plan, settings, client):
    from backend.schemas.orders import OrderCreate

    signer = reqfiles.Signer(settings.signing_keys, settings.checkin_code_ttl_seconds)
    orders = reqfiles.order_requests(plan.requester_user_ids, plan.villages, plan.items, signer, 3)
    for request in orders:
        OrderCreate.model_validate(request.body)
        assert request.idempotency_key and reqfiles.parse_line(request.line()) == request
    _, placed = await client.post(orders[0].path, json=orders[0].body,
                                  headers={"Authorization": f"Bearer {orders[0].token}",
                                           "Idempotency-Key": orders[0].idempotency_key})
    assert placed.status == 201, placed.json
    listing = reqfiles.list_requests([plan.expert_user[e] for e in plan.list_experts], signer, 1)[0]
    _, listed = await client.get(listing.path, headers={"Authorization": f"Bearer {listing.token}"})
    assert listed.status == 200 and listed.json["items"]


@pytest.mark.postgres
async def test_each_piece_of_a_check_in_and_an_order_is_measured_and_nothing_is_left_behind(plan, settings):
    from backend.models import AuditRecord, Notification, Order, OutboxMessage, Visit

    async def counts():
        return (await Visit.all().count(), await AuditRecord.all().count(), (await Order.get(id=order_id)).status,
                await Order.all().count(), await Notification.all().count(), await OutboxMessage.all().count())

    order_id, _expert_id, user_id, _lat, _lng = plan.checkin_pool[0]
    before = await counts()
    rows = await pieces.measure(settings.database_url, settings, order_id, user_id, calls=8)
    assert [(r["piece"], r["side"]) for r in rows] == [
        ("access token verified (PyJWT)", "client"), ("check-in code verified (PyJWT)", "client"),
        ("Redis GET (redis-py, the app's pool)", "client"), ("scan admitted (the one Redis script)", "client"),
        ("asyncpg SELECT 1", "client"), ("SELECT 1", "PostgreSQL"), ("one-row INSERT, committed", "PostgreSQL"),
        ("two rows in one INSERT, committed", "PostgreSQL"), ("BEGIN, SELECT 1, ROLLBACK", "PostgreSQL"),
        ("BEGIN, check-in statement, ROLLBACK", "PostgreSQL"), ("BEGIN, placing an order, ROLLBACK", "PostgreSQL"),
        ("BEGIN, SELECT 1, ROLLBACK", "client"), ("BEGIN, check-in statement, ROLLBACK", "client"),
        ("BEGIN, placing an order, ROLLBACK", "client")]
    assert all(r["calls"] >= 2 and r["us_per_call"] >= 0 for r in rows)
    # Every check-in wrote its visit and every order told its admins (measure() checks that), and all was rolled
    # back; the scratch table is gone.
    assert await counts() == before
    from tortoise import connections

    assert not await connections.get("default").execute_query_dict(
        "SELECT 1 FROM pg_tables WHERE tablename = $1", [pieces.SCRATCH_TABLE])


@pytest.mark.postgres
async def test_the_floor_answers_each_scenario_s_lines_as_the_backend_would(plan, settings, client, resources,
                                                                           monkeypatch):
    import ceiling_app
    from support.client import StartedOnceASGIClient
    from tortoise import connections

    from backend.models import Order

    monkeypatch.setenv("JWT_KEYS", settings.jwt_keys)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    await ceiling_app.create_table(settings.database_url)
    floor = StartedOnceASGIClient(ceiling_app.create_app(settings.database_url, 2))
    conn = connections.get("default")
    signer = reqfiles.Signer(settings.signing_keys, settings.checkin_code_ttl_seconds)
    try:
        await reqfiles.note_sites(resources.redis, plan.checkin_pool)
        check_in = reqfiles.floor_of(reqfiles.checkin_requests(plan.checkin_pool, signer))[0]
        assert check_in.path == f"/floor/orders/{plan.checkin_pool[0][0]}/check-in"
        headers = {"Authorization": f"Bearer {check_in.token}"}
        _, first = await floor.post(check_in.path, json=check_in.body, headers=headers)
        assert first.status == 201, first.text
        # The phone's fix is a few tens of metres from the noted site, which only the Redis call knew.
        assert 0 < first.json["distance_m"] < 100
        _, again = await floor.post(check_in.path, json=check_in.body, headers=headers)
        assert again.status == 409

        # The floor's page holds the orders of the backend's page, in its order.
        listing = reqfiles.list_requests([plan.expert_user[e] for e in plan.list_experts], signer, 1)[0]
        headers = {"Authorization": f"Bearer {listing.token}"}
        _, backend_page = await client.get(listing.path, headers=headers)
        _, floor_page = await floor.get(reqfiles.floor_of([listing])[0].path, headers=headers)
        assert floor_page.status == 200 and backend_page.status == 200
        assert [o["id"] for o in floor_page.json["items"]] == [o["id"] for o in backend_page.json["items"]] != []

        order = reqfiles.floor_of(reqfiles.order_requests(plan.requester_user_ids, plan.villages, plan.items,
                                                          signer, 1))[0]
        headers = {"Authorization": f"Bearer {order.token}", "Idempotency-Key": order.idempotency_key}
        orders_before = await Order.all().count()
        _, placed = await floor.post(order.path, json=order.body, headers=headers)
        assert placed.status == 201, placed.text
        # The backend's own statement placed it, and told the village's local admins.
        placed_order = await Order.get(id=placed.json["id"])
        assert (placed_order.region_code, placed.json["told"] > 0) == (order.body["region_code"], True)
        _, repeated = await floor.post(order.path, json=order.body, headers=headers)
        assert repeated.status == 409
        _, refused = await floor.post(order.path, json=order.body | {"latitude": 91},
                                      headers=headers | {"Idempotency-Key": "another"})
        assert refused.status == 422
        assert await Order.all().count() == orders_before + 1
        assert (await conn.execute_query_dict("SELECT count(*) AS n FROM bench_ceiling"))[0]["n"] == 1
    finally:
        await floor.stop()
        await conn.execute_script("DROP TABLE IF EXISTS bench_ceiling")


def test_the_report_sets_each_scenario_beside_its_floor(tmp_path):
    import run

    ceiling = {"throughput_rps": 5000.0, "p99_ms": 20.0,
               "cpu": {"app_us": 200, "postgres_us": 120, "redis_us": 0, "wrk_us": 80, "total_us": 400}}
    scenario = run.throughput_scenario("checkin", "check-in", {
        "throughput_rps": 1000.0, "ok_rps": 1000.0, "p50_ms": 40.0, "p99_ms": 100.0, "error_rate": 0.0, "wraps": 0,
        "cpu": {"app_us": 900, "postgres_us": 600, "redis_us": 50, "wrk_us": 50, "total_us": 1600}},
        "raw INSERT", ceiling, 0.5, 250)
    run.with_floor(scenario, {"ok_rps": 2000.0, "throughput_rps": 2000.0, "p99_ms": 50.0,
                              "cpu": {"app_us": 500, "postgres_us": 200, "redis_us": 50, "wrk_us": 50,
                                      "total_us": 800}})
    assert (scenario["floor_ratio"], scenario["share_of_floor"], scenario["floor_cpu_ratio"]) == (0.4, 0.5, 0.5)
    _, md_path = report.write(fake_report() | {"scenarios": [scenario]}, tmp_path)
    markdown = md_path.read_text(encoding="utf-8")
    assert "## The floor: each scenario with the fewest calls this stack allows" in markdown
    assert "| check-in | 0.50 | 0.200 | 2,000 req/s, p99 50.0 ms | 0.400 | 0.500 | 500, 200, 50, 50, 800 |" \
        in markdown


def test_the_report_lists_the_pieces_of_a_check_in_and_an_order(tmp_path):
    data = fake_report() | {"pieces": [{"piece": "SELECT 1", "side": "PostgreSQL", "calls": 2000,
                                        "us_per_call": 30.0}]}
    _, md_path = report.write(data, tmp_path)
    assert "| SELECT 1 | PostgreSQL | 30.0 | 2,000 |" in md_path.read_text(encoding="utf-8")


async def test_an_areas_lists_are_timed_for_a_quiet_county_a_busy_one_and_a_village(plan, settings):
    from backend.models import Order

    rows = await areas.measure(settings, calls=2)
    assert [(r["area"], r["list"]) for r in rows] == [
        (area, name) for area in ("quiet county", "busy county", "one village") for name in areas.LISTS]
    codes = {r["area"]: r["region_code"] for r in rows}
    quiet = await Order.filter(region_code__startswith=codes["quiet county"][:6]).count()
    busy = await Order.filter(region_code__startswith=codes["busy county"][:6]).count()
    assert busy > 0 and quiet < busy
    assert await Order.filter(region_code=codes["one village"]).exists()
    assert codes["one village"].startswith(codes["busy county"][:6])


def test_the_report_lists_an_areas_lists(tmp_path):
    data = fake_report() | {"areas": [{"area": "quiet county", "region_code": "230102000000", "list": "audit trail",
                                       "calls": 7, "median_ms": 0.45, "first_ms": 2.3}]}
    _, md_path = report.write(data, tmp_path)
    assert "| quiet county (230102000000) | audit trail | 0.45 | 2.30 |" in md_path.read_text(encoding="utf-8")


@pytest.mark.postgres
async def test_a_persons_newest_page_is_timed_with_a_short_history_and_a_long_one(plan, settings):
    import asyncpg

    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await history.measure(settings, conn, calls=2)
    finally:
        await conn.close()
    pages = [(r["person"], r["list"]) for r in rows]
    assert pages == [
        ("median expert", "newest page"), ("median expert", "已办结 only"), ("busiest expert", "newest page"),
        ("busiest expert", "已办结 only"), ("median requester", "newest page"), ("busiest requester", "newest page"),
        (f"busiest + {history.LONG_HISTORY:,} expert", "newest page"),
        (f"busiest + {history.LONG_HISTORY:,} expert", "已办结 only"),
        (f"busiest + {history.LONG_HISTORY:,} requester", "newest page")]
    held = {r["person"]: r["orders"] for r in rows}
    for role in ("expert", "requester"):
        assert held[f"busiest + {history.LONG_HISTORY:,} {role}"] > held[f"busiest {role}"] >= held[f"median {role}"]


def test_the_report_lists_a_persons_newest_page_by_history(tmp_path):
    data = fake_report() | {"history": [{"person": "busiest expert", "orders": 2046, "list": "newest page",
                                         "calls": 9, "median_ms": 1.4, "first_ms": 2.0}]}
    _, md_path = report.write(data, tmp_path)
    assert "| busiest expert (2,046) | newest page | 1.40 | 2.00 |" in md_path.read_text(encoding="utf-8")


def fake_report() -> dict:
    return {
        "started_at": "2026-11-23T08:00:00", "mode": "quick", "duration_s": 3, "connections": 64, "workers": 2,
        "pool_size": 20, "machine": report.machine(), "versions": {"python": "3.11", "wrk": "not found"},
        "data": {"visit": 40}, "commands": ["python scripts/bench/run.py --quick"],
        "scenarios": [
            {"name": "checkin", "label": "check-in", "throughput_rps": 600.0, "ok_rps": 600.0, "p50_ms": 40.0,
             "p99_ms": 120.0, "error_rate": 0.0, "ceiling": "raw INSERT", "ceiling_rps": 1000.0, "ratio": 0.6,
             "targets": [{"metric": "ratio", "op": ">=", "bound": 0.5},
                         {"metric": "p99_ms", "op": "<=", "bound": 250}]},
            {"name": "list", "label": "assignment list", "throughput_rps": 100.0, "ok_rps": 100.0, "p50_ms": 500.0,
             "p99_ms": 900.0, "error_rate": 0.0, "ceiling": "raw PK SELECT", "ceiling_rps": 1000.0, "ratio": 0.1,
             "targets": [{"metric": "ratio", "op": ">=", "bound": 0.5}]},
            {"name": "storm", "label": "storm", "requests": 2000, "elapsed_s": 9.5, "p99_ms": 800.0, "lost": 0,
             "doubled": 0, "targets": [{"metric": "lost", "op": "==", "bound": 0},
                                       {"metric": "p99_ms", "op": "<=", "bound": 1000}]},
            {"name": "memory", "label": "memory", "workers": [{"pid": 1, "rss_mb": 150.0}], "max_rss_mb": 150.0,
             "targets": [{"metric": "max_rss_mb", "op": "<=", "bound": 200}]},
            {"name": "figures", "label": "figures", "targets": [{"metric": "value_ms", "op": "<=", "bound": 500}]},
            {"name": "recommendations", "label": "recommendations", "skipped": True, "note": "not there yet",
             "targets": [{"metric": "value_ms", "op": "<=", "bound": 100}]},
        ],
    }


def test_the_report_judges_each_target_and_writes_markdown_and_json(tmp_path):
    json_path, md_path = report.write(fake_report(), tmp_path)
    written = json.loads(json_path.read_text(encoding="utf-8"))
    verdicts = {s["name"]: s.get("pass") for s in written["scenarios"]}
    assert verdicts == {"checkin": True, "list": False, "storm": True, "memory": True, "figures": False,
                        "recommendations": None}
    markdown = md_path.read_text(encoding="utf-8")
    assert "| scenario | measured | ceiling | ratio | target | result |" in markdown
    assert "| check-in | 600 req/s" in markdown and "PASS" in markdown and "FAIL" in markdown
    assert "skipped" in markdown and "nproc" in markdown and "python scripts/bench/run.py --quick" in markdown


_BURN = """
import sys, time
sys.stdin.readline()
start = time.process_time()
while time.process_time() - start < 0.3:
    pass
print("done", flush=True)
sys.stdin.read()
"""


def test_the_cpu_meter_charges_each_process_with_the_cpu_it_spent_during_the_run():
    child = subprocess.Popen([sys.executable, "-c", _BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        meter = cpu.CpuMeter([child.pid])
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "done"
        # Still running: charged as the app, from /proc; not yet waited for, so nothing as wrk.
        per = meter.per_request(2)
        assert 0.28 / 2 * 1e6 <= per["app_us"] <= 1.0 / 2 * 1e6
        assert per["wrk_us"] < 0.1 / 2 * 1e6
        assert per["total_us"] == sum(per[f"{side}_us"] for side in cpu.SIDES)
    finally:
        child.stdin.close()
        child.wait(10)
    # Waited for, it counts as a child of the harness, which is how wrk's own CPU is charged.
    assert meter.seconds()["wrk"] >= 0.28


def test_the_report_shows_cpu_per_request_beside_the_ceiling(tmp_path):
    data = fake_report()
    checkin = next(s for s in data["scenarios"] if s["name"] == "checkin")
    checkin |= {"cpu": {"app_us": 900, "postgres_us": 700, "redis_us": 50, "wrk_us": 70, "total_us": 1720},
                "ceiling_cpu": {"app_us": 200, "postgres_us": 120, "redis_us": 0, "wrk_us": 80, "total_us": 400},
                "cpu_ratio": 0.233}
    _, md_path = report.write(data, tmp_path)
    markdown = md_path.read_text(encoding="utf-8")
    assert "| check-in | 900 | 700 | 50 | 70 | 1,720 | 0.233 |" in markdown
    assert "| ceiling beside it (raw INSERT) | 200 | 120 | 0 | 80 | 400 | — |" in markdown


def test_a_throughput_scenario_takes_its_cpu_ratio_from_the_ceiling_run_beside_it():
    import run

    wrk_result = {"throughput_rps": 500.0, "ok_rps": 500.0, "p99_ms": 90.0, "wraps": 0,
                  "cpu": {"app_us": 1000, "postgres_us": 800, "redis_us": 50, "wrk_us": 150, "total_us": 2000}}
    ceiling = {"throughput_rps": 5000.0, "p99_ms": 20.0,
               "cpu": {"app_us": 200, "postgres_us": 120, "redis_us": 0, "wrk_us": 80, "total_us": 400}}
    scenario = run.throughput_scenario("checkin", "check-in", wrk_result, "raw INSERT", ceiling, 0.5, 250)
    assert scenario["ratio"] == 0.1 and scenario["cpu_ratio"] == 0.2
    assert scenario["ceiling_cpu"] == ceiling["cpu"]
    without = run.throughput_scenario("checkin", "check-in", wrk_result | {"cpu": None}, "raw INSERT", ceiling, 0.5,
                                      250)
    assert "cpu_ratio" not in without
