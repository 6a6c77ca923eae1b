"""Pure rules of the 专家库: title levels, honours, 身份证号 checks, and reading one Excel row.

No I/O: whatever needs the database (does the region exist, is it in the
admin's area, which menu categories exist) is passed in by the service.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.domain import regions

# pending → verified | rejected; rejected and verified profiles go back to pending when edited.
STATUSES = ("pending", "verified", "rejected")
STATUS_LABELS = {"pending": "待审核", "verified": "已审核", "rejected": "未通过"}

TITLE_LEVELS = {"senior": "正高级", "associate_senior": "副高级", "intermediate": "中级"}
TITLE_LEVEL_BY_LABEL = {label: code for code, label in TITLE_LEVELS.items()}

# The honours an office may record. A fixed list, so that filters and figures by honour add up.
HONOURS = (
    "院士",
    "享受政府特殊津贴",
    "国家有突出贡献中青年专家",
    "长江学者",
    "国家杰出青年科学基金获得者",
    "龙江学者",
    "省级领军人才",
    "省级有突出贡献专家",
    "全国劳动模范",
    "博士后",
    "博士",
)

GENDERS = ("男", "女")

# An admin checked these against the expert's documents: changing one needs a new check.
# The title and its level decide whether someone is eligible at all (副高级 or above as a rule),
# the field decides which orders they are dispatched and may claim, and the name is who was checked.
KEY_FIELDS = ("name", "title", "title_level", "field")

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
MAX_SPECIALTIES = 10
MAX_RADIUS_KM = 500
DEFAULT_RADIUS_KM = 100.0

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")


def needs_reverification(status: str, current: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Whether an edit sends a profile back to review: any edit of a rejected one, key fields of a verified one."""
    if status == "rejected":
        return True
    if status != "verified":
        return False
    return any(name in changes and changes[name] != current.get(name) for name in KEY_FIELDS)


def is_valid_phone(phone: str) -> bool:
    return bool(PHONE_PATTERN.match(phone))


def normalize_id_number(raw: str) -> str:
    return raw.strip().upper()


def id_number_problem(raw: str) -> str | None:
    """Why `raw` is not a valid 18-digit 公民身份号码 (GB 11643-1999), or None when it is."""
    number = normalize_id_number(raw)
    if len(number) != 18:
        return "应为 18 位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "前 17 位应为数字，最后一位为数字或 X"
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "出生日期不正确"
    if born.year < 1900:
        return "出生日期不正确"
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS))
    if _ID_CHECK_CHARS[total % 11] != number[17]:
        return "校验位不正确，请核对号码"
    return None


def hash_id_number(secret: str, raw: str) -> str:
    """A keyed hash of the 身份证号: matches the same person again without keeping the number."""
    message = b"id-number:" + normalize_id_number(raw).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def mask_id_number(last4: str | None) -> str | None:
    return f"**************{last4}" if last4 else None


def split_list(raw: str) -> list[str]:
    """「果树病虫害、水稻育秧」 as a list; commas and semicolons are accepted too."""
    seen: list[str] = []
    for part in _LIST_SEPARATORS.split(raw):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


# --------------------------------------------------------------------------- the Excel roster


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as the template prints it
    required: bool

    @property
    def label(self) -> str:
        """The header without its hint in brackets, as error messages name the column."""
        return re.split(r"[(（]", self.header, maxsplit=1)[0].strip()


