"""Pure rules of on-site visits: the geofence, what makes a visit doubtful, and how hours become days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

EARTH_RADIUS_M = 6_371_008.8


class Flag(StrEnum):
    """Why a visit goes to the local admin instead of straight into the ledger."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    OVERNIGHT = "overnight"
    OUT_OF_AREA = "out_of_area"
    NO_LOCATION = "no_location"
    SUSPICIOUS_LOCATION = "suspicious_location"
    OFFLINE_CLOCK = "offline_clock"
    LATE_UPLOAD = "late_upload"


FLAG_LABELS = {
    Flag.TOO_SHORT: "服务时间过短",
    Flag.TOO_LONG: "服务时间过长",
    Flag.OVERNIGHT: "跨日未签退",
    Flag.OUT_OF_AREA: "签到位置不在服务地点附近",
    Flag.NO_LOCATION: "未获取到定位",
    Flag.SUSPICIOUS_LOCATION: "定位疑似伪造",
    Flag.OFFLINE_CLOCK: "离线签到时间存疑",
    Flag.LATE_UPLOAD: "离线记录上传过晚",
}


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    accuracy: float | None


class Placement(StrEnum):
    INSIDE = "inside"  # within the radius: fine
    NEARBY = "nearby"  # outside the radius but not absurdly far: accepted and flagged
    FAR = "far"  # so far away that the scan cannot be on site: refused


@dataclass(frozen=True)
class Fence:
    radius_m: float
    refuse_radius_m: float


def place(position: Position, site: tuple[float, float], fence: Fence) -> tuple[Placement, int]:
    """Where a phone stands relative to the site, and how far away it is (metres).

    The phone's reported accuracy widens the radius up to a point: a 300 m fix
    just outside a 500 m fence is given the benefit of the doubt, a 5 km fix is not.
    """
    distance = haversine_m(position.latitude, position.longitude, site[0], site[1])
    allowance = min(position.accuracy or 0.0, fence.radius_m)
    if distance <= fence.radius_m + allowance:
        return Placement.INSIDE, round(distance)
    if distance <= fence.refuse_radius_m:
        return Placement.NEARBY, round(distance)
    return Placement.FAR, round(distance)


def looks_fake(position: Position, site: tuple[float, float], other: Position | None = None) -> bool:
    """Mock-location apps tend to report zero accuracy, or the site's own coordinates verbatim."""
    if position.accuracy is not None and position.accuracy <= 0:
        return True
    if (position.latitude, position.longitude) == site:
        return True
    return other is not None and (other.latitude, other.longitude) == (position.latitude, position.longitude) \
        and not other.accuracy and not position.accuracy


@dataclass(frozen=True)
class DurationRules:
    min_minutes: int
    max_hours: int


def duration_flags(check_in: datetime, check_out: datetime, rules: DurationRules, zone) -> list[Flag]:
    flags: list[Flag] = []
    minutes = (check_out - check_in).total_seconds() / 60
    if minutes < rules.min_minutes:
        flags.append(Flag.TOO_SHORT)
    if minutes > rules.max_hours * 60:
        flags.append(Flag.TOO_LONG)
    if check_in.astimezone(zone).date() != check_out.astimezone(zone).date():
        flags.append(Flag.OVERNIGHT)
    return flags


def hours_by_day(check_in: datetime, check_out: datetime, zone) -> list[tuple[date, Decimal]]:
    """Split a visit at local midnights: one (date, hours) pair per calendar day it touches."""
    start = check_in.astimezone(zone)
    end = check_out.astimezone(zone)
    parts: list[tuple[date, Decimal]] = []
    while start < end:
        midnight = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        stop = min(end, midnight)
        hours = Decimal((stop - start).total_seconds() / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if hours > 0:
            parts.append((start.date(), hours))
        start = stop
    return parts


def service_days(hours_per_day: dict[date, Decimal], threshold_hours: float) -> int:
    """Days with at least `threshold_hours` of verified service count as service days."""
    return sum(1 for hours in hours_per_day.values() if hours >= Decimal(str(threshold_hours)))


PASSING_RATING = 3


def hours_status(visit_status: str, rating: int | None, follow_up: tuple[str, str | None] | None) -> str:
    """Whether a visit's hours count. `follow_up` is (status, decision) when one exists."""
    if visit_status == "rejected":
        return "withheld"
    if visit_status in ("open", "flagged"):
        return "pending"
    if follow_up is not None:
        status, decision = follow_up
        if status == "closed":
            return "counted" if decision == "approve" else "withheld"
        return "pending"
    if rating is not None and rating >= PASSING_RATING:
        return "counted"
    return "pending"
