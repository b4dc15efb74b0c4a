"""Working days and working time (SPEC §4): reqtrack.domain.calendar."""

from __future__ import annotations

import subprocess
import sys
import time as timer
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqtrack.domain.calendar import WorkingCalendar, parse_date_list
from reqtrack.domain.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Built once: their per-year tables are reused by every example.
PLAIN = WorkingCalendar("UTC")
CHINA = WorkingCalendar("Asia/Shanghai", "CN")
CHINA_EXTRA = WorkingCalendar(
    "Asia/Shanghai", "CN",
    extra_holidays=[date(2025, 3, 3), date(2025, 1, 26), date(2026, 6, 1)],  # one is a CN make-up Sunday
    extra_workdays=[date(2025, 1, 29), date(2025, 3, 8), date(2026, 6, 6)],  # one is a Spring Festival day
)
US_EAST = WorkingCalendar("America/New_York", "US")
CALENDARS = {"plain": PLAIN, "china": CHINA, "china-extra": CHINA_EXTRA, "us-east": US_EAST}

PROPERTY = settings(max_examples=150, deadline=None)
instants = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(timezone.utc))
calendars = st.sampled_from(sorted(CALENDARS))


def local(cal: WorkingCalendar, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=cal.tz)


# -- which days are worked -----------------------------------------------------------------------
def test_without_a_country_monday_to_friday_are_worked() -> None:
    week = [date(2025, 1, 6) + timedelta(days=i) for i in range(7)]  # Monday..Sunday
    assert [PLAIN.is_working_day(d) for d in week] == [True] * 5 + [False] * 2
    assert PLAIN.is_working_day(date(2025, 1, 1))  # New Year is a holiday only with a country


def test_china_spring_festival_2025_and_its_make_up_days() -> None:
    assert CHINA.is_working_day(date(2025, 1, 26))  # Sunday, 调休
    assert CHINA.is_working_day(date(2025, 2, 8))  # Saturday, 调休
    festival = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]  # 28 Jan .. 4 Feb
    assert not any(CHINA.is_working_day(d) for d in festival)
    assert CHINA.is_working_day(date(2025, 2, 5)) and not CHINA.is_working_day(date(2025, 2, 9))
    assert not CHINA.is_working_day(date(2025, 10, 1)) and CHINA.is_working_day(date(2025, 9, 28))


def test_other_countries() -> None:
    assert not US_EAST.is_working_day(date(2025, 7, 4))
    taiwan = WorkingCalendar("Asia/Taipei", "tw")
    assert taiwan.country == "TW" and taiwan.is_working_day(date(2025, 2, 8))  # 補班 Saturday
    hong_kong = WorkingCalendar("Asia/Hong_Kong", "HK")
    assert not hong_kong.is_working_day(date(2025, 1, 29)) and not hong_kong.is_working_day(date(2025, 2, 1))


def test_extra_lists_win_over_the_country() -> None:
    assert CHINA_EXTRA.is_working_day(date(2025, 1, 29))  # festival day made a working day
    assert not CHINA_EXTRA.is_working_day(date(2025, 1, 26))  # make-up Sunday taken off again
    assert not CHINA_EXTRA.is_working_day(date(2025, 3, 3))  # an ordinary Monday off
    assert CHINA_EXTRA.is_working_day(date(2025, 3, 8))  # an ordinary Saturday worked
    both = WorkingCalendar(extra_holidays=[date(2025, 3, 8)], extra_workdays=[date(2025, 3, 8)])
    assert both.is_working_day(date(2025, 3, 8))  # extra_workdays are applied last


def test_next_and_nth_working_day() -> None:
    assert CHINA.next_working_day(date(2025, 1, 27)) == date(2025, 2, 5)
    assert CHINA.first_working_day_from(date(2025, 1, 27)) == date(2025, 1, 27)
    assert CHINA.first_working_day_from(date(2025, 2, 1)) == date(2025, 2, 5)
    assert PLAIN.nth_working_day_after(date(2024, 12, 27), 3) == date(2025, 1, 1)  # crosses the year
    assert PLAIN.count_working_days(date(2024, 1, 1), date(2025, 1, 1)) == 262
    assert PLAIN.count_working_days(date(2025, 1, 1), date(2024, 1, 1)) == 0


