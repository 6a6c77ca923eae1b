"""Deadlines in Chinese working days.

The holiday facts below were read from chinesecalendar 1.11.0 itself
(`chinese_calendar.is_workday` / `get_holiday_detail`), not from memory:
- 2025 国庆 + 中秋: Oct 1 (Wed) – Oct 8 (Wed) off, Sep 27 (Sat) off,
  Sep 28 (Sun) and Oct 11 (Sat) are make-up working days, Oct 12 (Sun) off.
- 2026 春节: Feb 15 (Sun) – Feb 23 (Mon) off, Feb 14 (Sat) and Feb 28 (Sat)
  are make-up working days, Feb 24 (Tue) is the first day back.
- 2026 元旦: Jan 1 (Thu) – Jan 3 (Sat) off, Jan 4 (Sun) is a make-up working day.
- 2025-06-13 is an ordinary Friday, 06-16 and 06-17 ordinary Monday and Tuesday.
- The library has no data for 2027 onwards.
"""

import logging
from datetime import date, datetime, timezone

import pytest

from backend.domain import workdays
from backend.domain.workdays import SHANGHAI, add_working_days, is_working_day, working_days_between


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_a_friday_afternoon_submission_with_two_working_days_is_due_the_following_tuesday_afternoon():
    assert add_working_days(at("2025-06-13 15:30"), 2) == at("2025-06-17 15:30")


def test_a_saturday_submission_starts_counting_on_monday_morning():
    assert add_working_days(at("2025-06-14 22:10"), 2) == at("2025-06-18 09:00")


def test_two_working_days_from_the_eve_of_national_day_skip_the_whole_golden_week():
    # Sep 30 → Oct 9 (1) → Oct 10 (2): Oct 1–8 are all holidays.
    assert add_working_days(at("2025-09-30 10:00"), 2) == at("2025-10-10 10:00")


def test_the_make_up_saturday_after_national_day_counts_as_a_working_day():
    # Sep 30 → Oct 9, Oct 10, then Saturday Oct 11 is a 调休 working day.
    assert add_working_days(at("2025-09-30 10:00"), 3) == at("2025-10-11 10:00")


def test_an_order_placed_during_national_day_starts_counting_the_morning_after_the_holiday():
    # Placed Oct 3 (holiday): the clock starts Oct 9 09:00, +2 → Oct 10, Oct 11 (make-up Saturday).
    assert add_working_days(at("2025-10-03 20:00"), 2) == at("2025-10-11 09:00")


def test_a_make_up_sunday_before_national_day_is_where_a_saturday_order_starts():
    # Sat Sep 27 is off, Sun Sep 28 is a 调休 working day: the clock starts there.
    assert add_working_days(at("2025-09-27 11:00"), 2) == at("2025-09-30 09:00")


def test_the_spring_festival_2026_holiday_is_skipped_and_the_make_up_saturday_before_it_counts():
    # Fri Feb 13 → Sat Feb 14 (make-up working day) → Tue Feb 24 (first day back).
    assert add_working_days(at("2026-02-13 16:00"), 2) == at("2026-02-24 16:00")


def test_new_year_2026_make_up_sunday_is_a_working_day():
    assert is_working_day(date(2026, 1, 4)) is True
    assert is_working_day(date(2026, 1, 2)) is False


def test_zero_working_days_from_a_holiday_is_the_next_working_morning():
    assert add_working_days(at("2026-02-16 12:00"), 0) == at("2026-02-24 09:00")


def test_zero_working_days_from_a_working_day_is_the_same_moment():
    assert add_working_days(at("2025-06-13 15:30"), 0) == at("2025-06-13 15:30")


def test_a_utc_time_is_read_as_shanghai_wall_clock_and_the_answer_is_in_shanghai():
    # 2025-09-30 17:00 UTC is Oct 1 01:00 in Shanghai: a holiday, so counting starts Oct 9 09:00.
    deadline = add_working_days(datetime(2025, 9, 30, 17, 0, tzinfo=timezone.utc), 1)
    assert deadline == at("2025-10-10 09:00")
    assert deadline.tzinfo == SHANGHAI


def test_a_naive_datetime_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        add_working_days(datetime(2025, 6, 13, 15, 0), 1)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(at("2025-06-13 15:00"), -1)


def test_working_days_between_counts_days_after_the_first_up_to_and_including_the_second():
    assert working_days_between(at("2025-09-30 10:00"), at("2025-10-10 10:00")) == 2
    # After Fri Sep 26 up to Mon Oct 13: Sep 28, 29, 30, Oct 9, 10, 11, 13.
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 13)) == 7


def test_working_days_between_is_negative_when_the_second_moment_is_earlier():
    assert working_days_between(date(2025, 10, 13), date(2025, 9, 26)) == -7


def test_a_deadline_due_today_leaves_zero_working_days():
    assert working_days_between(at("2025-06-17 08:00"), at("2025-06-17 18:00")) == 0


def test_adding_then_counting_working_days_gives_back_the_same_number():
    start = at("2026-02-12 11:00")
    for n in range(0, 12):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday_and_warns_once(monkeypatch, caplog):
    monkeypatch.setattr(workdays, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="backend.domain.workdays"):
        assert is_working_day(date(2030, 1, 4)) is True  # a Friday
        assert is_working_day(date(2030, 1, 5)) is False  # a Saturday
        deadline = add_working_days(at("2030-01-04 15:00"), 1)
    assert deadline == at("2030-01-07 15:00")
    warnings = [r for r in caplog.records if "2030" in r.getMessage()]
    assert len(warnings) == 1


def test_counting_across_the_last_known_year_into_an_unknown_one_does_not_crash():
    # 2026-12-31 is a Thursday, 2027 is unknown to the library: Friday Jan 1 counts as a working day.
    assert add_working_days(at("2026-12-31 10:00"), 1) == at("2027-01-01 10:00")
