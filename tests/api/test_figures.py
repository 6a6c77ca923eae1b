"""跟踪问效 figures: every number checked against a small data set computed by hand.

The data set (March 2026, 哈尔滨市, two counties, two fields, three title levels):

order  county  field      expert  submitted     接单  派单  首次上门  status
O1     五常    planting   E1 正高  03-02 08:00   +2h   +5h   +26h     closed
O2     五常    planting   E2 副高  03-04 09:00   +4h   +8h   +48h     serviced
O3     方正    livestock  E3 中级  03-05 08:00   +1h   +3h   +24h     closed
O4     方正    livestock  -        03-10 08:00   +6h   -     -        accepted
O5     五常    livestock  E3 中级  03-05 12:00   +3h   +6h   +45h     closed
O6     五常    planting   E1 正高  02-25 08:00   (submitted in February: no order figure; its visit counts)
O7     方正    planting   -        03-20 08:00   -     -     -        submitted
O8     齐齐哈尔 planting  -        03-03 08:00   +1h   -     -        accepted (outside 哈尔滨)

visit  order expert  check-in        hours  rating  follow-up            log (problems/served/trained)
V1     O1    E1      03-03 10:00     2.5    5                            2 / 10 / 5
V2     O1    E1      03-03 14:00     2.0    4                            1 / 3 / 0
V3     O2    E2      03-06 09:00     3.5    2       open (low rating)    0 / 2 / 0     → hours pending
V4     O3    E3      03-06 08:00     5.0    4                            1 / 20 / 15
V5     O6    E1      03-09 09:00     4.5    -       closed, approved     1 / 6 / 6
V7     O5    E3      03-07 09:00     3.0    5                            -
V6     O1    E1      04-02 09:00     3.0    5                            3 / 100 / 50  (April: outside)
V8     O2    E2      03-08 09:00     6.0    -       rejected by admin    9 / 99 / 99   (counts nowhere)

Percentiles interpolate linearly between ranks (PostgreSQL's percentile_cont): for
n sorted values the p-th is at rank 1 + p·(n−1).
"""

import io
from datetime import date, datetime, timedelta
from itertools import count

import pytest
from openpyxl import load_workbook
from tortoise import connections

from backend.domain.roles import Role
from backend.infra.clock import CHINA, frozen
from backend.models import ExpertProfile, FollowUp, Order, Rating, ServiceLog, Visit
from backend.services import ledger
from support.auth import bearer, login
from support.factories import (FANGZHENG, FANGZHENG_POINT, FANGZHENG_VILLAGE, HARBIN, MINLE_POINT, MINLE_VILLAGE,
                               PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order)

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
QIQIHAR_VILLAGE = "230203100201"
NANGANG = "230103000000"
ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}
_codes = count(1)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA)


def zero_figures() -> dict:
    return {
        "orders": {"total": 0, "by_status": {s: 0 for s in (
            "submitted", "returned", "rejected", "accepted", "dispatched", "published", "claimed", "scheduled",
            "in_service", "serviced", "closed", "cancelled")}},
        "turnaround_hours": {name: {"count": 0, "median": None, "p90": None}
                             for name in ("accept", "dispatch", "first_visit")},
        "visits": 0, "experts": 0, "service_hours": 0.0, "service_days": 0,
        "people_trained": 0, "people_served": 0, "problems_solved": 0,
        "satisfaction": {"ratings": 0, "average": None, "satisfied_share": None},
        "follow_ups": {"open": 0, "closed": 0},
    }


def statuses(**counts) -> dict:
    return zero_figures()["orders"]["by_status"] | counts


def times(accept=(0, None, None), dispatch=(0, None, None), first_visit=(0, None, None)) -> dict:
    return {name: {"count": n, "median": median, "p90": p90}
            for name, (n, median, p90) in (("accept", accept), ("dispatch", dispatch), ("first_visit", first_visit))}


