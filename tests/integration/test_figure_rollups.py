"""On PostgreSQL the figures come from rollups (migrations 0008 to 0010, 0015 and 0016): writes queue the cells
they touch and a fold recounts them. The rollups must give exactly what the source tables give,
after bulk loads and after every kind of later change."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from tortoise import connections

from backend.config import Settings
from backend.domain import percentiles
from backend.services import figure_rollups, figures

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench"
sys.path.insert(0, str(BENCH))

import datagen  # noqa: E402

pytestmark = pytest.mark.postgres

PROVINCE = "230000000000"
SCALE = datagen.Scale(requesters=30, experts=40, background_orders=600, visits=2500, checkin_orders=5,
                      storm_orders=3, list_experts=2, list_orders_each=3)
ROLLUPS = {
    "figure_order_cell": ("grain, at, county, field, title_level, status", "orders"),
    "figure_visit_cell": ("grain, at, county, field, title_level",
                          "visits, problems_solved, people_served, people_trained, ratings, rating_sum, satisfied, "
                          "follow_ups_open, follow_ups_closed"),
    "figure_ledger_cell": ("grain, at, county, field, title_level", "entries, hours"),
    "figure_day_cell": ("grain, at, digits, prefix, field, title_level", "days"),
}


def periods(today: date) -> list[figures.Period]:
    """The year to date, whole months, edges inside months, one day, and a period across the new year."""
    year = today.year
    return [
        figures.Period(date(year, 1, 1), today),
        figures.Period(date(year, 2, 1), date(year, 3, 31)),
        figures.Period(date(year, 1, 17), date(year, 4, 9)),
        figures.Period(date(year, 3, 3), date(year, 3, 20)),
        figures.Period(date(year, 5, 14), date(year, 5, 14)),
        figures.Period(date(year - 1, 11, 20), date(year, 2, 10)),
    ]


async def scopes() -> list[str]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT DISTINCT substr(region_code, 1, 4) AS city FROM visit ORDER BY 1")
    return [PROVINCE] + [row["city"].ljust(12, "0") for row in rows]


async def assert_rollups_agree_with_the_source_tables(settings: Settings) -> None:
    checked = 0
    for scope in await scopes():
        assert figure_rollups.serves(scope)
        for period in periods(date.today()):
            fast = await figure_rollups.figures(settings, scope, period)
            direct = await figures.direct_figures(settings, scope, period)
            assert fast == direct, (scope, period)
            checked += bool(direct["total"])
    assert checked >= 6


async def rollup_contents() -> dict[str, set]:
    """What each rollup says, without the cells that add up to nothing."""
    conn = connections.get("default")
    contents = {}
    for table, (key, measures) in ROLLUPS.items():
        sums = ", ".join(f"SUM({m}) AS {m}" for m in measures.split(", "))
        nonzero = " OR ".join(f"SUM({m}) <> 0" for m in measures.split(", "))
        rows = await conn.execute_query(f"SELECT {key}, {sums} FROM {table} GROUP BY {key} HAVING {nonzero}")
        contents[table] = {tuple(row) for row in rows[1]}
    rows = await conn.execute_query(
        "SELECT expert_id, year, digits, prefix, field, title_level, days::text FROM figure_expert_presence "
        "WHERE bit_count(days) > 0")
    contents["figure_expert_presence"] = {tuple(row) for row in rows[1]}
    rows = await conn.execute_query(
        "SELECT expert_id, day, counties, fields, hours, title_level FROM figure_expert_day "
        "WHERE counties IS NOT NULL")
    contents["figure_expert_day"] = {(r[0], r[1], tuple(r[2]), tuple(r[3]), tuple(r[4]), r[5]) for r in rows[1]}
    # A cell's durations are packed in no particular order: compare them sorted.
    rows = await conn.execute_query(
        "SELECT grain, at, county, field, title_level, accept, dispatch, first_visit FROM figure_turnaround_sample")
    contents["figure_turnaround_sample"] = {
        (*r[:5], *(tuple(sorted(percentiles.unpack([packed]).tolist())) if packed else None for packed in r[5:]))
        for r in rows[1]}
    assert contents["figure_turnaround_sample"], "no turnaround samples"
    rows = await conn.execute_query(
        "SELECT year, digits, prefix, field, title_level, experts FROM figure_expert_count WHERE experts <> 0")
    contents["figure_expert_count"] = {tuple(row) for row in rows[1]}
    assert contents["figure_expert_count"], "no expert counts"
    rows = await conn.execute_query("SELECT year, days::text FROM figure_presence_year")
    contents["figure_presence_year"] = dict(rows[1])
    return contents


def bits_within(inner: str, outer: str) -> bool:
    return all(o == "1" for i, o in zip(inner, outer, strict=True) if i == "1")


async def queued() -> int:
    rows = await connections.get("default").execute_query_dict("SELECT count(*) AS n FROM figure_dirty")
    return rows[0]["n"]


async def assert_folding_leaves_what_a_rebuild_computes() -> None:
    assert await queued() > 0, "the writes queued nothing"
    await figure_rollups.fold()
    assert await queued() == 0
    kept = await rollup_contents()
    await figure_rollups.fold()
    assert await rollup_contents() == kept
    await connections.get("default").execute_script("SELECT figure_rollup_rebuild()")
    rebuilt = await rollup_contents()
    # The year's days only ever gain bits between rebuilds: they may hold more than the rows now do, never less.
    years = kept.pop("figure_presence_year"), rebuilt.pop("figure_presence_year")
    assert years[0].keys() == years[1].keys()
    assert all(bits_within(years[1][year], years[0][year]) for year in years[1])
    for table in rebuilt:
        assert kept[table] == rebuilt[table], table


async def generate_through_the_triggers(scale: datagen.Scale) -> None:
    """datagen's rows, written with the triggers on (datagen.generate switches them off for speed)."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict("SELECT id, code FROM service_item")
    generator = datagen.Generator(scale, {row["code"]: row["id"] for row in rows})
    writer = datagen.TableWriter(conn, 97)
    for table, rows_ in generator.tables():
        if table.startswith("*"):
            await datagen._write_mixed(writer, rows_, 97)
        else:
            await writer.write(table, rows_)
    await writer.reset_sequences()


