"""Pre-aggregated 跟踪问效 figures on PostgreSQL, kept right by triggers on the source tables.

The triggers fire whatever code writes the rows (ORM, raw SQL, COPY), so no write path has
to remember the figures. SQLite (development, small data) has none of this: figures.py
computes every figure from the source tables there.

Summable figures live in cells per county, field, expert title level and `at`, both per day
(grain 'd') and per month (grain 'm', `at` = the month's first day), so a year reads whole
months and only the edge days. Counties are the finest level kept: the rollups answer for
province and city scopes (broken down by city or county); smaller scopes read the source
tables. The figures that do not add up are kept so they can be computed exactly:
- turnaround percentiles: one row per distinct duration in a cell, with its count;
- distinct experts: per expert, year and group a report can ask about (the province, each city
  and county, and each field within the province or a city), a bit per day with a visit;
- service days: each expert-day is judged once per group a report can ask about (the
  province, each city and county, and each field within the province or a city) on the
  hours it has there, and counted in figure_day_cell; figure_expert_day keeps the day's
  hours per county and field so the count can be taken back when they change. The
  threshold is figure_rule.service_day_hours (figures.py falls back to the source tables
  when the settings differ; change both, then run figure_rollup_rebuild()).

A contribution is taken away in a BEFORE trigger and added back in an AFTER trigger, each
computed from the tables as they are at that moment, so a change anywhere a figure reads
(a rating, a follow-up, an order's field, an expert's title level) moves it to the right cell.
figure_rollup_rebuild() recomputes everything from the source tables.
"""

from tortoise import migrations

from backend.migrations._postgres import postgres_only

DAY = "(({ts}) AT TIME ZONE INTERVAL '+08:00')::date"
GRAINS = "(VALUES ('d'::char(1), {day}), ('m'::char(1), date_trunc('month', {day})::date)) g(grain, at)"

ORDER_CELLS = f"""
    SELECT g.grain, g.at, substr(o.region_code, 1, 6), o.field, e.title_level, o.status, {{sign}} * count(*)
    FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id
    CROSS JOIN LATERAL {GRAINS.format(day=DAY.format(ts="o.submitted_at"))}
    WHERE {{where}}
    GROUP BY 1, 2, 3, 4, 5, 6"""

TURNAROUND_CELLS = f"""
    SELECT g.grain, g.at, substr(o.region_code, 1, 6), o.field, e.title_level, m.metric, m.hours, {{sign}} * count(*)
    FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id
    CROSS JOIN LATERAL (VALUES
        ('accept', (EXTRACT(EPOCH FROM (o.accepted_at - o.submitted_at)) / 3600.0)::float8),
        ('dispatch', (EXTRACT(EPOCH FROM (o.dispatched_at - o.submitted_at)) / 3600.0)::float8),
        ('first_visit', (EXTRACT(EPOCH FROM (o.first_visit_at - o.submitted_at)) / 3600.0)::float8)
    ) m(metric, hours)
    CROSS JOIN LATERAL {GRAINS.format(day=DAY.format(ts="o.submitted_at"))}
    WHERE m.hours IS NOT NULL AND {{where}}
    GROUP BY 1, 2, 3, 4, 5, 6, 7"""

# SATISFIED_FROM in backend/services/figures.py is 4.
VISIT_CELLS = f"""
    SELECT g.grain, g.at, substr(v.region_code, 1, 6), o.field, e.title_level,
           {{sign}} * count(*), {{sign}} * COALESCE(sum(s.problems_solved), 0),
           {{sign}} * COALESCE(sum(s.people_served), 0), {{sign}} * COALESCE(sum(s.people_trained), 0),
           {{sign}} * count(r.overall), {{sign}} * COALESCE(sum(r.overall), 0),
           {{sign}} * count(*) FILTER (WHERE r.overall >= 4),
           {{sign}} * count(*) FILTER (WHERE f.status = 'open'), {{sign}} * count(*) FILTER (WHERE f.status = 'closed')
    FROM visit v
    JOIN service_order o ON o.id = v.order_id
    JOIN expert_profile e ON e.id = v.expert_id
    LEFT JOIN service_log s ON s.visit_id = v.id
    LEFT JOIN rating r ON r.visit_id = v.id
    LEFT JOIN follow_up f ON f.visit_id = v.id
    CROSS JOIN LATERAL {GRAINS.format(day=DAY.format(ts="v.check_in_at"))}
    WHERE v.status <> 'rejected' AND {{where}}
    GROUP BY 1, 2, 3, 4, 5"""

