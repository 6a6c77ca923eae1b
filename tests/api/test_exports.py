"""Excel exports for HR offices: Chinese headers, a frozen header row, totals that match the API, scope kept."""

import io
from datetime import datetime, timedelta
from urllib.parse import quote

import openpyxl
import pytest

from backend.domain.roles import Role
from backend.infra.clock import CHINA, frozen
from backend.models import ExpertProfile
from support.auth import bearer
from support.factories import FANGZHENG, PROVINCE, WUCHANG, admin_tokens, expert_tokens, scheduled_order
from test_certificates import BOOKED_AT, SERVED_AT, serve

VISIT_HEADERS = ["专家", "职称", "单位", "需求单号", "村", "签到", "签退", "时长(小时)", "状态", "标记"]
LEDGER_HEADERS = ["姓名", "职称", "单位", "服务小时", "服务日", "是否满 10 个工作日"]
PERIOD = {"from": "2026-06-01", "to": "2026-06-30"}


@pytest.fixture
async def served(client):
    """An expert with two rated visits in June 2026: 5 hours, then 3 hours the next day."""
    with frozen(BOOKED_AT):
        booked = await scheduled_order(client)
    await ExpertProfile.filter(id=booked["expert_id"]).update(name="王丰收")
    await serve(client, booked, SERVED_AT, 5)
    await serve(client, booked, SERVED_AT + timedelta(days=1), 3)
    return booked


def sheet_of(body: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return workbook[workbook.sheetnames[0]]


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def export(client, tokens, name, params):
    _, response = await client.get(f"/api/v1/exports/{name}", params=params, headers=bearer(tokens))
    return response


async def test_the_visits_export_reads_like_an_hr_office_report(client, served):
    response = await export(client, served["county"], "visits.xlsx", PERIOD)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" + quote("服务记录-五常市", safe="") in response.headers["content-disposition"]
    sheet = sheet_of(response.content)
    rows = rows_of(sheet)
    assert rows[0] == VISIT_HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 20
    first = rows[1]
    assert first[0] == "王丰收"
    assert first[1] == "高级农艺师"
    assert first[3] == served["order"]["id"]
    assert "民乐村" in first[4]
    assert first[5] == datetime(2026, 6, 10, 9, 0)
    assert sheet.cell(row=2, column=6).number_format == "yyyy-mm-dd hh:mm"
    assert first[7] == 5.0
    assert first[8] == "已完成"
    assert rows[2][7] == 3.0
    assert rows[-1][0] == "合计（2 条）"
    assert rows[-1][7] == 8.0
    assert len(rows) == 4


async def test_the_ledger_export_totals_equal_the_experts_own_ledger(client, served):
    with frozen(datetime(2026, 7, 1, 9, 0, tzinfo=CHINA)):
        _, ledger = await client.get("/api/v1/ledger/me", params={"year": 2026}, headers=bearer(served["expert"]))
    assert ledger.json["hours"] == 8.0
    response = await export(client, served["province"], "ledger.xlsx", {"year": 2026})
    assert response.status == 200
    sheet = sheet_of(response.content)
    rows = rows_of(sheet)
    assert rows[0] == LEDGER_HEADERS
    assert sheet.freeze_panes == "A2"
    expert_row = next(row for row in rows if row[0] == "王丰收")
    assert expert_row[3] == ledger.json["hours"]
    assert expert_row[4] == ledger.json["service_days"] == 1
    assert expert_row[5] == "否"
    assert rows[-1][0] == f"合计（{len(rows) - 2} 人）"
    assert rows[-1][3] == sum(row[3] for row in rows[1:-1]) == ledger.json["hours"]
    assert rows[-1][5] == "满足 0 人"


async def test_experts_without_service_still_appear_so_the_office_sees_who_has_not_served(client, served):
    await expert_tokens(client, "idle-expert", name="赵未到")
    rows = rows_of(sheet_of((await export(client, served["county"], "ledger.xlsx", {"year": 2026})).content))
    idle = next(row for row in rows if row[0] == "赵未到")
    assert idle[3:] == [0.0, 0, "否"]


async def test_a_region_outside_the_admins_area_is_refused(client, served):
    for name, params in (("visits.xlsx", PERIOD | {"region": FANGZHENG}), ("ledger.xlsx", {"region": FANGZHENG})):
        response = await export(client, served["county"], name, params)
        assert response.status == 403
        assert response.json["error"]["code"] == "out_of_region"
    narrowed = await export(client, served["province"], "visits.xlsx", PERIOD | {"region": WUCHANG})
    assert narrowed.status == 200
    assert rows_of(sheet_of(narrowed.content))[-1][0] == "合计（2 条）"


async def test_another_countys_admin_exports_none_of_these_visits(client, served):
    other = await admin_tokens(client, "export-fz-county", Role.LOCAL_ADMIN, FANGZHENG)
    rows = rows_of(sheet_of((await export(client, other, "visits.xlsx", PERIOD)).content))
    assert rows[1:] == [["合计（0 条）", None, None, None, None, None, None, 0.0, None, None]]
    ledger_rows = rows_of(sheet_of((await export(client, other, "ledger.xlsx", {"year": 2026})).content))
    assert all(row[0] != "王丰收" for row in ledger_rows)


async def test_experts_and_requesters_cannot_export(client, served):
    for tokens in (served["expert"], served["farmer"]):
        response = await export(client, tokens, "ledger.xlsx", {"year": 2026})
        assert response.status == 403


async def test_an_export_beyond_the_row_cap_is_refused_with_a_clear_message(client, app, served, monkeypatch):
    monkeypatch.setattr(app.ctx, "settings", app.ctx.settings.with_overrides(export_max_rows=1))
    response = await export(client, served["county"], "visits.xlsx", PERIOD)
    assert response.status == 422
    assert response.json["error"]["code"] == "export_too_large"
    assert response.json["error"]["rows"] == 2
    assert "缩小" in response.json["error"]["message"]


async def test_a_reversed_period_is_refused(client, served):
    response = await export(client, served["county"], "visits.xlsx", {"from": "2026-06-30", "to": "2026-06-01"})
    assert response.status == 422
    assert "from" in response.json["error"]["fields"]


async def test_the_default_scope_is_the_admins_own_area(client, served):
    province = await admin_tokens(client, "export-province-2", Role.PROVINCE_ADMIN, PROVINCE)
    rows = rows_of(sheet_of((await export(client, province, "visits.xlsx", PERIOD)).content))
    assert rows[-1][0] == "合计（2 条）"
