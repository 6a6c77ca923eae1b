"""Bulk import of the 专家库 from an office's Excel roster.

An import is a job: the upload creates an `ImportJob` and the work runs in
the background. It has two phases. *Validating* streams the workbook
(openpyxl read-only, a chunk at a time in a thread) and checks every row:
its cells, then across the file (repeated people), then against the
database (region exists and lies in the importer's area, the person is
not another area's expert). If any row is wrong the job fails with a
report of every problem by row and column, and nothing is written.
*Importing* writes every row in one transaction: a person already in the
专家库 (same 身份证号 hash, or same phone) is updated, never duplicated.

Imported experts are `verified`: the roster comes from the 人社局 office,
the same authority that verifies experts one by one, and it vouches for
the people on it. The job's starter is recorded as the verifier, and each
expert gets an audit record naming the job.

Progress: the job row is updated every chunk while validating. While
importing, the transaction would hide such updates until the end, so the
progress goes to Redis (API) or the terminal (CLI) through a callback.
"""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.domain import expert_rules, regions
from backend.domain.expert_rules import COLUMN_BY_KEY, ExpertRow, RowError
from backend.domain.roles import Role, scope_admits
from backend.errors import NotFound, ValidationFailed
from backend.infra import keys
from backend.infra.clock import now
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, ExpertProfile, ImportJob, Region, RoleGrant, ServiceCategory, User
from backend.services.users import grant_role

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
CHUNK_ROWS = 200
MAX_REPORTED_ERRORS = 500
# A running job not heard of for this long died with its worker (restart, crash).
STALE_AFTER = timedelta(minutes=30)
LOOKUP_BATCH = 500

SHEET_NAME = "专家名单"
EXAMPLE_SHEET_NAME = "填写示例"
TEMPLATE_ROWS = MAX_ROWS + 1

STATUS_LABELS = {"queued": "排队中", "validating": "校验中", "importing": "导入中", "done": "已完成", "failed": "失败"}
RUNNING = ("queued", "validating", "importing")
JOB_NOT_FOUND = "找不到该导入任务，或您无权查看"

# phase ("validating" or "importing"), rows processed, rows in all
ProgressSink = Callable[[str, int, int], Awaitable[None]]