async def _order(requester_id: int, village: str, field: str, status: str, submitted: datetime, *, expert=None,
                 accepted=None, dispatched=None, first_visit=None) -> Order:
    point = FANGZHENG_POINT if village.startswith("230124") else MINLE_POINT
    return await Order.create(
        requester_id=requester_id, status=status, field=field, description="测试需求", region_code=village,
        address="村委会", latitude=point[0], longitude=point[1], contact_name="赵大山", contact_phone="13800000201",
        window_start=date(2026, 3, 1), window_end=date(2026, 12, 31), submitted_at=submitted, accepted_at=accepted,
        dispatched_at=dispatched, first_visit_at=first_visit, expert_id=expert)


async def _visit(order: Order, expert_id: int, start: datetime, hours: float, *, rating: int | None = None,
                 follow_up: tuple[str, str, str | None] | None = None, log: tuple[int, int, int] | None = None,
                 status: str = "completed") -> Visit:
    """A checked-out visit with its rating, follow-up and log; its ledger rows written the real way."""
    end = start + timedelta(hours=hours)
    visit = await Visit.create(order_id=order.id, expert_id=expert_id, status=status, check_in_at=start,
                               check_out_at=end, duration_minutes=int(hours * 60),
                               check_in_code=f"fig-{next(_codes)}", region_code=order.region_code)
    if rating is not None:
        await Rating.create(visit_id=visit.id, order_id=order.id, rater_id=order.requester_id, overall=rating,
                            attitude=rating, expertise=rating, solved="solved" if rating >= 4 else "unsolved",
                            region_code=order.region_code, expert_id=expert_id, editable_until=end)
    if follow_up is not None:
        reason, state, decision = follow_up
        await FollowUp.create(visit_id=visit.id, order_id=order.id, region_code=order.region_code, reason=reason,
                              status=state, decision=decision)
    if log is not None:
        problems, served, trained = log
        await ServiceLog.create(visit_id=visit.id, content="现场指导", problems_solved=problems,
                                people_served=served, people_trained=trained)
    await ledger.record_visit(visit, connections.get("default"))
    return visit


async def _expert(client, identity: str, level: str, field: str) -> int:
    _, expert_id = await expert_tokens(client, identity, field=field, name=identity)
    await ExpertProfile.filter(id=expert_id).update(title_level=level)
    return expert_id


@pytest.fixture
async def seeded(client):
    farmer = await login(client, "fig-farmer")
    requester = farmer["user"]["id"]
    e1 = await _expert(client, "专家甲", "senior", "planting")
    e2 = await _expert(client, "专家乙", "associate_senior", "planting")
    e3 = await _expert(client, "专家丙", "intermediate", "livestock")
    wc, fz = MINLE_VILLAGE, FANGZHENG_VILLAGE
    o1 = await _order(requester, wc, "planting", "closed", at(3, 2, 8), expert=e1, accepted=at(3, 2, 10),
                      dispatched=at(3, 2, 13), first_visit=at(3, 3, 10))
    o2 = await _order(requester, wc, "planting", "serviced", at(3, 4, 9), expert=e2, accepted=at(3, 4, 13),
                      dispatched=at(3, 4, 17), first_visit=at(3, 6, 9))
    o3 = await _order(requester, fz, "livestock", "closed", at(3, 5, 8), expert=e3, accepted=at(3, 5, 9),
                      dispatched=at(3, 5, 11), first_visit=at(3, 6, 8))
    await _order(requester, fz, "livestock", "accepted", at(3, 10, 8), accepted=at(3, 10, 14))
    o5 = await _order(requester, wc, "livestock", "closed", at(3, 5, 12), expert=e3, accepted=at(3, 5, 15),
                      dispatched=at(3, 5, 18), first_visit=at(3, 7, 9))
    o6 = await _order(requester, wc, "planting", "closed", at(2, 25, 8), expert=e1, accepted=at(2, 25, 11),
                      dispatched=at(2, 25, 18), first_visit=at(3, 9, 9))
    await _order(requester, fz, "planting", "submitted", at(3, 20, 8))
    await _order(requester, QIQIHAR_VILLAGE, "planting", "accepted", at(3, 3, 8), accepted=at(3, 3, 9))

    await _visit(o1, e1, at(3, 3, 10), 2.5, rating=5, log=(2, 10, 5))
    await _visit(o1, e1, at(3, 3, 14), 2.0, rating=4, log=(1, 3, 0))
    await _visit(o2, e2, at(3, 6, 9), 3.5, rating=2, follow_up=("low_rating", "open", None), log=(0, 2, 0))
    await _visit(o3, e3, at(3, 6, 8), 5.0, rating=4, log=(1, 20, 15))
    await _visit(o6, e1, at(3, 9, 9), 4.5, follow_up=("no_rating", "closed", "approve"), log=(1, 6, 6))
    await _visit(o5, e3, at(3, 7, 9), 3.0, rating=5)
    await _visit(o1, e1, at(4, 2, 9), 3.0, rating=5, log=(3, 100, 50))
    await _visit(o2, e2, at(3, 8, 9), 6.0, status="rejected", log=(9, 99, 99))
    return {
        "harbin": await admin_tokens(client, "fig-harbin", Role.LOCAL_ADMIN, HARBIN),
        "wuchang": await admin_tokens(client, "fig-wuchang", Role.LOCAL_ADMIN, WUCHANG),
        "province": await admin_tokens(client, "fig-province", Role.PROVINCE_ADMIN, PROVINCE),
        "farmer": farmer, "experts": {"E1": e1, "E2": e2, "E3": e3},
    }


