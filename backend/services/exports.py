"""Excel exports for admins, laid out the way an HR office reports.

Every export is scoped: an admin exports their own area or a region inside
it, never beyond. Rows are read from the database on the event loop, the
workbook is built in a thread (openpyxl's write-only mode, so 100k rows
stay in tens of megabytes), and more rows than `export_max_rows` are
refused with a message saying how to narrow the request.
"""

from __future__ import annotations

import asyncio
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q

from backend.config import Settings
from backend.domain import regions
from backend.domain import visits as rules
from backend.domain.roles import scope_admits
from backend.errors import AppError, Forbidden, OutOfRegion, ValidationFailed
from backend.infra.clock import CHINA, now
from backend.infra.tokens import AccessClaims
from backend.models import ExpertProfile, LedgerEntry, Region, Visit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VISIT_STATUS_LABELS = {"open": "服务中", "completed": "已完成", "flagged": "待核实", "approved": "核实通过",
                       "rejected": "核实未通过"}
VISIT_HEADERS = ("专家", "职称", "单位", "需求单号", "村", "签到", "签退", "时长(小时)", "状态", "标记")
VISIT_WIDTHS = (12, 14, 26, 10, 30, 17, 17, 11, 11, 30)
LEDGER_WIDTHS = (12, 14, 30, 12, 10, 22)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HOURS_FORMAT = "0.00"
_PLACE_LEVELS = ("county", "township", "village")


class ExportTooLarge(AppError):
    status = 422
    code = "export_too_large"
    message = "导出的记录太多，请缩小时间或区域范围后再导出"


@dataclass(frozen=True)
class Export:
    filename: str
    body: bytes


def ledger_headers(target_days: int) -> tuple[str, ...]:
    return ("姓名", "职称", "单位", "服务小时", "服务日", f"是否满 {target_days} 个工作日")


async def place_names(codes: set[str]) -> dict[str, str]:
    """Each region code as people write a place, from the county down (五常市民乐朝鲜族乡民乐村)."""
    chains: dict[str, list[str]] = {}
    for code in codes:
        if not regions.is_valid(code):
            continue
        above = [c for c in regions.ancestors(code) if regions.level_of(c) in _PLACE_LEVELS]
        chains[code] = above + [regions.normalize(code)]
    wanted = {c for chain in chains.values() for c in chain}
    names = dict(await Region.filter(code__in=wanted).values_list("code", "name")) if wanted else {}
    return {code: "".join(names[c] for c in chain if c in names) or code for code, chain in chains.items()}


def export_scope(claims: AccessClaims, region: str | None) -> str:
    """The region an export covers: the admin's own, or a region inside it they asked for."""
    if not claims.region_code:
        raise Forbidden("您没有管辖区域，不能导出")
    if not region:
        return regions.normalize(claims.region_code)
    if not regions.is_valid(region):
        raise ValidationFailed(fields={"region": "区划代码格式不正确"})
    if not scope_admits(claims.region_code, region):
        raise OutOfRegion("所选区域不在您管辖的范围内")
    return regions.normalize(region)


async def _region_name(code: str) -> str:
    region = await Region.get_or_none(code=code)
    return region.name if region else code


def _flag_label(flag: str) -> str:
    try:
        return rules.FLAG_LABELS[rules.Flag(flag)]
    except (ValueError, KeyError):
        return flag


def _check_size(settings: Settings, count: int) -> None:
    if count > settings.export_max_rows:
        raise ExportTooLarge(f"共有 {count} 条记录，超过单次导出上限 {settings.export_max_rows} 条，"
                             f"请缩小时间或区域范围后分批导出", extra={"rows": count, "limit": settings.export_max_rows})


def _local(at: datetime | None) -> datetime | None:
    """Excel has no time zones: write China time without one."""
    return at.astimezone(CHINA).replace(tzinfo=None) if at else None


# --------------------------------------------------------------------------- building workbooks (in a thread)


