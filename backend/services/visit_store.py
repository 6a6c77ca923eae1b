"""Where check-in reads and writes: two SQL statements on PostgreSQL, the ORM elsewhere.

Check-in is the hottest write (a county's experts arrive at nine in the
morning), so on PostgreSQL it is one read (the order's site and status and
the caller's assignment) and one data-modifying statement that writes the
visit, moves the order to 服务中 when it is not there yet, and writes both
audit records, atomically and without a client-side transaction. SQLite,
the embedded default, takes the ORM path with the same outcomes; the API
tests run against both.

The rules (which statuses allow a scan, which transition the first visit
makes) come from `order_flow`, never from the SQL text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain.order_flow import TRANSITIONS, Action, OrderStatus
from backend.infra.db import is_postgres, raw_connection
from backend.models import AuditRecord, Order, OrderAssignee, Visit


@dataclass(frozen=True)
class ScanTarget:
    """What a scan needs to know of the order, and the caller's expert profile if they are assigned to it."""

    status: str
    latitude: float
    longitude: float
    expert_id: int | None


@dataclass(frozen=True)
class NewVisit:
    order_id: int
    user_id: int
    role: str
    at: datetime
    jti: str
    latitude: float | None
    longitude: float | None
    accuracy: float | None
    distance_m: int | None
    flags: list[str]

    def audit_detail(self) -> dict:
        return {"order_id": self.order_id, "flags": self.flags}


@dataclass(frozen=True)
class Written:
    """What the check-in wrote, or found in its way.

    visit_id: the new visit (None when nothing was written); expert_id: the caller's expert profile if they
    are assigned to the order; order_status: the order's status (None: no such order).
    """

    visit_id: int | None
    expert_id: int | None
    order_status: str | None


_START = TRANSITIONS[Action.START_SERVICE]


def _system_move_audit(*, action: str, target: str, at: str) -> str:
    """The audit row of the order's system move (CTEs `o` and `moved`), as every statement here writes it."""
    return f"""\
    INSERT INTO audit_record (actor_id, actor_role, action, subject_type, subject_id, region_code, from_state,
                              to_state, detail, created_at)
    SELECT NULL::bigint, 'system', {action}, 'order', o.id::text, o.region_code, moved.from_state, {target},
           NULL::jsonb, {at}
    FROM o, moved"""


_PG_TARGET = """
SELECT o.status, o.latitude, o.longitude,
       (SELECT a.expert_id FROM order_assignee a JOIN expert_profile e ON e.id = a.expert_id
        WHERE a.order_id = o.id AND e.user_id = $2 LIMIT 1) AS expert_id
FROM service_order o WHERE o.id = $1
"""

# The caller's assignment is looked up here, so a scan whose site is known needs no read before it.
# The order row is locked first, so a concurrent transition of the same order waits (or is waited for)
# and the START_SERVICE move reads the status it replaces. ON CONFLICT covers both unique keys: the code
# (a retried scan) and open_key (one open visit per expert and order); then nothing else is written.
# $1 order, $2 caller's user id, $3 time, $4 code jti, $5-$8 position and distance, $9 flags, $10 caller's
# role, $11 statuses that allow a scan, $12 START_SERVICE's target, $13 its sources, $14 its action, $15 detail.
_PG_CHECK_IN = f"""
WITH a AS (
    SELECT a.expert_id FROM order_assignee a JOIN expert_profile e ON e.id = a.expert_id
    WHERE a.order_id = $1 AND e.user_id = $2 LIMIT 1
), o AS (
    SELECT id, status, region_code FROM service_order
    WHERE id = $1 AND status = ANY($11::text[]) AND EXISTS (SELECT 1 FROM a) FOR UPDATE
), v AS (
    INSERT INTO visit (order_id, expert_id, source, status, check_in_at, check_in_code, open_key,
                       in_latitude, in_longitude, in_accuracy, in_distance_m, flags, region_code, created_at)
    SELECT o.id, a.expert_id, 'scan', 'open', $3, $4, o.id || ':' || a.expert_id, $5, $6, $7, $8, $9::jsonb,
           o.region_code, $3
    FROM o, a
    ON CONFLICT DO NOTHING
    RETURNING id
), moved AS (
    UPDATE service_order s
    SET status = $12, version = s.version + 1, first_visit_at = COALESCE(s.first_visit_at, $3), updated_at = $3
    FROM o, v
    WHERE s.id = o.id AND o.status = ANY($13::text[])
    RETURNING o.status AS from_state
), audit AS (
{_system_move_audit(action="$14", target="$12", at="$3")}
    UNION ALL
    SELECT $2::bigint, $10, 'check_in', 'visit', v.id::text, o.region_code, NULL, NULL, $15::jsonb, $3
    FROM o, v
)
SELECT (SELECT id FROM v) AS visit_id, (SELECT expert_id FROM a) AS expert_id,
       COALESCE((SELECT status FROM o), (SELECT status FROM service_order WHERE id = $1)) AS order_status
"""


