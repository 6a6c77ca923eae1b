"""The figure rollups of migration 0008 kept by a queue: writers mark cells, folding recounts them.

Under 0008 every write computed its own contribution inside the writing transaction: a check-in
ran about a dozen statements of rollup upkeep, which cost PostgreSQL more than the check-in
itself. Now a trigger only appends what a change touches to figure_dirty:
- 'o', 'v', 'l': a county and a day whose order, visit or ledger cells to recount;
- 'p', 'e': an expert and a day whose presence bits or service day to judge again.
figure_rollup_fold(), which every rollup read calls first (and the sweeper calls on a timer),
takes the queue, recounts those cells from the source tables and appends the difference to
what the cells held, so the figures stay exact at every read. Folds take one advisory lock, so
they apply one after another; a change committed while a fold runs stays queued for the next.
"""

from tortoise import migrations

from backend.migrations._postgres import postgres_only

DAY = "(({ts}) AT TIME ZONE INTERVAL '+08:00')::date"
DAY_START = "(({day})::timestamp AT TIME ZONE INTERVAL '+08:00')"
GRAINS = "(VALUES ('d'::char(1), {day}), ('m'::char(1), date_trunc('month', {day})::date)) g(grain, at)"
FOLD_LOCK = 80_010_009
ZERO_BITS = "repeat('0', 366)::bit(366)"
VISIT_MEASURES = ("visits", "problems_solved", "people_served", "people_trained", "ratings", "rating_sum",
                  "satisfied", "follow_ups_open", "follow_ups_closed")


def _in_day(column: str, day: str) -> str:
    return f"{column} >= {DAY_START.format(day=day)} AND {column} < {DAY_START.format(day=f'{day} + 1')}"


def _recount(table: str, keys: str, measures: tuple[str, ...], fresh: str, kind: str) -> str:
    """Append to `table` what its day cells of the queued (county, day) keys lack: fresh minus kept."""
    columns = f"county, field, title_level{', ' + keys if keys else ''}"
    sums = ", ".join(f"sum({m}) AS {m}" for m in measures)
    kept = ", ".join(f"-sum(c.{m})" for m in measures)
    nonzero = " OR ".join(f"sum({m}) <> 0" for m in measures)
    return f"""
    INSERT INTO {table} (grain, at, {columns}, {", ".join(measures)})
    SELECT g.grain, g.at, {", ".join(f"d.{c.strip()}" for c in columns.split(","))}, {", ".join(f"d.{m}" for m in measures)}
    FROM (
        SELECT day, {columns}, {sums}
        FROM (
            {fresh}
            UNION ALL
            SELECT k.day, {", ".join(f"c.{c.strip()}" for c in columns.split(","))}, {kept}
            FROM unnest({kind}_counties, {kind}_days) k(county, day)
            CROSS JOIN LATERAL (
                SELECT * FROM {table} t WHERE t.grain = 'd' AND t.at = k.day AND t.county = k.county OFFSET 0) c
            GROUP BY {", ".join(str(i) for i in range(1, len(columns.split(",")) + 2))}
        ) x(day, {columns}, {", ".join(measures)})
        GROUP BY {", ".join(str(i) for i in range(1, len(columns.split(",")) + 2))}
        HAVING {nonzero}
    ) d CROSS JOIN LATERAL {GRAINS.format(day="d.day")};"""


# Each queued key is recounted by its own subquery (OFFSET 0 keeps it apart, so it reads the key's rows by
# index): joined to the keys as a whole, a cached plan would hash every visit of the year instead.
FRESH_ORDERS = f"""
            SELECT k.day, k.county, x.field, x.title_level, x.status, count(*)
            FROM unnest(o_counties, o_days) k(county, day)
            CROSS JOIN LATERAL (
                SELECT o.field, e.title_level, o.status
                FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id
                WHERE substr(o.region_code, 1, 6) = k.county AND {_in_day("o.submitted_at", "k.day")}
                OFFSET 0) x
            GROUP BY 1, 2, 3, 4, 5"""