LEDGER_CELLS = f"""
    SELECT g.grain, g.at, substr(l.region_code, 1, 6), o.field, e.title_level, {{sign}} * count(*), {{sign}} * sum(l.hours)
    FROM ledger_entry l
    JOIN expert_profile e ON e.id = l.expert_id
    LEFT JOIN visit v ON v.id = l.visit_id
    LEFT JOIN service_order o ON o.id = v.order_id
    CROSS JOIN LATERAL {GRAINS.format(day="l.service_date")}
    WHERE l.status = 'counted' AND {{where}}
    GROUP BY 1, 2, 3, 4, 5"""

CELL_KEY = "grain, at, county, field, title_level"
VISIT_MEASURES = ("visits", "problems_solved", "people_served", "people_trained", "ratings", "rating_sum",
                  "satisfied", "follow_ups_open", "follow_ups_closed")


def _upsert(table: str, columns: str, key: str, measures: tuple[str, ...], select: str) -> str:
    """Writers only append: a counter row that every check-in updated would queue them one behind another."""
    return f"INSERT INTO {table} ({columns}) {select}"


def order_upsert(sign: str, where: str) -> str:
    return (_upsert("figure_order_cell", f"{CELL_KEY}, status, orders", f"{CELL_KEY}, status", ("orders",),
                    ORDER_CELLS.format(sign=sign, where=where)) + ";\n"
            + _upsert("figure_turnaround_cell", f"{CELL_KEY}, metric, hours, orders", f"{CELL_KEY}, metric, hours",
                      ("orders",), TURNAROUND_CELLS.format(sign=sign, where=where)) + ";")


def visit_upsert(sign: str, where: str) -> str:
    return _upsert("figure_visit_cell", f"{CELL_KEY}, {', '.join(VISIT_MEASURES)}", CELL_KEY, VISIT_MEASURES,
                   VISIT_CELLS.format(sign=sign, where=where)) + ";"


def ledger_upsert(sign: str, where: str) -> str:
    return _upsert("figure_ledger_cell", f"{CELL_KEY}, entries, hours", CELL_KEY, ("entries", "hours"),
                   LEDGER_CELLS.format(sign=sign, where=where)) + ";"


CELLS = {
    "figure_order_cell": (f"{CELL_KEY}, status", ("orders",)),
    "figure_turnaround_cell": (f"{CELL_KEY}, metric, hours", ("orders",)),
    "figure_visit_cell": (CELL_KEY, VISIT_MEASURES),
    "figure_ledger_cell": (CELL_KEY, ("entries", "hours")),
    "figure_day_cell": ("grain, at, digits, prefix, field, title_level", ("days",)),
}
# Reads go by period; folding merges each cell's appended rows into its one folded row.
CELL_INDEXES = "\n".join(
    f"CREATE INDEX {table}_at ON {table} (grain, at);\n"
    f"CREATE UNIQUE INDEX {table}_folded ON {table} ({key}) NULLS NOT DISTINCT WHERE folded;\n"
    f"CREATE INDEX {table}_fresh ON {table} (grain) WHERE NOT folded;"
    for table, (key, _) in CELLS.items())


def _fold(table: str) -> str:
    key, measures = CELLS[table]
    sums = ", ".join(f"sum({m})" for m in measures)
    adds = ", ".join(f"{m} = c.{m} + EXCLUDED.{m}" for m in measures)
    return f"""
    WITH fresh AS (DELETE FROM {table} WHERE NOT folded RETURNING *)
    INSERT INTO {table} AS c ({key}, {", ".join(measures)}, folded)
    SELECT {key}, {sums}, true FROM fresh GROUP BY {key}
    ON CONFLICT ({key}) WHERE folded DO UPDATE SET {adds};"""


FOLD = f"""
-- Merge the rows writers appended into one row per cell. Readers sum all rows, so folding never
-- changes an answer; it only keeps the tables small. Concurrent folds skip each other's rows.
CREATE FUNCTION figure_rollup_fold() RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
{"".join(_fold(table) for table in CELLS)}
END $fn$;
"""

