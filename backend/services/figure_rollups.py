"""跟踪问效 figures read from the PostgreSQL rollups of migrations 0008 to 0010, 0015 and 0016 (see their docstrings).

Each source has one query that groups by every dimension at once (GROUPING SETS), and the
queries run concurrently on pooled connections. The answers equal figures.figures_by's:
sums are exact, distinct experts are counted per expert and a service day is judged on the same
hours. Turnaround percentiles are selected from each cell's durations, packed in one value per cell
(migration 0015), and equal percentile_cont's over the orders to the last bit.

The rollups keep experts' presence per county, so they serve province and city scopes
(broken down by city or county); smaller scopes read the source tables, which is quick there.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from backend.config import Settings
from backend.domain import regions
from backend.infra import heap
from backend.infra.db import dialect, is_postgres
from backend.services import figures as f

# GROUPING(r, field, title_level) of each grouping set, and the dimension it answers.
SETS = {7: "total", 3: "region", 5: "field", 6: "title_level"}
COUNTY_DIGITS = 6


def serves(scope: str) -> bool:
    """Whether the rollups can answer for this scope (PostgreSQL, broken down by city or county)."""
    level = f.sub_level(scope)
    return dialect() == "postgres" and level is not None and f.regions.LEVEL_DIGITS[level] <= COUNTY_DIGITS


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def cells_in(q: f.Sql, period: f.Period) -> str:
    """The cells covering the period: whole months from grain 'm', the days around them from grain 'd'."""
    months_from = period.start if period.start.day == 1 else _next_month(period.start)
    months_to = _next_month(period.end) if _next_month(period.end) - timedelta(days=1) == period.end \
        else period.end.replace(day=1)
    if months_from >= months_to:
        return f"(grain = 'd' AND at BETWEEN {q.value(period.start)} AND {q.value(period.end)})"
    return (f"((grain = 'm' AND at >= {q.value(months_from)} AND at < {q.value(months_to)}) OR "
            f"(grain = 'd' AND ((at >= {q.value(period.start)} AND at < {q.value(months_from)}) OR "
            f"(at >= {q.value(months_to)} AND at <= {q.value(period.end)}))))")


def year_masks(period: f.Period) -> tuple[list[int], list[str]]:
    """Per year the period touches, a 366-bit string with a 1 for each of its days in the period."""
    years, masks = [], []
    for year in range(period.start.year, period.end.year + 1):
        first = date(year, 1, 1)
        bits = ["0"] * 366
        day = max(first, period.start)
        while day <= period.end and day.year == year:
            bits[(day - first).days] = "1"
            day += timedelta(days=1)
        years.append(year)
        masks.append("".join(bits))
    return years, masks


def _grouped(digits: int, extra: str = "") -> str:
    keys = f", {extra}" if extra else ""
    return (f"GROUPING SETS (({extra}), (r{keys}), (field{keys}), (title_level{keys}))" if extra
            else "GROUPING SETS ((), (r), (field), (title_level))")


def _key(row: dict) -> tuple[str, Any]:
    dim = SETS[row["gs"]]
    return dim, {"total": "*", "region": row["r"], "field": row["field"], "title_level": row["title_level"]}[dim]


async def order_counts(scope: str, period: f.Period, digits: int) -> dict[str, dict]:
    q = f.Sql()
    sql = f"""
        SELECT GROUPING(r, field, title_level) AS gs, r, field, title_level, status, SUM(orders) AS n
        FROM (SELECT substr(county, 1, {digits}) AS r, field, title_level, status, orders
              FROM figure_order_cell WHERE {cells_in(q, period)} AND {q.within("county", scope)}) c
        GROUP BY {_grouped(digits, "status")}
        HAVING SUM(orders) <> 0"""
    result: dict[str, dict] = {dim: {} for dim in SETS.values()}
    for row in await q.rows(sql):
        dim, key = _key(row)
        result[dim].setdefault(key, {})[row["status"]] = int(row["n"])
    return result


async def turnarounds(scope: str, period: f.Period, digits: int) -> dict[str, dict]:
    """The turnaround counts and percentiles from the packed samples of migration 0015, exact.

    SQL concatenates the period's cells per (sub-region, field, title level); each grouping's
    values are then joined from those parts and only the ranks percentile_cont needs are selected.
    """
    q = f.Sql()
    packed = ", ".join(f"string_agg({name}, ''::bytea) AS {name}" for name in f.TURNAROUNDS)
    sql = f"""
        SELECT substr(county, 1, {digits}) AS r, field, title_level, {packed}
        FROM figure_turnaround_sample WHERE {cells_in(q, period)} AND {q.within("county", scope)}
        GROUP BY 1, 2, 3"""
    rows = await q.rows(sql)
    # numpy's selection runs without the GIL, so the report's other queries go on meanwhile.
    result = await asyncio.to_thread(_percentiles, rows)
    del rows
    # The packed samples and their arrays were the report's largest allocations: hand their pages back.
    heap.release_free_memory()
    return result


def _percentiles(rows: list[dict]) -> dict[str, dict]:
    # Imported here: numpy adds some 17 MB to a worker, so only workers that answer a report load it.
    from backend.domain import percentiles

    fractions = list(f.PERCENTILES.values())
    result: dict[str, dict] = {dim: {} for dim in SETS.values()}
    for dim in SETS.values():
        groups: dict[Any, list[dict]] = {}
        for row in rows:
            groups.setdefault("*" if dim == "total" else row["r" if dim == "region" else dim], []).append(row)
        for key, members in groups.items():
            times = {}
            for name in f.TURNAROUNDS:
                values = percentiles.unpack(row[name] for row in members if row[name] is not None)
                picked = percentiles.percentile_cont(values, fractions) if len(values) else [None] * len(fractions)
                times[name] = {"count": len(values), **{label: f._hours(value)
                                                        for label, value in zip(f.PERCENTILES, picked)}}
            result[dim][key] = times
    return result


async def service_figures(scope: str, period: f.Period, digits: int) -> dict[str, dict]:
    q = f.Sql()
    sql = f"""
        SELECT GROUPING(r, field, title_level) AS gs, r, field, title_level, SUM(visits) AS visits,
               SUM(problems_solved) AS problems_solved, SUM(people_served) AS people_served,
               SUM(people_trained) AS people_trained, SUM(ratings) AS ratings,
               SUM(rating_sum) * 1.0 / NULLIF(SUM(ratings), 0) AS average, SUM(satisfied) AS satisfied,
               SUM(follow_ups_open) AS follow_ups_open, SUM(follow_ups_closed) AS follow_ups_closed
        FROM (SELECT substr(county, 1, {digits}) AS r, field, title_level, visits, problems_solved,
                     people_served, people_trained, ratings, rating_sum, satisfied, follow_ups_open, follow_ups_closed
              FROM figure_visit_cell WHERE {cells_in(q, period)} AND {q.within("county", scope)}) c
        GROUP BY {_grouped(digits)}
        HAVING SUM(visits) > 0"""
    result: dict[str, dict] = {dim: {} for dim in SETS.values()}
    for row in await q.rows(sql):
        dim, key = _key(row)
        result[dim][key] = f.service_row(row | {"experts": 0})
    return result


async def experts(scope: str, period: f.Period, digits: int) -> dict[str, dict]:
    """Distinct experts with a visit in the period: one presence row per expert and group and year.

    A period within one year that holds every day the year's presence rows have set (a year to date
    does) takes the counts of migration 0016 instead of testing each row against the period.
    """
    years, masks = year_masks(period)
    prefix = regions.prefix_of(scope)

    def in_groups(q: f.Sql) -> str:
        return (f"((p.digits = {len(prefix)} AND p.prefix = {q.value(prefix)}) "
                f"OR (p.digits = {digits} AND p.field = '*' AND {q.within('p.prefix', scope)}))")

    rows = None
    if len(years) == 1:
        q = f.Sql()
        # One statement, so the year's days and the counts are read as of the same moment.
        counted = await q.rows(f"""
            SELECT h.held, p.digits, p.prefix, p.field, p.title_level, p.experts
            FROM (SELECT NOT EXISTS (
                      SELECT 1 FROM figure_presence_year y WHERE y.year = {q.value(years[0])}
                        AND bit_count(y.days & ~{q.value(masks[0])}::text::bit(366)) > 0) AS held) h
            LEFT JOIN figure_expert_count p
                   ON h.held AND p.year = {q.value(years[0])} AND {in_groups(q)} AND p.experts > 0""")
        if counted[0]["held"]:
            rows = [row for row in counted if row["digits"] is not None]
    if rows is None:
        q = f.Sql()
        # Within one year each expert has one row per group; across years the same expert is counted once.
        experts_ = "COUNT(*)" if len(years) == 1 else "COUNT(DISTINCT p.expert_id)"
        rows = await q.rows(f"""
            SELECT p.digits, p.prefix, p.field, p.title_level, {experts_} AS experts
            FROM figure_expert_presence p
            JOIN unnest({q.value(years)}::int[], {q.value(masks)}::text[]) AS m(year, mask) ON m.year = p.year
            WHERE {in_groups(q)} AND bit_count(p.days & m.mask::bit(366)) > 0
            GROUP BY 1, 2, 3, 4""")
    result: dict[str, dict] = {dim: {} for dim in SETS.values()}

    def add(dim: str, key: Any, n: int) -> None:
        result[dim][key] = result[dim].get(key, 0) + n

    for row in rows:
        n = int(row["experts"])
        if row["digits"] == digits and row["field"] == "*":
            add("region", row["prefix"], n)
        elif row["field"] == "*":
            add("total", "*", n)
            add("title_level", row["title_level"], n)
        else:
            add("field", row["field"], n)
    return result


async def day_rule_matches(settings: Settings) -> bool:
    rows = await f.connections.get("default").execute_query_dict("SELECT service_day_hours FROM figure_rule")
    return bool(rows) and Decimal(rows[0]["service_day_hours"]) == Decimal(str(settings.service_day_hours))


async def ledger_figures(settings: Settings, scope: str, period: f.Period, digits: int) -> dict[str, dict]:
    """Counted hours, and the service days judged per group (see migration 0008)."""
    q = f.Sql()
    cells_sql = f"""
        SELECT GROUPING(r, field, title_level) AS gs, r, field, title_level, SUM(hours) AS hours
        FROM (SELECT substr(county, 1, {digits}) AS r, field, title_level, entries, hours
              FROM figure_ledger_cell WHERE {cells_in(q, period)} AND {q.within("county", scope)}) c
        GROUP BY {_grouped(digits)}
        HAVING SUM(entries) > 0"""
    d = f.Sql()
    prefix = regions.prefix_of(scope)
    days_sql = f"""
        SELECT digits, prefix, field, title_level, SUM(days) AS days FROM figure_day_cell
        WHERE {cells_in(d, period)}
          AND ((digits = {len(prefix)} AND prefix = {d.value(prefix)})
               OR (digits = {digits} AND field = '*' AND {d.within("prefix", scope)}))
        GROUP BY 1, 2, 3, 4"""
    cells, day_rows = await asyncio.gather(q.rows(cells_sql), d.rows(days_sql))
    days: dict[tuple[str, Any], int] = {}

    def add(dim: str, key: Any, n: int) -> None:
        days[dim, key] = days.get((dim, key), 0) + n

    for row in day_rows:
        n = int(row["days"])
        if row["digits"] == digits and row["field"] == "*":
            add("region", row["prefix"], n)
        elif row["digits"] == len(prefix) and row["field"] == "*":
            add("total", "*", n)
            add("title_level", row["title_level"], n)
        elif row["digits"] == len(prefix):
            add("field", row["field"], n)
    result: dict[str, dict] = {dim: {} for dim in SETS.values()}
    for row in cells:
        dim, key = _key(row)
        result[dim][key] = {"service_hours": f._round(row["hours"], 2), "service_days": days.get((dim, key), 0)}
    return result


async def ledger_or_direct(settings: Settings, scope: str, period: f.Period, digits: int) -> dict[str, dict]:
    if await day_rule_matches(settings):
        return await ledger_figures(settings, scope, period, digits)
    # The rollup's days were judged on another threshold: read the ledger itself.
    direct = await asyncio.gather(*(f.ledger_figures(settings, scope, period, dim) for dim in (
        f.TOTAL, f.by_region(digits), f.BY_FIELD, f.BY_TITLE)))
    return dict(zip(("total", "region", "field", "title_level"), direct))


async def fold() -> None:
    """Recount the cells writers queued since the last fold, then merge appended rows (PostgreSQL only).

    Every rollup read folds first, so answers never lag the source tables; the periodic job keeps
    the queue short so a report rarely has much to recount.
    """
    if is_postgres():
        await f.connections.get("default").execute_script("SELECT figure_rollup_fold()")


async def figures(settings: Settings, scope: str, period: f.Period) -> dict[str, dict[Any, dict]]:
    """Every dimension's figures (as figures.direct_figures returns them), read from the rollups."""
    digits = regions.LEVEL_DIGITS[f.sub_level(scope)]
    await fold()
    counts, times, service, present, ledger = await asyncio.gather(
        order_counts(scope, period, digits), turnarounds(scope, period, digits),
        service_figures(scope, period, digits), experts(scope, period, digits),
        ledger_or_direct(settings, scope, period, digits))
    for dim, groups in service.items():
        for key, figures_ in groups.items():
            figures_["experts"] = present[dim].get(key, 0)
    return {dim: f.merge_figures(counts[dim], times[dim], service[dim], ledger[dim]) for dim in SETS.values()}