FRESH_TURNAROUNDS = f"""
            SELECT k.day, k.county, x.field, x.title_level, m.metric, m.hours, count(*)
            FROM unnest(o_counties, o_days) k(county, day)
            CROSS JOIN LATERAL (
                SELECT o.field, e.title_level, o.submitted_at, o.accepted_at, o.dispatched_at, o.first_visit_at
                FROM service_order o LEFT JOIN expert_profile e ON e.id = o.expert_id
                WHERE substr(o.region_code, 1, 6) = k.county AND {_in_day("o.submitted_at", "k.day")}
                OFFSET 0) x
            CROSS JOIN LATERAL (VALUES
                ('accept', (EXTRACT(EPOCH FROM (x.accepted_at - x.submitted_at)) / 3600.0)::float8),
                ('dispatch', (EXTRACT(EPOCH FROM (x.dispatched_at - x.submitted_at)) / 3600.0)::float8),
                ('first_visit', (EXTRACT(EPOCH FROM (x.first_visit_at - x.submitted_at)) / 3600.0)::float8)
            ) m(metric, hours)
            WHERE m.hours IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5, 6"""

# SATISFIED_FROM in backend/services/figures.py is 4.
FRESH_VISITS = f"""
            SELECT k.day, k.county, x.field, x.title_level,
                   count(*), COALESCE(sum(x.problems_solved), 0), COALESCE(sum(x.people_served), 0),
                   COALESCE(sum(x.people_trained), 0), count(x.overall), COALESCE(sum(x.overall), 0),
                   count(*) FILTER (WHERE x.overall >= 4), count(*) FILTER (WHERE x.follow_up = 'open'),
                   count(*) FILTER (WHERE x.follow_up = 'closed')
            FROM unnest(v_counties, v_days) k(county, day)
            CROSS JOIN LATERAL (
                SELECT o.field, e.title_level, s.problems_solved, s.people_served, s.people_trained, r.overall,
                       f.status AS follow_up
                FROM visit v
                JOIN service_order o ON o.id = v.order_id
                JOIN expert_profile e ON e.id = v.expert_id
                LEFT JOIN service_log s ON s.visit_id = v.id
                LEFT JOIN rating r ON r.visit_id = v.id
                LEFT JOIN follow_up f ON f.visit_id = v.id
                WHERE substr(v.region_code, 1, 6) = k.county AND {_in_day("v.check_in_at", "k.day")}
                  AND v.status <> 'rejected'
                OFFSET 0) x
            GROUP BY 1, 2, 3, 4"""

FRESH_LEDGER = """
            SELECT k.day, k.county, x.field, x.title_level, count(*), sum(x.hours)
            FROM unnest(l_counties, l_days) k(county, day)
            CROSS JOIN LATERAL (
                SELECT o.field, e.title_level, l.hours
                FROM ledger_entry l
                JOIN expert_profile e ON e.id = l.expert_id
                LEFT JOIN visit v ON v.id = l.visit_id
                LEFT JOIN service_order o ON o.id = v.order_id
                WHERE substr(l.region_code, 1, 6) = k.county AND l.service_date = k.day AND l.status = 'counted'
                OFFSET 0) x
            GROUP BY 1, 2, 3, 4"""

# What a counted ledger row touches: its county's day cells and its expert's day.
LEDGER_KEYS = """SELECT k.kind, k.county, k.expert_id, k.day
        FROM {rows} CROSS JOIN LATERAL (VALUES
            ('l', substr(l.region_code, 1, 6), NULL::bigint, l.service_date),
            ('e', NULL, l.expert_id, l.service_date)) k(kind, county, expert_id, day)
        WHERE {where} AND l.status = 'counted';"""

