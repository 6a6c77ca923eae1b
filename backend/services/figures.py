"""跟踪问效: tracking figures by area, field, expert title level and period, computed in SQL.

Two bases, both stated in every answer (`basis`):
- order figures (orders by state, 下单→接单 / 派单 / 首次上门 times) take the orders
  *submitted* in the period;
- service figures take the visits *checked in* in the period (visits, experts, service
  logs, ratings, follow-ups) and the ledger rows whose *service date* is in the period
  (counted hours and service days). Visits an admin rejected count nowhere.

Every figure is an aggregate query grouped by one key (sub-region prefix, order field,
expert title level, or one bucket for the totals); Python only merges the grouped rows.
Percentiles follow PostgreSQL's `percentile_cont` (linear interpolation between the two
nearest ranks). PostgreSQL computes them natively; SQLite has no ordered-set aggregates,
so the same interpolation is done with `ROW_NUMBER() OVER` and `COUNT(*) OVER` in SQL.

On PostgreSQL, report() reads province and city scopes from the rollups of migrations 0008 to
0010 and 0015 (figure_rollups.py), which give the same answers as the queries here without scanning a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import regions
from backend.domain.order_flow import STATUS_LABELS, OrderStatus
from backend.domain.roles import scope_admits
from backend.errors import Forbidden, OutOfRegion, ValidationFailed
from backend.infra.clock import CHINA, now
from backend.infra.db import dialect
from backend.infra.tokens import AccessClaims
from backend.models import Region, ServiceCategory

# Room for the groupings and percentile sorts to stay in memory (the server default, 4 MB, spills them to disk).
WORK_MEM = "64MB"
TITLE_LEVEL_LABELS = {"senior": "正高级", "associate_senior": "副高级", "intermediate": "中级"}
NO_EXPERT_LABEL = "未派专家"
NO_FIELD_LABEL = "未关联需求单（人工调整）"
SATISFIED_FROM = 4
PERCENTILES = {"median": 0.5, "p90": 0.9}
TURNAROUNDS = {"accept": "accepted_at", "dispatch": "dispatched_at", "first_visit": "first_visit_at"}
LEVELS = list(regions.LEVEL_DIGITS)
BASIS = {
    "orders": "submitted_at",
    "visits": "check_in_at",
    "ledger": "service_date",
    "text": "需求单数与接单、派单、首次上门用时按下单时间统计；服务次数、参与专家、服务日志、评价和回访按签到时间统计；"
            "服务时长和服务天数按台账服务日期统计，只计已核实（counted）的时长",
}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=CHINA)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=CHINA)

    def view(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def period_of(date_from: date | None, date_to: date | None) -> Period:
    """Both ends included; by default the current year up to today."""
    date_to = date_to or now().date()
    date_from = date_from or date(date_to.year, 1, 1)
    if date_from > date_to:
        raise ValidationFailed(fields={"from": "开始日期不能晚于结束日期"})
    return Period(date_from, date_to)


def scope_of(claims: AccessClaims, region: str | None) -> str:
    """The region asked about: the admin's own by default, never one outside it."""
    if not claims.region_code:
        raise Forbidden("您没有管辖区域，不能查看统计")
    if not region:
        return regions.normalize(claims.region_code)
    if not regions.is_valid(region):
        raise ValidationFailed(fields={"region": "区划代码格式不正确"})
    if not scope_admits(claims.region_code, region):
        raise OutOfRegion("所选区域不在您管辖的范围内")
    return regions.normalize(region)


def sub_level(code: str) -> str | None:
    """The level one below `code`'s (None for a village)."""
    index = LEVELS.index(regions.level_of(code))
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


# --------------------------------------------------------------------------- SQL building