TABLES = f"""
CREATE TABLE figure_rule (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    service_day_hours numeric NOT NULL
);
INSERT INTO figure_rule (service_day_hours) VALUES (4.0);
CREATE TABLE figure_order_cell (
    grain char(1) NOT NULL, at date NOT NULL, county varchar(6) NOT NULL, field varchar(32) NOT NULL,
    title_level varchar(24), status varchar(16) NOT NULL, orders bigint NOT NULL DEFAULT 0,
    folded boolean NOT NULL DEFAULT false
);
CREATE TABLE figure_turnaround_cell (
    grain char(1) NOT NULL, at date NOT NULL, county varchar(6) NOT NULL, field varchar(32) NOT NULL,
    title_level varchar(24), metric varchar(12) NOT NULL, hours float8 NOT NULL, orders bigint NOT NULL DEFAULT 0,
    folded boolean NOT NULL DEFAULT false
);
CREATE TABLE figure_visit_cell (
    grain char(1) NOT NULL, at date NOT NULL, county varchar(6) NOT NULL, field varchar(32) NOT NULL,
    title_level varchar(24),
    {", ".join(f"{m} bigint NOT NULL DEFAULT 0" for m in VISIT_MEASURES)},
    folded boolean NOT NULL DEFAULT false
);
CREATE TABLE figure_ledger_cell (
    grain char(1) NOT NULL, at date NOT NULL, county varchar(6) NOT NULL, field varchar(32),
    title_level varchar(24), entries bigint NOT NULL DEFAULT 0, hours numeric NOT NULL DEFAULT 0,
    folded boolean NOT NULL DEFAULT false
);
CREATE TABLE figure_expert_presence (
    expert_id bigint NOT NULL, year integer NOT NULL, digits smallint NOT NULL, prefix varchar(6) NOT NULL,
    field varchar(32) NOT NULL, title_level varchar(24), days bit(366) NOT NULL,
    PRIMARY KEY (expert_id, year, digits, prefix, field)
);
CREATE INDEX figure_expert_presence_group ON figure_expert_presence (year, digits, prefix);
CREATE TABLE figure_expert_day (
    expert_id bigint NOT NULL, day date NOT NULL,
    counties varchar(6)[], fields varchar(32)[], hours numeric[], title_level varchar(24),
    PRIMARY KEY (expert_id, day)
);
CREATE TABLE figure_day_cell (
    grain char(1) NOT NULL, at date NOT NULL, digits smallint NOT NULL, prefix varchar(6) NOT NULL,
    field varchar(32), title_level varchar(24), days bigint NOT NULL DEFAULT 0,
    folded boolean NOT NULL DEFAULT false
);
{CELL_INDEXES}
"""

