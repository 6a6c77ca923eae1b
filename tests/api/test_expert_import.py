import asyncio
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from backend.domain.expert_rules import COLUMNS
from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import BINXIAN, PROVINCE, WUCHANG, admin_tokens

ROOT = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def with_check_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def wrong_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] == "0" else "0")


def expert_row(n: int, **overrides) -> dict:
    row = {
        "name": f"专家{n}", "phone": f"1380000{n:04d}", "id_number": with_check_digit(f"23018419700101{n:03d}"),
        "gender": "女", "title": "高级农艺师", "title_level": "副高级", "field": "种植技术",
        "specialties": "果树病虫害、测土配方施肥", "employer": "五常市农业技术推广中心", "region_code": "230184",
        "service_radius_km": 120, "honours": "龙江学者", "retired": "否", "available": "是",
    }
    row.update(overrides)
    return row


def roster(*rows: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "专家名单"
    sheet.append([column.header for column in COLUMNS])
    for row in rows:
        sheet.append([row.get(column.key) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def upload(client, tokens: dict, data: bytes, filename: str = "名单.xlsx"):
    _, response = await client.post("/api/v1/experts/import", files={"file": (filename, data, XLSX)},
                                    headers=bearer(tokens))
    return response


async def finished(client, tokens: dict, job_id: str) -> dict:
    for _ in range(400):
        _, response = await client.get(f"/api/v1/experts/import/{job_id}", headers=bearer(tokens))
        assert response.status == 200, response.json
        if response.json["status"] in ("done", "failed"):
            return response.json
        await asyncio.sleep(0.05)
    pytest.fail("the import did not finish")


async def imported(client, tokens: dict, data: bytes) -> dict:
    response = await upload(client, tokens, data)
    assert response.status == 202, response.json
    return await finished(client, tokens, response.json["job_id"])


async def test_the_template_has_chinese_headers_dropdowns_and_an_example_sheet(client):
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, response = await client.get("/api/v1/experts/import-template.xlsx", headers=bearer(county))
    assert response.status == 200
    assert response.headers["content-type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["专家名单"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["姓名", "手机号", "身份证号"]
    assert "职称级别(正高级/副高级/中级)" in headers and "是否可接单(是/否)" in headers
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert lists["F2"] == '"正高级,副高级,中级"'
    assert "种植技术" in lists["G2"] and "畜牧兽医" in lists["G2"]
    assert lists["M2"] == '"是,否"'
    example = workbook["填写示例"]
    assert example.cell(row=2, column=1).value == "王建国"


async def test_the_example_row_of_the_template_imports_as_it_is(client):
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    _, template = await client.get("/api/v1/experts/import-template.xlsx", headers=bearer(county))
    workbook = load_workbook(io.BytesIO(template.content))
    example = [cell.value for cell in workbook["填写示例"][2]]
    for index, value in enumerate(example, 1):
        workbook["专家名单"].cell(row=2, column=index, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = await imported(client, county, buffer.getvalue())
    assert (job["status"], job["created_count"]) == ("done", 1), job["errors"]


async def test_a_roster_with_bad_rows_reports_each_by_row_and_column_and_imports_nothing(client):
    from backend.models import ExpertProfile, User

    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    await imported(client, county, roster(expert_row(90)))
    experts_before, users_before = await ExpertProfile.all().count(), await User.all().count()
    data = roster(
        expert_row(1),                                                   # row 2: fine on its own
        expert_row(2, phone="1380000"),                                   # row 3
        expert_row(3, id_number=wrong_check_digit(expert_row(3)["id_number"])),  # row 4
        expert_row(4, name=None),                                         # row 5
        expert_row(5, field="养蜂"),                                      # row 6
        expert_row(6, title_level="高级"),                                # row 7
        expert_row(7, region_code=BINXIAN),                               # row 8: another county
        expert_row(8, id_number=expert_row(1)["id_number"]),              # row 9: same person as row 2
    )
    job = await imported(client, county, data)
    assert job["status"] == "failed"
    assert [error["text"] for error in job["errors"]] == [
        "第 3 行「手机号」：格式不正确，应为 11 位手机号",
        "第 4 行「身份证号」：校验位不正确，请核对号码",
        "第 5 行「姓名」：必填",
        "第 6 行「领域」：「养蜂」不是服务菜单中的领域",
        "第 7 行「职称级别」：只能填 正高级、副高级 或 中级",
        "第 8 行「所在地区划代码」：不在您的管辖区域内",
        "第 9 行「身份证号」：与第 2 行重复",
    ]
    assert job["error_count"] == 7 and "未导入任何数据" in job["message"]
    assert (job["created_count"], job["updated_count"]) == (0, 0)
    assert await ExpertProfile.all().count() == experts_before
    assert await User.all().count() == users_before


async def test_a_good_roster_imports_verified_experts_who_claim_their_account_by_phone(client):
    from backend.models import AuditRecord, ExpertProfile, RoleGrant, User

    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    job = await imported(client, county, roster(expert_row(1), expert_row(2, region_code="230184200201")))
    assert (job["status"], job["created_count"], job["updated_count"]) == ("done", 2, 0)
    assert (job["processed"], job["total"], job["percent"]) == (2, 2, 100)
    profile = await ExpertProfile.get(name="专家1")
    assert (profile.status, profile.title_level, profile.field, profile.honours) == (
        "verified", "associate_senior", "planting", ["龙江学者"])
    assert profile.id_number_last4 == expert_row(1)["id_number"][-4:]
    assert len(profile.id_number_hash) == 64 and expert_row(1)["id_number"] not in profile.id_number_hash
    user = await User.get(id=profile.user_id)
    assert (user.phone, user.openid) == ("13800000001", None)
    assert await RoleGrant.exists(user_id=user.id, role="expert", region_code=WUCHANG)
    assert await AuditRecord.filter(action="expert_imported").count() == 2
    started = await AuditRecord.get(action="expert_import_started")
    assert (started.subject_id, started.region_code) == (job["job_id"], WUCHANG)


async def test_re_importing_updates_the_same_experts_instead_of_adding_new_ones(client):
    from backend.models import ExpertProfile

    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    await imported(client, county, roster(expert_row(1), expert_row(2)))
    count = await ExpertProfile.all().count()
    job = await imported(client, county, roster(expert_row(1, employer="哈尔滨市农业科学院"), expert_row(2)))
    assert (job["status"], job["created_count"], job["updated_count"]) == ("done", 0, 2)
    assert await ExpertProfile.all().count() == count
    assert (await ExpertProfile.get(name="专家1")).employer == "哈尔滨市农业科学院"


async def test_a_self_registered_expert_is_matched_by_phone_and_verified_by_the_import(client):
    from backend.models import ExpertProfile, User

    tokens = await login(client, "self-registered")
    await client.post("/api/v1/experts/me", headers=bearer(tokens), json={
        "name": "专家1", "title": "农艺师", "title_level": "intermediate", "field": "planting",
        "employer": "某合作社", "region_code": WUCHANG})
    await User.filter(openid__contains="self-registered").update(phone="13800000001")
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    job = await imported(client, county, roster(expert_row(1)))
    assert (job["created_count"], job["updated_count"]) == (0, 1)
    profile = await ExpertProfile.get(name="专家1")
    assert (profile.status, profile.title, profile.employer) == ("verified", "高级农艺师", "五常市农业技术推广中心")


async def test_a_roster_cannot_take_over_an_expert_of_another_county(client):
    from backend.models import ExpertProfile

    binxian = await admin_tokens(client, "binxian-admin", Role.LOCAL_ADMIN, BINXIAN)
    await imported(client, binxian, roster(expert_row(1, region_code=BINXIAN)))
    wuchang = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    job = await imported(client, wuchang, roster(expert_row(1)))
    assert [error["text"] for error in job["errors"]] == [
        "第 2 行「身份证号」：该专家已在其他地区登记，不在您的管辖区域内，无法更新"]
    assert (await ExpertProfile.get(name="专家1")).region_code == BINXIAN


async def test_a_roster_over_the_row_cap_fails_with_a_clear_message(client, monkeypatch):
    from backend.services import expert_import

    monkeypatch.setattr(expert_import, "MAX_ROWS", 3)
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    job = await imported(client, county, roster(*(expert_row(n) for n in range(1, 6))))
    assert (job["status"], job["message"]) == ("failed", "文件超过 3 行，请拆分后分批导入")


async def test_a_file_that_is_not_an_xlsx_is_refused_at_upload(client):
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    response = await upload(client, county, b"\xd0\xcf\x11\xe0 old excel", filename="名单.xls")
    assert response.status == 422
    assert response.json["error"]["fields"]["file"] == "只支持 .xlsx 格式的 Excel 文件（.xls 旧格式请在 Excel 中另存为 .xlsx）"


async def test_a_requester_cannot_import_experts(client):
    farmer = await login(client, "curious-farmer")
    response = await upload(client, farmer, roster(expert_row(1)))
    assert response.status == 403


async def test_only_the_starter_or_an_admin_above_them_sees_an_import_job(client):
    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    response = await upload(client, county, roster(expert_row(1)))
    job_id = response.json["job_id"]
    await finished(client, county, job_id)
    neighbour = await admin_tokens(client, "binxian-admin", Role.LOCAL_ADMIN, BINXIAN)
    _, hidden = await client.get(f"/api/v1/experts/import/{job_id}", headers=bearer(neighbour))
    assert hidden.status == 404
    province = await admin_tokens(client, "province-admin", Role.PROVINCE_ADMIN, PROVINCE)
    _, seen = await client.get(f"/api/v1/experts/import/{job_id}", headers=bearer(province))
    assert seen.status == 200 and seen.json["status"] == "done"


async def test_a_running_import_shows_the_rows_written_so_far(client, resources):
    from backend.infra import keys
    from backend.models import ImportJob

    county = await admin_tokens(client, "wuchang-admin", Role.LOCAL_ADMIN, WUCHANG)
    job = await ImportJob.create(id=uuid.uuid4(), region_code=WUCHANG, status="importing", total_rows=800,
                                 processed_rows=0, created_by_id=None)
    await resources.redis.set(keys.expert_import_progress(str(job.id)).name, "200/800")
    _, response = await client.get(f"/api/v1/experts/import/{job.id}", headers=bearer(county))
    assert (response.json["status_label"], response.json["processed"], response.json["percent"]) == ("导入中", 200, 25)


# --------------------------------------------------------------------------- the command line


def _cli_env(tmp_path: Path) -> dict:
    return {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
            "REDIS_URL": "", "STORAGE_DIR": str(tmp_path / "uploads"), "PYTHONPATH": str(ROOT)}


def _run(env: dict, *args: str) -> tuple[int, str]:
    # Bytes, then decoded: text mode would turn the progress bar's \r into newlines.
    result = subprocess.run([sys.executable, "-m", "backend", *args], env=env, cwd=ROOT, capture_output=True,
                            timeout=180)
    return result.returncode, (result.stdout + result.stderr).decode()


def test_the_command_line_import_prints_progress_and_the_report_and_exits_1_on_a_bad_roster(tmp_path):
    env = _cli_env(tmp_path)
    for command in (["migrate"], ["seed"]):
        assert _run(env, *command)[0] == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(roster(expert_row(1), expert_row(2, phone="12345"), expert_row(3, region_code="230125")))
    code, output = _run(env, "import-experts", str(bad), "--region", WUCHANG)
    assert code == 1, output
    assert "\r校验中 100%（3/3 行）" in output
    assert "第 3 行「手机号」：格式不正确，应为 11 位手机号" in output
    assert "第 4 行「所在地区划代码」：不在您的管辖区域内" in output

    good = tmp_path / "good.xlsx"
    good.write_bytes(roster(expert_row(1), expert_row(2)))
    code, output = _run(env, "import-experts", str(good), "--region", "230184")
    assert code == 0, output
    assert "\r导入中 100%（2/2 行）" in output
    assert "导入完成：新增 2 位，更新 0 位" in output