COLUMNS = (
    Column("name", "姓名", True),
    Column("phone", "手机号", True),
    Column("id_number", "身份证号", True),
    Column("gender", "性别", False),
    Column("title", "职称", True),
    Column("title_level", "职称级别(正高级/副高级/中级)", True),
    Column("field", "领域", True),
    Column("specialties", "专长(用、分隔)", False),
    Column("employer", "工作单位", True),
    Column("region_code", "所在地区划代码", True),
    Column("service_radius_km", "服务半径(公里)", False),
    Column("honours", "荣誉(用、分隔)", False),
    Column("retired", "是否退休(是/否)", False),
    Column("available", "是否可接单(是/否)", False),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
YES, NO = "是", "否"


@dataclass(frozen=True)
class RowError:
    row: int  # the Excel row number, header = 1
    column: str  # the column's Chinese label, "" for the whole row
    message: str

    @property
    def text(self) -> str:
        where = f"「{self.column}」" if self.column else ""
        return f"第 {self.row} 行{where}：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "text": self.text}


@dataclass
class ExpertRow:
    """One roster row, read and checked, in the profile's own terms."""

    row: int
    name: str
    phone: str
    id_number: str
    gender: str
    title: str
    title_level: str
    field: str
    specialties: list[str]
    employer: str
    region_code: str
    service_radius_km: float
    honours: list[str]
    retired: bool
    available: bool


def _label(header: Any) -> str:
    text = "" if header is None else str(header)
    return re.split(r"[(（]", text, maxsplit=1)[0].strip()


def map_headers(header_row: tuple[Any, ...] | list[Any]) -> tuple[dict[str, int], list[RowError]]:
    """Which cell index holds which column, read from the header labels; missing required columns are errors."""
    positions: dict[str, int] = {}
    by_label = {column.label: column for column in COLUMNS}
    for index, header in enumerate(header_row):
        column = by_label.get(_label(header))
        if column is not None and column.key not in positions:
            positions[column.key] = index
    errors = [
        RowError(1, column.label, "缺少该列，请使用导入模板")
        for column in COLUMNS
        if column.required and column.key not in positions
    ]
    return positions, errors


def is_blank_row(values: tuple[Any, ...] | list[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _yes_no(value: Any, default: bool) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if not text:
        return default
    return {YES: True, NO: False}.get(text)


def read_row(
    row_number: int,
    values: tuple[Any, ...] | list[Any],
    positions: dict[str, int],
    fields_by_name: dict[str, str],
) -> tuple[ExpertRow | None, list[RowError]]:
    """Check one data row's cells on their own; `fields_by_name` maps menu category names and codes to codes.

    Whether its region exists and lies in the importer's area, and whether
    it repeats another row, is checked afterwards across the whole file.
    """
    errors: list[RowError] = []

    def cell(key: str) -> Any:
        index = positions.get(key)
        return values[index] if index is not None and index < len(values) else None

    def fail(key: str, message: str) -> None:
        errors.append(RowError(row_number, COLUMN_BY_KEY[key].label, message))

    texts = {column.key: _text(cell(column.key)) for column in COLUMNS}
    for column in COLUMNS:
        if column.required and not texts[column.key]:
            fail(column.key, "必填")

    name = texts["name"]
    if len(name) > 32:
        fail("name", "最多 32 个字")

    phone = texts["phone"]
    if phone and not is_valid_phone(phone):
        fail("phone", "格式不正确，应为 11 位手机号")

    id_number = normalize_id_number(texts["id_number"])
    if id_number:
        if isinstance(cell("id_number"), (int, float)):
            fail("id_number", "请将该列设为文本格式后重新填写（数字格式会丢失末几位）")
        else:
            problem = id_number_problem(id_number)
            if problem:
                fail("id_number", problem)

    gender = texts["gender"]
    if gender and gender not in GENDERS:
        fail("gender", "只能填 男 或 女")

    title = texts["title"]
    if len(title) > 32:
        fail("title", "最多 32 个字")

    title_level = ""
    if texts["title_level"]:
        title_level = TITLE_LEVEL_BY_LABEL.get(texts["title_level"], "")
        if not title_level and texts["title_level"] in TITLE_LEVELS:
            title_level = texts["title_level"]
        if not title_level:
            fail("title_level", "只能填 正高级、副高级 或 中级")

    field_code = ""
    if texts["field"]:
        field_code = fields_by_name.get(texts["field"], "")
        if not field_code:
            fail("field", f"「{texts['field']}」不是服务菜单中的领域")

    specialties = split_list(texts["specialties"])
    if len(specialties) > MAX_SPECIALTIES:
        fail("specialties", f"最多 {MAX_SPECIALTIES} 项")
    elif any(len(item) > 32 for item in specialties):
        fail("specialties", "每项最多 32 个字")

    employer = texts["employer"]
    if len(employer) > 100:
        fail("employer", "最多 100 个字")

    region_code = ""
    if texts["region_code"]:
        if regions.is_valid(texts["region_code"]):
            region_code = regions.normalize(texts["region_code"])
        else:
            fail("region_code", "格式不正确，应为 6 位或 12 位数字")

    radius = DEFAULT_RADIUS_KM
    if texts["service_radius_km"]:
        try:
            radius = float(texts["service_radius_km"])
        except ValueError:
            radius = -1.0
        if not 1 <= radius <= MAX_RADIUS_KM:
            fail("service_radius_km", f"应为 1 到 {MAX_RADIUS_KM} 之间的数字")

    honours = split_list(texts["honours"])
    unknown = [honour for honour in honours if honour not in HONOURS]
    if unknown:
        fail("honours", f"「{'、'.join(unknown)}」不在可选荣誉中（可选：{'、'.join(HONOURS)}）")

    retired = _yes_no(cell("retired"), False)
    if retired is None:
        fail("retired", "只能填 是 或 否")
    available = _yes_no(cell("available"), True)
    if available is None:
        fail("available", "只能填 是 或 否")

    if errors:
        return None, errors
    return ExpertRow(
        row=row_number, name=name, phone=phone, id_number=id_number, gender=gender, title=title,
        title_level=title_level, field=field_code, specialties=specialties, employer=employer,
        region_code=region_code, service_radius_km=radius, honours=honours, retired=bool(retired),
        available=bool(available),
    ), []


def duplicate_errors(rows: list[ExpertRow]) -> list[RowError]:
    """Rows that repeat an earlier row's 身份证号 or 手机号: one person, one row."""
    errors: list[RowError] = []
    first_by_id: dict[str, int] = {}
    first_by_phone: dict[str, int] = {}
    for row in rows:
        earlier = first_by_id.setdefault(row.id_number, row.row)
        if earlier != row.row:
            errors.append(RowError(row.row, COLUMN_BY_KEY["id_number"].label, f"与第 {earlier} 行重复"))
        earlier = first_by_phone.setdefault(row.phone, row.row)
        if earlier != row.row:
            errors.append(RowError(row.row, COLUMN_BY_KEY["phone"].label, f"与第 {earlier} 行重复"))
    return errors


def region_error(row: ExpertRow, exists: bool, within_scope: bool) -> RowError | None:
    label = COLUMN_BY_KEY["region_code"].label
    if not exists:
        return RowError(row.row, label, "区划代码不存在")
    if not within_scope:
        return RowError(row.row, label, "不在您的管辖区域内")
    return None