# -- N working days after t ------------------------------------------------------------------------
def test_add_working_days_examples() -> None:
    friday = local(PLAIN, "2025-01-10 10:00")
    assert PLAIN.add_working_days(friday, 2) == local(PLAIN, "2025-01-14 10:00")
    assert PLAIN.add_working_days(friday, 0) == friday
    saturday = local(PLAIN, "2025-01-11 15:30")
    assert PLAIN.add_working_days(saturday, 0) == local(PLAIN, "2025-01-13 00:00")
    assert PLAIN.add_working_days(saturday, 1) == local(PLAIN, "2025-01-14 00:00")
    assert CHINA.add_working_days(local(CHINA, "2025-01-24 10:00"), 2) == local(CHINA, "2025-01-27 10:00")
    assert CHINA.add_working_days(local(CHINA, "2025-01-27 10:00"), 7) == local(CHINA, "2025-02-12 10:00")
    with pytest.raises(ValueError):
        PLAIN.add_working_days(friday, -1)


def test_result_is_in_the_calendar_zone_and_input_zone_does_not_matter() -> None:
    t = datetime(2025, 1, 24, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
    result = CHINA.add_working_days(t, 2)
    assert result.tzinfo == SHANGHAI and result == local(CHINA, "2025-01-27 10:00")
    with pytest.raises(ValueError):
        CHINA.add_working_days(datetime(2025, 1, 24, 10, 0), 1)  # naive


def test_fractional_working_time() -> None:
    t = local(PLAIN, "2025-01-10 18:00")  # Friday
    assert PLAIN.add_working_time(t, 0.25) == local(PLAIN, "2025-01-13 00:00")  # end of Friday → Monday 00:00
    assert PLAIN.add_working_time(t, 0.5) == local(PLAIN, "2025-01-13 06:00")


@PROPERTY
@given(name=calendars, t=instants, n=st.integers(min_value=0, max_value=400))
def test_n_working_days_after_t_lands_on_a_working_day(name: str, t: datetime, n: int) -> None:
    cal = CALENDARS[name]
    result = cal.add_working_days(t, n)
    assert cal.is_working_day(result.date())
    assert result >= t
    if cal.is_working_day(cal.local_date(t)):
        assert (result.hour, result.minute, result.second) == tuple(cal.local(t).timetuple()[3:6])
    else:
        assert cal.local_date(result) > cal.local_date(t)


@PROPERTY
@given(name=calendars, t=instants, n=st.integers(min_value=0, max_value=400))
def test_elapsed_from_t_to_n_working_days_after_t_is_n(name: str, t: datetime, n: int) -> None:
    cal = CALENDARS[name]
    if not cal.is_working_day(cal.local_date(t)):
        t = cal.add_working_days(t, 0)  # 00:00 of the next working day
    assert cal.working_days_between(t, cal.add_working_days(t, n)) == n


@PROPERTY
@given(name=calendars, a=instants, b=instants, c=instants)
def test_elapsed_is_additive_and_never_negative(name: str, a: datetime, b: datetime, c: datetime) -> None:
    cal = CALENDARS[name]
    a, b, c = sorted((a, b, c))
    ab, bc, ac = cal.working_days_between(a, b), cal.working_days_between(b, c), cal.working_days_between(a, c)
    assert ab >= 0 and bc >= 0 and cal.working_days_between(c, a) == 0.0
    assert ab + bc == pytest.approx(ac, abs=1e-9)


@PROPERTY
@given(a=instants, b=instants)
def test_elapsed_matches_a_day_by_day_reference(a: datetime, b: datetime) -> None:
    cal = CHINA_EXTRA
    la, lb = cal.local(a), cal.local(b)
    expected = 0.0
    day = la.date()
    while la < lb and day <= lb.date():
        begin = max(la, datetime.combine(day, datetime.min.time(), tzinfo=cal.tz))
        end = min(lb, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=cal.tz))
        if cal.is_working_day(day) and end > begin:
            expected += (end - begin) / timedelta(days=1)
        day += timedelta(days=1)
    assert cal.working_days_between(a, b) == pytest.approx(expected, abs=1e-9)


@PROPERTY
@given(start=st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 1, 1)), n=st.integers(1, 300))
def test_nth_working_day_matches_counting_one_by_one(start: date, n: int) -> None:
    cal = CHINA_EXTRA
    day, left = start, n
    while left:
        day += timedelta(days=1)
        left -= cal.is_working_day(day)
    assert cal.nth_working_day_after(start, n) == day
    assert cal.count_working_days(start + timedelta(days=1), day + timedelta(days=1)) == n