async def figures(client, tokens, path="/api/v1/figures", **params):
    _, response = await client.get(path, params=params, headers=bearer(tokens))
    assert response.status == 200, response.json
    return response.json


def row(rows: list[dict], key) -> dict:
    return next(item for item in rows if item["key"] == key)["figures"]


HARBIN_MARCH_TOTALS = zero_figures() | {
    "orders": {"total": 6, "by_status": statuses(closed=3, serviced=1, accepted=1, submitted=1)},
    "turnaround_hours": times(accept=(5, 3.0, 5.2), dispatch=(4, 5.5, 7.4), first_visit=(4, 35.5, 47.1)),
    "visits": 6, "experts": 3, "service_hours": 17.0, "service_days": 3,
    "people_trained": 26, "people_served": 41, "problems_solved": 5,
    "satisfaction": {"ratings": 5, "average": 4.0, "satisfied_share": 0.8},
    "follow_ups": {"open": 1, "closed": 1},
}


async def test_the_totals_of_a_city_for_a_month_match_the_hand_computed_figures(client, seeded):
    report = await figures(client, seeded["harbin"], **MARCH)
    assert report["region"] == {"code": HARBIN, "name": "哈尔滨市", "level": "city"}
    assert report["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert report["basis"]["orders"] == "submitted_at"
    assert report["basis"]["visits"] == "check_in_at"
    assert report["basis"]["ledger"] == "service_date"
    assert report["totals"] == HARBIN_MARCH_TOTALS


async def test_the_breakdown_by_county_splits_orders_and_service_by_where_they_happened(client, seeded):
    report = await figures(client, seeded["harbin"], **MARCH)
    assert report["sub_region_level"] == "county"
    wuchang = next(item for item in report["by_region"] if item["key"] == "230184")
    assert (wuchang["code"], wuchang["label"]) == (WUCHANG, "五常市")
    assert wuchang["figures"] == zero_figures() | {
        "orders": {"total": 3, "by_status": statuses(closed=2, serviced=1)},
        "turnaround_hours": times(accept=(3, 3.0, 3.8), dispatch=(3, 6.0, 7.6), first_visit=(3, 45.0, 47.4)),
        "visits": 5, "experts": 3, "service_hours": 12.0, "service_days": 2,
        "people_trained": 11, "people_served": 21, "problems_solved": 4,
        "satisfaction": {"ratings": 4, "average": 4.0, "satisfied_share": 0.75},
        "follow_ups": {"open": 1, "closed": 1},
    }
    assert row(report["by_region"], "230124") == zero_figures() | {
        "orders": {"total": 3, "by_status": statuses(closed=1, accepted=1, submitted=1)},
        "turnaround_hours": times(accept=(2, 3.5, 5.5), dispatch=(1, 3.0, 3.0), first_visit=(1, 24.0, 24.0)),
        "visits": 1, "experts": 1, "service_hours": 5.0, "service_days": 1,
        "people_trained": 15, "people_served": 20, "problems_solved": 1,
        "satisfaction": {"ratings": 1, "average": 4.0, "satisfied_share": 1.0},
    }
    # Every county of the city is listed, those without data as zeros.
    assert row(report["by_region"], "230103") == zero_figures()
    assert all(item["code"].startswith("2301") for item in report["by_region"])
    assert [item["key"] for item in report["by_region"]] == sorted(item["key"] for item in report["by_region"])


async def test_the_breakdown_by_field_follows_the_orders_field(client, seeded):
    report = await figures(client, seeded["harbin"], **MARCH)
    assert row(report["by_field"], "planting") == zero_figures() | {
        "orders": {"total": 3, "by_status": statuses(closed=1, serviced=1, submitted=1)},
        "turnaround_hours": times(accept=(2, 3.0, 3.8), dispatch=(2, 6.5, 7.7), first_visit=(2, 37.0, 45.8)),
        "visits": 4, "experts": 2, "service_hours": 9.0, "service_days": 2,
        "people_trained": 11, "people_served": 21, "problems_solved": 4,
        "satisfaction": {"ratings": 3, "average": 3.67, "satisfied_share": 0.6667},
        "follow_ups": {"open": 1, "closed": 1},
    }
    assert row(report["by_field"], "livestock") == zero_figures() | {
        "orders": {"total": 3, "by_status": statuses(closed=2, accepted=1)},
        "turnaround_hours": times(accept=(3, 3.0, 5.4), dispatch=(2, 4.5, 5.7), first_visit=(2, 34.5, 42.9)),
        "visits": 2, "experts": 1, "service_hours": 8.0, "service_days": 1,
        "people_trained": 15, "people_served": 20, "problems_solved": 1,
        "satisfaction": {"ratings": 2, "average": 4.5, "satisfied_share": 1.0},
    }
    labels = {item["key"]: item["label"] for item in report["by_field"]}
    assert (labels["planting"], labels["livestock"]) == ("种植技术", "畜牧兽医")
    assert row(report["by_field"], "health") == zero_figures()


async def test_the_breakdown_by_title_level_follows_the_expert_and_keeps_undispatched_orders_apart(client, seeded):
    report = await figures(client, seeded["harbin"], **MARCH)
    assert [(item["key"], item["label"]) for item in report["by_title_level"]] == [
        ("senior", "正高级"), ("associate_senior", "副高级"), ("intermediate", "中级"), (None, "未派专家")]
    assert row(report["by_title_level"], "senior") == zero_figures() | {
        "orders": {"total": 1, "by_status": statuses(closed=1)},
        "turnaround_hours": times(accept=(1, 2.0, 2.0), dispatch=(1, 5.0, 5.0), first_visit=(1, 26.0, 26.0)),
        "visits": 3, "experts": 1, "service_hours": 9.0, "service_days": 2,
        "people_trained": 11, "people_served": 19, "problems_solved": 4,
        "satisfaction": {"ratings": 2, "average": 4.5, "satisfied_share": 1.0},
        "follow_ups": {"open": 0, "closed": 1},
    }
    # The low-rated visit's hours wait for the follow-up: no hours, no day; the rejected visit counts nowhere.
    assert row(report["by_title_level"], "associate_senior") == zero_figures() | {
        "orders": {"total": 1, "by_status": statuses(serviced=1)},
        "turnaround_hours": times(accept=(1, 4.0, 4.0), dispatch=(1, 8.0, 8.0), first_visit=(1, 48.0, 48.0)),
        "visits": 1, "experts": 1, "people_served": 2,
        "satisfaction": {"ratings": 1, "average": 2.0, "satisfied_share": 0.0},
        "follow_ups": {"open": 1, "closed": 0},
    }
    intermediate = row(report["by_title_level"], "intermediate")
    assert (intermediate["orders"]["total"], intermediate["visits"], intermediate["service_hours"],
            intermediate["service_days"]) == (2, 2, 8.0, 1)
    assert intermediate["turnaround_hours"] == times(accept=(2, 2.0, 2.8), dispatch=(2, 4.5, 5.7),
                                                     first_visit=(2, 34.5, 42.9))
    assert row(report["by_title_level"], None) == zero_figures() | {
        "orders": {"total": 2, "by_status": statuses(accepted=1, submitted=1)},
        "turnaround_hours": times(accept=(1, 6.0, 6.0)),
    }


async def test_a_province_admin_sees_every_city_and_the_province_totals(client, seeded):
    report = await figures(client, seeded["province"], **MARCH)
    assert report["sub_region_level"] == "city"
    totals = report["totals"]
    assert totals["orders"]["total"] == 7
    # Accept times [1, 1, 2, 3, 4, 6]: median (2+3)/2, p90 at rank 5.5.
    assert totals["turnaround_hours"]["accept"] == {"count": 6, "median": 2.5, "p90": 5.0}
    assert totals["visits"] == 6
    assert row(report["by_region"], "2301")["orders"]["total"] == 6
    assert row(report["by_region"], "2302")["orders"] == {"total": 1, "by_status": statuses(accepted=1)}


async def test_a_county_admin_gets_their_own_county_by_township_by_default(client, seeded):
    report = await figures(client, seeded["wuchang"], **MARCH)
    assert report["region"]["code"] == WUCHANG
    assert report["sub_region_level"] == "township"
    minle = next(item for item in report["by_region"] if item["key"] == "230184200")
    assert minle["label"] == "民乐朝鲜族乡"
    assert (minle["figures"]["orders"]["total"], minle["figures"]["visits"], minle["figures"]["service_hours"]) \
        == (3, 5, 12.0)
    assert row(report["by_region"], "230184100") == zero_figures()
    assert report["totals"]["service_hours"] == 12.0


async def test_an_empty_period_gives_zeros_and_nulls(client, seeded):
    report = await figures(client, seeded["harbin"], **{"from": "2025-01-01", "to": "2025-01-31"})
    assert report["totals"] == zero_figures()
    assert all(item["figures"] == zero_figures() for item in report["by_region"])
    assert all(item["figures"] == zero_figures() for item in report["by_field"])
    assert [item["key"] for item in report["by_title_level"]] == ["senior", "associate_senior", "intermediate"]
    experts = await figures(client, seeded["harbin"], "/api/v1/figures/experts", **{"from": "2025-01-01",
                                                                                      "to": "2025-01-31"})
    assert experts["items"] == []


async def test_a_region_with_no_data_gives_zeros_and_nulls(client, seeded):
    report = await figures(client, seeded["harbin"], region=NANGANG, **MARCH)
    assert report["region"]["name"] == "南岗区"
    assert report["totals"] == zero_figures()
    assert all(item["figures"] == zero_figures() for item in report["by_region"])


async def test_the_period_bases_differ_for_orders_and_service(client, seeded):
    # April holds V6 only: one visit and its hours, but no order submitted.
    report = await figures(client, seeded["harbin"], **{"from": "2026-04-01", "to": "2026-04-30"})
    totals = report["totals"]
    assert totals["orders"]["total"] == 0
    assert (totals["visits"], totals["service_hours"], totals["service_days"], totals["people_served"]) \
        == (1, 3.0, 0, 100)
    # February holds O6's submission and nothing of its service.
    february = (await figures(client, seeded["harbin"], **{"from": "2026-02-01", "to": "2026-02-28"}))["totals"]
    assert february["orders"]["total"] == 1
    assert february["turnaround_hours"]["first_visit"] == {"count": 1, "median": 289.0, "p90": 289.0}
    assert february["visits"] == 0


async def test_each_experts_figures_are_listed_most_hours_first(client, seeded):
    report = await figures(client, seeded["harbin"], "/api/v1/figures/experts", **MARCH)
    assert report["region"]["code"] == HARBIN
    assert [(e["name"], e["title_level_label"], e["visits"], e["service_hours"], e["service_days"], e["ratings"],
             e["average_rating"], e["problems_solved"]) for e in report["items"]] == [
        ("专家甲", "正高级", 3, 9.0, 2, 2, 4.5, 4),
        ("专家丙", "中级", 2, 8.0, 1, 2, 4.5, 1),
        ("专家乙", "副高级", 1, 0.0, 0, 1, 2.0, 0),
    ]
    assert report["items"][0]["expert_id"] == seeded["experts"]["E1"]
    assert report["items"][1]["field_label"] == "畜牧兽医"


async def test_a_region_outside_the_admins_area_is_refused(client, seeded):
    for path in ("/api/v1/figures", "/api/v1/figures/experts", "/api/v1/figures.xlsx"):
        _, response = await client.get(path, params={"region": FANGZHENG}, headers=bearer(seeded["wuchang"]))
        assert response.status == 403
        assert response.json["error"]["code"] == "out_of_region"


async def test_requesters_and_experts_cannot_read_the_figures(client, seeded):
    expert, _ = await expert_tokens(client, "fig-nosy-expert")
    for tokens in (seeded["farmer"], expert):
        for path in ("/api/v1/figures", "/api/v1/figures/experts", "/api/v1/figures.xlsx"):
            _, response = await client.get(path, headers=bearer(tokens))
            assert response.status == 403
    _, anonymous = await client.get("/api/v1/figures")
    assert anonymous.status == 401


async def test_a_period_that_ends_before_it_starts_is_refused(client, seeded):
    _, response = await client.get("/api/v1/figures", params={"from": "2026-03-31", "to": "2026-03-01"},
                                   headers=bearer(seeded["harbin"]))
    assert response.status == 422
    assert "from" in response.json["error"]["fields"]
    _, bad = await client.get("/api/v1/figures", params={"from": "March"}, headers=bearer(seeded["harbin"]))
    assert bad.status == 422


# --------------------------------------------------------------------------- Excel


async def test_the_workbook_has_one_sheet_per_breakdown_and_its_totals_equal_the_api(client, seeded):
    _, response = await client.get("/api/v1/figures.xlsx", params=MARCH, headers=bearer(seeded["harbin"]))
    assert response.status == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = response.headers["content-disposition"]
    assert 'filename="figures-230100000000-2026-03-01-2026-03-31.xlsx"' in disposition
    assert ("filename*=UTF-8''%E8%B7%9F%E8%B8%AA%E9%97%AE%E6%95%88%E7%BB%9F%E8%AE%A1-"
            "%E5%93%88%E5%B0%94%E6%BB%A8%E5%B8%82-2026-03-01%E8%87%B32026-03-31.xlsx") in disposition

    workbook = load_workbook(io.BytesIO(response.body))
    assert workbook.sheetnames == ["汇总", "按地区", "按领域", "按职称", "专家明细"]
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == "哈尔滨市专家服务基层跟踪问效统计（2026-03-01 至 2026-03-31）"
        assert sheet.freeze_panes == "B3"
        assert sheet["A2"].font.bold

    summary = {r[0]: r[1] for r in workbook["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert (summary["需求单总数"], summary["其中：已办结"], summary["服务时长(小时)"], summary["服务天数"],
            summary["下单到派单用时P90(小时)"], summary["满意率(4-5分)"]) == (6, 3, 17.0, 3, 7.4, 0.8)

    expected = {"需求单数": 6, "已办结": 3, "服务完成，待办结": 1, "待受理": 1, "已受理，待派单": 1,
                "接单用时中位数(小时)": 3.0, "接单用时P90(小时)": 5.2, "派单用时中位数(小时)": 5.5,
                "首次上门用时中位数(小时)": 35.5, "首次上门用时P90(小时)": 47.1, "服务次数": 6, "参与专家数": 3,
                "服务时长(小时)": 17.0, "服务天数": 3, "培训人数": 26, "服务人数": 41, "解决问题数": 5, "评价数": 5,
                "平均满意度": 4.0, "满意率(4-5分)": 0.8, "回访未结": 1, "回访已结": 1}
    for name in ("按地区", "按领域", "按职称"):
        sheet = workbook[name]
        headers = [cell.value for cell in sheet[2]]
        last = sheet[sheet.max_row]
        assert last[0].value == "合计" and last[0].font.bold
        totals = dict(zip(headers, (cell.value for cell in last)))
        assert {key: totals[key] for key in expected} == expected

    regions = workbook["按地区"]
    wuchang = next(r for r in regions.iter_rows(min_row=3, values_only=True) if r[0] == "五常市")
    assert wuchang[1] == 3
    assert regions.column_dimensions["A"].width == 22

    experts = workbook["专家明细"]
    rows = list(experts.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[7]) for r in rows[:-1]] == [(1, "专家甲", 9.0), (2, "专家丙", 8.0), (3, "专家乙", 0.0)]
    assert rows[-1][:2] == ("合计", "3 人")
    assert (rows[-1][6], rows[-1][7], rows[-1][8]) == (6, 17.0, 3)


async def test_an_empty_workbook_still_opens_with_zero_totals(client, seeded):
    _, response = await client.get("/api/v1/figures.xlsx", params={"region": NANGANG, **MARCH},
                                   headers=bearer(seeded["harbin"]))
    workbook = load_workbook(io.BytesIO(response.body))
    last = workbook["按领域"][workbook["按领域"].max_row]
    assert last[0].value == "合计"
    assert last[1].value == 0
    assert [r[0] for r in workbook["专家明细"].iter_rows(min_row=3, values_only=True)] == ["合计"]


# --------------------------------------------------------------------------- through the real loop


async def test_an_order_walked_through_the_api_is_timed_from_its_real_transitions(client):
    farmer = await login(client, "fig-api-farmer")
    county = await admin_tokens(client, "fig-api-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "fig-api-province", Role.PROVINCE_ADMIN, PROVINCE)
    expert, expert_id = await expert_tokens(client, "fig-api-expert")
    with frozen(at(3, 2, 8)):
        order = await place_order(client, farmer)
    steps = ((at(3, 2, 10), "accept", county, {}), (at(3, 2, 13), "dispatch", province, {"expert_id": expert_id}),
             (at(3, 2, 14), "expert-accept", expert, {}))
    for when, path, tokens, body in steps:
        with frozen(when):
            _, response = await client.post(f"/api/v1/orders/{order['id']}/{path}", json=body, headers=bearer(tokens))
            assert response.status == 200, response.json
    with frozen(at(3, 3, 10)):
        _, code = await client.get(f"/api/v1/orders/{order['id']}/checkin-code", headers=bearer(farmer))
        _, visit = await client.post(f"/api/v1/orders/{order['id']}/check-in",
                                     json={"token": code.json["token"], "location": ON_SITE}, headers=bearer(expert))
        assert visit.status == 201, visit.json
    with frozen(at(3, 3, 14, 30)):
        _, out = await client.post(f"/api/v1/visits/{visit.json['id']}/check-out", json={"location": ON_SITE},
                                   headers=bearer(expert))
        assert out.json["status"] == "completed"
        _, rated = await client.post(f"/api/v1/visits/{visit.json['id']}/rating",
                                     json={"overall": 5, "attitude": 5, "expertise": 5, "solved": "solved"},
                                     headers=bearer(farmer))
        assert rated.status == 201
    totals = (await figures(client, county, **MARCH))["totals"]
    assert totals["turnaround_hours"] == times(accept=(1, 2.0, 2.0), dispatch=(1, 5.0, 5.0),
                                               first_visit=(1, 26.0, 26.0))
    assert (totals["visits"], totals["service_hours"], totals["service_days"]) == (1, 4.5, 1)
    assert totals["satisfaction"] == {"ratings": 1, "average": 5.0, "satisfied_share": 1.0}
    assert totals["orders"]["by_status"]["serviced"] == 1