QUEUE = f"""
CREATE TABLE figure_dirty (
    kind char(1) NOT NULL,
    county varchar(6),
    expert_id bigint,
    day date
);
-- Recounting a county's day reads just that day's rows.
CREATE INDEX figure_order_county_day ON service_order (substr(region_code, 1, 6), submitted_at);
CREATE INDEX figure_visit_county_day ON visit (substr(region_code, 1, 6), check_in_at);
CREATE INDEX figure_ledger_county_day ON ledger_entry (substr(region_code, 1, 6), service_date);

-- Whether each queued expert has a visit that counts on each queued day, in every group a report can
-- ask about: the groups of those days' visits get a row, then every row of the expert's year gets those
-- days' bits as the visits now say (all experts at once: a morning's check-ins queue thousands).
CREATE FUNCTION figure_refresh_presence_days(p_experts bigint[], p_days date[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS figure_presence_seen (
        expert_id bigint, year integer, digits smallint, prefix varchar, field varchar, bits bit(366)
    ) ON COMMIT DROP;
    INSERT INTO figure_presence_seen
    SELECT v.expert_id, extract(year FROM k.day)::int, g.digits, g.prefix, g.field,
           bit_or(set_bit({ZERO_BITS}, extract(doy FROM k.day)::int - 1, 1))
    FROM (SELECT DISTINCT * FROM unnest(p_experts, p_days)) k(expert_id, day)
    JOIN visit v ON v.expert_id = k.expert_id AND v.status <> 'rejected' AND {_in_day("v.check_in_at", "k.day")}
    JOIN service_order o ON o.id = v.order_id
    CROSS JOIN LATERAL figure_presence_keys(substr(v.region_code, 1, 6), o.field) g
    GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO figure_expert_presence (expert_id, year, digits, prefix, field, title_level, days)
    SELECT s.expert_id, s.year, s.digits, s.prefix, s.field, e.title_level, {ZERO_BITS}
    FROM figure_presence_seen s JOIN expert_profile e ON e.id = s.expert_id
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT DO NOTHING;
    UPDATE figure_expert_presence p SET days = x.days, title_level = x.title_level
    FROM (
        SELECT r.expert_id, r.year, r.digits, r.prefix, r.field, e.title_level,
               (r.days & ~m.mask) | COALESCE(s.bits, {ZERO_BITS}) AS days
        FROM (SELECT k.expert_id, extract(year FROM k.day)::int AS year,
                     bit_or(set_bit({ZERO_BITS}, extract(doy FROM k.day)::int - 1, 1)) AS mask
              FROM unnest(p_experts, p_days) k(expert_id, day) GROUP BY 1, 2) m
        JOIN figure_expert_presence r ON r.expert_id = m.expert_id AND r.year = m.year
        JOIN expert_profile e ON e.id = m.expert_id
        LEFT JOIN figure_presence_seen s ON s.expert_id = r.expert_id AND s.year = r.year
             AND s.digits = r.digits AND s.prefix = r.prefix AND s.field = r.field
    ) x
    WHERE p.expert_id = x.expert_id AND p.year = x.year AND p.digits = x.digits AND p.prefix = x.prefix
      AND p.field = x.field AND (p.days, p.title_level) IS DISTINCT FROM (x.days, x.title_level);
    DROP TABLE figure_presence_seen;
END $fn$;

-- Each queued expert-day's counted hours, judged again as a service day in every group (0008's
-- figure_refresh_expert_day, for all queued days at once): what figure_expert_day says the day counted
-- is taken back, what the ledger says now is counted, and the memo is brought up to date.
CREATE FUNCTION figure_refresh_expert_days(p_experts bigint[], p_days date[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
    INSERT INTO figure_expert_day (expert_id, day)
    SELECT DISTINCT * FROM unnest(p_experts, p_days) ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    CREATE TEMP TABLE IF NOT EXISTS figure_day_change (
        expert_id bigint, day date, counties varchar(6)[], fields varchar(32)[], hours numeric[],
        title_level varchar(24), sign integer
    ) ON COMMIT DROP;
    WITH k AS (
        SELECT DISTINCT * FROM unnest(p_experts, p_days) k(expert_id, day)
    ), fresh AS (
        SELECT k.expert_id, k.day, array_agg(c.county ORDER BY c.county, c.field) AS counties,
               array_agg(c.field ORDER BY c.county, c.field) AS fields,
               array_agg(c.hours ORDER BY c.county, c.field) AS hours
        FROM k CROSS JOIN LATERAL (
            SELECT substr(l.region_code, 1, 6)::varchar AS county, o.field, sum(l.hours) AS hours
            FROM ledger_entry l LEFT JOIN visit v ON v.id = l.visit_id LEFT JOIN service_order o ON o.id = v.order_id
            WHERE l.expert_id = k.expert_id AND l.service_date = k.day AND l.status = 'counted'
            GROUP BY 1, 2
            OFFSET 0) c
        GROUP BY 1, 2
    ), changed AS (
        SELECT d.expert_id, d.day, d.counties AS old_counties, d.fields AS old_fields, d.hours AS old_hours,
               d.title_level AS old_title, f.counties, f.fields, f.hours, e.title_level
        FROM k
        JOIN figure_expert_day d ON d.expert_id = k.expert_id AND d.day = k.day
        LEFT JOIN expert_profile e ON e.id = k.expert_id
        LEFT JOIN fresh f ON f.expert_id = k.expert_id AND f.day = k.day
        WHERE (d.counties, d.fields, d.hours, d.title_level)
              IS DISTINCT FROM (f.counties, f.fields, f.hours, e.title_level)
    )
    INSERT INTO figure_day_change
    SELECT expert_id, day, old_counties, old_fields, old_hours, old_title, -1 FROM changed
    WHERE old_counties IS NOT NULL
    UNION ALL
    SELECT expert_id, day, counties, fields, hours, title_level, 1 FROM changed WHERE counties IS NOT NULL
    UNION ALL
    -- A day whose memo only needs updating (its counted hours are gone, or only the title moved).
    SELECT expert_id, day, counties, fields, hours, title_level, 0 FROM changed WHERE counties IS NULL;
    INSERT INTO figure_day_cell (grain, at, digits, prefix, field, title_level, days)
    SELECT g.grain, g.at, j.digits, j.prefix, j.field, j.title_level, sum(j.sign)
    FROM (
        SELECT c.day, c.title_level, c.sign, l.digits, substr(x.county, 1, l.digits) AS prefix, '*'::varchar AS field
        FROM figure_day_change c CROSS JOIN LATERAL unnest(c.counties, c.fields, c.hours) x(county, field, hours)
        CROSS JOIN (VALUES (2), (4), (6)) l(digits)
        WHERE c.sign <> 0
        GROUP BY c.expert_id, c.day, c.title_level, c.sign, l.digits, substr(x.county, 1, l.digits)
        HAVING sum(x.hours) >= (SELECT service_day_hours FROM figure_rule)
        UNION ALL
        SELECT c.day, c.title_level, c.sign, l.digits, substr(x.county, 1, l.digits), x.field
        FROM figure_day_change c CROSS JOIN LATERAL unnest(c.counties, c.fields, c.hours) x(county, field, hours)
        CROSS JOIN (VALUES (2), (4)) l(digits)
        WHERE c.sign <> 0
        GROUP BY c.expert_id, c.day, c.title_level, c.sign, l.digits, substr(x.county, 1, l.digits), x.field
        HAVING sum(x.hours) >= (SELECT service_day_hours FROM figure_rule)
    ) j CROSS JOIN LATERAL {GRAINS.format(day="j.day")}
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(j.sign) <> 0;
    UPDATE figure_expert_day d
    SET counties = c.counties, fields = c.fields, hours = c.hours, title_level = c.title_level
    FROM figure_day_change c
    WHERE d.expert_id = c.expert_id AND d.day = c.day AND c.sign >= 0;
    DROP TABLE figure_day_change;
END $fn$;

ALTER FUNCTION figure_rollup_fold() RENAME TO figure_rollup_merge;

-- Recount what the queue names, then merge the appended rows. Rollup reads call this first.
CREATE FUNCTION figure_rollup_fold() RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    o_counties varchar[]; o_days date[];
    v_counties varchar[]; v_days date[];
    l_counties varchar[]; l_days date[];
    p_experts bigint[]; p_days date[];
    e_experts bigint[]; e_days date[];
BEGIN
    PERFORM pg_advisory_xact_lock({FOLD_LOCK});
    WITH taken AS (DELETE FROM figure_dirty RETURNING kind, county, expert_id, day),
    keys AS (SELECT DISTINCT kind, county, expert_id, day FROM taken WHERE day IS NOT NULL)
    SELECT array_agg(county ORDER BY county, day) FILTER (WHERE kind = 'o' AND county IS NOT NULL),
           array_agg(day ORDER BY county, day) FILTER (WHERE kind = 'o' AND county IS NOT NULL),
           array_agg(county ORDER BY county, day) FILTER (WHERE kind = 'v' AND county IS NOT NULL),
           array_agg(day ORDER BY county, day) FILTER (WHERE kind = 'v' AND county IS NOT NULL),
           array_agg(county ORDER BY county, day) FILTER (WHERE kind = 'l' AND county IS NOT NULL),
           array_agg(day ORDER BY county, day) FILTER (WHERE kind = 'l' AND county IS NOT NULL),
           array_agg(expert_id ORDER BY expert_id, day) FILTER (WHERE kind = 'p' AND expert_id IS NOT NULL),
           array_agg(day ORDER BY expert_id, day) FILTER (WHERE kind = 'p' AND expert_id IS NOT NULL),
           array_agg(expert_id ORDER BY expert_id, day) FILTER (WHERE kind = 'e' AND expert_id IS NOT NULL),
           array_agg(day ORDER BY expert_id, day) FILTER (WHERE kind = 'e' AND expert_id IS NOT NULL)
    INTO o_counties, o_days, v_counties, v_days, l_counties, l_days, p_experts, p_days, e_experts, e_days
    FROM keys;
    IF o_counties IS NOT NULL THEN
        {_recount("figure_order_cell", "status", ("orders",), FRESH_ORDERS, "o")}
        {_recount("figure_turnaround_cell", "metric, hours", ("orders",), FRESH_TURNAROUNDS, "o")}
    END IF;
    IF v_counties IS NOT NULL THEN
        {_recount("figure_visit_cell", "", VISIT_MEASURES, FRESH_VISITS, "v")}
    END IF;
    IF l_counties IS NOT NULL THEN
        {_recount("figure_ledger_cell", "", ("entries", "hours"), FRESH_LEDGER, "l")}
    END IF;
    IF p_experts IS NOT NULL THEN
        PERFORM figure_refresh_presence_days(p_experts, p_days);
    END IF;
    IF e_experts IS NOT NULL THEN
        PERFORM figure_refresh_expert_days(e_experts, e_days);
    END IF;
    PERFORM figure_rollup_merge();
END $fn$;

ALTER FUNCTION figure_rollup_rebuild() RENAME TO figure_rollup_recompute;

-- Everything from the source tables; what was queued before is part of it.
CREATE FUNCTION figure_rollup_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock({FOLD_LOCK});
    DELETE FROM figure_dirty;
    PERFORM figure_rollup_recompute();
END $fn$;

-- The triggers: one row appended per cell a change touches, nothing computed.
CREATE FUNCTION figure_queue_order() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO figure_dirty (kind, county, day)
        VALUES ('o', substr(OLD.region_code, 1, 6), {DAY.format(ts="OLD.submitted_at")});
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (substr(OLD.region_code, 1, 6), {DAY.format(ts="OLD.submitted_at")})
                            IS DISTINCT FROM (substr(NEW.region_code, 1, 6), {DAY.format(ts="NEW.submitted_at")})) THEN
        INSERT INTO figure_dirty (kind, county, day)
        VALUES ('o', substr(NEW.region_code, 1, 6), {DAY.format(ts="NEW.submitted_at")});
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.field IS DISTINCT FROM NEW.field THEN
        -- The order's visits and ledger rows are counted under its field.
        INSERT INTO figure_dirty (kind, county, expert_id, day)
        SELECT k.kind, k.county, k.expert_id, k.day
        FROM visit v CROSS JOIN LATERAL (VALUES
            ('v', substr(v.region_code, 1, 6), NULL::bigint, {DAY.format(ts="v.check_in_at")}),
            ('p', NULL, v.expert_id, {DAY.format(ts="v.check_in_at")})) k(kind, county, expert_id, day)
        WHERE v.order_id = NEW.id
        UNION ALL
        {LEDGER_KEYS.format(rows="ledger_entry l JOIN visit v ON v.id = l.visit_id", where="v.order_id = NEW.id")}
    END IF;
    RETURN NULL;
END $fn$;

CREATE FUNCTION figure_queue_visit() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO figure_dirty (kind, county, expert_id, day)
        VALUES ('v', substr(OLD.region_code, 1, 6), NULL, {DAY.format(ts="OLD.check_in_at")}),
               ('p', NULL, OLD.expert_id, {DAY.format(ts="OLD.check_in_at")});
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE'
            AND (substr(OLD.region_code, 1, 6), OLD.expert_id, {DAY.format(ts="OLD.check_in_at")})
            IS DISTINCT FROM (substr(NEW.region_code, 1, 6), NEW.expert_id, {DAY.format(ts="NEW.check_in_at")})) THEN
        INSERT INTO figure_dirty (kind, county, expert_id, day)
        VALUES ('v', substr(NEW.region_code, 1, 6), NULL, {DAY.format(ts="NEW.check_in_at")}),
               ('p', NULL, NEW.expert_id, {DAY.format(ts="NEW.check_in_at")});
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.order_id IS DISTINCT FROM NEW.order_id THEN
        -- Its ledger rows take the field of the new order.
        INSERT INTO figure_dirty (kind, county, expert_id, day)
        {LEDGER_KEYS.format(rows="ledger_entry l", where="l.visit_id = NEW.id")}
    END IF;
    RETURN NULL;
END $fn$;

-- service_log, rating, follow_up: their visit's cells.
CREATE FUNCTION figure_queue_visit_part() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO figure_dirty (kind, county, day)
    SELECT 'v', substr(v.region_code, 1, 6), {DAY.format(ts="v.check_in_at")}
    FROM visit v
    WHERE v.id IN ((CASE WHEN TG_OP <> 'INSERT' THEN OLD.visit_id END),
                   (CASE WHEN TG_OP <> 'DELETE' THEN NEW.visit_id END));
    RETURN NULL;
END $fn$;

-- Only counted rows count: a pending or withheld row changes no figure.
CREATE FUNCTION figure_queue_ledger() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'counted' THEN
        INSERT INTO figure_dirty (kind, county, expert_id, day)
        VALUES ('l', substr(OLD.region_code, 1, 6), NULL, OLD.service_date),
               ('e', NULL, OLD.expert_id, OLD.service_date);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'counted' THEN
        INSERT INTO figure_dirty (kind, county, expert_id, day)
        VALUES ('l', substr(NEW.region_code, 1, 6), NULL, NEW.service_date),
               ('e', NULL, NEW.expert_id, NEW.service_date);
    END IF;
    RETURN NULL;
END $fn$;

-- A new title level moves everything the expert contributed.
CREATE FUNCTION figure_queue_expert() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO figure_dirty (kind, county, expert_id, day)
    SELECT 'o', substr(region_code, 1, 6), NULL::bigint, {DAY.format(ts="submitted_at")}
    FROM service_order WHERE expert_id = NEW.id
    UNION ALL
    SELECT 'v', substr(region_code, 1, 6), NULL, {DAY.format(ts="check_in_at")} FROM visit WHERE expert_id = NEW.id
    UNION ALL
    SELECT 'l', substr(region_code, 1, 6), NULL, service_date FROM ledger_entry
    WHERE expert_id = NEW.id AND status = 'counted'
    UNION ALL
    SELECT 'e', NULL::varchar, NEW.id, day FROM figure_expert_day WHERE expert_id = NEW.id;
    UPDATE figure_expert_presence SET title_level = NEW.title_level WHERE expert_id = NEW.id;
    RETURN NULL;
END $fn$;
"""