FUNCTIONS = f"""
-- The functions run on every write: force_generic_plan plans each statement once per session
-- (custom plans would re-plan their six-table joins, ~4 ms, on every call).
CREATE FUNCTION figure_presence_keys(p_county varchar, p_field varchar)
RETURNS TABLE (digits smallint, prefix varchar, field varchar) LANGUAGE sql IMMUTABLE AS $fn$
    VALUES (2::smallint, substr(p_county, 1, 2)::varchar, '*'::varchar), (4::smallint, substr(p_county, 1, 4), '*'),
           (6::smallint, p_county, '*'), (2::smallint, substr(p_county, 1, 2), p_field),
           (4::smallint, substr(p_county, 1, 4), p_field)
$fn$;
-- counts: the order's state and cell; times: its turnarounds (a status change alone leaves them).
CREATE FUNCTION figure_apply_orders(ids bigint[], sign integer, counts boolean DEFAULT true,
                                    times boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    IF counts THEN
        {_upsert("figure_order_cell", f"{CELL_KEY}, status, orders", "", (), ORDER_CELLS.format(sign="sign", where="o.id = ANY(ids)"))};
    END IF;
    IF times THEN
        {_upsert("figure_turnaround_cell", f"{CELL_KEY}, metric, hours, orders", "", (), TURNAROUND_CELLS.format(sign="sign", where="o.id = ANY(ids)"))};
    END IF;
END $fn$;

-- A visit that counts sets its day's bit in every presence row it belongs to; setting a bit
-- needs no recount, and the row lock of the upsert orders it with any recount.
CREATE FUNCTION figure_mark_presence(p_visit bigint) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    INSERT INTO figure_expert_presence AS c (expert_id, year, digits, prefix, field, title_level, days)
    SELECT v.expert_id, extract(year FROM d.day)::int, k.digits, k.prefix, k.field, e.title_level,
           set_bit(repeat('0', 366)::bit(366), extract(doy FROM d.day)::int - 1, 1)
    FROM visit v JOIN service_order o ON o.id = v.order_id JOIN expert_profile e ON e.id = v.expert_id
    CROSS JOIN LATERAL (SELECT {DAY.format(ts="v.check_in_at")} AS day) d
    CROSS JOIN LATERAL figure_presence_keys(substr(v.region_code, 1, 6), o.field) k
    WHERE v.id = p_visit AND v.status <> 'rejected'
    ORDER BY k.digits, k.prefix, k.field
    ON CONFLICT (expert_id, year, digits, prefix, field) DO UPDATE SET days = c.days | EXCLUDED.days;
END $fn$;

CREATE FUNCTION figure_apply_visits(ids bigint[], sign integer) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    {visit_upsert("sign", "v.id = ANY(ids)")}
END $fn$;

CREATE FUNCTION figure_apply_ledger(ids bigint[], sign integer) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    {ledger_upsert("sign", "l.id = ANY(ids)")}
END $fn$;

-- Whether the expert has a visit that counts on `day` in each group a report can ask about (the
-- province, city and county of `p_county`, field '*'; the field within the province or city):
-- recomputed under the rows' locks, so concurrent changes to the same bit apply one after the other.
CREATE FUNCTION figure_refresh_presence(p_expert bigint, p_day date, p_county varchar, p_field varchar)
RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    y integer := extract(year FROM p_day)::int;
BEGIN
    IF p_expert IS NULL OR p_day IS NULL OR p_county IS NULL OR p_field IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO figure_expert_presence (expert_id, year, digits, prefix, field, title_level, days)
    SELECT p_expert, y, k.digits, k.prefix, k.field, (SELECT title_level FROM expert_profile WHERE id = p_expert),
           repeat('0', 366)::bit(366)
    FROM figure_presence_keys(p_county, p_field) k
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM figure_expert_presence p
    WHERE p.expert_id = p_expert AND p.year = y
      AND (p.digits, p.prefix, p.field) IN (SELECT * FROM figure_presence_keys(p_county, p_field))
    ORDER BY p.digits, p.prefix, p.field
    FOR UPDATE;
    UPDATE figure_expert_presence p
    SET days = set_bit(p.days, extract(doy FROM p_day)::int - 1, (EXISTS (
            SELECT 1 FROM visit v JOIN service_order o ON o.id = v.order_id
            WHERE v.expert_id = p_expert AND v.status <> 'rejected'
              AND substr(v.region_code, 1, p.digits) = p.prefix AND (p.field = '*' OR o.field = p.field)
              AND v.check_in_at >= (p_day::timestamp AT TIME ZONE INTERVAL '+08:00')
              AND v.check_in_at < ((p_day + 1)::timestamp AT TIME ZONE INTERVAL '+08:00')))::int),
        title_level = (SELECT title_level FROM expert_profile WHERE id = p_expert)
    WHERE p.expert_id = p_expert AND p.year = y
      AND (p.digits, p.prefix, p.field) IN (SELECT * FROM figure_presence_keys(p_county, p_field));
END $fn$;

CREATE FUNCTION figure_refresh_visit_presence(p_visit bigint) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    r record;
BEGIN
    SELECT v.expert_id, {DAY.format(ts="v.check_in_at")} AS day, substr(v.region_code, 1, 6) AS county,
           o.field INTO r
    FROM visit v JOIN service_order o ON o.id = v.order_id WHERE v.id = p_visit;
    IF FOUND THEN
        PERFORM figure_refresh_presence(r.expert_id, r.day, r.county, r.field);
    END IF;
END $fn$;

-- A service day is judged on the hours within each group the rollups answer for: the whole
-- province, city or county (field '*'), and each field within the province or a city.
CREATE FUNCTION figure_count_day(p_day date, p_counties varchar[], p_fields varchar[], p_hours numeric[],
                                 p_title varchar, p_sign integer)
RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    INSERT INTO figure_day_cell (grain, at, digits, prefix, field, title_level, days)
    SELECT g.grain, g.at, j.digits, j.prefix, j.field, p_title, p_sign
    FROM (
        SELECT l.digits, substr(x.county, 1, l.digits) AS prefix, '*'::varchar AS field
        FROM unnest(p_counties, p_fields, p_hours) AS x(county, field, hours)
        CROSS JOIN (VALUES (2), (4), (6)) l(digits)
        GROUP BY 1, 2 HAVING sum(x.hours) >= (SELECT service_day_hours FROM figure_rule)
        UNION ALL
        SELECT l.digits, substr(x.county, 1, l.digits), x.field
        FROM unnest(p_counties, p_fields, p_hours) AS x(county, field, hours)
        CROSS JOIN (VALUES (2), (4)) l(digits)
        GROUP BY 1, 2, 3 HAVING sum(x.hours) >= (SELECT service_day_hours FROM figure_rule)
    ) j CROSS JOIN LATERAL {GRAINS.format(day="p_day")};
END $fn$;

-- An expert's counted hours on one day: take back what the day counted (its hours per county
-- and field, kept in its figure_expert_day row, locked meanwhile) and count it again.
CREATE FUNCTION figure_refresh_expert_day(p_expert bigint, p_day date) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    old figure_expert_day;
    new_counties varchar[];
    new_fields varchar[];
    new_hours numeric[];
    title varchar;
BEGIN
    IF p_expert IS NULL OR p_day IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO figure_expert_day (expert_id, day) VALUES (p_expert, p_day) ON CONFLICT DO NOTHING;
    SELECT * INTO old FROM figure_expert_day WHERE expert_id = p_expert AND day = p_day FOR UPDATE;
    SELECT title_level INTO title FROM expert_profile WHERE id = p_expert;
    SELECT array_agg(county ORDER BY county, field), array_agg(field ORDER BY county, field),
           array_agg(hours ORDER BY county, field)
    INTO new_counties, new_fields, new_hours
    FROM (SELECT substr(l.region_code, 1, 6) AS county, o.field, sum(l.hours) AS hours
          FROM ledger_entry l LEFT JOIN visit v ON v.id = l.visit_id LEFT JOIN service_order o ON o.id = v.order_id
          WHERE l.expert_id = p_expert AND l.service_date = p_day AND l.status = 'counted'
          GROUP BY 1, 2) cells;
    IF (old.counties, old.fields, old.hours, old.title_level)
       IS NOT DISTINCT FROM (new_counties, new_fields, new_hours, title) THEN
        RETURN;
    END IF;
    IF old.counties IS NOT NULL THEN
        PERFORM figure_count_day(p_day, old.counties, old.fields, old.hours, old.title_level, -1);
    END IF;
    IF new_counties IS NOT NULL THEN
        PERFORM figure_count_day(p_day, new_counties, new_fields, new_hours, title, 1);
    END IF;
    UPDATE figure_expert_day SET counties = new_counties, fields = new_fields, hours = new_hours, title_level = title
    WHERE expert_id = p_expert AND day = p_day;
END $fn$;

CREATE FUNCTION figure_refresh_ledger_days(ids bigint[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT DISTINCT expert_id, service_date FROM ledger_entry WHERE id = ANY(ids) ORDER BY 1, 2 LOOP
        PERFORM figure_refresh_expert_day(r.expert_id, r.service_date);
    END LOOP;
END $fn$;

-- service_order: its own cells; when its field changes, also its visits' and their ledger rows'.
CREATE FUNCTION figure_order_before() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    PERFORM figure_apply_orders(ARRAY[OLD.id], -1, TG_OP <> 'UPDATE' OR (OLD.status, OLD.region_code, OLD.field, OLD.expert_id, OLD.submitted_at) IS DISTINCT FROM (NEW.status, NEW.region_code, NEW.field, NEW.expert_id, NEW.submitted_at),
                                TG_OP <> 'UPDATE' OR (OLD.region_code, OLD.field, OLD.expert_id, OLD.submitted_at, OLD.accepted_at, OLD.dispatched_at, OLD.first_visit_at) IS DISTINCT FROM (NEW.region_code, NEW.field, NEW.expert_id, NEW.submitted_at, NEW.accepted_at, NEW.dispatched_at, NEW.first_visit_at));
    IF TG_OP = 'UPDATE' AND OLD.field IS DISTINCT FROM NEW.field THEN
        PERFORM figure_apply_visits(ARRAY(SELECT id FROM visit WHERE order_id = OLD.id), -1);
        PERFORM figure_apply_ledger(ARRAY(SELECT l.id FROM ledger_entry l JOIN visit v ON v.id = l.visit_id
                                          WHERE v.order_id = OLD.id), -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $fn$;

CREATE FUNCTION figure_order_after() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    r record;
BEGIN
    PERFORM figure_apply_orders(ARRAY[NEW.id], 1, TG_OP <> 'UPDATE' OR (OLD.status, OLD.region_code, OLD.field, OLD.expert_id, OLD.submitted_at) IS DISTINCT FROM (NEW.status, NEW.region_code, NEW.field, NEW.expert_id, NEW.submitted_at),
                                TG_OP <> 'UPDATE' OR (OLD.region_code, OLD.field, OLD.expert_id, OLD.submitted_at, OLD.accepted_at, OLD.dispatched_at, OLD.first_visit_at) IS DISTINCT FROM (NEW.region_code, NEW.field, NEW.expert_id, NEW.submitted_at, NEW.accepted_at, NEW.dispatched_at, NEW.first_visit_at));
    IF TG_OP = 'UPDATE' AND OLD.field IS DISTINCT FROM NEW.field THEN
        PERFORM figure_apply_visits(ARRAY(SELECT id FROM visit WHERE order_id = NEW.id), 1);
        PERFORM figure_apply_ledger(ARRAY(SELECT l.id FROM ledger_entry l JOIN visit v ON v.id = l.visit_id
                                          WHERE v.order_id = NEW.id), 1);
        PERFORM figure_refresh_ledger_days(ARRAY(SELECT l.id FROM ledger_entry l JOIN visit v ON v.id = l.visit_id
                                                 WHERE v.order_id = NEW.id));
        FOR r IN SELECT v.expert_id, {DAY.format(ts="v.check_in_at")} AS day, substr(v.region_code, 1, 6) AS county
                 FROM visit v WHERE v.order_id = NEW.id LOOP
            PERFORM figure_refresh_presence(r.expert_id, r.day, r.county, OLD.field);
            PERFORM figure_refresh_presence(r.expert_id, r.day, r.county, NEW.field);
        END LOOP;
    END IF;
    RETURN NULL;
END $fn$;

-- visit: its cells and its expert's presence; a new order_id moves its ledger rows' field.
CREATE FUNCTION figure_visit_before() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    PERFORM figure_apply_visits(ARRAY[OLD.id], -1);
    IF TG_OP = 'UPDATE' AND OLD.order_id IS DISTINCT FROM NEW.order_id THEN
        PERFORM figure_apply_ledger(ARRAY(SELECT id FROM ledger_entry WHERE visit_id = OLD.id), -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $fn$;

CREATE FUNCTION figure_visit_after() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM figure_apply_visits(ARRAY[NEW.id], 1);
        PERFORM figure_mark_presence(NEW.id);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM figure_apply_visits(ARRAY[NEW.id], 1);
        PERFORM figure_refresh_visit_presence(NEW.id);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM figure_refresh_presence(OLD.expert_id, {DAY.format(ts="OLD.check_in_at")},
                                        substr(OLD.region_code, 1, 6),
                                        (SELECT field FROM service_order WHERE id = OLD.order_id));
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.order_id IS DISTINCT FROM NEW.order_id THEN
        PERFORM figure_apply_ledger(ARRAY(SELECT id FROM ledger_entry WHERE visit_id = NEW.id), 1);
        PERFORM figure_refresh_ledger_days(ARRAY(SELECT id FROM ledger_entry WHERE visit_id = NEW.id));
    END IF;
    RETURN NULL;
END $fn$;

-- service_log, rating, follow_up: one per visit; the visit's row lock orders concurrent changes.
CREATE FUNCTION figure_visit_part_before() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM 1 FROM visit WHERE id = OLD.visit_id FOR NO KEY UPDATE;
        PERFORM figure_apply_visits(ARRAY[OLD.visit_id], -1);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.visit_id IS DISTINCT FROM OLD.visit_id) THEN
        PERFORM 1 FROM visit WHERE id = NEW.visit_id FOR NO KEY UPDATE;
        PERFORM figure_apply_visits(ARRAY[NEW.visit_id], -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $fn$;

CREATE FUNCTION figure_visit_part_after() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM figure_apply_visits(ARRAY[OLD.visit_id], 1);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.visit_id IS DISTINCT FROM OLD.visit_id) THEN
        PERFORM figure_apply_visits(ARRAY[NEW.visit_id], 1);
    END IF;
    RETURN NULL;
END $fn$;

CREATE FUNCTION figure_ledger_before() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    -- Only counted rows count: a pending or withheld row changes no figure.
    IF OLD.status = 'counted' THEN
        PERFORM figure_apply_ledger(ARRAY[OLD.id], -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $fn$;

CREATE FUNCTION figure_ledger_after() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    IF NEW.status = 'counted' THEN
        PERFORM figure_apply_ledger(ARRAY[NEW.id], 1);
    END IF;
    IF (OLD.status = 'counted') IS NOT TRUE AND (NEW.status = 'counted') IS NOT TRUE THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.expert_id, OLD.service_date) IS DISTINCT FROM (NEW.expert_id, NEW.service_date)
       AND (OLD.expert_id, OLD.service_date) < (NEW.expert_id, NEW.service_date) THEN
        PERFORM figure_refresh_expert_day(OLD.expert_id, OLD.service_date);
        PERFORM figure_refresh_expert_day(NEW.expert_id, NEW.service_date);
    ELSIF TG_OP = 'UPDATE' AND (OLD.expert_id, OLD.service_date) IS DISTINCT FROM (NEW.expert_id, NEW.service_date) THEN
        PERFORM figure_refresh_expert_day(NEW.expert_id, NEW.service_date);
        PERFORM figure_refresh_expert_day(OLD.expert_id, OLD.service_date);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM figure_refresh_expert_day(OLD.expert_id, OLD.service_date);
    ELSE
        PERFORM figure_refresh_expert_day(NEW.expert_id, NEW.service_date);
    END IF;
    RETURN NULL;
END $fn$;

-- expert_profile: a new title level moves everything the expert contributed.
CREATE FUNCTION figure_expert_before() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    PERFORM figure_apply_orders(ARRAY(SELECT id FROM service_order WHERE expert_id = OLD.id), -1);
    PERFORM figure_apply_visits(ARRAY(SELECT id FROM visit WHERE expert_id = OLD.id), -1);
    PERFORM figure_apply_ledger(ARRAY(SELECT id FROM ledger_entry WHERE expert_id = OLD.id), -1);
    RETURN NEW;
END $fn$;

CREATE FUNCTION figure_expert_after() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    r record;
BEGIN
    PERFORM figure_apply_orders(ARRAY(SELECT id FROM service_order WHERE expert_id = NEW.id), 1);
    PERFORM figure_apply_visits(ARRAY(SELECT id FROM visit WHERE expert_id = NEW.id), 1);
    PERFORM figure_apply_ledger(ARRAY(SELECT id FROM ledger_entry WHERE expert_id = NEW.id), 1);
    FOR r IN SELECT day FROM figure_expert_day WHERE expert_id = NEW.id ORDER BY day LOOP
        PERFORM figure_refresh_expert_day(NEW.id, r.day);
    END LOOP;
    UPDATE figure_expert_presence SET title_level = NEW.title_level WHERE expert_id = NEW.id;
    RETURN NULL;
END $fn$;
"""