async def check_in_target(order_id: int, user_id: int) -> ScanTarget | None:
    if is_postgres():
        async with raw_connection() as conn:
            row = await conn.fetchrow(_PG_TARGET, order_id, user_id)
        return ScanTarget(row["status"], row["latitude"], row["longitude"], row["expert_id"]) if row else None
    order = await Order.get_or_none(id=order_id)
    if order is None:
        return None
    assignment = await OrderAssignee.filter(order_id=order_id, expert__user_id=user_id).first()
    return ScanTarget(order.status, order.latitude, order.longitude, assignment.expert_id if assignment else None)


def check_in_statement(visit: NewVisit, allowed: set[OrderStatus]) -> tuple:
    """The PostgreSQL check-in statement and its arguments (the bench runs it on its own too)."""
    return (_PG_CHECK_IN, visit.order_id, visit.user_id, visit.at, visit.jti, visit.latitude, visit.longitude,
            visit.accuracy, visit.distance_m, json.dumps(visit.flags), visit.role, [s.value for s in allowed],
            _START.target.value, [s.value for s in _START.sources], Action.START_SERVICE.value,
            json.dumps(visit.audit_detail(), ensure_ascii=False))


async def insert_check_in(settings: Settings, visit: NewVisit, allowed: set[OrderStatus]) -> Written:
    """Write the visit if the caller is assigned, the order still allows a scan and no unique key is taken."""
    if is_postgres():
        async with raw_connection() as conn:
            row = await conn.fetchrow(*check_in_statement(visit, allowed))
        return Written(row["visit_id"], row["expert_id"], row["order_status"])
    return await _orm_check_in(settings, visit, allowed)


async def _orm_check_in(settings: Settings, new: NewVisit, allowed: set[OrderStatus]) -> Written:
    from backend.services import orders

    expert_id = None
    try:
        async with in_transaction() as conn:
            order = await Order.filter(id=new.order_id).using_db(conn).first()
            assignment = await OrderAssignee.filter(order_id=new.order_id, expert__user_id=new.user_id) \
                .using_db(conn).first()
            expert_id = assignment.expert_id if assignment else None
            if order is None or expert_id is None or OrderStatus(order.status) not in allowed:
                return Written(None, expert_id, order.status if order else None)
            visit = await Visit.create(
                using_db=conn, order_id=new.order_id, expert_id=expert_id, source="scan", status="open",
                check_in_at=new.at, check_in_code=new.jti, open_key=f"{new.order_id}:{expert_id}",
                in_latitude=new.latitude,
                in_longitude=new.longitude, in_accuracy=new.accuracy, in_distance_m=new.distance_m,
                flags=new.flags, region_code=order.region_code)
            if OrderStatus(order.status) in _START.sources:
                await orders.system_transition(settings, order.id, Action.START_SERVICE, conn=conn,
                                               changes={"first_visit_at": order.first_visit_at or new.at})
            await AuditRecord.create(using_db=conn, actor_id=new.user_id, actor_role=new.role, action="check_in",
                                     subject_type="visit", subject_id=str(visit.id), region_code=order.region_code,
                                     detail=new.audit_detail())
    except IntegrityError:
        return Written(None, expert_id, order.status)
    return Written(visit.id, expert_id, order.status)


# --------------------------------------------------------------------------- check-out


