"""The shipped reference and demo data is complete, consistent and self-referential."""

import re
from collections import Counter

import pytest

from backend.domain import regions
from backend.seed import catalog

PHONE = re.compile(r"^1380000\d{4}$")


@pytest.fixture(scope="module")
def tree():
    return {r["code"]: r for r in catalog.province_tree()}


@pytest.fixture(scope="module")
def national():
    return {r["code"]: r for r in catalog.national_regions()}


# --------------------------------------------------------------------- code helpers


def test_a_six_digit_code_is_read_as_its_twelve_digit_form():
    assert regions.normalize("230184") == "230184000000"
    assert regions.level_of("230184") == regions.level_of("230184000000") == "county"


def test_each_level_is_read_from_where_the_digits_end():
    assert regions.level_of("230000000000") == "province"
    assert regions.level_of("230100000000") == "city"
    assert regions.level_of("230124000000") == "county"
    assert regions.level_of("230124100000") == "township"
    assert regions.level_of("230124100201") == "village"


def test_malformed_codes_are_rejected():
    for bad in ("23", "2301", "23012410", "23a100", "2301241002011"):
        with pytest.raises(ValueError):
            regions.normalize(bad)


def test_a_village_has_township_county_city_and_province_above_it():
    assert regions.parent_code("230124100201") == "230124100000"
    assert regions.parent_code("230000") is None
    assert regions.ancestors("230124100201") == [
        "230000000000", "230100000000", "230124000000", "230124100000",
    ]
    assert regions.ancestors("230000000000") == []


def test_a_village_is_within_its_county_but_not_a_neighbouring_one():
    village = "230124100201"  # 方正县方正镇
    assert regions.is_within(village, "230124")
    assert regions.is_within(village, "230124000000")
    assert regions.is_within(village, "230100")
    assert regions.is_within(village, "230000")
    assert not regions.is_within(village, "230184")  # 五常市, same city
    assert not regions.is_within(village, "230229")  # 克山县, another city


def test_a_region_is_within_itself_but_a_county_is_not_within_its_village():
    assert regions.is_within("230184", "230184000000")
    assert not regions.is_within("230184000000", "230184100201")


def test_a_province_scope_does_not_leak_into_a_province_sharing_leading_digit():
    # 黑龙江 23 vs 吉林 22 / 江苏 32: only the first two digits define the province.
    assert not regions.is_within("220100", "230000")
    assert not regions.is_within("230100", "320000")


# --------------------------------------------------------------------- national list