ORDER_CHANGED = ("OLD.region_code, OLD.field, OLD.status, OLD.expert_id, OLD.submitted_at, OLD.accepted_at, "
                 "OLD.dispatched_at, OLD.first_visit_at")
VISIT_CHANGED = ("OLD.status = 'rejected', OLD.check_in_at, OLD.region_code, OLD.order_id, OLD.expert_id")
LEDGER_CHANGED = "OLD.status, OLD.hours, OLD.service_date, OLD.region_code, OLD.visit_id, OLD.expert_id"
PART_CHANGED = {
    "service_log": "OLD.visit_id, OLD.problems_solved, OLD.people_served, OLD.people_trained",
    "rating": "OLD.visit_id, OLD.overall",
    "follow_up": "OLD.visit_id, OLD.status",
}


def _when(old: str) -> str:
    return f"(({old}) IS DISTINCT FROM ({old.replace('OLD.', 'NEW.')}))"


def _triggers(table: str, name: str, changed: str) -> str:
    when = _when(changed)
    return f"""
CREATE TRIGGER figure_{table}_before_update BEFORE UPDATE ON {table}
    FOR EACH ROW WHEN {when} EXECUTE FUNCTION figure_{name}_before();
CREATE TRIGGER figure_{table}_before_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION figure_{name}_before();
CREATE TRIGGER figure_{table}_after_update AFTER UPDATE ON {table}
    FOR EACH ROW WHEN {when} EXECUTE FUNCTION figure_{name}_after();
CREATE TRIGGER figure_{table}_after_insert_delete AFTER INSERT OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION figure_{name}_after();
"""