@dataclass(frozen=True)
class OpenVisit:
    """A visit as check-out sees it: its own columns, the order's site, and whose it is."""

    id: int
    order_id: int
    expert_id: int
    owner_user_id: int
    source: str
    status: str
    check_in_at: datetime
    check_out_at: datetime | None
    duration_minutes: int | None
    in_latitude: float | None
    in_longitude: float | None
    in_accuracy: float | None
    in_distance_m: int | None
    out_distance_m: int | None
    check_out_code: str | None
    flags: list[str]
    review_reason: str | None
    region_code: str
    site: tuple[float, float]


@dataclass(frozen=True)
class Departure:
    """What check-out writes: the visit's closing columns and the ledger rows of the days it touched."""

    visit_id: int
    user_id: int
    role: str
    at: datetime
    status: str
    jti: str | None
    flags: list[str]
    duration_minutes: int
    latitude: float | None
    longitude: float | None
    accuracy: float | None
    distance_m: int | None
    days: list[tuple]  # (date, Decimal hours)
    ledger_status: str

    def audit_detail(self, order_id: int) -> dict:
        return {"order_id": order_id, "flags": self.flags, "minutes": self.duration_minutes}


_FINISH = TRANSITIONS[Action.FINISH_SERVICE]

_PG_VISIT = """
SELECT v.id, v.order_id, v.expert_id, e.user_id AS owner_user_id, v.source, v.status, v.check_in_at,
       v.check_out_at, v.duration_minutes, v.in_latitude, v.in_longitude, v.in_accuracy, v.in_distance_m,
       v.out_distance_m, v.check_out_code, v.flags, v.review_reason, v.region_code,
       o.latitude AS site_latitude, o.longitude AS site_longitude
FROM visit v JOIN service_order o ON o.id = v.order_id JOIN expert_profile e ON e.id = v.expert_id
WHERE v.id = $1
"""

# Closes the visit only if it is still open, writes its ledger rows, and ends the order's service when no
# other visit of it stays open (the visit's own row is still open in this statement's snapshot, hence id <> $1).
_PG_CHECK_OUT = f"""
WITH v AS (
    UPDATE visit SET status = $2, check_out_at = $3, open_key = NULL, check_out_code = $4, flags = $5::jsonb,
                     duration_minutes = $6, out_latitude = $7, out_longitude = $8, out_accuracy = $9,
                     out_distance_m = $10
    WHERE id = $1 AND status = 'open'
    RETURNING id, order_id, expert_id, source, region_code
), ledger AS (
    INSERT INTO ledger_entry (expert_id, visit_id, service_date, year, hours, source, status, region_code,
                              created_at)
    SELECT v.expert_id, v.id, d.day, EXTRACT(YEAR FROM d.day)::int, d.hours, v.source, $11, v.region_code, $3
    FROM v, unnest($12::date[], $13::numeric[]) AS d(day, hours)
), o AS (
    SELECT s.id, s.status, s.region_code FROM service_order s JOIN v ON s.id = v.order_id FOR UPDATE OF s
), moved AS (
    UPDATE service_order s SET status = $14, version = s.version + 1, updated_at = $3
    FROM o
    WHERE s.id = o.id AND o.status = ANY($15::text[])
      AND NOT EXISTS (SELECT 1 FROM visit x WHERE x.order_id = o.id AND x.status = 'open' AND x.id <> $1)
    RETURNING o.status AS from_state
), audit AS (
{_system_move_audit(action="$16", target="$14", at="$3")}
    UNION ALL
    SELECT $17::bigint, $18, 'check_out', 'visit', v.id::text, v.region_code, NULL, NULL,
           jsonb_build_object('order_id', v.order_id, 'flags', $5::jsonb, 'minutes', $6::int), $3
    FROM v
)
SELECT (SELECT id FROM v) AS visit_id, (SELECT order_id FROM v) AS order_id,
       EXISTS (SELECT 1 FROM moved) AS moved, EXISTS (SELECT 1 FROM o WHERE o.status = ANY($15::text[])) AS finishable
"""