class Sql:
    """Collects parameters and writes the dialect's placeholders and expressions."""

    def __init__(self) -> None:
        self.postgres = dialect() == "postgres"
        self.params: list[Any] = []

    def value(self, value: Any) -> str:
        if not self.postgres:
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = float(value)
        self.params.append(value)
        # Numbered on both (SQLite's ?NNN), so a fragment may be built before the text that precedes it.
        return f"${len(self.params)}" if self.postgres else f"?{len(self.params)}"

    def hours_between(self, start: str, end: str) -> str:
        if self.postgres:
            # date_part gives a float8; EXTRACT gives a numeric, whose division costs about as much as the sort.
            return f"date_part('epoch', {end} - {start}) / 3600.0"
        return f"(julianday({end}) - julianday({start})) * 24.0"

    def at_in(self, column: str, period: Period) -> str:
        """`column` (a timestamp) within the period, in China time."""
        start, end = self.value(period.start_at), self.value(period.end_at)
        if self.postgres:
            return f"{column} >= {start} AND {column} < {end}"
        # SQLite keeps timestamps as text with their offset; julianday compares instants.
        return f"julianday({column}) >= julianday({start}) AND julianday({column}) < julianday({end})"

    def day_in(self, column: str, period: Period) -> str:
        return f"{column} BETWEEN {self.value(period.start)} AND {self.value(period.end)}"

    def within(self, column: str, scope: str) -> str:
        return f"{column} LIKE {self.value(regions.prefix_of(scope) + '%')}"

    def hours(self, column: str) -> str:
        # SQLite stores Tortoise decimals as text.
        return column if self.postgres else f"CAST({column} AS REAL)"

    async def rows(self, sql: str) -> list[dict]:
        """Run on a pooled connection of its own (so several run at once), with WORK_MEM on PostgreSQL."""
        if not self.postgres:
            return await connections.get("default").execute_query_dict(sql, self.params)
        async with in_transaction() as conn:
            await conn.execute_script(f"SET LOCAL work_mem = '{WORK_MEM}'")
            return await conn.execute_query_dict(sql, self.params)


@dataclass(frozen=True)
class Dimension:
    """How rows are grouped: one SQL key per source table alias."""

    name: str
    order_key: str  # over service_order o LEFT JOIN expert_profile e (dispatched expert)
    visit_key: str  # over visit v JOIN service_order o JOIN expert_profile e
    ledger_key: str  # over ledger_entry l LEFT JOIN visit v LEFT JOIN service_order o JOIN expert_profile e


TOTAL = Dimension("total", "'*'", "'*'", "'*'")
BY_FIELD = Dimension("field", "o.field", "o.field", "o.field")
BY_TITLE = Dimension("title_level", "e.title_level", "e.title_level", "e.title_level")


def by_region(digits: int) -> Dimension:
    return Dimension("region", f"substr(o.region_code, 1, {digits})", f"substr(v.region_code, 1, {digits})",
                     f"substr(l.region_code, 1, {digits})")


async def order_counts(scope: str, period: Period, dim: Dimension) -> dict[Any, dict[str, int]]:
    """Orders submitted in the period, by state."""
    q = Sql()
    sql = f"""
        SELECT g, status, COUNT(*) AS n FROM (
            SELECT {dim.order_key} AS g, o.status AS status
            FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id
            WHERE {q.within("o.region_code", scope)} AND {q.at_in("o.submitted_at", period)}
        ) x GROUP BY g, status"""
    result: dict[Any, dict[str, int]] = {}
    for row in await q.rows(sql):
        result.setdefault(row["g"], {})[row["status"]] = int(row["n"])
    return result


def _percentile_pg(column: str, p: float) -> str:
    return f"percentile_cont({p}) WITHIN GROUP (ORDER BY {column})"


def _percentile_window(p: float) -> str:
    """percentile_cont over `ranked` rows (rn, n, d): interpolate between ranks ⌊pos⌋ and ⌊pos⌋+1.

    pos = 1 + p·(n−1); the row at rank ⌊pos⌋ weighs 1−frac, the next frac. With frac = 0
    the next row weighs nothing, and when ⌊pos⌋ = n there is no next row.
    """
    scaled = f"({p} * (n - 1))"
    low = f"(1 + CAST({scaled} AS INTEGER))"
    frac = f"({scaled} - CAST({scaled} AS INTEGER))"
    return f"SUM(CASE WHEN rn = {low} THEN d * (1 - {frac}) WHEN rn = {low} + 1 THEN d * {frac} ELSE 0 END)"


