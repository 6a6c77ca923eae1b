"""The service-hours ledger: rows derived from visits, and each expert's year in hours and days.

Only verified service counts. A visit's hours are `counted` once it is not
flagged (or an admin approved it) and the requester rated it 3 or more, or
a follow-up (回访) approved them; `withheld` when the visit was rejected or a
follow-up withheld them; `pending` otherwise. Every row keeps its source.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from backend.config import Settings
from backend.domain import visits as rules
from backend.errors import NotFound
from backend.infra.clock import CHINA, now
from backend.infra.tokens import AccessClaims
from backend.models import LedgerEntry, Visit
from backend.services.order_views import expert_profile_of

async def record_visit(visit: Visit, conn) -> None:
    """(Re)write the rows of one checked-out visit: one per calendar day it touches."""
    if visit.check_out_at is None:
        return
    from backend.models import FollowUp, Rating

    await LedgerEntry.filter(visit_id=visit.id).exclude(source="adjustment").using_db(conn).delete()
    rating = await Rating.filter(visit_id=visit.id).using_db(conn).first()
    follow_up = await FollowUp.filter(visit_id=visit.id).using_db(conn).first()
    status = rules.hours_status(visit.status, rating.overall if rating else None,
                           (follow_up.status, follow_up.decision) if follow_up else None)
    rows = [
        LedgerEntry(expert_id=visit.expert_id, visit_id=visit.id, service_date=day, year=day.year, hours=hours,
                    source=visit.source, status=status, region_code=visit.region_code)
        for day, hours in rules.hours_by_day(visit.check_in_at, visit.check_out_at, CHINA)
    ]
    if rows:
        await LedgerEntry.bulk_create(rows, using_db=conn)


async def year_summary(settings: Settings, expert_id: int, year: int) -> dict:
    """Hours, service days and progress toward the year's continuing-education days."""
    rows = await LedgerEntry.filter(expert_id=expert_id, year=year, status="counted") \
        .values_list("service_date", "hours")
    per_day: dict[date, Decimal] = defaultdict(Decimal)
    for day, hours in rows:
        per_day[day] += Decimal(hours)
    pending = await LedgerEntry.filter(expert_id=expert_id, year=year, status="pending").values_list("hours", flat=True)
    days = rules.service_days(per_day, settings.service_day_hours)
    target = settings.continuing_education_days
    return {
        "year": year,
        "hours": float(sum(per_day.values(), Decimal(0))),
        "service_days": days,
        "pending_hours": float(sum((Decimal(h) for h in pending), Decimal(0))),
        "target_days": target,
        "progress": min(1.0, round(days / target, 4)) if target else 1.0,
        "continuing_education_met": days >= target,
        "day_rule": f"一个自然日内核实服务满 {settings.service_day_hours:g} 小时计 1 个服务日",
        "visits": await Visit.filter(expert_id=expert_id, ledger_entries__year=year,
                                     ledger_entries__status="counted").distinct().count(),
    }


async def my_year(settings: Settings, claims: AccessClaims, year: int | None) -> dict:
    """The calling expert's own year."""
    profile = await expert_profile_of(claims.user_id)
    if profile is None:
        raise NotFound("请先完善专家资料", code="expert_profile_missing")
    return await year_summary(settings, profile.id, year or now().year)