# -- daylight saving time ------------------------------------------------------------------------
def test_working_days_keep_the_clock_time_across_dst() -> None:
    friday = local(US_EAST, "2025-03-07 10:00")  # EST; clocks go forward on Sunday the 9th
    monday = US_EAST.add_working_days(friday, 1)
    assert (monday.date(), monday.hour, monday.utcoffset()) == (date(2025, 3, 10), 10, timedelta(hours=-4))
    assert US_EAST.working_days_between(friday, monday) == 1.0
    autumn = US_EAST.add_working_days(local(US_EAST, "2025-10-31 10:00"), 1)  # back on Sunday 2 Nov
    assert autumn == local(US_EAST, "2025-11-03 10:00") and autumn.utcoffset() == timedelta(hours=-5)


def test_a_day_counts_as_one_whatever_its_real_length() -> None:
    # A Sunday made a working day on the day the clocks go forward (23 real hours).
    cal = WorkingCalendar("America/New_York", extra_workdays=[date(2025, 3, 9)])
    start, end = local(cal, "2025-03-09 00:00"), local(cal, "2025-03-10 00:00")
    assert (end - start.astimezone(timezone.utc)) == timedelta(hours=23)
    assert cal.working_days_between(start, end) == 1.0
    # 02:30 does not exist that day: the result is the instant the clocks show after the jump.
    jumped = cal.add_working_days(local(cal, "2025-03-07 02:30"), 1)
    assert jumped.hour == 3 and jumped.minute == 30 and jumped.date() == date(2025, 3, 9)


# -- speed, laziness, input --------------------------------------------------------------------
def test_long_spans_are_fast() -> None:
    a, b = local(CHINA, "2022-03-01 10:00"), local(CHINA, "2026-11-15 16:00")
    CHINA.working_days_between(a, b)  # warm the per-year tables
    begin = timer.perf_counter()
    for _ in range(5000):
        CHINA.working_days_between(a, b)
        CHINA.add_working_days(a, 1000)
    per_call = (timer.perf_counter() - begin) / 10000
    assert per_call < 200e-6, per_call  # typically ~15 µs


def test_holidays_is_imported_only_when_a_country_is_set() -> None:
    code = (
        "import sys, datetime as d\n"
        "from reqtrack.domain.sla import calendar_from_settings, SlaPolicy\n"
        "c = calendar_from_settings({'calendar.timezone': 'Asia/Shanghai'})\n"
        "t = d.datetime(2025, 1, 24, 10, tzinfo=c.tz)\n"
        "c.add_working_days(t, 30); SlaPolicy.from_settings({})\n"
        "assert 'holidays' not in sys.modules\n"
        "calendar_from_settings({'calendar.country': 'CN'})\n"
        "assert 'holidays' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_bad_calendar_input() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        WorkingCalendar("Mars/Base")
    with pytest.raises(InvalidInput, match="country"):
        WorkingCalendar("UTC", "XX")
    with pytest.raises(InvalidInput, match="subdivision"):
        WorkingCalendar("UTC", "US", subdivision="ZZ")
    assert WorkingCalendar("America/Los_Angeles", "US", subdivision="ca").subdivision == "CA"
    assert parse_date_list("2025-02-01, 2025-01-01;2025-01-01") == (date(2025, 1, 1), date(2025, 2, 1))
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date_list("2025-02-30")


def test_country_days_given_are_used_and_the_years_taken_from_the_package_are_recorded() -> None:
    kept = {2025: (frozenset({date(2025, 1, 6)}), frozenset({date(2025, 1, 4)}))}  # not China's real 2025
    calendar = WorkingCalendar("Asia/Shanghai", "cn", country_days=kept)
    assert calendar.country == "CN"
    assert not calendar.is_working_day(date(2025, 1, 6)) and calendar.is_working_day(date(2025, 1, 4))
    assert calendar.is_working_day(date(2025, 1, 28))  # the real Spring Festival eve: the kept year wins
    assert calendar.fetched_days == {}
    assert not calendar.is_working_day(date(2026, 1, 1))  # 2026 is not kept: from the package
    assert set(calendar.fetched_days) == {2026}
    assert date(2026, 1, 1) in calendar.fetched_days[2026][0]


def test_a_kept_country_the_package_does_not_know_is_refused_when_a_year_is_needed() -> None:
    calendar = WorkingCalendar("UTC", "XX", country_days={})
    with pytest.raises(InvalidInput, match="unknown country code"):
        calendar.is_working_day(date(2025, 1, 6))