def test_national_list_has_all_thirty_four_provincial_level_divisions(national):
    provinces = [r for r in national.values() if r["level"] == "province"]
    assert len(provinces) == 34
    names = {r["name"] for r in provinces}
    assert {"北京市", "黑龙江省", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区", "台湾省"} <= names


def test_national_list_is_about_the_size_of_the_official_one(national):
    levels = Counter(r["level"] for r in national.values())
    assert 320 <= levels["city"] <= 345
    assert 2800 <= levels["county"] <= 2900


def test_every_national_code_is_six_digits_unique_and_consistent_with_its_level(national):
    rows = catalog.national_regions()
    assert len(rows) == len(national)
    for code, row in national.items():
        assert re.fullmatch(r"\d{6}", code), code
        assert regions.level_of(code) == row["level"], row


def test_every_national_parent_exists_and_contains_its_child(national):
    for code, row in national.items():
        if row["level"] == "province":
            assert row["parent"] is None
            continue
        parent = national[row["parent"]]
        assert regions.is_within(code, parent["code"])
        assert catalog.LEVELS.index(parent["level"]) < catalog.LEVELS.index(row["level"])


def test_heilongjiang_counties_in_the_tree_match_the_national_list(tree, national):
    for code, row in tree.items():
        if row["level"] in ("province", "city", "county"):
            assert national[code[:6]]["name"] == row["name"], code


# --------------------------------------------------------------------- province tree


def test_the_tree_is_rooted_at_heilongjiang(tree):
    roots = [r for r in tree.values() if r["parent"] is None]
    assert [(r["code"], r["name"]) for r in roots] == [("230000000000", "黑龙江省")]


def test_tree_codes_are_unique_twelve_digit_codes(tree):
    rows = catalog.province_tree()
    assert len(rows) == len(tree)
    assert all(re.fullmatch(r"\d{12}", code) for code in tree)


def test_every_node_sits_one_level_below_its_parent_and_within_it(tree):
    for code, row in tree.items():
        assert regions.level_of(code) == row["level"]
        if row["parent"] is not None:
            assert row["parent"] == regions.parent_code(code)
            assert regions.is_within(code, row["parent"])


def test_every_village_in_the_tree_has_a_township_parent(tree):
    villages = [r for r in tree.values() if r["level"] == "village"]
    assert villages
    for village in villages:
        assert tree[village["parent"]]["level"] == "township"


def test_tree_has_at_least_three_cities_and_six_counties(tree):
    levels = Counter(r["level"] for r in tree.values())
    assert levels["city"] >= 3
    assert levels["county"] >= 6


def test_three_counties_have_two_or_three_townships_each_with_three_to_five_villages(tree):
    children = {}
    for row in tree.values():
        children.setdefault(row["parent"], []).append(row)
    counties_with_towns = [c for c in tree.values() if c["level"] == "county" and children.get(c["code"])]
    assert len(counties_with_towns) >= 3
    for county in counties_with_towns:
        towns = children[county["code"]]
        assert 2 <= len(towns) <= 3, county["name"]
        for town in towns:
            assert 3 <= len(children.get(town["code"], [])) <= 5, town["name"]


def test_every_tree_node_has_a_map_point_inside_heilongjiang(tree):
    for row in tree.values():
        assert 43.4 <= row["lat"] <= 53.6, row
        assert 121.1 <= row["lng"] <= 135.1, row


def test_villages_lie_within_a_few_kilometres_of_their_township(tree):
    for row in tree.values():
        if row["level"] == "village":
            town = tree[row["parent"]]
            # ~0.05 degrees is about 4-5 km at this latitude.
            assert abs(row["lat"] - town["lat"]) < 0.05
            assert abs(row["lng"] - town["lng"]) < 0.06


def test_the_tree_says_its_lower_level_codes_are_illustrative():
    assert "示意" in catalog.province_tree_note()


# --------------------------------------------------------------------- service menu


def test_menu_has_at_least_eight_categories_with_items():
    menu = catalog.service_menu()
    assert len(menu) >= 8
    for category in menu:
        assert category["code"] and category["name"] and category["description"] and category["icon"]
        assert 4 <= len(category["items"]) <= 8, category["code"]


def test_menu_codes_are_unique_and_stable_looking():
    category_codes = [c["code"] for c in catalog.service_menu()]
    item_codes = [i["code"] for i in catalog.service_items()]
    assert len(set(category_codes)) == len(category_codes)
    assert len(set(item_codes)) == len(item_codes)
    assert all(re.fullmatch(r"[a-z][a-z_]*", code) for code in category_codes + item_codes)


def test_every_menu_item_is_served_by_its_own_category_field():
    for category in catalog.service_menu():
        for item in category["items"]:
            assert item["field"] == category["code"]
            assert item["name"] and item["description"]
            assert 0 < item["duration_hours"] <= 8


def test_menu_offers_the_items_the_policy_names():
    names = {i["name"] for i in catalog.service_items()}
    assert {"果树病虫害诊断", "水稻育秧技术指导", "生猪疫病防控", "直播带货培训", "慢性病巡诊"} <= names


# --------------------------------------------------------------------- experts


def test_at_least_forty_experts_span_every_menu_field():
    experts = catalog.demo_experts()
    assert len(experts) >= 40
    fields = {c["code"] for c in catalog.service_menu()}
    assert {e["field"] for e in experts} == fields


def test_expert_keys_and_phones_are_unique_and_obviously_fake():
    experts = catalog.demo_experts()
    assert len({e["key"] for e in experts}) == len(experts)
    assert len({e["phone"] for e in experts}) == len(experts)
    assert all(re.fullmatch(r"expert-\d{2}", e["key"]) for e in experts)
    assert all(PHONE.match(e["phone"]) for e in experts)


def test_experts_are_mostly_associate_senior_or_above():
    levels = Counter(e["title_level"] for e in catalog.demo_experts())
    assert set(levels) <= {"senior", "associate_senior", "intermediate"}
    assert 0 < levels["intermediate"] <= len(catalog.demo_experts()) // 5
    assert levels["senior"] > 0 and levels["associate_senior"] > 0


def test_every_experts_region_exists_in_the_tree(tree):
    for expert in catalog.demo_experts():
        assert expert["region_code"] in tree, expert["key"]
        assert tree[expert["region_code"]]["level"] in ("city", "county")


def test_experts_have_a_home_point_near_their_region(tree):
    for expert in catalog.demo_experts():
        region = tree[expert["region_code"]]
        assert abs(expert["lat"] - region["lat"]) < 0.1
        assert abs(expert["lng"] - region["lng"]) < 0.1
        assert expert["service_radius_km"] > 0


def test_a_few_experts_are_retired_unavailable_or_decorated_but_most_are_not():
    experts = catalog.demo_experts()
    allowed = {"院士", "享受政府特殊津贴", "博士后", "省级领军人才", "龙江学者"}
    assert all(set(e["honours"]) <= allowed for e in experts)
    assert 0 < sum(bool(e["honours"]) for e in experts) < len(experts) / 2
    assert 0 < sum(e["retired"] for e in experts) < len(experts) / 4
    assert 0 < sum(not e["available"] for e in experts) < len(experts) / 4
    assert all(e["specialties"] and e["employer"] and e["gender"] in ("男", "女") for e in experts)


# --------------------------------------------------------------------- requesters and orders


def test_requesters_live_in_tree_villages_and_one_is_a_cadre(tree):
    requesters = catalog.demo_requesters()
    assert len({r["key"] for r in requesters}) == len(requesters)
    assert all(tree[r["village_code"]]["level"] == "village" for r in requesters)
    assert all(PHONE.match(r["phone"]) for r in requesters)
    assert sum(r["is_cadre"] for r in requesters) >= 1


def test_five_to_eight_demo_orders_ask_for_real_menu_items_from_tree_villages(tree):
    orders = catalog.demo_orders()
    assert 5 <= len(orders) <= 8
    item_codes = {i["code"] for i in catalog.service_items()}
    requester_keys = {r["key"] for r in catalog.demo_requesters()}
    for order in orders:
        assert order["requester"] in requester_keys
        assert order["items"] and set(order["items"]) <= item_codes
        assert tree[order["region_code"]]["level"] == "village"
        assert order["description"] and order["address"]
        assert PHONE.match(order["contact_phone"])
        window = order["preferred_window"]
        assert 0 <= window["from_days"] <= window["to_days"]


def test_an_order_is_placed_from_the_requesters_own_village():
    requesters = {r["key"]: r for r in catalog.demo_requesters()}
    for order in catalog.demo_orders():
        assert order["region_code"] == requesters[order["requester"]]["village_code"]


def test_only_a_cadre_orders_on_behalf_of_someone_else():
    requesters = {r["key"]: r for r in catalog.demo_requesters()}
    on_behalf = [o for o in catalog.demo_orders() if o.get("on_behalf_of")]
    assert on_behalf
    assert all(requesters[o["requester"]]["is_cadre"] for o in on_behalf)


def test_order_map_points_are_close_to_their_village(tree):
    for order in catalog.demo_orders():
        village = tree[order["region_code"]]
        assert abs(order["lat"] - village["lat"]) < 0.01
        assert abs(order["lng"] - village["lng"]) < 0.01