TRIGGERS = (
    _triggers("service_order", "order", ORDER_CHANGED)
    + _triggers("visit", "visit", VISIT_CHANGED)
    + _triggers("ledger_entry", "ledger", LEDGER_CHANGED)
    + "".join(_triggers(table, "visit_part", changed) + f"""
CREATE TRIGGER figure_{table}_before_insert BEFORE INSERT ON {table}
    FOR EACH ROW EXECUTE FUNCTION figure_visit_part_before();
""" for table, changed in PART_CHANGED.items())
    + """
CREATE TRIGGER figure_expert_profile_before_update BEFORE UPDATE ON expert_profile
    FOR EACH ROW WHEN (OLD.title_level IS DISTINCT FROM NEW.title_level) EXECUTE FUNCTION figure_expert_before();
CREATE TRIGGER figure_expert_profile_after_update AFTER UPDATE ON expert_profile
    FOR EACH ROW WHEN (OLD.title_level IS DISTINCT FROM NEW.title_level) EXECUTE FUNCTION figure_expert_after();
"""
)

ROLLUP_TABLES = ("figure_order_cell", "figure_turnaround_cell", "figure_visit_cell", "figure_ledger_cell",
                 "figure_expert_presence", "figure_expert_day", "figure_day_cell")

REBUILD = f"""
CREATE FUNCTION figure_rollup_rebuild() RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    threshold numeric;
BEGIN
    SELECT service_day_hours INTO threshold FROM figure_rule;
    TRUNCATE {", ".join(ROLLUP_TABLES)};
    {order_upsert("1", "true")}
    {visit_upsert("1", "true")}
    {ledger_upsert("1", "true")}
    INSERT INTO figure_expert_presence (expert_id, year, digits, prefix, field, title_level, days)
    SELECT v.expert_id, extract(year FROM d.day)::int, k.digits, k.prefix, k.field, e.title_level,
           bit_or(set_bit(repeat('0', 366)::bit(366), extract(doy FROM d.day)::int - 1, 1))
    FROM visit v JOIN service_order o ON o.id = v.order_id JOIN expert_profile e ON e.id = v.expert_id
    CROSS JOIN LATERAL (SELECT {DAY.format(ts="v.check_in_at")} AS day) d
    CROSS JOIN LATERAL figure_presence_keys(substr(v.region_code, 1, 6), o.field) k
    WHERE v.status <> 'rejected'
    GROUP BY 1, 2, 3, 4, 5, 6;
    CREATE TEMP TABLE figure_rebuild_cells ON COMMIT DROP AS
    SELECT l.expert_id, l.service_date AS day, substr(l.region_code, 1, 6) AS county, o.field, e.title_level,
           sum(l.hours) AS hours
    FROM ledger_entry l JOIN expert_profile e ON e.id = l.expert_id
    LEFT JOIN visit v ON v.id = l.visit_id LEFT JOIN service_order o ON o.id = v.order_id
    WHERE l.status = 'counted'
    GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO figure_expert_day (expert_id, day, counties, fields, hours, title_level)
    SELECT expert_id, day, array_agg(county ORDER BY county, field), array_agg(field ORDER BY county, field),
           array_agg(hours ORDER BY county, field), min(title_level)
    FROM figure_rebuild_cells
    GROUP BY 1, 2;
    INSERT INTO figure_day_cell (grain, at, digits, prefix, field, title_level, days)
    SELECT g.grain, g.at, j.digits, j.prefix, j.field, j.title_level, count(*)
    FROM (
        SELECT c.expert_id, c.day, c.title_level, l.digits, substr(c.county, 1, l.digits) AS prefix,
               '*'::varchar AS field
        FROM figure_rebuild_cells c CROSS JOIN (VALUES (2), (4), (6)) l(digits)
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(c.hours) >= threshold
        UNION ALL
        SELECT c.expert_id, c.day, c.title_level, l.digits, substr(c.county, 1, l.digits), c.field
        FROM figure_rebuild_cells c CROSS JOIN (VALUES (2), (4)) l(digits)
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(c.hours) >= threshold
    ) j CROSS JOIN LATERAL {GRAINS.format(day="j.day")}
    GROUP BY 1, 2, 3, 4, 5, 6;
    DROP TABLE figure_rebuild_cells;
    PERFORM figure_rollup_fold();
END $fn$;
"""