async def test_after_a_bulk_load_and_a_rebuild_the_rollups_give_the_direct_figures(resources, settings):
    plan = await datagen.generate(connections.get("default"), SCALE)
    assert plan.counts["visit"] == SCALE.visits
    await assert_rollups_agree_with_the_source_tables(settings)


async def test_rows_written_one_statement_at_a_time_keep_the_rollups_exact(resources, settings):
    await generate_through_the_triggers(datagen.Scale(requesters=10, experts=15, background_orders=150, visits=500,
                                                      checkin_orders=3, storm_orders=2, list_experts=2,
                                                      list_orders_each=3))
    await assert_folding_leaves_what_a_rebuild_computes()
    await assert_rollups_agree_with_the_source_tables(settings)


async def test_later_changes_anywhere_a_figure_reads_move_the_rollups_with_them(resources, settings):
    await datagen.generate(connections.get("default"), SCALE)
    conn = connections.get("default")
    today = date.today()
    changes = [
        # an admin rejects visits, and approves one back
        "UPDATE visit SET status = 'rejected' WHERE id % 17 = 0",
        "UPDATE visit SET status = 'approved' WHERE id = (SELECT min(id) FROM visit WHERE status = 'rejected')",
        # ratings are edited, removed and given late
        "UPDATE rating SET overall = 6 - overall WHERE id % 5 = 0",
        "DELETE FROM rating WHERE id % 11 = 0",
        "INSERT INTO rating (visit_id, order_id, rater_id, overall, attitude, expertise, solved, comment, photo_ids, "
        " region_code, expert_id, editable_until, created_at, updated_at) "
        "SELECT v.id, v.order_id, o.requester_id, 2, 2, 2, 'unsolved', '', '[]', v.region_code, v.expert_id, "
        " now(), now(), now() FROM visit v JOIN service_order o ON o.id = v.order_id "
        "WHERE NOT EXISTS (SELECT 1 FROM rating r WHERE r.visit_id = v.id) AND v.id % 7 = 0",
        # service logs are written and corrected
        "INSERT INTO service_log (visit_id, content, problems_solved, problems, people_served, people_trained, "
        " photo_ids, created_at, updated_at) "
        "SELECT id, '记录', id % 4, '', id % 30, id % 9, '[]', now(), now() FROM visit WHERE id % 3 = 0",
        "UPDATE service_log SET problems_solved = problems_solved + 1, people_trained = 0 WHERE id % 4 = 0",
        # follow-ups are closed and deleted
        "UPDATE follow_up SET status = 'closed' WHERE status = 'open' AND id % 2 = 0",
        "DELETE FROM follow_up WHERE id % 13 = 0",
        # the ledger: hours released, withheld, corrected, moved to another day, added by hand, deleted
        "UPDATE ledger_entry SET status = 'counted' WHERE status = 'pending' AND id % 2 = 0",
        "UPDATE ledger_entry SET status = 'withheld' WHERE status = 'counted' AND id % 19 = 0",
        "UPDATE ledger_entry SET hours = hours + 1.5 WHERE id % 6 = 0",
        "UPDATE ledger_entry SET service_date = service_date + 1 WHERE id % 23 = 0 AND service_date < current_date",
        "INSERT INTO ledger_entry (expert_id, visit_id, service_date, year, hours, source, status, reason, "
        " region_code, created_at) "
        f"SELECT expert_id, NULL, service_date, year, 3.25, 'adjustment', 'counted', '补录', region_code, now() "
        "FROM ledger_entry WHERE id % 29 = 0",
        "DELETE FROM ledger_entry WHERE id % 31 = 0",
        # orders move on, get another expert or another field; one expert is promoted
        "UPDATE service_order SET status = 'closed', first_visit_at = submitted_at + interval '30 hours' "
        "WHERE status = 'serviced'",
        "UPDATE service_order SET expert_id = (SELECT min(id) FROM expert_profile) WHERE id % 41 = 0 "
        "AND expert_id IS NOT NULL",
        "UPDATE service_order SET field = 'health' WHERE id IN (SELECT order_id FROM visit WHERE id % 37 = 0)",
        # a turnaround corrected alone, an order moved to an earlier month and to another county
        "UPDATE service_order SET accepted_at = accepted_at + interval '2 hours' "
        "WHERE id % 7 = 0 AND accepted_at IS NOT NULL",
        "UPDATE service_order SET dispatched_at = NULL WHERE id % 71 = 0",
        "UPDATE service_order SET submitted_at = submitted_at - interval '40 days' WHERE id % 61 = 0",
        "UPDATE service_order SET region_code = (SELECT max(region_code) FROM service_order) WHERE id % 67 = 0",
        "UPDATE expert_profile SET title_level = 'senior' WHERE id IN (SELECT expert_id FROM visit WHERE id % 43 = 0)",
        "UPDATE expert_profile SET title_level = 'intermediate' WHERE id = (SELECT max(expert_id) FROM visit)",
        # a visit moves to another order and another day; visits are deleted with what hangs on them
        "UPDATE visit SET check_in_at = check_in_at - interval '1 day' WHERE id % 47 = 0",
        "UPDATE visit SET order_id = (SELECT min(order_id) FROM visit) WHERE id % 53 = 0",
        "DELETE FROM ledger_entry WHERE visit_id IN (SELECT id FROM visit WHERE id % 59 = 0)",
        "DELETE FROM visit WHERE id % 59 = 0",
        # a new order and a new visit late in the period
        "INSERT INTO service_order (requester_id, status, field, description, region_code, address, latitude, "
        " longitude, contact_name, contact_phone, window_start, window_end, photo_ids, expert_id, submitted_at, "
        " accepted_at, version, updated_at) "
        "SELECT requester_id, 'accepted', field, 'x', region_code, address, latitude, longitude, '', '1', "
        f" window_start, window_end, '[]', expert_id, '{today.isoformat()} 09:00+08', "
        f" '{today.isoformat()} 11:30+08', 1, now() FROM service_order WHERE id % 97 = 0",
    ]
    for sql in changes:
        await conn.execute_script(sql)
    await assert_folding_leaves_what_a_rebuild_computes()
    await assert_rollups_agree_with_the_source_tables(settings)