# Run after a check-out that closed its visit but saw another visit of the order still open. That visit
# may have been closed by a check-out running at the same moment, each statement seeing the other's visit
# open in its snapshot. This statement starts after the caller's check-out committed, so of two such
# check-outs the later one sees both closed and ends the service.
_PG_FINISH_IF_DONE = f"""
WITH o AS (
    SELECT id, status, region_code FROM service_order WHERE id = $1 AND status = ANY($4::text[]) FOR UPDATE
), moved AS (
    UPDATE service_order s SET status = $3, version = s.version + 1, updated_at = $2
    FROM o
    WHERE s.id = o.id AND NOT EXISTS (SELECT 1 FROM visit x WHERE x.order_id = o.id AND x.status = 'open')
    RETURNING o.status AS from_state
)
{_system_move_audit(action="$5", target="$3", at="$2")}
"""


async def visit_for_check_out(visit_id: int) -> OpenVisit | None:
    if is_postgres():
        async with raw_connection() as conn:
            row = await conn.fetchrow(_PG_VISIT, visit_id)
        if row is None:
            return None
        values = dict(row)
        flags = values["flags"]
        values["flags"] = json.loads(flags) if isinstance(flags, str) else list(flags)
        values["site"] = (values.pop("site_latitude"), values.pop("site_longitude"))
        return OpenVisit(**values)
    visit = await Visit.get_or_none(id=visit_id).select_related("expert", "order")
    if visit is None:
        return None
    return OpenVisit(
        id=visit.id, order_id=visit.order_id, expert_id=visit.expert_id, owner_user_id=visit.expert.user_id,
        source=visit.source, status=visit.status, check_in_at=visit.check_in_at, check_out_at=visit.check_out_at,
        duration_minutes=visit.duration_minutes, in_latitude=visit.in_latitude, in_longitude=visit.in_longitude,
        in_accuracy=visit.in_accuracy, in_distance_m=visit.in_distance_m, out_distance_m=visit.out_distance_m,
        check_out_code=visit.check_out_code, flags=list(visit.flags), review_reason=visit.review_reason,
        region_code=visit.region_code, site=(visit.order.latitude, visit.order.longitude))


async def close_visit(settings: Settings, visit: OpenVisit, out: Departure) -> bool:
    """Write the check-out if the visit is still open; False when somebody closed it first."""
    if is_postgres():
        async with raw_connection() as conn:
            row = await conn.fetchrow(
                _PG_CHECK_OUT, visit.id, out.status, out.at, out.jti, json.dumps(out.flags), out.duration_minutes,
                out.latitude, out.longitude, out.accuracy, out.distance_m, out.ledger_status,
                [day for day, _ in out.days], [hours for _, hours in out.days], _FINISH.target.value,
                [s.value for s in _FINISH.sources], Action.FINISH_SERVICE.value, out.user_id, out.role)
            if row["visit_id"] is not None and row["finishable"] and not row["moved"]:
                await conn.execute(_PG_FINISH_IF_DONE, row["order_id"], out.at, _FINISH.target.value,
                                   [s.value for s in _FINISH.sources], Action.FINISH_SERVICE.value)
        return row["visit_id"] is not None
    return await _orm_close_visit(settings, visit, out)


async def _orm_close_visit(settings: Settings, visit: OpenVisit, out: Departure) -> bool:
    from backend.services import ledger, orders

    async with in_transaction() as conn:
        updated = await Visit.filter(id=visit.id, status="open").using_db(conn).update(
            status=out.status, check_out_at=out.at, open_key=None, check_out_code=out.jti, flags=out.flags,
            duration_minutes=out.duration_minutes, out_latitude=out.latitude, out_longitude=out.longitude,
            out_accuracy=out.accuracy, out_distance_m=out.distance_m)
        if not updated:
            return False
        await ledger.record_visit(await Visit.get(id=visit.id).using_db(conn), conn)
        order = await Order.filter(id=visit.order_id).using_db(conn).first()
        still_open = await Visit.filter(order_id=visit.order_id, status="open").using_db(conn).exists()
        if not still_open and OrderStatus(order.status) in _FINISH.sources:
            await orders.system_transition(settings, order.id, Action.FINISH_SERVICE, conn=conn)
        await AuditRecord.create(using_db=conn, actor_id=out.user_id, actor_role=out.role, action="check_out",
                                 subject_type="visit", subject_id=str(visit.id), region_code=visit.region_code,
                                 detail=out.audit_detail(visit.order_id))
    return True