async def turnarounds(scope: str, period: Period, dim: Dimension) -> dict[Any, dict[str, dict]]:
    """Hours from 下单 to 接单, 派单 and first visit: count, median and 90th percentile per group."""
    q = Sql()
    columns = ", ".join(f"{q.hours_between('o.submitted_at', f'o.{column}')} AS {name}"
                        for name, column in TURNAROUNDS.items())
    base = f"""
        SELECT {dim.order_key} AS g, {columns}
        FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id
        WHERE {q.within("o.region_code", scope)} AND {q.at_in("o.submitted_at", period)}"""
    result: dict[Any, dict[str, dict]] = {}
    if q.postgres:
        # percentile_cont and COUNT(column) both skip the NULLs of orders not yet at that step.
        measures = ", ".join(
            f"COUNT({name}) AS {name}_n, "
            + ", ".join(f"{_percentile_pg(name, p)} AS {name}_{label}" for label, p in PERCENTILES.items())
            for name in TURNAROUNDS)
        for row in await q.rows(f"SELECT g, {measures} FROM ({base}) x GROUP BY g"):
            result[row["g"]] = {
                name: {"count": int(row[f"{name}_n"]),
                       **{label: _hours(row[f"{name}_{label}"]) for label in PERCENTILES}}
                for name in TURNAROUNDS}
        return result
    unpivot = " UNION ALL ".join(f"SELECT '{name}' AS m, g, {name} AS d FROM base WHERE {name} IS NOT NULL"
                                 for name in TURNAROUNDS)
    picks = ", ".join(f"{_percentile_window(p)} AS {label}" for label, p in PERCENTILES.items())
    sql = f"""
        WITH base AS ({base}),
        durations AS ({unpivot}),
        ranked AS (
            SELECT m, g, d, ROW_NUMBER() OVER (PARTITION BY m, g ORDER BY d) AS rn,
                   COUNT(*) OVER (PARTITION BY m, g) AS n
            FROM durations
        )
        SELECT m, g, MAX(n) AS n, {picks} FROM ranked GROUP BY m, g"""
    for row in await q.rows(sql):
        result.setdefault(row["g"], {})[row["m"]] = {
            "count": int(row["n"]), **{label: _hours(row[label]) for label in PERCENTILES}}
    return result


async def service_figures(scope: str, period: Period, dim: Dimension) -> dict[Any, dict]:
    """Per group: visits, distinct experts, service-log counts, ratings and follow-ups of visits in the period.

    Log, rating and follow-up are each at most one per visit, so the joins cannot multiply rows.
    """
    q = Sql()
    sql = f"""
        SELECT g, COUNT(*) AS visits, COUNT(DISTINCT expert_id) AS experts,
               COALESCE(SUM(problems_solved), 0) AS problems_solved,
               COALESCE(SUM(people_served), 0) AS people_served,
               COALESCE(SUM(people_trained), 0) AS people_trained,
               COUNT(overall) AS ratings, AVG(overall * 1.0) AS average,
               SUM(CASE WHEN overall >= {SATISFIED_FROM} THEN 1 ELSE 0 END) AS satisfied,
               SUM(CASE WHEN follow_up = 'open' THEN 1 ELSE 0 END) AS follow_ups_open,
               SUM(CASE WHEN follow_up = 'closed' THEN 1 ELSE 0 END) AS follow_ups_closed
        FROM (
            SELECT {dim.visit_key} AS g, v.expert_id AS expert_id, s.problems_solved AS problems_solved,
                   s.people_served AS people_served, s.people_trained AS people_trained,
                   r.overall AS overall, f.status AS follow_up
            FROM visit v
            JOIN service_order o ON o.id = v.order_id
            JOIN expert_profile e ON e.id = v.expert_id
            LEFT JOIN service_log s ON s.visit_id = v.id
            LEFT JOIN rating r ON r.visit_id = v.id
            LEFT JOIN follow_up f ON f.visit_id = v.id
            WHERE v.status <> 'rejected' AND {q.within("v.region_code", scope)}
              AND {q.at_in("v.check_in_at", period)}
        ) x GROUP BY g"""
    return {row["g"]: service_row(row) for row in await q.rows(sql)}