async def test_another_day_threshold_reads_the_ledger_itself(resources, settings):
    await datagen.generate(connections.get("default"), SCALE)
    other = Settings(service_day_hours=2.5)
    assert not await figure_rollups.day_rule_matches(other)
    period = figures.Period(date(date.today().year, 1, 1), date.today())
    assert await figure_rollups.figures(other, PROVINCE, period) == \
        await figures.direct_figures(other, PROVINCE, period)


async def test_scopes_below_a_city_are_read_from_the_source_tables(resources):
    assert figure_rollups.serves(PROVINCE)
    assert figure_rollups.serves("230100000000")
    assert not figure_rollups.serves("230184000000")
    assert not figure_rollups.serves("230184100000")


async def test_a_year_to_date_reads_the_expert_counts_and_a_part_of_it_the_presence_rows(resources, settings):
    await datagen.generate(connections.get("default"), SCALE)
    today = date.today()
    whole, part = figures.Period(date(today.year, 1, 1), today), figures.Period(date(today.year, 3, 3), today)
    # A count the presence rows do not back is what the year to date reports, and a part of the year is not.
    await connections.get("default").execute_script(
        f"UPDATE figure_expert_count SET experts = experts + 1000 WHERE year = {today.year} AND digits = 2 "
        "AND field = '*' AND title_level = 'senior'")
    inflated = await figure_rollups.experts(PROVINCE, whole, 4)
    direct = await figures.direct_figures(settings, PROVINCE, whole)
    assert inflated["title_level"]["senior"] == direct["title_level"]["senior"]["experts"] + 1000
    assert (await figure_rollups.experts(PROVINCE, part, 4))["title_level"]["senior"] == \
        (await figures.direct_figures(settings, PROVINCE, part))["title_level"]["senior"]["experts"]