def _workbook(title: str, headers: tuple[str, ...], widths: tuple[int, ...], rows: list[list[Any]],
              totals: list[Any], formats: dict[int, str]) -> bytes:
    """One sheet: bold frozen header, set widths, formatted columns, a bold totals row last."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    line = Border(bottom=Side(style="thin"))
    centre = Alignment(horizontal="center", vertical="center")

    def cell(value: Any, column: int, **style: Any):
        item = WriteOnlyCell(sheet, value=value)
        if column in formats:
            item.number_format = formats[column]
        for name, setting in style.items():
            setattr(item, name, setting)
        return item

    sheet.append([cell(h, i, font=bold, fill=fill, border=line, alignment=centre) for i, h in enumerate(headers)])
    for row in rows:
        sheet.append([cell(value, i) if i in formats else value for i, value in enumerate(row)])
    sheet.append([cell(value, i, font=bold) for i, value in enumerate(totals)])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- visits


async def visits_export(settings: Settings, claims: AccessClaims, date_from: date | None, date_to: date | None,
                        region: str | None) -> Export:
    """服务记录 in an area and period (check-in date, both ends included), one row per visit."""
    scope = export_scope(claims, region)
    date_to = date_to or now().date()
    date_from = date_from or date(date_to.year, 1, 1)
    if date_from > date_to:
        raise ValidationFailed(fields={"from": "开始日期不能晚于结束日期"})
    start = datetime.combine(date_from, time.min, tzinfo=CHINA)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=CHINA)
    query = Visit.filter(region_code__startswith=regions.prefix_of(scope), check_in_at__gte=start,
                         check_in_at__lt=end)
    _check_size(settings, await query.count())
    visits = await query.order_by("check_in_at", "id").values(
        "order_id", "region_code", "check_in_at", "check_out_at", "duration_minutes", "status", "flags",
        "expert__name", "expert__title", "expert__employer")
    places = await place_names({v["region_code"] for v in visits})
    rows = []
    total_hours = Decimal(0)
    for v in visits:
        hours = (Decimal(v["duration_minutes"]) / 60).quantize(Decimal("0.01")) \
            if v["duration_minutes"] is not None else None
        total_hours += hours or 0
        flags = "、".join(_flag_label(f) for f in v["flags"] or [])
        rows.append([v["expert__name"], v["expert__title"], v["expert__employer"], v["order_id"],
                     places.get(v["region_code"], v["region_code"]), _local(v["check_in_at"]),
                     _local(v["check_out_at"]), float(hours) if hours is not None else None,
                     VISIT_STATUS_LABELS.get(v["status"], v["status"]), flags])
    totals = [f"合计（{len(rows)} 条）", None, None, None, None, None, None, float(total_hours), None, None]
    body = await asyncio.to_thread(_workbook, "服务记录", VISIT_HEADERS, VISIT_WIDTHS, rows, totals,
                                   {5: DATETIME_FORMAT, 6: DATETIME_FORMAT, 7: HOURS_FORMAT})
    name = await _region_name(scope)
    return Export(f"服务记录-{name}-{date_from.isoformat()}至{date_to.isoformat()}.xlsx", body)


# --------------------------------------------------------------------------- the year's ledger


async def ledger_export(settings: Settings, claims: AccessClaims, year: int | None, region: str | None) -> Export:
    """每位专家的年度服务时长台账.

    The rows are the experts an office answers for: those registered in the area
    (verified, or with any ledger row that year). Each row is the expert's whole
    year wherever they served, computed exactly as `/api/v1/ledger/me` does,
    because the 10-working-day rule is about the person's year, not one county's share.
    """
    scope = export_scope(claims, region)
    year = year or now().year
    prefix = regions.prefix_of(scope)
    active = LedgerEntry.filter(year=year, expert__region_code__startswith=prefix).distinct() \
        .values_list("expert_id", flat=True)
    query = ExpertProfile.filter(Q(status="verified") | Q(id__in=await active), region_code__startswith=prefix)
    _check_size(settings, await query.count())
    experts = await query.order_by("employer", "name", "id").values("id", "name", "title", "employer")
    per_day: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counted = LedgerEntry.filter(year=year, status="counted", expert__region_code__startswith=prefix) \
        .values_list("expert_id", "service_date", "hours")
    for expert_id, day, hours in await counted:
        per_day[expert_id][day] += Decimal(hours)
    target = settings.continuing_education_days
    rows = []
    total_hours, total_days, met_count = Decimal(0), 0, 0
    for e in experts:
        days_of = per_day.get(e["id"], {})
        hours = sum(days_of.values(), Decimal(0))
        days = rules.service_days(days_of, settings.service_day_hours)
        met = days >= target
        total_hours += hours
        total_days += days
        met_count += met
        rows.append([e["name"], e["title"], e["employer"], float(hours), days, "是" if met else "否"])
    totals = [f"合计（{len(rows)} 人）", None, None, float(total_hours), total_days, f"满足 {met_count} 人"]
    body = await asyncio.to_thread(_workbook, f"{year}年度服务时长", ledger_headers(target), LEDGER_WIDTHS, rows,
                                   totals, {3: HOURS_FORMAT})
    name = await _region_name(scope)
    return Export(f"专家服务时长台账-{year}-{name}.xlsx", body)