def service_row(row: dict) -> dict:
    """A group's visit figures from its aggregate row."""
    ratings = int(row["ratings"])
    return {
        "visits": int(row["visits"]), "experts": int(row["experts"]),
        "problems_solved": int(row["problems_solved"]), "people_served": int(row["people_served"]),
        "people_trained": int(row["people_trained"]),
        "satisfaction": {
            "ratings": ratings,
            "average": _round(row["average"], 2) if ratings else None,
            "satisfied_share": _round(Decimal(int(row["satisfied"])) / ratings, 4) if ratings else None,
        },
        "follow_ups": {"open": int(row["follow_ups_open"]), "closed": int(row["follow_ups_closed"])},
    }


async def ledger_figures(settings: Settings, scope: str, period: Period, dim: Dimension) -> dict[Any, dict]:
    """Counted hours, and service days: an expert's day in the group with hours ≥ the day threshold."""
    q = Sql()
    hours = q.hours("l.hours")
    where = f"l.status = 'counted' AND {q.within('l.region_code', scope)} AND {q.day_in('l.service_date', period)}"
    threshold = q.value(Decimal(str(settings.service_day_hours)))
    sql = f"""
        SELECT g, SUM(day_hours) AS hours, SUM(CASE WHEN day_hours >= {threshold} THEN 1 ELSE 0 END) AS days
        FROM (
            SELECT g, expert_id, service_date, SUM(h) AS day_hours FROM (
                SELECT {dim.ledger_key} AS g, l.expert_id AS expert_id, l.service_date AS service_date,
                       {hours} AS h
                FROM ledger_entry l
                JOIN expert_profile e ON e.id = l.expert_id
                LEFT JOIN visit v ON v.id = l.visit_id
                LEFT JOIN service_order o ON o.id = v.order_id
                WHERE {where}
            ) rows_ GROUP BY g, expert_id, service_date
        ) days_ GROUP BY g"""
    return {row["g"]: {"service_hours": _round(row["hours"], 2), "service_days": int(row["days"])}
            for row in await q.rows(sql)}


def _round(value: Any, digits: int) -> float:
    return float(round(Decimal(str(value)), digits)) if value is not None else 0.0


def _hours(value: Any) -> float | None:
    return _round(value, 2) if value is not None else None


def empty_figures() -> dict:
    return {
        "orders": {"total": 0, "by_status": {status.value: 0 for status in OrderStatus}},
        "turnaround_hours": {name: {"count": 0, "median": None, "p90": None} for name in TURNAROUNDS},
        "visits": 0, "experts": 0, "service_hours": 0.0, "service_days": 0,
        "people_trained": 0, "people_served": 0, "problems_solved": 0,
        "satisfaction": {"ratings": 0, "average": None, "satisfied_share": None},
        "follow_ups": {"open": 0, "closed": 0},
    }


async def figures_by(settings: Settings, scope: str, period: Period, dim: Dimension) -> dict[Any, dict]:
    """Every figure for each group the data has, keyed by the group's value."""
    counts = await order_counts(scope, period, dim)
    times = await turnarounds(scope, period, dim)
    service = await service_figures(scope, period, dim)
    ledger = await ledger_figures(settings, scope, period, dim)
    return merge_figures(counts, times, service, ledger)