class RosterUnreadable(Exception):
    """The file is no workbook this import can read: the whole job fails with `message`."""

    def __init__(self, message: str, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


# --------------------------------------------------------------------------- the template


async def fields_by_name() -> dict[str, str]:
    """Menu category names and codes, both mapped to the code: the 领域 column accepts either."""
    result: dict[str, str] = {}
    categories = ServiceCategory.filter(is_active=True).order_by("sort_order", "id")
    for code, name in await categories.values_list("code", "name"):
        result[name] = code
        result[code] = code
    return result


def _example_id_number() -> str:
    """A made-up number with a valid check digit, so the example row passes as it is."""
    body = "23018419800101001"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def _template_bytes(field_names: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    headers = [column.header for column in expert_rules.COLUMNS]
    sheet.append(headers)
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    letters = {column.key: get_column_letter(index) for index, column in enumerate(expert_rules.COLUMNS, 1)}
    for index, column in enumerate(expert_rules.COLUMNS, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, required_fill if column.required else fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 2 + 2)
    sheet.cell(row=1, column=1).comment = Comment("橙色表头为必填列。每位专家一行，第 1 行表头请勿修改。", "专家服务基层平台")
    # Typed as numbers, long digit strings lose their last digits (身份证号) or their leading zeros.
    for key in ("phone", "id_number", "region_code"):
        sheet.column_dimensions[letters[key]].number_format = "@"

    def dropdown(key: str, options: list[str], prompt: str) -> None:
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                                    showErrorMessage=True, showInputMessage=True)
        validation.error = f"请从下拉列表中选择：{'、'.join(options)}"
        validation.errorTitle = "输入有误"
        validation.prompt = prompt
        validation.promptTitle = COLUMN_BY_KEY[key].label
        sheet.add_data_validation(validation)
        validation.add(f"{letters[key]}2:{letters[key]}{TEMPLATE_ROWS}")

    dropdown("gender", list(expert_rules.GENDERS), "男 或 女")
    dropdown("title_level", list(expert_rules.TITLE_LEVELS.values()), "正高级、副高级 或 中级")
    dropdown("field", field_names, "服务菜单中的领域")
    dropdown("retired", [expert_rules.YES, expert_rules.NO], "是 或 否，空着视为 否")
    dropdown("available", [expert_rules.YES, expert_rules.NO], "是 或 否，空着视为 是")
    honours = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showInputMessage=True)
    honours.promptTitle = "荣誉"
    honours.prompt = ("可多项，用、分隔，可选：" + "、".join(expert_rules.HONOURS))[:255]
    sheet.add_data_validation(honours)
    honours.add(f"{letters['honours']}2:{letters['honours']}{TEMPLATE_ROWS}")
    radius = DataValidation(type="decimal", operator="between", formula1="1", formula2=str(expert_rules.MAX_RADIUS_KM),
                            allow_blank=True, showErrorMessage=True)
    radius.error = f"服务半径应为 1 到 {expert_rules.MAX_RADIUS_KM} 之间的数字（公里），空着视为 100"
    sheet.add_data_validation(radius)
    radius.add(f"{letters['service_radius_km']}2:{letters['service_radius_km']}{TEMPLATE_ROWS}")

    example = workbook.create_sheet(EXAMPLE_SHEET_NAME)
    example.append(headers)
    example.append(["王建国", "13800000000", _example_id_number(), "男", "研究员", "正高级",
                    field_names[0] if field_names else "种植技术", "寒地水稻栽培、稻瘟病防治", "黑龙江省农业科学院",
                    "230184", 150, "享受政府特殊津贴", "是", "是"])
    for index in range(1, len(headers) + 1):
        example.cell(row=1, column=index).font = bold
        example.column_dimensions[get_column_letter(index)].width = max(12, len(headers[index - 1]) * 2 + 2)
    notes = [
        "填写说明：",
        "1. 请在「专家名单」工作表中填写，每位专家一行，不要修改第 1 行表头。",
        "2. 手机号、身份证号、所在地区划代码请按文本填写（模板中这三列已设为文本格式）。",
        "3. 所在地区划代码填 6 位或 12 位统计用区划代码，须在您的管辖区域内。",
        f"4. 领域从下拉列表选择：{'、'.join(field_names)}。",
        f"5. 荣誉可多项，用、分隔，可选：{'、'.join(expert_rules.HONOURS)}。",
        "6. 同一身份证号或手机号的专家再次导入时更新原有信息，不会重复建档。",
        f"7. 每次最多 {MAX_ROWS} 行；任何一行有误时整份文件都不导入，请按错误报告修改后重新上传。",
    ]
    for offset, note in enumerate(notes):
        example.cell(row=4 + offset, column=1, value=note)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def template() -> bytes:
    """The roster template: Chinese headers, dropdowns for the fixed lists, an example on the second sheet."""
    names = [name for name, code in (await fields_by_name()).items() if name != code]
    return await asyncio.to_thread(_template_bytes, names)


# --------------------------------------------------------------------------- reading the workbook