ORDER_CHANGED = ("OLD.region_code, OLD.field, OLD.status, OLD.expert_id, OLD.submitted_at, OLD.accepted_at, "
                 "OLD.dispatched_at, OLD.first_visit_at")
VISIT_CHANGED = "OLD.status = 'rejected', OLD.check_in_at, OLD.region_code, OLD.order_id, OLD.expert_id"
LEDGER_CHANGED = "OLD.status, OLD.hours, OLD.service_date, OLD.region_code, OLD.visit_id, OLD.expert_id"
PART_CHANGED = {
    "service_log": "OLD.visit_id, OLD.problems_solved, OLD.people_served, OLD.people_trained",
    "rating": "OLD.visit_id, OLD.overall",
    "follow_up": "OLD.visit_id, OLD.status",
}


def _queue_triggers(table: str, function: str, changed: str) -> str:
    when = f"(({changed}) IS DISTINCT FROM ({changed.replace('OLD.', 'NEW.')}))"
    return f"""
CREATE TRIGGER figure_{table}_queue AFTER INSERT OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION figure_queue_{function}();
CREATE TRIGGER figure_{table}_queue_update AFTER UPDATE ON {table}
    FOR EACH ROW WHEN {when} EXECUTE FUNCTION figure_queue_{function}();
"""


