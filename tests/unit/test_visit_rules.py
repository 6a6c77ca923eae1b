from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from backend.domain.visits import (
    DurationRules,
    Fence,
    Flag,
    Placement,
    Position,
    duration_flags,
    haversine_m,
    hours_by_day,
    looks_fake,
    place,
    service_days,
)
from backend.infra.clock import CHINA

SITE = (45.034, 127.09)
FENCE = Fence(radius_m=500, refuse_radius_m=20_000)


def north_of(site, metres):
    # One degree of latitude is about 111,195 m on the mean sphere.
    return site[0] + metres / 111_195.0, site[1]


def test_haversine_matches_a_known_distance():
    harbin, beijing = (45.8038, 126.5350), (39.9042, 116.4074)
    assert haversine_m(*harbin, *beijing) == pytest.approx(1_052_000, rel=0.01)


def test_a_phone_just_inside_the_radius_is_on_site_and_just_outside_is_nearby():
    inside = Position(*north_of(SITE, 499), accuracy=5)
    outside = Position(*north_of(SITE, 520), accuracy=5)
    assert place(inside, SITE, FENCE)[0] == Placement.INSIDE
    assert place(outside, SITE, FENCE)[0] == Placement.NEARBY


def test_a_poor_fix_gets_the_benefit_of_the_doubt_up_to_the_radius():
    fuzzy = Position(*north_of(SITE, 800), accuracy=400)
    hopeless = Position(*north_of(SITE, 1200), accuracy=5000)
    assert place(fuzzy, SITE, FENCE)[0] == Placement.INSIDE
    assert place(hopeless, SITE, FENCE)[0] == Placement.NEARBY


def test_a_phone_in_another_county_is_refused():
    placement, distance = place(Position(*north_of(SITE, 30_000), accuracy=10), SITE, FENCE)
    assert placement == Placement.FAR
    assert distance == pytest.approx(30_000, abs=5)


def test_zero_accuracy_or_the_sites_own_coordinates_look_fake():
    assert looks_fake(Position(45.0341, 127.0901, accuracy=0), SITE)
    assert looks_fake(Position(*SITE, accuracy=12), SITE)
    assert not looks_fake(Position(45.0341, 127.0901, accuracy=12), SITE)


def test_short_long_and_overnight_visits_are_flagged():
    rules = DurationRules(min_minutes=30, max_hours=10)
    start = datetime(2026, 5, 6, 9, 0, tzinfo=CHINA)
    assert duration_flags(start, start + timedelta(minutes=10), rules, CHINA) == [Flag.TOO_SHORT]
    assert duration_flags(start, start + timedelta(hours=3), rules, CHINA) == []
    assert duration_flags(start, start + timedelta(hours=11), rules, CHINA) == [Flag.TOO_LONG]
    late = datetime(2026, 5, 6, 22, 0, tzinfo=CHINA)
    assert duration_flags(late, late + timedelta(hours=3), rules, CHINA) == [Flag.OVERNIGHT]


def test_a_visit_across_midnight_is_split_between_the_two_days():
    start = datetime(2026, 5, 6, 21, 0, tzinfo=CHINA)
    parts = hours_by_day(start, start + timedelta(hours=5), CHINA)
    assert parts == [(start.date(), Decimal("3.00")), (start.date() + timedelta(days=1), Decimal("2.00"))]


def test_a_visit_across_new_year_counts_in_both_years():
    start = datetime(2025, 12, 31, 22, 30, tzinfo=CHINA)
    parts = hours_by_day(start, start + timedelta(hours=3), CHINA)
    assert [(day.year, hours) for day, hours in parts] == [(2025, Decimal("1.50")), (2026, Decimal("1.50"))]


def test_midnight_is_reckoned_in_china_not_in_utc():
    start = datetime(2026, 5, 6, 14, 0, tzinfo=CHINA)  # 06:00 UTC
    assert len(hours_by_day(start, start + timedelta(hours=9), CHINA)) == 1


def test_a_day_counts_as_a_service_day_only_at_the_threshold():
    day = datetime(2026, 5, 6).date()
    other = datetime(2026, 5, 7).date()
    assert service_days({day: Decimal("4.00"), other: Decimal("3.99")}, 4.0) == 1