class _Roster:
    """A workbook opened read-only; every method blocks, so callers run them in a thread."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._book = None
        self._rows = None
        self.estimated_rows = 0
        self.header: tuple[Any, ...] = ()

    def open(self) -> None:
        from openpyxl import load_workbook

        try:
            self._book = load_workbook(io.BytesIO(self._data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise RosterUnreadable("无法读取该文件，请用导入模板填写后保存为 .xlsx 格式") from exc
        sheet = self._book[SHEET_NAME] if SHEET_NAME in self._book.sheetnames else self._book.worksheets[0]
        self.estimated_rows = max((sheet.max_row or 1) - 1, 0)
        self._rows = sheet.iter_rows(values_only=True)
        self.header = next(self._rows, ())

    def chunk(self, size: int) -> list[tuple[Any, ...]]:
        rows = []
        for values in self._rows:
            rows.append(values)
            if len(rows) == size:
                break
        return rows

    def close(self) -> None:
        if self._book is not None:
            self._book.close()


@dataclass
class _Plan:
    """What the import phase does with one row: update `profile`, or create one for `user` (or a new user)."""

    row: ExpertRow
    id_hash: str
    profile: ExpertProfile | None
    user: User | None


# --------------------------------------------------------------------------- jobs


async def create_job(region_code: str, filename: str, created_by_id: int | None,
                     created_by_role: str | None) -> ImportJob:
    return await ImportJob.create(id=uuid.uuid4(), region_code=regions.normalize(region_code), filename=filename[:200],
                                  created_by_id=created_by_id, created_by_role=created_by_role)


def check_upload(filename: str, data: bytes | None) -> None:
    """Refuse at once what can never be a roster: no file, too big, not an .xlsx."""
    if not data:
        raise ValidationFailed("请上传专家名单（.xlsx 文件）", fields={"file": "请选择文件"})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(fields={"file": f"文件不能超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请拆分后分批导入"})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        hint = "（.xls 旧格式请在 Excel 中另存为 .xlsx）" if filename.lower().endswith(".xls") else ""
        raise ValidationFailed(fields={"file": f"只支持 .xlsx 格式的 Excel 文件{hint}"})


async def start_import(claims: AccessClaims, filename: str, data: bytes | None, settings: Settings, redis,
                       spawn: Callable[[Coroutine[Any, Any, Any], str], None]) -> dict:
    """An admin uploads a roster for their own area; the job runs in the background via `spawn`."""
    check_upload(filename, data)
    job = await create_job(claims.region_code, filename, claims.user_id, claims.role)
    await AuditRecord.create(actor_id=claims.user_id, actor_role=claims.role, action="expert_import_started",
                             subject_type="import_job", subject_id=str(job.id), region_code=job.region_code,
                             detail={"filename": job.filename, "bytes": len(data)})
    spawn(run_job(settings, job.id, data, redis_progress(redis, job.id)), f"expert-import:{job.id}")
    return {"job_id": str(job.id), "status": job.status}


async def _save(job: ImportJob, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    await job.save(update_fields=[*changes, "updated_at"])


async def _fail(job: ImportJob, message: str, errors: list[RowError] | None = None) -> None:
    errors = sorted(errors or [], key=lambda e: (e.row, _column_order(e.column)))
    await _save(job, status="failed", message=message[:200], error_count=len(errors),
                errors=[error.as_dict() for error in errors[:MAX_REPORTED_ERRORS]], finished_at=now())


def _column_order(label: str) -> int:
    for index, column in enumerate(expert_rules.COLUMNS):
        if column.label == label:
            return index
    return -1


async def run_job(settings: Settings, job_id: uuid.UUID, data: bytes,
                  progress: ProgressSink | None = None) -> ImportJob:
    """Validate every row, then write them all in one transaction, or nothing when a row is wrong."""
    job = await ImportJob.get(id=job_id)
    try:
        await _save(job, status="validating", started_at=now())
        plans, errors = await _validate(settings, job, data, progress)
        if errors:
            await _fail(job, f"发现 {len(errors)} 处错误，未导入任何数据，请修改后重新上传", errors)
            return job
        await _save(job, status="importing", processed_rows=0)
        created, updated = await _write(job, plans, progress)
        await _save(job, status="done", processed_rows=len(plans), created_count=created, updated_count=updated,
                    message=f"导入完成：新增 {created} 位，更新 {updated} 位", finished_at=now())
    except RosterUnreadable as exc:
        await _fail(job, exc.message, exc.errors)
    except asyncio.CancelledError:
        await asyncio.shield(_fail(job, "服务停止，导入已中断，未导入任何数据，请重新上传"))
        raise
    except Exception:
        log.exception("expert import %s failed", job.id)
        await _fail(job, "导入时出错，未导入任何数据，请稍后重新上传")
    return job


async def _validate(settings: Settings, job: ImportJob, data: bytes,
                    progress: ProgressSink | None) -> tuple[list[_Plan], list[RowError]]:
    roster = _Roster(data)
    try:
        await asyncio.to_thread(roster.open)
        positions, errors = expert_rules.map_headers(roster.header)
        if errors:
            raise RosterUnreadable("表头与导入模板不符，请使用导入模板", errors)
        known_fields = await fields_by_name()
        rows: list[ExpertRow] = []
        row_number, seen = 1, 0
        total = roster.estimated_rows
        await _save(job, total_rows=total)
        while chunk := await asyncio.to_thread(roster.chunk, CHUNK_ROWS):
            for values in chunk:
                row_number += 1
                if expert_rules.is_blank_row(values):
                    continue
                seen += 1
                if seen > MAX_ROWS:
                    raise RosterUnreadable(f"文件超过 {MAX_ROWS} 行，请拆分后分批导入")
                parsed, row_errors = expert_rules.read_row(row_number, values, positions, known_fields)
                errors.extend(row_errors)
                if parsed is not None:
                    rows.append(parsed)
            total = max(total, seen)
            await _save(job, processed_rows=seen, total_rows=total)
            if progress:
                await progress("validating", seen, total)
    finally:
        await asyncio.to_thread(roster.close)
    if seen == 0:
        raise RosterUnreadable("文件中没有专家数据，请在「专家名单」工作表第 2 行起填写")
    await _save(job, processed_rows=seen, total_rows=seen)
    errors.extend(expert_rules.duplicate_errors(rows))
    errors.extend(await _region_errors(job.region_code, rows))
    plans, conflicts = await _match_existing(settings, job.region_code, rows)
    errors.extend(conflicts)
    return plans, errors


async def _in_batches(values: list[str], lookup: Callable[[list[str]], Awaitable[list[Any]]]) -> list[Any]:
    found: list[Any] = []
    for start in range(0, len(values), LOOKUP_BATCH):
        found.extend(await lookup(values[start:start + LOOKUP_BATCH]))
    return found


async def _region_errors(scope: str, rows: list[ExpertRow]) -> list[RowError]:
    codes = sorted({row.region_code for row in rows})
    existing = set(await _in_batches(codes, lambda part: Region.filter(code__in=part).values_list("code", flat=True)))
    errors = []
    for row in rows:
        error = expert_rules.region_error(row, row.region_code in existing, scope_admits(scope, row.region_code))
        if error:
            errors.append(error)
    return errors


async def _match_existing(settings: Settings, scope: str, rows: list[ExpertRow]) -> tuple[list[_Plan], list[RowError]]:
    """Find each row's person in the 专家库 (by 身份证号 hash, then phone) and refuse ambiguous or foreign matches."""
    secret = settings.signing_keys[0][1]
    hashes = {row.row: expert_rules.hash_id_number(secret, row.id_number) for row in rows}
    by_hash = {p.id_number_hash: p for p in await _in_batches(
        list(hashes.values()), lambda part: ExpertProfile.filter(id_number_hash__in=part))}
    users = {u.phone: u for u in await _in_batches(
        [row.phone for row in rows], lambda part: User.filter(phone__in=part))}
    user_ids = [u.id for u in users.values()] + [p.user_id for p in by_hash.values()]
    by_user = {p.user_id: p for p in await _in_batches(
        user_ids, lambda part: ExpertProfile.filter(user_id__in=part))}
    owners = {u.id: u for u in await _in_batches(
        [p.user_id for p in by_hash.values()], lambda part: User.filter(id__in=part))}

    id_label, phone_label = COLUMN_BY_KEY["id_number"].label, COLUMN_BY_KEY["phone"].label
    plans: list[_Plan] = []
    errors: list[RowError] = []
    for row in rows:
        id_hash = hashes[row.row]
        phone_user = users.get(row.phone)
        hash_profile = by_hash.get(id_hash)
        phone_profile = by_user.get(phone_user.id) if phone_user else None
        if hash_profile and phone_user and hash_profile.user_id != phone_user.id:
            errors.append(RowError(row.row, phone_label, "该手机号已被另一个账号使用，与身份证号对应的专家不是同一人"))
            continue
        profile = hash_profile or phone_profile
        if profile is None:
            plans.append(_Plan(row, id_hash, None, phone_user))
            continue
        if profile.id_number_hash and profile.id_number_hash != id_hash:
            errors.append(RowError(row.row, id_label, "与该手机号已登记专家的身份证号不一致"))
            continue
        if not scope_admits(scope, profile.region_code):
            # Updating would move another area's expert into this one, or overwrite their record.
            errors.append(RowError(row.row, id_label if hash_profile else phone_label,
                                   "该专家已在其他地区登记，不在您的管辖区域内，无法更新"))
            continue
        plans.append(_Plan(row, id_hash, profile, phone_user or owners.get(profile.user_id)))
    return plans, errors


