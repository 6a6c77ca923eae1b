"""Benchmark: dispatch recommendations for one order over 100,000 verified experts, on PostgreSQL.

    .venv/bin/python scripts/bench/recommendations.py [--experts 100000] [--orders 200] [--keep]

Creates its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/zjfw_bench_recommendations:
its own name, so that it never drops a database another benchmark is using),
builds the schema from the models, bulk-loads realistic data with COPY, and times
`recommendations.recommend()` over N accepted orders against a reference measured in the
same run on the same connection pool: a primary-key SELECT of one expert_profile row.
It runs twice: with the indexes the models declare, then with the index proposed for
expert_profile (see PROPOSED_INDEX). Writes scripts/bench/out/recommendations.{md,json}
and drops the database unless --keep.

The data: experts sit around the county seats of 黑龙江 (the 121 counties of the national
list; seats of counties in backend/seed's province tree at their real coordinates, the
others scattered within ~80 km of their prefecture city's real centre), with fields in
the menu's proportions below, specialties from the phrase lists below, a realistic title
mix and service radii of 30–200 km. Orders, open assignments, ratings and teams give the
load, rating and team terms real rows to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from backend.config import Settings  # noqa: E402
from backend.domain import text  # noqa: E402
from backend.infra.tokens import AccessClaims  # noqa: E402
from backend.seed import catalog  # noqa: E402

OUT = ROOT / "scripts" / "bench" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zjfw_bench_recommendations"
PROVINCE = "230000000000"
PROPOSED_INDEX = ("CREATE INDEX expert_profile_match_idx ON expert_profile (field, latitude, longitude, "
                  "service_radius_km) WHERE status = 'verified' AND available")

# Prefecture-level city centres of 黑龙江 (approximate, public map data).
CITY_CENTRES = {
    "230100": (45.80, 126.53), "230200": (47.35, 123.92), "230300": (45.30, 130.97), "230400": (47.35, 130.30),
    "230500": (46.65, 131.16), "230600": (46.59, 125.10), "230700": (47.73, 128.84), "230800": (46.80, 130.32),
    "230900": (45.77, 131.00), "231000": (44.55, 129.63), "231100": (50.25, 127.53), "231200": (46.65, 126.97),
    "232700": (52.34, 124.71),
}
FIELD_SHARES = {"planting": 28, "livestock": 16, "aquaculture": 5, "processing": 7, "ecommerce": 7, "health": 12,
                "education": 9, "machinery": 6, "planning": 5, "management": 5}
TITLE_MIX = (("senior", 20), ("associate_senior", 58), ("intermediate", 22))
TITLES = {"senior": ["研究员", "正高级农艺师", "主任医师", "教授"], "associate_senior": ["副研究员", "高级农艺师",
          "高级畜牧师", "副主任医师", "副教授", "高级工程师"], "intermediate": ["农艺师", "畜牧师", "主治医师", "讲师"]}
RADII = (30, 50, 50, 60, 80, 100, 100, 120, 150, 200)
SPECIALTIES = {
    "planting": ["苹果腐烂病防治", "果树病虫害", "寒地水稻育秧", "水稻稻瘟病防治", "大豆玉米带状复合种植", "设施蔬菜栽培",
                 "测土配方施肥", "黑木耳栽培", "食用菌菌包制作", "玉米螟绿色防控", "马铃薯晚疫病", "蓝莓栽培",
                 "中药材种植", "人参栽培", "杂草综合治理", "黑土地保护", "鲜食玉米", "蔬菜霜霉病", "果树修剪"],
    "livestock": ["非洲猪瘟防控", "生猪疫病防控", "奶牛乳房炎防治", "肉牛繁育改良", "羔羊培育", "家禽规模化养殖",
                  "青贮饲料制作", "饲料配方", "畜禽粪污资源化", "犊牛腹泻防治", "蛋鸡饲养管理"],
    "aquaculture": ["池塘鱼类养殖", "稻田养蟹", "鱼病诊断", "冷水鱼养殖", "养殖水质调控", "鲟鱼养殖"],
    "processing": ["大米加工", "果蔬贮藏保鲜", "食品安全管理", "山特产品加工", "农产品品牌设计", "杂粮加工"],
    "ecommerce": ["直播带货", "网店运营", "短视频推广", "冷链物流", "地理标志申报", "农产品电商"],
    "health": ["慢性病管理", "高血压防治", "糖尿病管理", "乡村医生培训", "妇幼保健", "中医适宜技术", "老年健康"],
    "education": ["职业技能培训", "乡村教师培训", "高素质农民培育", "留守儿童心理辅导", "数学教学"],
    "machinery": ["农机维修", "植保无人机", "智能农机", "秸秆还田", "粮食烘干"],
    "planning": ["村庄规划", "农房节能改造", "农村改厕", "乡村旅游规划", "农田水利"],
    "management": ["合作社管理", "家庭农场记账", "土地流转法律", "农业保险", "村集体经济"],
}
NEEDS = {
    "planting": ["苹果树叶子发黄卷曲，果子有黑斑", "水稻育秧大棚里秧苗成片死苗", "大豆叶片出现褐色病斑", "玉米螟危害严重",
                 "黑木耳菌包出现绿霉", "大棚黄瓜霜霉病蔓延很快", "蓝莓今年结果少", "想学测土配方施肥，减少化肥"],
    "livestock": ["猪场有几头猪不吃食，担心是疫病", "奶牛乳房红肿产奶下降", "犊牛拉稀好几天", "想做青贮饲料不会配方",
                  "鸡舍冬天通风保温怎么弄"],
    "aquaculture": ["鱼塘里的鱼浮头死鱼", "稻田养蟹想扩大规模", "冷水鱼养殖水温控制"],
    "processing": ["大米加工后碎米多", "果蔬贮藏烂得快", "想办食品生产许可"],
    "ecommerce": ["想学直播带货卖大米", "网店开起来没人买", "冷链物流怎么对接"],
    "health": ["村里老人高血压多，想请医生巡诊", "妇女儿童保健知识讲座", "糖尿病病人多需要指导"],
    "education": ["村里想办职业技能培训", "留守儿童心理辅导", "乡村教师想提高教学"],
    "machinery": ["拖拉机毛病多想请人修", "植保无人机操作培训", "秸秆还田机具调整"],
    "planning": ["村庄规划编制", "农房保温改造", "农村改厕和污水治理"],
    "management": ["合作社账目混乱", "土地流转合同纠纷", "想了解农业保险"],
}
ASKS = ["，想请专家来看看", "，请专家上门指导", "，急需帮助", "，希望尽快安排", ""]


def weighted(rng: random.Random, pairs) -> str:
    names, weights = zip(*pairs)
    return rng.choices(names, weights)[0]


def county_seats(rng: random.Random) -> dict[str, tuple[float, float]]:
    tree = {r["code"][:6]: (r["lat"], r["lng"]) for r in catalog.province_tree() if r["level"] == "county"}
    seats = {}
    for region in catalog.national_regions():
        if region["level"] != "county" or not region["code"].startswith("23"):
            continue
        code = region["code"]
        if code in tree:
            seats[code] = tree[code]
        else:
            lat, lon = CITY_CENTRES.get(code[:4] + "00", CITY_CENTRES["230100"])
            seats[code] = (lat + rng.uniform(-0.7, 0.7), lon + rng.uniform(-0.9, 0.9))
    return seats


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


async def recreate(url: str) -> None:
    admin, name = admin_url(url)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop(url: str) -> None:
    admin, name = admin_url(url)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def copy(conn: asyncpg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    required = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND is_nullable = 'NO' "
        "AND column_default IS NULL", table)
    missing = {r["column_name"] for r in required} - set(columns) - {"id"}
    if missing:
        raise SystemExit(f"{table}: the bench does not fill the NOT NULL columns {sorted(missing)}")
    await conn.copy_records_to_table(table, records=rows, columns=columns)


async def load(url: str, experts: int, seed: int) -> dict:
    """Bulk-load the data set; returns counts and the ids the measurement needs."""
    rng = random.Random(seed)
    seats = county_seats(rng)
    codes = list(seats)
    now = datetime.now(timezone.utc)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET session_replication_role = replica")  # bulk rows whose visits are not modelled
        items = await conn.fetch("SELECT id, code, name, field, category_id FROM service_item")
        categories = dict(await conn.fetch("SELECT id, name FROM service_category"))
        items_by_field: dict[str, list] = {}
        for item in items:
            items_by_field.setdefault(item["field"], []).append(item)
        pending = experts // 20
        total = experts + pending
        users = [(i, f"bench-{i}", f"专家{i}", "", True, now, now) for i in range(1, total + 1)]
        requester_base = total + 1
        users += [(requester_base + i, f"bench-farmer-{i}", f"农户{i}", "", True, now, now) for i in range(2000)]
        admin_id = requester_base + 2000
        users.append((admin_id, "bench-province", "省厅管理员", "", True, now, now))
        await copy(conn, "app_user", ["id", "openid", "name", "nickname", "is_active", "created_at", "updated_at"],
                   users)
        fields = list(FIELD_SHARES)
        shares = list(FIELD_SHARES.values())
        profile_rows = []
        by_field: dict[str, list[int]] = {}
        for i in range(1, total + 1):
            field = rng.choices(fields, shares)[0]
            level = weighted(rng, TITLE_MIX)
            county = rng.choice(codes)
            lat, lon = seats[county]
            verified = i <= experts
            specialties = rng.sample(SPECIALTIES[field], k=min(len(SPECIALTIES[field]), rng.randint(1, 4)))
            profile_rows.append((
                i, i, f"专家{i}", "", rng.choice(TITLES[level]), level, field, json.dumps(specialties, ensure_ascii=False),
                "省农业科学院", county + "000000", lat + rng.gauss(0, 0.12), lon + rng.gauss(0, 0.15),
                float(rng.choice(RADII)), "[]", rng.random() < 0.25, rng.random() < 0.9,
                "verified" if verified else "pending", now, now,
            ))
            if verified:
                by_field.setdefault(field, []).append(i)
        await copy(conn, "expert_profile",
                   ["id", "user_id", "name", "gender", "title", "title_level", "field", "specialties", "employer",
                    "region_code", "latitude", "longitude", "service_radius_km", "honours", "retired", "available",
                    "status", "created_at", "updated_at"], profile_rows)

        order_rows, item_rows, assignee_rows, postings, documents, targets = [], [], [], [], [], []
        item_id = 0
        order_count = max(5000, experts // 10)
        for order_id in range(1, order_count + 1):
            field = rng.choices(fields, shares)[0]
            county = rng.choice(codes)
            lat, lon = seats[county]
            chosen = rng.sample(items_by_field[field], k=1)
            if rng.random() < 0.2:  # an order across fields: the recommendations include teams
                other = rng.choice([f for f in fields if f != field])
                chosen.append(rng.choice(items_by_field[other]))
            description = rng.choice(NEEDS[field]) + rng.choice(ASKS)
            roll = rng.random()
            status = "accepted" if roll < 0.4 else ("dispatched", "scheduled", "in_service")[order_id % 3] \
                if roll < 0.7 else "closed"
            expert_id = rng.choice(by_field[field]) if status != "accepted" else None
            order_rows.append((
                order_id, requester_base + rng.randrange(2000), status, field, description, county + "100201",
                "村部", lat + rng.gauss(0, 0.1), lon + rng.gauss(0, 0.12), "", "13800000000",
                date(2026, 12, 1), date(2026, 12, 10), "[]", expert_id, now - timedelta(days=rng.randint(0, 300)),
                1, now,
            ))
            for item in chosen:
                item_id += 1
                item_rows.append((item_id, order_id, item["id"], item["code"], item["name"],
                                  categories[item["category_id"]], item["field"]))
            if status in ("scheduled", "in_service"):
                assignee_rows.append((order_id, expert_id, now))
            if status == "accepted":
                targets.append(order_id)
            for token, tf in text.term_counts("\n".join([description, *[item["name"] for item in chosen]])).items():
                postings.append(("order", order_id, token, tf))
            documents.append(("order", order_id, 1, now))
        await copy(conn, "service_order",
                   ["id", "requester_id", "status", "field", "description", "region_code", "address", "latitude",
                    "longitude", "contact_name", "contact_phone", "window_start", "window_end", "photo_ids",
                    "expert_id", "submitted_at", "version", "updated_at"], order_rows)
        await copy(conn, "order_item", ["id", "order_id", "item_id", "item_code", "item_name", "category_name",
                                        "field"], item_rows)
        await copy(conn, "order_assignee", ["order_id", "expert_id", "created_at"], assignee_rows)
        await copy(conn, "search_posting", ["kind", "doc_id", "token", "tf"], postings)
        await copy(conn, "search_document", ["kind", "doc_id", "version", "indexed_at"], documents)

        rated = rng.sample(range(1, experts + 1), k=experts // 3)
        rating_rows = []
        for visit_id, expert_id in enumerate(x for x in rated for _ in range(rng.randint(1, 8))):
            overall = min(5, max(1, round(rng.gauss(4.3, 0.8))))
            rating_rows.append((visit_id + 1, 1, requester_base, overall, overall, overall, "solved", "", "[]",
                                PROVINCE, expert_id, now, now, now))
        await copy(conn, "rating", ["visit_id", "order_id", "rater_id", "overall", "attitude", "expertise", "solved",
                                    "comment", "photo_ids", "region_code", "expert_id", "editable_until",
                                    "created_at", "updated_at"], rating_rows)

        team_rows, member_rows = [], []
        for team_id in range(1, experts // 100 + 1):
            county = rng.choice(codes)
            members = rng.sample(range(1, experts + 1), k=rng.randint(3, 8))
            team_rows.append((team_id, f"服务团{team_id}", profile_rows[members[0] - 1][6], county + "000000",
                              members[0], date(2025, 1, 1), date(2028, 1, 1), now))
            member_rows += [(team_id, m, "leader" if n == 0 else "member") for n, m in enumerate(members)]
        await copy(conn, "service_team", ["id", "name", "field", "region_code", "leader_id", "term_start",
                                          "term_end", "created_at"], team_rows)
        await copy(conn, "team_member", ["team_id", "expert_id", "position"], member_rows)
        for table in ("app_user", "expert_profile", "service_order", "order_item", "rating", "service_team"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {table}))")
        await conn.execute("VACUUM ANALYZE")
        return {
            "verified_experts": experts, "pending_experts": pending, "orders": order_count,
            "open_assignments": sum(1 for r in order_rows if r[2] in ("dispatched", "scheduled", "in_service")),
            "ratings": len(rating_rows), "teams": len(team_rows), "postings": len(postings),
            "targets": targets, "admin_id": admin_id,
        }
    finally:
        await conn.close()


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 3),
            "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1] * 1000, 3),
            "max_ms": round(ordered[-1] * 1000, 3)}


async def measure(settings: Settings, claims: AccessClaims, targets: list[int], runs: int, rng: random.Random
                  ) -> dict:
    from tortoise import connections

    from backend.services import recommendations

    conn = connections.get("default")
    picked = rng.sample(targets, k=min(runs, len(targets)))
    for order_id in picked[:10]:
        await recommendations.recommend(settings, claims, order_id, 20)
        await conn.execute_query("SELECT * FROM expert_profile WHERE id = $1", [order_id])
    timings, references, considered, eligible, teams = [], [], [], [], 0
    for order_id in picked:
        started = time.perf_counter()
        await conn.execute_query("SELECT * FROM expert_profile WHERE id = $1", [rng.randint(1, 100_000)])
        references.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = await recommendations.recommend(settings, claims, order_id, 20)
        timings.append(time.perf_counter() - started)
        considered.append(result["considered"])
        eligible.append(result["eligible"])
        teams += bool(result["teams"])
    rec, ref = summary(timings), summary(references)
    return {
        "runs": len(picked), "recommendation": rec, "reference_pk_select": ref,
        "ratio_median": round(rec["median_ms"] / ref["median_ms"], 1),
        "ratio_p90": round(rec["p90_ms"] / ref["p90_ms"], 1),
        "candidates_median": statistics.median(considered), "candidates_max": max(considered),
        "eligible_median": statistics.median(eligible), "orders_with_teams": teams,
    }


def markdown(report: dict) -> str:
    lines = [
        "# Recommendations benchmark",
        "",
        f"- when: {report['when']}  ·  database: PostgreSQL {report['server_version']}  ·  CPUs: {os.cpu_count()}",
        f"- data: {report['data']['verified_experts']:,} verified experts (+{report['data']['pending_experts']:,} "
        f"pending), {report['data']['orders']:,} orders ({report['data']['open_assignments']:,} open), "
        f"{report['data']['ratings']:,} ratings, {report['data']['teams']:,} teams",
        f"- call: `recommendations.recommend(order, limit=20)` as a provincial admin, over accepted orders; "
        f"reference: `SELECT * FROM expert_profile WHERE id = $1` on the same pool, interleaved",
        "",
        "| indexes | runs | median ms | p90 ms | max ms | ref median ms | × ref (median) | × ref (p90) | "
        "candidates (median / max) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in report["variants"].items():
        rec, ref = result["recommendation"], result["reference_pk_select"]
        lines.append(f"| {name} | {result['runs']} | {rec['median_ms']} | {rec['p90_ms']} | {rec['max_ms']} | "
                     f"{ref['median_ms']} | {result['ratio_median']} | {result['ratio_p90']} | "
                     f"{result['candidates_median']} / {result['candidates_max']} |")
    lines += ["", f"Proposed index: `{PROPOSED_INDEX}`", ""]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=200, help="recommendation calls to time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL

    from tortoise import Tortoise, connections

    from backend.infra.db import close_database, open_database
    from backend.seed.loader import load_reference_data

    settings = Settings(database_url=url, db_pool_size=5)
    started = time.perf_counter()
    await recreate(url)
    await open_database(settings, url)
    await Tortoise.generate_schemas()
    await load_reference_data()
    await text.ready()
    data = await load(url, args.experts, args.seed)
    loaded_s = round(time.perf_counter() - started, 1)
    print(f"loaded in {loaded_s} s: {json.dumps({k: v for k, v in data.items() if k != 'targets'})}")
    claims = AccessClaims(user_id=data["admin_id"], role="province_admin", region_code=PROVINCE, family="bench")
    conn = connections.get("default")
    variants = {}
    try:
        variants["as declared by the models"] = await measure(settings, claims, data["targets"], args.orders,
                                                              random.Random(args.seed))
        await conn.execute_script(PROPOSED_INDEX + "; ANALYZE expert_profile;")
        variants["+ proposed expert_profile index"] = await measure(settings, claims, data["targets"], args.orders,
                                                                    random.Random(args.seed))
        version = (await conn.execute_query_dict("SHOW server_version"))[0]["server_version"]
    finally:
        await close_database()
        if not args.keep:
            await drop(url)
    report = {"when": datetime.now().astimezone().isoformat(timespec="seconds"), "server_version": version,
              "load_seconds": loaded_s, "data": {k: v for k, v in data.items() if k not in ("targets", "admin_id")},
              "variants": variants, "proposed_index": PROPOSED_INDEX}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "recommendations.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    (OUT / "recommendations.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    asyncio.run(main())