def test_period_masks_mark_each_day_of_the_period_in_its_year():
    years, masks = figure_rollups.year_masks(figures.Period(date(2025, 12, 30), date(2026, 1, 2)))
    assert years == [2025, 2026]
    assert masks[0].index("1") == 363 and masks[0].count("1") == 2
    assert masks[1].startswith("11") and masks[1].count("1") == 2
    first = date(2024, 1, 1)
    _, (leap,) = figure_rollups.year_masks(figures.Period(first, date(2024, 12, 31)))
    assert leap.count("1") == 366 and leap[(date(2024, 3, 1) - first).days] == "1"


async def test_concurrent_check_ins_and_ratings_neither_deadlock_nor_lose_a_figure(resources, settings):
    import asyncio

    from tortoise.transactions import in_transaction

    await datagen.generate(connections.get("default"), SCALE)
    conn = connections.get("default")
    orders = (await conn.execute_query(
        "SELECT o.id, o.expert_id, o.region_code, o.requester_id FROM service_order o "
        "WHERE o.status = 'scheduled' AND o.expert_id IS NOT NULL ORDER BY o.id LIMIT 24"))[1]
    assert len(orders) >= 8

    async def visit(index: int, order) -> None:
        async with in_transaction() as tx:
            rows = await tx.execute_query_dict(
                "INSERT INTO visit (order_id, expert_id, source, status, check_in_at, check_in_code, flags, "
                "region_code, created_at) VALUES ($1, $2, 'scan', 'open', now(), $3, '[]', $4, now()) RETURNING id",
                [order[0], order[1], f"concurrent-{index}", order[2]])
            visit_id = rows[0]["id"]
            await tx.execute_query("UPDATE service_order SET status = 'in_service', first_visit_at = now() "
                                   "WHERE id = $1", [order[0]])
        async with in_transaction() as tx:
            await tx.execute_query("UPDATE visit SET status = 'completed', check_out_at = now() WHERE id = $1",
                                   [visit_id])
            await tx.execute_query(
                "INSERT INTO ledger_entry (expert_id, visit_id, service_date, year, hours, source, status, "
                "region_code, created_at) VALUES ($1, $2, current_date, $3, $4, 'scan', 'counted', $5, now())",
                [order[1], visit_id, date.today().year, 2.5 + index % 3, order[2]])
            await tx.execute_query(
                "INSERT INTO rating (visit_id, order_id, rater_id, overall, attitude, expertise, solved, comment, "
                "photo_ids, region_code, expert_id, editable_until, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, 4, 4, 'solved', '', '[]', $5, $6, now(), now(), now())",
                [visit_id, order[0], order[3], 1 + index % 5, order[2], order[1]])

    # Two rounds over the same orders: the same experts and cells are written from many connections at once.
    await asyncio.gather(*(visit(i, order) for i, order in enumerate(orders + orders)))
    await assert_folding_leaves_what_a_rebuild_computes()
    await assert_rollups_agree_with_the_source_tables(settings)
