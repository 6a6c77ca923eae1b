"""跟踪问效 figures as an Excel workbook, laid out the way an HR office reports them.

Sheets: 汇总 (one figure a row), 按地区, 按领域, 按职称 (one group a row, a bold 合计 row
last) and 专家明细. Every sheet opens with a title row naming the region and period and
keeps its header frozen. The 合计 rows are the report's totals, not sums of the rows
above: medians and service days do not add up across groups.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from backend.config import Settings
from backend.domain.order_flow import STATUS_LABELS
from backend.infra.tokens import AccessClaims
from backend.services import figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOURS = "0.00"
SHARE = "0.0%"
AVERAGE = "0.00"
TURNAROUND_LABELS = {"accept": "接单", "dispatch": "派单", "first_visit": "首次上门"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], Any]
    width: int = 10
    number_format: str | None = None


def _turnaround(name: str, label: str) -> Callable[[dict], Any]:
    return lambda f: f["turnaround_hours"][name][label]


FIGURE_COLUMNS: list[Column] = [
    Column("需求单数", lambda f: f["orders"]["total"]),
    *[Column(label, (lambda s: lambda f: f["orders"]["by_status"][s])(status.value), 9)
      for status, label in STATUS_LABELS.items()],
    *[Column(f"{text}用时中位数(小时)", _turnaround(name, "median"), 12, HOURS)
      for name, text in TURNAROUND_LABELS.items()],
    *[Column(f"{text}用时P90(小时)", _turnaround(name, "p90"), 12, HOURS) for name, text in TURNAROUND_LABELS.items()],
    Column("服务次数", lambda f: f["visits"]),
    Column("参与专家数", lambda f: f["experts"]),
    Column("服务时长(小时)", lambda f: f["service_hours"], 11, HOURS),
    Column("服务天数", lambda f: f["service_days"]),
    Column("培训人数", lambda f: f["people_trained"]),
    Column("服务人数", lambda f: f["people_served"]),
    Column("解决问题数", lambda f: f["problems_solved"]),
    Column("评价数", lambda f: f["satisfaction"]["ratings"]),
    Column("平均满意度", lambda f: f["satisfaction"]["average"], 10, AVERAGE),
    Column("满意率(4-5分)", lambda f: f["satisfaction"]["satisfied_share"], 11, SHARE),
    Column("回访未结", lambda f: f["follow_ups"]["open"]),
    Column("回访已结", lambda f: f["follow_ups"]["closed"]),
]

EXPERT_COLUMNS: list[Column] = [
    Column("姓名", lambda e: e["name"], 12),
    Column("职称", lambda e: e["title"], 14),
    Column("职称级别", lambda e: e["title_level_label"], 10),
    Column("领域", lambda e: e["field_label"], 14),
    Column("单位", lambda e: e["employer"], 28),
    Column("服务次数", lambda e: e["visits"]),
    Column("服务时长(小时)", lambda e: e["service_hours"], 11, HOURS),
    Column("服务天数", lambda e: e["service_days"]),
    Column("评价数", lambda e: e["ratings"]),
    Column("平均评分", lambda e: e["average_rating"], 10, AVERAGE),
    Column("解决问题数", lambda e: e["problems_solved"], 11),
]


def summary_rows(report: dict) -> list[tuple[str, Any, str | None]]:
    """(指标, 数值, number format) for the 汇总 sheet."""
    t = report["totals"]
    rows: list[tuple[str, Any, str | None]] = [("需求单总数", t["orders"]["total"], None)]
    rows += [(f"其中：{label}", t["orders"]["by_status"][status.value], None) for status, label in STATUS_LABELS.items()]
    for name, text in TURNAROUND_LABELS.items():
        rows.append((f"下单到{text}用时中位数(小时)", t["turnaround_hours"][name]["median"], HOURS))
        rows.append((f"下单到{text}用时P90(小时)", t["turnaround_hours"][name]["p90"], HOURS))
    rows += [
        ("服务次数", t["visits"], None), ("参与专家数", t["experts"], None),
        ("服务时长(小时)", t["service_hours"], HOURS), ("服务天数", t["service_days"], None),
        ("培训人数", t["people_trained"], None), ("服务人数", t["people_served"], None),
        ("解决问题数", t["problems_solved"], None), ("评价数", t["satisfaction"]["ratings"], None),
        ("平均满意度", t["satisfaction"]["average"], AVERAGE),
        ("满意率(4-5分)", t["satisfaction"]["satisfied_share"], SHARE),
        ("回访未结", t["follow_ups"]["open"], None), ("回访已结", t["follow_ups"]["closed"], None),
    ]
    return rows


def title_of(report: dict) -> str:
    period = report["period"]
    return f"{report['region']['name']}专家服务基层跟踪问效统计（{period['from']} 至 {period['to']}）"


def build_workbook(report: dict, experts: list[dict]) -> bytes:
    """The workbook's bytes. CPU-bound: call it through `asyncio.to_thread`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="DDEBF7")
    line = Border(bottom=Side(style="thin"))
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    title = title_of(report)

    def start(sheet, headers: list[str], widths: list[int]) -> None:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet["A1"].font = title_font
        sheet.row_dimensions[1].height = 24
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font, cell.fill, cell.border, cell.alignment = bold, fill, line, wrap
        sheet.row_dimensions[2].height = 32
        for index, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "B3"

    def put(sheet, values: list[Any], formats: list[str | None], is_total: bool = False) -> None:
        sheet.append(values)
        for cell, number_format in zip(sheet[sheet.max_row], formats):
            if number_format:
                cell.number_format = number_format
            if is_total:
                cell.font = bold

    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    start(summary, ["指标", "数值"], [30, 14])
    for label, value, number_format in summary_rows(report):
        put(summary, [label, value], [None, number_format])
    summary.append([])
    summary.append([f"统计口径：{report['basis']['text']}；{report['day_rule']}。"])

    breakdowns = (("按地区", "地区", report["by_region"]), ("按领域", "领域", report["by_field"]),
                  ("按职称", "职称级别", report["by_title_level"]))
    formats = [None] + [c.number_format for c in FIGURE_COLUMNS]
    for sheet_name, first, rows in breakdowns:
        sheet = workbook.create_sheet(sheet_name)
        start(sheet, [first] + [c.header for c in FIGURE_COLUMNS], [22] + [c.width for c in FIGURE_COLUMNS])
        for row in rows:
            put(sheet, [row["label"]] + [c.value(row["figures"]) for c in FIGURE_COLUMNS], formats)
        put(sheet, ["合计"] + [c.value(report["totals"]) for c in FIGURE_COLUMNS], formats, is_total=True)

    sheet = workbook.create_sheet("专家明细")
    start(sheet, ["序号"] + [c.header for c in EXPERT_COLUMNS], [6] + [c.width for c in EXPERT_COLUMNS])
    expert_formats = [None] + [c.number_format for c in EXPERT_COLUMNS]
    for index, expert in enumerate(experts, 1):
        put(sheet, [index] + [c.value(expert) for c in EXPERT_COLUMNS], expert_formats)
    t = report["totals"]
    put(sheet, ["合计", f"{len(experts)} 人", None, None, None, None, t["visits"], t["service_hours"],
                t["service_days"], t["satisfaction"]["ratings"], t["satisfaction"]["average"], t["problems_solved"]],
        expert_formats, is_total=True)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Export:
    filename: str
    fallback: str
    body: bytes


async def export(settings: Settings, claims: AccessClaims, date_from: date | None, date_to: date | None,
                 region: str | None) -> Export:
    """The report and the experts' figures for an area and period, as one workbook."""
    report = await figures.report(settings, claims, date_from, date_to, region)
    scope = report["region"]["code"]
    period = figures.Period(date.fromisoformat(report["period"]["from"]), date.fromisoformat(report["period"]["to"]))
    experts = await figures.expert_rows(settings, scope, period)
    body = await asyncio.to_thread(build_workbook, report, experts)
    span = f"{period.start.isoformat()}至{period.end.isoformat()}"
    return Export(f"跟踪问效统计-{report['region']['name']}-{span}.xlsx",
                  f"figures-{scope}-{period.start.isoformat()}-{period.end.isoformat()}.xlsx", body)