def merge_figures(counts: dict, times: dict, service: dict, ledger: dict) -> dict[Any, dict]:
    result: dict[Any, dict] = {}
    for key in set(counts) | set(times) | set(service) | set(ledger):
        figures = empty_figures()
        by_status = counts.get(key, {})
        figures["orders"]["by_status"].update(by_status)
        figures["orders"]["total"] = sum(by_status.values())
        figures["turnaround_hours"].update(times.get(key, {}))
        figures.update(service.get(key, {}))
        figures.update(ledger.get(key, {}))
        result[key] = figures
    return result


# --------------------------------------------------------------------------- labels and rows


async def region_label(code: str) -> str:
    region = await Region.get_or_none(code=code)
    return region.name if region else code


async def _region_rows(scope: str, grouped: dict[Any, dict]) -> list[dict]:
    level = sub_level(scope)
    if level is None:
        return []
    digits = regions.LEVEL_DIGITS[level]
    children = await Region.filter(code__startswith=regions.prefix_of(scope), level=level) \
        .values_list("code", "name")
    names = {code[:digits]: name for code, name in children}
    keys = set(names) | {key for key in grouped if key is not None}
    missing = {key.ljust(12, "0") for key in keys if key not in names}
    if missing:
        names.update({code[:digits]: name for code, name in
                      await Region.filter(code__in=list(missing)).values_list("code", "name")})
    return [{"key": key, "code": key.ljust(12, "0"), "label": names.get(key, key.ljust(12, "0")),
             "figures": grouped.get(key, empty_figures())} for key in sorted(keys)]


async def field_labels() -> dict[str, str]:
    return dict(await ServiceCategory.all().order_by("sort_order", "id").values_list("code", "name"))


async def _field_rows(grouped: dict[Any, dict]) -> list[dict]:
    labels = await field_labels()
    keys = list(labels) + sorted(key for key in grouped if key is not None and key not in labels)
    rows = [{"key": key, "label": labels.get(key) or key or "未填写",
             "figures": grouped.get(key, empty_figures())} for key in keys]
    if None in grouped:
        rows.append({"key": None, "label": NO_FIELD_LABEL, "figures": grouped[None]})
    return rows


def _title_rows(grouped: dict[Any, dict]) -> list[dict]:
    keys = list(TITLE_LEVEL_LABELS) + sorted(key for key in grouped
                                              if key is not None and key not in TITLE_LEVEL_LABELS)
    rows = [{"key": key, "label": TITLE_LEVEL_LABELS.get(key) or key or "未填写",
             "figures": grouped.get(key, empty_figures())} for key in keys]
    if None in grouped:
        rows.append({"key": None, "label": NO_EXPERT_LABEL, "figures": grouped[None]})
    return rows


def _header(settings: Settings, scope: str, name: str, period: Period) -> dict:
    return {
        "region": {"code": scope, "name": name, "level": regions.level_of(scope)},
        "period": period.view(),
        "basis": BASIS,
        "day_rule": f"一个自然日内核实服务满 {settings.service_day_hours:g} 小时计 1 个服务日",
    }


async def direct_figures(settings: Settings, scope: str, period: Period) -> dict[str, dict[Any, dict]]:
    """Every dimension's figures computed from the source tables."""
    level = sub_level(scope)
    return {
        "total": await figures_by(settings, scope, period, TOTAL),
        "region": await figures_by(settings, scope, period, by_region(regions.LEVEL_DIGITS[level]))
        if level else {},
        "field": await figures_by(settings, scope, period, BY_FIELD),
        "title_level": await figures_by(settings, scope, period, BY_TITLE),
    }


async def report(settings: Settings, claims: AccessClaims, date_from: date | None, date_to: date | None,
                 region: str | None) -> dict:
    """Totals and breakdowns by sub-region, field and title level for an area and period."""
    scope = scope_of(claims, region)
    period = period_of(date_from, date_to)
    level = sub_level(scope)
    if rollups.serves(scope):
        grouped = await rollups.figures(settings, scope, period)
    else:
        grouped = await direct_figures(settings, scope, period)
    return _header(settings, scope, await region_label(scope), period) | {
        "sub_region_level": level,
        "status_labels": {status.value: label for status, label in STATUS_LABELS.items()},
        "totals": grouped["total"].get("*", empty_figures()),
        "by_region": await _region_rows(scope, grouped["region"]),
        "by_field": await _field_rows(grouped["field"]),
        "by_title_level": _title_rows(grouped["title_level"]),
    }