def _profile_values(plan: _Plan, verified_by_id: int | None) -> dict[str, Any]:
    row = plan.row
    return {
        "name": row.name, "gender": row.gender, "title": row.title, "title_level": row.title_level,
        "field": row.field, "specialties": row.specialties, "employer": row.employer,
        "region_code": row.region_code, "service_radius_km": row.service_radius_km, "honours": row.honours,
        "retired": row.retired, "available": row.available, "id_number_hash": plan.id_hash,
        "id_number_last4": row.id_number[-4:], "status": "verified", "status_reason": None,
        "verified_at": now(), "verified_by_id": verified_by_id,
    }


async def _write(job: ImportJob, plans: list[_Plan], progress: ProgressSink | None) -> tuple[int, int]:
    """Every row in one transaction: all of them are in the 专家库 afterwards, or none."""
    created = updated = 0
    total = len(plans)
    grants = {g.user_id: g for g in await _in_batches(
        [p.user.id for p in plans if p.user is not None],
        lambda part: RoleGrant.filter(user_id__in=part, role=Role.EXPERT.value))}
    async with in_transaction() as conn:
        audits: list[AuditRecord] = []
        for index, plan in enumerate(plans, 1):
            values = _profile_values(plan, job.created_by_id)
            user = plan.user
            if user is None:
                # The same provisioning as an admin's grant: the person claims the account by binding this phone.
                user = await grant_role(Role.EXPERT, phone=plan.row.phone, name=plan.row.name,
                                        region_code=plan.row.region_code, granted_by_id=job.created_by_id)
            else:
                await _ensure_expert_grant(user, grants.get(user.id), plan.row, job, conn)
            if plan.profile is None:
                profile = await ExpertProfile.create(using_db=conn, user_id=user.id, **values)
                created += 1
                before = None
            else:
                profile = plan.profile
                before = profile.status
                profile.update_from_dict(values)
                await profile.save(using_db=conn)
                updated += 1
            audits.append(AuditRecord(
                actor_id=job.created_by_id, actor_role=job.created_by_role or "cli", action="expert_imported",
                subject_type="expert", subject_id=str(profile.id), region_code=profile.region_code,
                from_state=before, to_state="verified", detail={"import_job": str(job.id), "row": plan.row.row},
            ))
            if progress and (index % CHUNK_ROWS == 0 or index == total):
                await progress("importing", index, total)
        await AuditRecord.bulk_create(audits, batch_size=LOOKUP_BATCH, using_db=conn)
        await AuditRecord.create(
            using_db=conn, actor_id=job.created_by_id, actor_role=job.created_by_role or "cli",
            action="experts_imported", subject_type="import_job", subject_id=str(job.id),
            region_code=job.region_code, detail={"created": created, "updated": updated, "filename": job.filename},
        )
    return created, updated


