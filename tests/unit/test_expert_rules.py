from backend.domain import expert_rules
from backend.domain.expert_rules import COLUMNS, ExpertRow, duplicate_errors, map_headers, read_row

FIELDS = {"种植技术": "planting", "planting": "planting", "畜牧兽医": "livestock", "livestock": "livestock"}
HEADERS = [column.header for column in COLUMNS]
POSITIONS, _ = map_headers(HEADERS)


def with_check_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def good_cells(**overrides) -> list:
    cells = {
        "name": "王建国", "phone": "13800000101", "id_number": with_check_digit("23018419650312001"),
        "gender": "男", "title": "研究员", "title_level": "正高级", "field": "种植技术",
        "specialties": "寒地水稻栽培、稻瘟病防治", "employer": "黑龙江省农业科学院", "region_code": "230184",
        "service_radius_km": 150, "honours": "享受政府特殊津贴、博士后", "retired": "是", "available": "否",
    }
    cells.update(overrides)
    return [cells[column.key] for column in COLUMNS]


def messages(errors) -> list[str]:
    return [error.text for error in errors]


def test_a_valid_id_number_passes_the_gb11643_checksum():
    assert expert_rules.id_number_problem("11010519491231002X") is None
    assert expert_rules.id_number_problem("11010519491231002x") is None


def test_an_id_number_with_a_wrong_check_digit_is_refused():
    assert expert_rules.id_number_problem("110105194912310021") == "校验位不正确，请核对号码"


def test_an_id_number_of_the_wrong_length_or_with_an_impossible_birthday_is_refused():
    assert expert_rules.id_number_problem("11010519491231002") == "应为 18 位"
    assert expert_rules.id_number_problem(with_check_digit("11010519491332002")) == "出生日期不正确"


def test_the_id_number_hash_is_keyed_and_ignores_the_case_of_x():
    first = expert_rules.hash_id_number("secret-a", "11010519491231002x")
    assert first == expert_rules.hash_id_number("secret-a", "11010519491231002X")
    assert first != expert_rules.hash_id_number("secret-b", "11010519491231002X")
    assert "11010519491231002" not in first


def test_a_good_row_becomes_an_expert_in_the_profiles_own_terms():
    row, errors = read_row(2, good_cells(), POSITIONS, FIELDS)
    assert errors == []
    assert (row.title_level, row.field, row.region_code) == ("senior", "planting", "230184000000")
    assert row.specialties == ["寒地水稻栽培", "稻瘟病防治"]
    assert row.honours == ["享受政府特殊津贴", "博士后"]
    assert (row.retired, row.available, row.service_radius_km) == (True, False, 150.0)


def test_optional_cells_left_empty_take_their_defaults():
    row, errors = read_row(2, good_cells(gender=None, specialties=None, service_radius_km=None, honours=None,
                                         retired=None, available=None), POSITIONS, FIELDS)
    assert errors == []
    assert (row.retired, row.available, row.service_radius_km, row.honours) == (False, True, 100.0, [])


def test_a_phone_typed_as_a_number_still_reads_as_a_phone():
    row, errors = read_row(2, good_cells(phone=13800000101), POSITIONS, FIELDS)
    assert errors == [] and row.phone == "13800000101"


def test_each_bad_cell_is_reported_by_row_and_column_in_chinese():
    cells = good_cells(name="", phone="1380000", id_number="110105194912310021", title_level="高级",
                       field="养蜂", honours="劳模", retired="不知道")
    row, errors = read_row(5, cells, POSITIONS, FIELDS)
    assert row is None
    assert messages(errors) == [
        "第 5 行「姓名」：必填",
        "第 5 行「手机号」：格式不正确，应为 11 位手机号",
        "第 5 行「身份证号」：校验位不正确，请核对号码",
        "第 5 行「职称级别」：只能填 正高级、副高级 或 中级",
        "第 5 行「领域」：「养蜂」不是服务菜单中的领域",
        f"第 5 行「荣誉」：「劳模」不在可选荣誉中（可选：{'、'.join(expert_rules.HONOURS)}）",
        "第 5 行「是否退休」：只能填 是 或 否",
    ]


def test_an_id_number_stored_as_a_number_is_refused_because_excel_dropped_its_last_digits():
    _, errors = read_row(3, good_cells(id_number=2.30184196503120e17), POSITIONS, FIELDS)
    assert [error.column for error in errors] == ["身份证号"]
    assert "文本格式" in errors[0].message


def test_headers_are_matched_by_their_label_and_missing_required_ones_are_named():
    positions, errors = map_headers(["姓名", "手机号（必填）", "职称", "职称级别", "领域", "工作单位", "所在地区划代码"])
    assert positions["phone"] == 1 and positions["title_level"] == 3
    assert messages(errors) == ["第 1 行「身份证号」：缺少该列，请使用导入模板"]


def test_a_person_listed_twice_is_reported_on_the_later_row():
    first, _ = read_row(2, good_cells(), POSITIONS, FIELDS)
    again, _ = read_row(7, good_cells(phone="13800000199"), POSITIONS, FIELDS)
    same_phone, _ = read_row(9, good_cells(id_number=with_check_digit("23018419700101002")), POSITIONS, FIELDS)
    assert messages(duplicate_errors([first, again, same_phone])) == [
        "第 7 行「身份证号」：与第 2 行重复",
        "第 9 行「手机号」：与第 2 行重复",
    ]


def test_editing_the_title_of_a_verified_expert_needs_a_new_review():
    current = {"name": "王建国", "title": "副研究员", "title_level": "associate_senior", "field": "planting"}
    assert expert_rules.needs_reverification("verified", current, {**current, "title": "研究员"})
    assert expert_rules.needs_reverification("verified", current, {**current, "field": "livestock"})


def test_editing_the_employer_or_specialties_of_a_verified_expert_keeps_the_verification():
    current = {"name": "王建国", "title": "副研究员", "title_level": "associate_senior", "field": "planting"}
    assert not expert_rules.needs_reverification("verified", current, {**current, "employer": "新单位",
                                                                        "specialties": ["大豆"]})


def test_any_edit_of_a_rejected_profile_resubmits_it():
    assert expert_rules.needs_reverification("rejected", {}, {"employer": "新单位"})
    assert not expert_rules.needs_reverification("pending", {}, {"title": "研究员"})


def test_an_expert_row_keeps_the_excel_row_number_for_the_report():
    row, _ = read_row(42, good_cells(), POSITIONS, FIELDS)
    assert isinstance(row, ExpertRow) and row.row == 42