# --------------------------------------------------------------------------- experts


async def expert_rows(settings: Settings, scope: str, period: Period) -> list[dict]:
    """Each expert's own figures in the area and period, most hours first."""
    q = Sql()
    visit_where = (f"v.status <> 'rejected' AND {q.within('v.region_code', scope)} "
                   f"AND {q.at_in('v.check_in_at', period)}")
    ledger_where = (f"l.status = 'counted' AND {q.within('l.region_code', scope)} "
                    f"AND {q.day_in('l.service_date', period)}")
    threshold = q.value(Decimal(str(settings.service_day_hours)))
    sql = f"""
        SELECT e.id, e.name, e.title, e.title_level, e.field, e.employer,
               COALESCE(sv.visits, 0) AS visits, COALESCE(sv.problems_solved, 0) AS problems_solved,
               COALESCE(sv.ratings, 0) AS ratings, sv.average AS average,
               COALESCE(sd.hours, 0) AS hours, COALESCE(sd.days, 0) AS days
        FROM expert_profile e
        LEFT JOIN (
            SELECT v.expert_id AS expert_id, COUNT(*) AS visits,
                   COALESCE(SUM(s.problems_solved), 0) AS problems_solved,
                   COUNT(r.overall) AS ratings, AVG(r.overall * 1.0) AS average
            FROM visit v
            LEFT JOIN service_log s ON s.visit_id = v.id
            LEFT JOIN rating r ON r.visit_id = v.id
            WHERE {visit_where}
            GROUP BY v.expert_id
        ) sv ON sv.expert_id = e.id
        LEFT JOIN (
            SELECT expert_id, SUM(day_hours) AS hours,
                   SUM(CASE WHEN day_hours >= {threshold} THEN 1 ELSE 0 END) AS days
            FROM (
                SELECT l.expert_id AS expert_id, l.service_date AS service_date,
                       SUM({q.hours("l.hours")}) AS day_hours
                FROM ledger_entry l
                WHERE {ledger_where}
                GROUP BY l.expert_id, l.service_date
            ) per_day GROUP BY expert_id
        ) sd ON sd.expert_id = e.id
        WHERE sv.expert_id IS NOT NULL OR sd.expert_id IS NOT NULL
        ORDER BY COALESCE(sd.hours, 0) DESC, COALESCE(sv.visits, 0) DESC, e.id"""
    labels = await field_labels()
    return [
        {"expert_id": row["id"], "name": row["name"], "title": row["title"], "title_level": row["title_level"],
         "title_level_label": TITLE_LEVEL_LABELS.get(row["title_level"], row["title_level"]),
         "field": row["field"], "field_label": labels.get(row["field"], row["field"]), "employer": row["employer"],
         "visits": int(row["visits"]), "service_hours": _round(row["hours"], 2), "service_days": int(row["days"]),
         "ratings": int(row["ratings"]),
         "average_rating": _round(row["average"], 2) if int(row["ratings"]) else None,
         "problems_solved": int(row["problems_solved"])}
        for row in await q.rows(sql)
    ]


async def experts_report(settings: Settings, claims: AccessClaims, date_from: date | None, date_to: date | None,
                         region: str | None) -> dict:
    scope = scope_of(claims, region)
    period = period_of(date_from, date_to)
    return _header(settings, scope, await region_label(scope), period) | {
        "items": await expert_rows(settings, scope, period)}


# The PostgreSQL rollups read this module's helpers; imported last so either module may be imported first.
from backend.services import figure_rollups as rollups  # noqa: E402
