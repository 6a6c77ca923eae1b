"""The turnaround cells of migration 0008 go: the figures take turnaround percentiles from the orders.

Durations are to the second, so the cells held about one row per order and metric: for a
province's year of bench data, 2.2 million rows and 739 MB, more than all other rollups
together, and ranking them was slower than percentile_cont over the orders, which
figures.py uses. Nothing reads them any more, so:
- figure_rollup_fold() no longer recounts them, figure_rollup_merge() no longer merges them and
  figure_rollup_recompute() (what figure_rollup_rebuild() runs) no longer builds them;
- the order trigger no longer queues a change that only moved accepted_at, dispatched_at or
  first_visit_at, which only the turnaround cells read;
- 0008's per-write functions, unused since 0009 took their triggers away, are dropped: one of
  them wrote to the dropped table.
Going back restores all of it and rebuilds the rollups.

The function texts are taken from migrations 0008 and 0009, which never change, so the two
versions cannot drift apart.
"""

from importlib import import_module

from tortoise import migrations

from backend.migrations._postgres import postgres_only

rollups = import_module("backend.migrations.0008_figure_rollups")
queue = import_module("backend.migrations.0009_figure_queue")

TABLE = "figure_turnaround_cell"
# 0008's per-write helpers that 0009 left without a caller.
UNUSED = ("figure_apply_orders(bigint[], integer, boolean, boolean)", "figure_mark_presence(bigint)",
          "figure_apply_visits(bigint[], integer)", "figure_apply_ledger(bigint[], integer)",
          "figure_refresh_presence(bigint, date, varchar, varchar)", "figure_refresh_visit_presence(bigint)",
          "figure_count_day(date, varchar[], varchar[], numeric[], varchar, integer)",
          "figure_refresh_expert_day(bigint, date)", "figure_refresh_ledger_days(bigint[])")
ORDER_CHANGED = "OLD.region_code, OLD.field, OLD.status, OLD.expert_id, OLD.submitted_at"


def _function(sql: str, name: str) -> str:
    """The CREATE FUNCTION statement for `name` in `sql`, as CREATE OR REPLACE."""
    start = sql.index(f"CREATE FUNCTION {name}(")
    body = sql.index("$fn$", start)
    end = sql.index("$fn$;", body + len("$fn$")) + len("$fn$;")
    return "CREATE OR REPLACE" + sql[start + len("CREATE"):end]


def _without(text: str, part: str) -> str:
    if text.count(part) != 1:
        raise RuntimeError(f"expected the text to hold this part once: {part[:80]!r}")
    return text.replace(part, "")


def _renamed(text: str, old: str, new: str) -> str:
    if text.count(f"FUNCTION {old}(") != 1:
        raise RuntimeError(f"expected one header for {old}")
    return text.replace(f"FUNCTION {old}(", f"FUNCTION {new}(")


OLD_FOLD = _function(queue.QUEUE, "figure_rollup_fold")
OLD_MERGE = _renamed(_function(rollups.FOLD, "figure_rollup_fold"), "figure_rollup_fold", "figure_rollup_merge")
OLD_RECOMPUTE = _renamed(_function(rollups.REBUILD, "figure_rollup_rebuild"), "figure_rollup_rebuild",
                         "figure_rollup_recompute")

NEW_FOLD = _without(OLD_FOLD, queue._recount(TABLE, "metric, hours", ("orders",), queue.FRESH_TURNAROUNDS, "o"))
NEW_MERGE = _without(OLD_MERGE, rollups._fold(TABLE))
NEW_RECOMPUTE = _without(
    _without(OLD_RECOMPUTE, rollups._upsert(TABLE, f"{rollups.CELL_KEY}, metric, hours, orders",
                                            f"{rollups.CELL_KEY}, metric, hours", ("orders",),
                                            rollups.TURNAROUND_CELLS.format(sign="1", where="true")) + ";"),
    f"{TABLE}, ")


def _order_trigger(changed: str) -> str:
    return ("DROP TRIGGER IF EXISTS figure_service_order_queue ON service_order;\n"
            "DROP TRIGGER IF EXISTS figure_service_order_queue_update ON service_order;\n"
            + queue._queue_triggers("service_order", "order", changed))


def _table() -> str:
    start = rollups.TABLES.index(f"CREATE TABLE {TABLE} (")
    table = rollups.TABLES[start:rollups.TABLES.index(");", start) + 2]
    indexes = [line for line in rollups.CELL_INDEXES.splitlines() if f" ON {TABLE} " in line]
    return "\n".join([table, *indexes])


FORWARD_SQL = "\n".join([
    NEW_FOLD, NEW_MERGE, NEW_RECOMPUTE, _order_trigger(ORDER_CHANGED),
    *(f"DROP FUNCTION IF EXISTS {name};" for name in UNUSED),
    f"DROP TABLE IF EXISTS {TABLE};",
])

BACKWARD_SQL = "\n".join([
    _table(), OLD_MERGE, OLD_RECOMPUTE, OLD_FOLD, _order_trigger(queue.ORDER_CHANGED),
    *(_function(rollups.FUNCTIONS, name.split("(")[0]) for name in UNUSED),
    "SELECT figure_rollup_rebuild();",
])


class Migration(migrations.Migration):
    dependencies = [('models', '0009_figure_queue')]

    initial = False

    operations = [
        postgres_only(FORWARD_SQL, BACKWARD_SQL),
    ]