async def _ensure_expert_grant(user: User, grant: RoleGrant | None, row: ExpertRow, job: ImportJob, conn) -> None:
    """An existing account gets (or keeps) the expert role in the roster's region."""
    if grant is None:
        await RoleGrant.create(using_db=conn, user_id=user.id, role=Role.EXPERT.value, region_code=row.region_code,
                               granted_by_id=job.created_by_id)
    elif grant.region_code != row.region_code:
        grant.region_code = row.region_code
        await grant.save(using_db=conn, update_fields=["region_code"])
    changed = []
    if user.phone != row.phone and not user.openid:
        # Not yet claimed: the office's number is the one the person will bind.
        user.phone = row.phone
        changed.append("phone")
    if not user.name:
        user.name = row.name
        changed.append("name")
    if changed:
        await user.save(using_db=conn, update_fields=[*changed, "updated_at"])


# --------------------------------------------------------------------------- reading a job


def job_view(job: ImportJob, live_processed: int | None = None) -> dict:
    processed = live_processed if live_processed is not None else job.processed_rows
    total = job.total_rows
    return {
        "job_id": str(job.id),
        "status": job.status,
        "status_label": STATUS_LABELS.get(job.status, job.status),
        "filename": job.filename,
        "region_code": job.region_code,
        "processed": processed,
        "total": total,
        "percent": int(processed * 100 / total) if total else (100 if job.status == "done" else 0),
        "message": job.message,
        "error_count": job.error_count,
        "errors": job.errors,
        "created_count": job.created_count,
        "updated_count": job.updated_count,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


async def job_status(claims: AccessClaims, job_id: uuid.UUID, redis) -> dict:
    """The job for the admin who started it, or an admin whose area contains the job's area."""
    job = await ImportJob.get_or_none(id=job_id)
    if job is None or not (job.created_by_id == claims.user_id or scope_admits(claims.region_code, job.region_code)):
        raise NotFound(JOB_NOT_FOUND, code="import_job_not_found")
    if job.status in RUNNING and now() - job.updated_at > STALE_AFTER:
        await _fail(job, "导入已中断（服务重启），未导入任何数据，请重新上传")
    live = None
    if job.status == "importing":
        try:
            raw = await redis.get(keys.expert_import_progress(str(job.id)).name)
            live = int(raw.split("/")[0]) if raw else 0
        except Exception as exc:  # progress is a nicety: the job's status is in the database
            log.warning("import progress unavailable: %s", type(exc).__name__)
    return job_view(job, live)


def redis_progress(redis, job_id: uuid.UUID) -> ProgressSink:
    """Publish the import phase's progress where `job_status` reads it."""
    key = keys.expert_import_progress(str(job_id))

    async def publish(phase: str, processed: int, total: int) -> None:
        if phase != "importing":
            return
        try:
            await redis.set(key.name, f"{processed}/{total}", ex=key.ttl)
        except Exception as exc:
            log.warning("could not publish import progress: %s", type(exc).__name__)

    return publish


# --------------------------------------------------------------------------- command line


PHASE_LABELS = {"validating": "校验", "importing": "导入"}


def terminal_progress(out) -> ProgressSink:
    """A one-line percentage per phase, redrawn in place with \\r."""
    state = {"phase": None}

    async def show(phase: str, processed: int, total: int) -> None:
        if state["phase"] not in (None, phase):
            out.write("\n")
        state["phase"] = phase
        percent = int(processed * 100 / total) if total else 100
        out.write(f"\r{PHASE_LABELS.get(phase, phase)}中 {percent:3d}%（{processed}/{total} 行）")
        out.flush()

    return show


async def import_from_cli(settings: Settings, path: Path, region_code: str, out) -> int:
    """`python -m backend import-experts FILE --region CODE`: 0 when imported, 1 when the roster was refused."""
    if not regions.is_valid(region_code) or not await Region.exists(code=regions.normalize(region_code)):
        out.write(f"区划代码 {region_code} 不存在\n")
        return 2
    try:
        data = path.read_bytes()
        check_upload(path.name, data)
    except OSError as exc:
        out.write(f"无法读取文件 {path}：{exc.strerror}\n")
        return 2
    except ValidationFailed as exc:
        out.write(f"{next(iter(exc.fields.values()), exc.message)}\n")
        return 1
    job = await create_job(region_code, path.name, None, None)
    job = await run_job(settings, job.id, data, terminal_progress(out))
    out.write("\n")
    if job.status != "done":
        out.write(f"导入失败：{job.message}\n")
        for error in job.errors:
            out.write(f"  {error['text']}\n")
        if job.error_count > len(job.errors):
            out.write(f"  ……另有 {job.error_count - len(job.errors)} 处错误未列出\n")
        return 1
    out.write(f"{job.message}\n")
    return 0
