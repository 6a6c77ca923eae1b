"""Experts counted per year and group, so a period that holds the whole year's visits needs no scan.

"Experts involved" is a distinct count, so the rollups keep one row per expert, year and group in
figure_expert_presence with a bit per day (0008). A province's year to date read some 290,000 of
those rows and tested each against the period: about 500 ms of PostgreSQL CPU, the largest part
of the yearly report once the turnarounds came from packed samples (0015).

Two small tables now follow figure_expert_presence, kept by statement triggers on it (whichever
function writes it: the fold, the title-level trigger of expert_profile, the rebuild):
- figure_expert_count: per year, group and title level, the presence rows with any day set;
- figure_presence_year: per year, every day any presence row has ever had set (bits are only added,
  so it can hold more days than the rows now do, never fewer).
When the period lies in one year and holds every day of figure_presence_year's row (a year to date
does: no visit is checked in tomorrow), every row's days lie in the period, so a row has a day in
the period exactly when it has any day, and figure_expert_count is the answer
(figure_rollups.experts). Any other period reads the presence rows as before.

figure_rollup_rebuild() recomputes both from figure_expert_presence after the other rollups (its
TRUNCATE fires no trigger). Going back drops them and restores 0015's rebuild.
"""

from importlib import import_module

from tortoise import migrations

from backend.migrations._postgres import postgres_only

samples = import_module("backend.migrations.0015_turnaround_samples")

KEY = "year, digits, prefix, field, title_level"

CREATE = f"""
CREATE TABLE figure_expert_count (
    year integer NOT NULL, digits smallint NOT NULL, prefix varchar(6) NOT NULL, field varchar(32) NOT NULL,
    title_level varchar(24), experts integer NOT NULL
);
CREATE UNIQUE INDEX figure_expert_count_key ON figure_expert_count ({KEY}) NULLS NOT DISTINCT;
CREATE TABLE figure_presence_year (year integer PRIMARY KEY, days bit(366) NOT NULL);

-- Presence rows in and out of the count (a row counts while any of its days is set), and new days
-- into the year's days. Keys are written in order, so concurrent writers wait rather than deadlock.
CREATE FUNCTION figure_count_presence() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO figure_expert_count AS c ({KEY}, experts)
        SELECT {KEY}, count(*) FROM new_rows WHERE bit_count(days) > 0
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({KEY}) DO UPDATE SET experts = c.experts + EXCLUDED.experts;
    ELSE
        INSERT INTO figure_expert_count AS c ({KEY}, experts)
        SELECT {KEY}, sum(n) FROM (
            SELECT {KEY}, -1 AS n FROM old_rows WHERE bit_count(days) > 0
            UNION ALL
            SELECT {KEY}, 1 FROM new_rows WHERE bit_count(days) > 0) x
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({KEY}) DO UPDATE SET experts = c.experts + EXCLUDED.experts;
    END IF;
    INSERT INTO figure_presence_year AS y (year, days)
    SELECT year, bit_or(days) FROM new_rows GROUP BY 1 ORDER BY 1
    ON CONFLICT (year) DO UPDATE SET days = y.days | EXCLUDED.days WHERE (y.days | EXCLUDED.days) <> y.days;
    RETURN NULL;
END $fn$;
CREATE TRIGGER figure_expert_presence_count_insert AFTER INSERT ON figure_expert_presence
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION figure_count_presence();
CREATE TRIGGER figure_expert_presence_count_update AFTER UPDATE ON figure_expert_presence
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION figure_count_presence();

CREATE FUNCTION figure_expert_count_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM figure_expert_count;
    DELETE FROM figure_presence_year;
    INSERT INTO figure_expert_count ({KEY}, experts)
    SELECT {KEY}, count(*) FROM figure_expert_presence WHERE bit_count(days) > 0 GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO figure_presence_year (year, days)
    SELECT year, bit_or(days) FROM figure_expert_presence GROUP BY 1;
END $fn$;
"""

REBUILD = samples._replaced(samples.REBUILD, "PERFORM figure_turnaround_rebuild();",
                            "PERFORM figure_turnaround_rebuild();\n    PERFORM figure_expert_count_rebuild();")

FORWARD_SQL = "\n".join([CREATE, REBUILD, "SELECT figure_expert_count_rebuild();"])

BACKWARD_SQL = "\n".join([
    samples.REBUILD,
    "DROP TRIGGER IF EXISTS figure_expert_presence_count_insert ON figure_expert_presence;",
    "DROP TRIGGER IF EXISTS figure_expert_presence_count_update ON figure_expert_presence;",
    "DROP FUNCTION IF EXISTS figure_count_presence();",
    "DROP FUNCTION IF EXISTS figure_expert_count_rebuild();",
    "DROP TABLE IF EXISTS figure_expert_count;",
    "DROP TABLE IF EXISTS figure_presence_year;",
])


class Migration(migrations.Migration):
    dependencies = [('models', '0015_turnaround_samples')]

    initial = False

    operations = [
        postgres_only(FORWARD_SQL, BACKWARD_SQL),
    ]