TRIGGERS = (
    _queue_triggers("service_order", "order", ORDER_CHANGED)
    + _queue_triggers("visit", "visit", VISIT_CHANGED)
    + _queue_triggers("ledger_entry", "ledger", LEDGER_CHANGED)
    + "".join(_queue_triggers(table, "visit_part", changed) for table, changed in PART_CHANGED.items())
    + """
CREATE TRIGGER figure_expert_profile_queue_update AFTER UPDATE ON expert_profile
    FOR EACH ROW WHEN (OLD.title_level IS DISTINCT FROM NEW.title_level) EXECUTE FUNCTION figure_queue_expert();
"""
)

OLD_TRIGGER_TABLES = ("service_order", "visit", "ledger_entry", "service_log", "rating", "follow_up",
                      "expert_profile")
# 0008's per-write upkeep: dropped here, and not restored going back (0008's own backward step
# drops everything it made).
OLD_FUNCTIONS = ("figure_order_before()", "figure_order_after()", "figure_visit_before()", "figure_visit_after()",
                 "figure_visit_part_before()", "figure_visit_part_after()", "figure_ledger_before()",
                 "figure_ledger_after()", "figure_expert_before()", "figure_expert_after()")
NEW_FUNCTIONS = ("figure_queue_order()", "figure_queue_visit()", "figure_queue_visit_part()", "figure_queue_ledger()",
                 "figure_queue_expert()")


