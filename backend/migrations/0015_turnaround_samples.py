"""Turnaround samples: each cell's durations packed together, so a year's percentiles read months, not orders.

figures.py takes the median and 90th percentile of 下单→接单, →派单 and →首次上门 with
percentile_cont over the orders. For a province's year that is some 376,000 orders, sorted once
per grouping and turnaround (twelve sorts), about 1.1 s of a report that the rest answers in a
few hundred ms from the rollups. Migration 0008 kept one row per distinct duration instead, which
was as many rows as orders, and 0010 dropped them.

figure_turnaround_sample keeps, per cell of the other rollups (county, field, title level of the
dispatched expert, and a day or a month of submission), the cell's durations in hours packed as
big-endian float8 (float8send), one bytea per turnaround, in no particular order. A report reads
the year's month cells (about 50,000 rows for the bench province), concatenates them per group in
SQL and selects the ranks it needs in numpy (figure_rollups.turnarounds): exact, and the same
float8 values percentile_cont interpolates between, computed by the expression figures.py uses
(`date_part('epoch', t - submitted_at) / 3600.0`; change both together, then rebuild).

Durations are not summable, so samples are replaced, never appended:
- figure_rollup_fold() rebuilds the day cells of every queued (county, day) of orders from the
  orders, then the month cells of those counties' months from their day cells;
- figure_rollup_rebuild() rebuilds every cell from the orders;
- the order trigger again queues a change of accepted_at, dispatched_at or first_visit_at alone
  (migration 0010 stopped that when nothing read them).
Going back drops the table and restores 0010's functions and trigger.
"""

from importlib import import_module

from tortoise import migrations

from backend.migrations._postgres import postgres_only

queue = import_module("backend.migrations.0009_figure_queue")
dropped = import_module("backend.migrations.0010_drop_turnaround_cells")

TABLE = "figure_turnaround_sample"
DAY = queue.DAY
METRICS = {"accept": "accepted_at", "dispatch": "dispatched_at", "first_visit": "first_visit_at"}
PACKED = ", ".join(f"string_agg(float8send(x.{name}), ''::bytea) AS {name}" for name in METRICS)
ANY_SAMPLE = " OR ".join(f"count(x.{name}) > 0" for name in METRICS)
DURATIONS = ", ".join(f"date_part('epoch', o.{column} - o.submitted_at) / 3600.0 AS {name}"
                      for name, column in METRICS.items())
COLUMNS = f"grain, at, county, field, title_level, {', '.join(METRICS)}"

CREATE = f"""
CREATE TABLE {TABLE} (
    grain char(1) NOT NULL, at date NOT NULL, county varchar(6) NOT NULL, field varchar(32) NOT NULL,
    title_level varchar(24),
    {", ".join(f"{name} bytea" for name in METRICS)}
);
-- A report reads a period's cells; a fold replaces one county's days and months.
CREATE INDEX {TABLE}_at ON {TABLE} (grain, at);
CREATE INDEX {TABLE}_county ON {TABLE} (county, grain, at);

-- The queued counties' days from their orders, then those counties' months from their day cells.
CREATE FUNCTION figure_turnaround_refresh(p_counties varchar[], p_days date[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    DELETE FROM {TABLE} t
    USING (SELECT DISTINCT * FROM unnest(p_counties, p_days)) k(county, day)
    WHERE t.county = k.county AND t.grain = 'd' AND t.at = k.day;
    INSERT INTO {TABLE} ({COLUMNS})
    SELECT 'd', k.day, k.county, x.field, x.title_level, {PACKED}
    FROM (SELECT DISTINCT * FROM unnest(p_counties, p_days)) k(county, day)
    CROSS JOIN LATERAL (
        SELECT o.field, e.title_level, {DURATIONS}
        FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id
        WHERE substr(o.region_code, 1, 6) = k.county AND {queue._in_day("o.submitted_at", "k.day")}
        OFFSET 0) x
    GROUP BY 1, 2, 3, 4, 5
    HAVING {ANY_SAMPLE};
    DELETE FROM {TABLE} t
    USING (SELECT DISTINCT county, date_trunc('month', day)::date FROM unnest(p_counties, p_days) u(county, day)) k(county, month)
    WHERE t.county = k.county AND t.grain = 'm' AND t.at = k.month;
    INSERT INTO {TABLE} ({COLUMNS})
    SELECT 'm', k.month, k.county, x.field, x.title_level,
           {", ".join(f"string_agg(x.{name}, ''::bytea)" for name in METRICS)}
    FROM (SELECT DISTINCT county, date_trunc('month', day)::date FROM unnest(p_counties, p_days) u(county, day)) k(county, month)
    JOIN {TABLE} x ON x.county = k.county AND x.grain = 'd' AND x.at >= k.month
         AND x.at < (k.month + INTERVAL '1 month')::date
    GROUP BY 1, 2, 3, 4, 5;
END $fn$;

-- Every cell from the orders.
CREATE FUNCTION figure_turnaround_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM {TABLE};
    INSERT INTO {TABLE} ({COLUMNS})
    SELECT g.grain, g.at, x.county, x.field, x.title_level, {PACKED}
    FROM (
        SELECT substr(o.region_code, 1, 6) AS county, o.field, e.title_level,
               {DAY.format(ts="o.submitted_at")} AS day, {DURATIONS}
        FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id) x
    CROSS JOIN LATERAL {queue.GRAINS.format(day="x.day")}
    GROUP BY 1, 2, 3, 4, 5
    HAVING {ANY_SAMPLE};
END $fn$;
"""


def _replaced(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"expected the text to hold this part once: {old[:80]!r}")
    return text.replace(old, new)


ORDERS_QUEUED = "IF o_counties IS NOT NULL THEN"
FOLD = _replaced(dropped.NEW_FOLD, ORDERS_QUEUED,
                 f"{ORDERS_QUEUED}\n        PERFORM figure_turnaround_refresh(o_counties, o_days);")
OLD_REBUILD = dropped._function(queue.QUEUE, "figure_rollup_rebuild")
REBUILD = _replaced(OLD_REBUILD, "PERFORM figure_rollup_recompute();",
                    "PERFORM figure_rollup_recompute();\n    PERFORM figure_turnaround_rebuild();")

FORWARD_SQL = "\n".join([
    CREATE, FOLD, REBUILD, dropped._order_trigger(queue.ORDER_CHANGED),
    "SELECT figure_turnaround_rebuild();",
])

BACKWARD_SQL = "\n".join([
    dropped.NEW_FOLD, OLD_REBUILD, dropped._order_trigger(dropped.ORDER_CHANGED),
    "DROP FUNCTION IF EXISTS figure_turnaround_refresh(varchar[], date[]);",
    "DROP FUNCTION IF EXISTS figure_turnaround_rebuild();",
    f"DROP TABLE IF EXISTS {TABLE};",
])


class Migration(migrations.Migration):
    dependencies = [('models', '0014_unread_indexes')]

    initial = False

    operations = [
        postgres_only(FORWARD_SQL, BACKWARD_SQL),
    ]
