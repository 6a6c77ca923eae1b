"""The figures' SQL on the database the suite runs on: percentiles agree with percentile_cont, and the
number of queries does not grow with the number of rows."""

from datetime import date, datetime, timedelta

import pytest

from backend.config import Settings
from backend.infra.clock import CHINA
from backend.models import Order, User
from backend.services import figures
from support.factories import FANGZHENG_VILLAGE, HARBIN, MINLE_VILLAGE

START = datetime(2026, 5, 4, 8, 0, tzinfo=CHINA)
MAY = figures.Period(date(2026, 5, 1), date(2026, 5, 31))


def percentile_cont(values: list[float], p: float) -> float:
    """PostgreSQL's percentile_cont, written out: linear interpolation at rank 1 + p·(n−1)."""
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = int(position)
    if low + 1 == len(ordered):
        return ordered[low]
    return ordered[low] + (position - low) * (ordered[low + 1] - ordered[low])


async def orders_accepted_after(hours: list[float], village: str = MINLE_VILLAGE, field: str = "planting") -> None:
    requester = await User.create(name="统计测试")
    for index, delay in enumerate(hours):
        submitted = START + timedelta(minutes=index)
        await Order.create(requester_id=requester.id, status="accepted", field=field, description="测试",
                           region_code=village, address="村委会", latitude=45.0, longitude=127.0,
                           contact_phone="13800000000", window_start=date(2026, 5, 1), window_end=date(2026, 5, 31),
                           submitted_at=submitted, accepted_at=submitted + timedelta(hours=delay))


@pytest.mark.parametrize("hours", [
    [7.0],
    [1.0, 2.0],
    [5.0, 1.0, 3.0],
    [0.5, 0.5, 0.5, 9.0],
    [2.0, 4.0, 4.0, 8.0, 16.0, 1.25, 30.0],
    [float(h) for h in range(1, 12)],
])
async def test_median_and_p90_agree_with_percentile_cont(resources, hours):
    await orders_accepted_after(hours)
    grouped = await figures.turnarounds(HARBIN, MAY, figures.TOTAL)
    accept = grouped["*"]["accept"]
    assert accept["count"] == len(hours)
    assert accept["median"] == round(percentile_cont(hours, 0.5), 2)
    assert accept["p90"] == round(percentile_cont(hours, 0.9), 2)


async def test_percentiles_are_computed_within_each_group(resources):
    await orders_accepted_after([1.0, 2.0, 10.0])
    await orders_accepted_after([3.0, 5.0], village=FANGZHENG_VILLAGE, field="livestock")
    grouped = await figures.turnarounds(HARBIN, MAY, figures.by_region(6))
    assert grouped["230184"]["accept"] == {"count": 3, "median": 2.0, "p90": 8.4}
    assert grouped["230124"]["accept"] == {"count": 2, "median": 4.0, "p90": 4.8}
    by_field = await figures.turnarounds(HARBIN, MAY, figures.BY_FIELD)
    assert by_field["livestock"]["accept"]["median"] == 4.0


async def test_the_number_of_queries_does_not_grow_with_the_rows(resources, monkeypatch):
    from tortoise import connections

    client_class = type(connections.get("default"))
    calls = {"n": 0}
    for name in ("execute_query", "execute_query_dict"):
        original = getattr(client_class, name)

        async def counted(self, *args, _original=original, **kwargs):
            calls["n"] += 1
            return await _original(self, *args, **kwargs)

        monkeypatch.setattr(client_class, name, counted)

    async def queries_for_report() -> int:
        calls["n"] = 0
        await figures.report(Settings(), _claims(), date(2026, 5, 1), date(2026, 5, 31), None)
        return calls["n"]

    await orders_accepted_after([1.0])
    few = await queries_for_report()
    await orders_accepted_after([float(h) for h in range(40)])
    assert await queries_for_report() == few


def _claims():
    from backend.infra.tokens import AccessClaims

    return AccessClaims(user_id=1, role="local_admin", region_code=HARBIN, family="test")