def _drop_triggers(suffixes: tuple[str, ...]) -> str:
    return "\n".join(f"DROP TRIGGER IF EXISTS figure_{table}_{suffix} ON {table};"
                     for table in OLD_TRIGGER_TABLES for suffix in suffixes)


FORWARD_SQL = (
    _drop_triggers(("before_update", "before_delete", "after_update", "after_insert_delete", "before_insert"))
    + "\n" + "\n".join(f"DROP FUNCTION IF EXISTS {f};" for f in OLD_FUNCTIONS)
    + QUEUE + TRIGGERS
    + "\nSELECT figure_rollup_rebuild();\n"
)

BACKWARD_SQL = (
    _drop_triggers(("queue", "queue_update"))
    + "\n" + "\n".join(f"DROP FUNCTION IF EXISTS {f};" for f in NEW_FUNCTIONS)
    + """
DROP FUNCTION IF EXISTS figure_rollup_rebuild();
ALTER FUNCTION figure_rollup_recompute() RENAME TO figure_rollup_rebuild;
DROP FUNCTION IF EXISTS figure_rollup_fold();
ALTER FUNCTION figure_rollup_merge() RENAME TO figure_rollup_fold;
DROP FUNCTION IF EXISTS figure_refresh_presence_days(bigint[], date[]);
DROP FUNCTION IF EXISTS figure_refresh_expert_days(bigint[], date[]);
DROP INDEX IF EXISTS figure_order_county_day;
DROP INDEX IF EXISTS figure_visit_county_day;
DROP INDEX IF EXISTS figure_ledger_county_day;
DROP TABLE IF EXISTS figure_dirty;
"""
)


class Migration(migrations.Migration):
    dependencies = [('models', '0008_figure_rollups')]

    initial = False

    operations = [
        postgres_only(FORWARD_SQL, BACKWARD_SQL),
    ]