TRIGGER_TABLES = ("service_order", "visit", "ledger_entry", "service_log", "rating", "follow_up", "expert_profile")
FUNCTION_NAMES = ("figure_apply_orders(bigint[], integer, boolean, boolean)", "figure_mark_presence(bigint)", "figure_apply_visits(bigint[], integer)",
                  "figure_apply_ledger(bigint[], integer)",
                  "figure_refresh_presence(bigint, date, varchar, varchar)", "figure_presence_keys(varchar, varchar)", "figure_refresh_visit_presence(bigint)",
                  "figure_count_day(date, varchar[], varchar[], numeric[], varchar, integer)",
                  "figure_refresh_expert_day(bigint, date)", "figure_refresh_ledger_days(bigint[])",
                  "figure_order_before()", "figure_order_after()", "figure_visit_before()", "figure_visit_after()",
                  "figure_visit_part_before()", "figure_visit_part_after()", "figure_ledger_before()",
                  "figure_ledger_after()", "figure_expert_before()", "figure_expert_after()",
                  "figure_rollup_rebuild()", "figure_rollup_fold()")


def _drop_sql() -> str:
    triggers = []
    for table in TRIGGER_TABLES:
        for suffix in ("before_update", "before_delete", "after_update", "after_insert_delete", "before_insert"):
            triggers.append(f"DROP TRIGGER IF EXISTS figure_{table}_{suffix} ON {table};")
    return ("\n".join(triggers) + "\n" + "\n".join(f"DROP FUNCTION IF EXISTS {f};" for f in FUNCTION_NAMES)
            + "\n" + "\n".join(f"DROP TABLE IF EXISTS {t};" for t in ROLLUP_TABLES + ("figure_rule",)))


CREATE_SQL = TABLES + FOLD + FUNCTIONS + TRIGGERS + REBUILD + "\nSELECT figure_rollup_rebuild();\n"


class Migration(migrations.Migration):
    dependencies = [('models', '0007_foreign_key_indexes')]

    initial = False

    operations = [
        postgres_only(CREATE_SQL, _drop_sql()),
    ]
