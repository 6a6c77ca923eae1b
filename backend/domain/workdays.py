"""Chinese working days: the calendar the core loop's deadlines are counted in.

Working days come from ``chinese_calendar``, which knows weekends, public
holidays and the 调休 make-up working Saturdays and Sundays that the State
Council publishes each year. The library only knows the years published
so far (it raises NotImplementedError for others): for those years this
module falls back to Monday–Friday and logs a warning once per year, so a
sweeper running after the library's last year keeps working instead of
crashing. Upgrade chinesecalendar each December to get the next year.

Everything is reckoned in Asia/Shanghai wall-clock time. Functions take
timezone-aware datetimes and return aware ones in Asia/Shanghai.

Deadline rule (``add_working_days``)
    Submitted on a working day: the deadline is the same clock time on the
    n-th working day after that day (Friday 15:00 + 2 → Tuesday 15:00).
    Submitted on a non-working day (weekend, holiday): the clock starts at
    09:00 of the next working day, so the deadline is 09:00 on the n-th
    working day after that one (Saturday + 2 → Wednesday 09:00). Nobody is
    expected to act on a holiday, and a holiday order should not look
    "older" than a Monday morning one.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# When an office day starts, for work that arrives while the office is closed.
OFFICE_OPENS = time(9, 0)
# Guards the day-by-day walks against a runaway argument (≈ 10 years of working days).
MAX_WORKING_DAYS = 2500

_warned_years: set[int] = set()


def _to_local_date(day: date | datetime) -> date:
    if isinstance(day, datetime):
        return _localise(day).date()
    return day


def _localise(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        # A naive time is ambiguous (server clocks run in UTC): refuse rather than guess.
        raise ValueError("expected a timezone-aware datetime")
    return moment.astimezone(SHANGHAI)


@lru_cache(maxsize=4096)
def _calendar_says(local: date) -> bool | None:
    """The calendar's answer for a date (None: it has no data for the year).

    About 20 us a lookup, and every order placed or moved asks for a few days ahead.
    """
    try:
        return chinese_calendar.is_workday(local)
    except NotImplementedError:
        return None


def is_working_day(day: date | datetime) -> bool:
    """Whether `day` (a date, or an aware datetime's Shanghai date) is a Chinese working day."""
    local = _to_local_date(day)
    known = _calendar_says(local)
    if known is not None:
        return known
    if local.year not in _warned_years:
        _warned_years.add(local.year)
        log.warning("chinese_calendar has no data for %s: counting Monday-Friday as working days", local.year)
    return local.weekday() < 5


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    candidate = day + timedelta(days=1)
    while not is_working_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def add_working_days(start: datetime, n: int) -> datetime:
    """The deadline n working days after `start` (see the module's deadline rule)."""
    if n < 0 or n > MAX_WORKING_DAYS:
        raise ValueError(f"n must be between 0 and {MAX_WORKING_DAYS}")
    local = _localise(start)
    day = local.date()
    clock = local.timetz().replace(tzinfo=None)
    if not is_working_day(day):
        day = next_working_day(day)
        clock = OFFICE_OPENS
    for _ in range(n):
        day = next_working_day(day)
    return datetime.combine(day, clock, tzinfo=SHANGHAI)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    """Working days d with a < d <= b (by Shanghai date), negative when b is before a.

    So ``working_days_between(t, add_working_days(t, n)) == n`` for any t on a working day,
    and a deadline that falls today counts as 0 days left.
    """
    first, last = _to_local_date(a), _to_local_date(b)
    if last < first:
        return -working_days_between(last, first)
    if (last - first).days > MAX_WORKING_DAYS * 2:
        raise ValueError("the span is too long to count day by day")
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


__all__ = [
    "OFFICE_OPENS",
    "SHANGHAI",
    "add_working_days",
    "is_working_day",
    "next_working_day",
    "working_days_between",
]
