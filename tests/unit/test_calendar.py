"""Working days and working time (SPEC §4): reqtrack.domain.calendar."""

from __future__ import annotations

import subprocess
import sys
import time as timer
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import examples
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

PROPERTY = settings(max_examples=examples(150), deadline=None)
# Instants anywhere in 2023-2027, or in the last days of a year (where the per-year tables carry
# into the next year) so that every run reaches year ends.
instants = st.one_of(
    st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(timezone.utc)),
    st.builds(lambda year, back, minute: datetime(year, 12, 31, 12, tzinfo=timezone.utc) - timedelta(days=back, minutes=minute),
              st.integers(2023, 2026), st.integers(0, 10), st.integers(0, 24 * 60)),
)
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
@given(name=calendars, b=instants, many=st.lists(st.one_of(instants, st.builds(
    lambda hours: datetime(2026, 11, 1, 4, tzinfo=timezone.utc) + timedelta(minutes=hours), st.integers(0, 240))),
    min_size=1, max_size=12), zone=st.sampled_from([timezone.utc, SHANGHAI, ZoneInfo("America/New_York")]))
@example(name="us-east", b=datetime(2026, 11, 1, 7, tzinfo=timezone.utc), zone=timezone.utc,
         many=[datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc), datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)])
def test_working_days_to_one_end_equals_working_days_between(name: str, b: datetime, many: list[datetime],
                                                             zone: timezone | ZoneInfo) -> None:
    """`working_days_to(b)` (overdue's: one `now` for every deadline) gives exactly
    working_days_between, for starts before and after `b`, on its own day or far back, the
    same start twice, starts in any zone (a repeated DST hour in New York among them)."""
    cal = CALENDARS[name]
    until_b = cal.working_days_to(b)
    for a in [*many, *many]:
        a = a.astimezone(zone)
        assert until_b(a) == cal.working_days_between(a, b), a
    assert cal.working_days_to(b) is until_b  # the same end: the same function, with what it learnt
    with pytest.raises(ValueError, match="timezone-aware"):
        until_b(datetime(2026, 1, 1))  # a naive start is refused, as working_days_between refuses it


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
@given(start=st.one_of(st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 1, 1)),
                       st.builds(lambda year, back: date(year, 12, 31) - timedelta(days=back),
                                 st.integers(2023, 2026), st.integers(0, 12))),
       n=st.one_of(st.integers(1, 300), st.integers(1, 8)))
@example(start=date(2025, 12, 30), n=1)  # 2025-12-31, the year's last working day (2026-01-01 and -02 are off)
@example(start=date(2025, 12, 31), n=1)  # 2026-01-04, a make-up Sunday
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


# -- year ends, worked by hand -------------------------------------------------------------------
# Counted on a printed calendar, not computed: 2022 ends on a Saturday (last working day Friday
# the 30th), 2023 on a Sunday (last working day Friday the 29th), 2024 on a Tuesday; 2024 has 262
# weekdays. China (State Council notices): 2024-01-01 and 2025-01-01 are off; 2026-01-01..03 are
# off and Sunday 2026-01-04 is worked.
YEAR_END_NTH = [
    # (calendar, day, n, the n-th working day strictly after `day`)
    ("plain", date(2023, 12, 27), 1, date(2023, 12, 28)),
    ("plain", date(2023, 12, 27), 2, date(2023, 12, 29)),  # exactly the year's last working day
    ("plain", date(2023, 12, 27), 3, date(2024, 1, 1)),
    ("plain", date(2023, 12, 28), 1, date(2023, 12, 29)),
    ("plain", date(2023, 12, 29), 1, date(2024, 1, 1)),
    ("plain", date(2023, 12, 30), 1, date(2024, 1, 1)),
    ("plain", date(2023, 12, 31), 1, date(2024, 1, 1)),
    ("plain", date(2022, 12, 29), 1, date(2022, 12, 30)),
    ("plain", date(2022, 12, 29), 2, date(2023, 1, 2)),
    ("plain", date(2024, 12, 30), 1, date(2024, 12, 31)),
    ("plain", date(2024, 12, 31), 1, date(2025, 1, 1)),
    ("plain", date(2023, 12, 29), 262, date(2024, 12, 31)),  # all of 2024, to its last day
    ("plain", date(2023, 12, 29), 263, date(2025, 1, 1)),  # carried over two year ends
    ("plain", date(2024, 1, 1), 261, date(2024, 12, 31)),
    ("china", date(2023, 12, 27), 2, date(2023, 12, 29)),
    ("china", date(2023, 12, 27), 3, date(2024, 1, 2)),  # New Year's Day off
    ("china", date(2024, 12, 30), 1, date(2024, 12, 31)),
    ("china", date(2024, 12, 30), 2, date(2025, 1, 2)),
    ("china", date(2025, 12, 30), 1, date(2025, 12, 31)),
    ("china", date(2025, 12, 31), 1, date(2026, 1, 4)),  # the make-up Sunday after the New Year break
    ("china", date(2025, 12, 31), 2, date(2026, 1, 5)),
]


@pytest.mark.parametrize(("name", "day", "n", "expected"), YEAR_END_NTH)
def test_nth_working_day_across_the_year_end(name: str, day: date, n: int, expected: date) -> None:
    cal = WorkingCalendar(CALENDARS[name].timezone, CALENDARS[name].country)  # fresh: no table built yet
    assert cal.nth_working_day_after(day, n) == expected
    assert CALENDARS[name].nth_working_day_after(day, n) == expected  # and with the tables warm
    assert cal.count_working_days(day + timedelta(days=1), expected + timedelta(days=1)) == n


def test_n_working_days_after_t_across_the_year_end() -> None:
    wednesday = local(PLAIN, "2023-12-27 10:00")
    assert PLAIN.add_working_days(wednesday, 2) == local(PLAIN, "2023-12-29 10:00")  # not Sunday the 31st
    assert PLAIN.add_working_days(wednesday, 3) == local(PLAIN, "2024-01-01 10:00")
    assert CHINA.add_working_days(local(CHINA, "2023-12-27 10:00"), 3) == local(CHINA, "2024-01-02 10:00")
    assert CHINA.add_working_days(local(CHINA, "2025-12-31 09:00"), 1) == local(CHINA, "2026-01-04 09:00")
    assert PLAIN.add_working_days(local(PLAIN, "2023-12-30 15:00"), 0) == local(PLAIN, "2024-01-01 00:00")
    assert PLAIN.add_working_days(local(PLAIN, "2023-12-30 15:00"), 1) == local(PLAIN, "2024-01-02 00:00")
    friday = local(PLAIN, "2023-12-29 18:00")  # the year's last working day
    assert PLAIN.add_working_time(friday, 0.25) == local(PLAIN, "2024-01-01 00:00")
    assert PLAIN.add_working_time(friday, 0.5) == local(PLAIN, "2024-01-01 06:00")
    assert PLAIN.working_days_between(wednesday, local(PLAIN, "2024-01-01 10:00")) == 3.0
    assert PLAIN.working_days_between(friday, local(PLAIN, "2024-01-01 06:00")) == 0.5
    assert PLAIN.count_working_days(date(2023, 12, 27), date(2024, 1, 3)) == 5
    assert CHINA.count_working_days(date(2025, 12, 29), date(2026, 1, 6)) == 5  # 29, 30, 31 Dec; Sunday 4 and 5 Jan


# -- a second, simple model: day by day, from the rules of SPEC §4 -------------------------------
class ReferenceDays:
    """Which days are worked, from the rules alone (weekday, then the country's days straight from
    the `holidays` package, then the extra lists), and stepping one day at a time."""

    def __init__(self, cal: WorkingCalendar) -> None:
        self.off: set[date] = set()
        self.made_up: set[date] = set()
        if cal.country:
            table = holidays.country_holidays(cal.country, years=range(2021, 2030))
            self.off = set(table.keys())
            self.made_up = set(getattr(table, "weekend_workdays", ()))
        self.extra_holidays, self.extra_workdays = set(cal.extra_holidays), set(cal.extra_workdays)

    def worked(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if day in self.made_up:
            return True
        return day not in self.off and day.weekday() < 5

    def nth_after(self, day: date, n: int) -> date:
        while n:
            day += timedelta(days=1)
            n -= self.worked(day)
        return day


REFERENCES = {name: ReferenceDays(cal) for name, cal in CALENDARS.items()}


@PROPERTY
@given(name=calendars, t=instants, n=st.one_of(st.integers(0, 6), st.integers(0, 400)))
@example(name="plain", t=datetime(2023, 12, 27, 10, tzinfo=timezone.utc), n=2)  # the case: Friday the 29th
@example(name="china", t=datetime(2025, 12, 31, 1, tzinfo=timezone.utc), n=1)  # into a make-up Sunday
@example(name="us-east", t=datetime(2024, 12, 31, 23, tzinfo=timezone.utc), n=1)  # 18:00 on New Year's Eve
def test_n_working_days_after_t_matches_the_reference_model(name: str, t: datetime, n: int) -> None:
    cal, ref = CALENDARS[name], REFERENCES[name]
    wall = t.astimezone(cal.tz).replace(tzinfo=None)
    if ref.worked(wall.date()):
        day, clock_time = wall.date(), wall.time()
    else:
        day, clock_time = ref.nth_after(wall.date(), 1), datetime.min.time()
    expected_day = ref.nth_after(day, n) if n else day
    result = cal.add_working_days(t, n)
    assert (result.date(), result.time()) == (expected_day, clock_time)
    assert cal.is_working_day(expected_day) and ref.worked(expected_day)


# -- the rest of the calendar's contract, each with its expected value written out ----------------
def test_an_unknown_subdivision_is_refused_naming_the_first_twenty_known_ones() -> None:
    with pytest.raises(InvalidInput) as refused:
        WorkingCalendar("UTC", "US", subdivision="ZZ")
    message = str(refused.value)
    assert message.startswith("'ZZ' is not a subdivision of US that the holidays package knows (known: AK, AL, AR, ")
    known = message[message.index("(known: ") + len("(known: "):-1].split(", ")
    assert len(known) == 20 and known[-1] == "KY" and "LA" not in known  # the package lists 57, alphabetically
    with pytest.raises(InvalidInput, match=r"\(known: none\)$"):
        WorkingCalendar("UTC", "SG", subdivision="north")  # a country without subdivisions


def test_the_holidays_version_is_the_installed_packages() -> None:
    from reqtrack.domain.calendar import holidays_version

    assert holidays_version() == holidays.__version__ and holidays_version()[0].isdigit()


def test_country_year_days_and_replacing_them() -> None:
    assert PLAIN.country_year_days(2025) == (frozenset(), frozenset())  # no country: nothing
    off, made_up = WorkingCalendar("Asia/Shanghai", "CN").country_year_days(2025)
    assert date(2025, 1, 1) in off and date(2025, 1, 26) in made_up and date(2025, 1, 26) not in off
    calendar = WorkingCalendar("Asia/Shanghai", "CN")
    assert calendar.is_working_day(date(2025, 3, 3))  # an ordinary Monday, table built
    kept = (frozenset({date(2025, 3, 3)}), frozenset({date(2025, 3, 8)}))
    calendar.replace_country_year(2025, kept)
    assert calendar.country_days[2025] == calendar.fetched_days[2025] == kept
    assert not calendar.is_working_day(date(2025, 3, 3)) and calendar.is_working_day(date(2025, 3, 8))
    assert calendar.is_working_day(date(2025, 1, 29))  # the package's Spring Festival no longer counts


def test_a_kept_country_takes_missing_years_from_the_package_with_its_subdivision() -> None:
    calendar = WorkingCalendar("America/Los_Angeles", "US", subdivision="CA", country_days={})
    assert not calendar.is_working_day(date(2025, 3, 31))  # César Chávez Day: California only
    assert WorkingCalendar("America/Los_Angeles", "US", country_days={}).is_working_day(date(2025, 3, 31))
    assert (calendar.country, calendar.subdivision) == ("US", "CA")


def test_negative_amounts_are_refused_with_the_amount() -> None:
    with pytest.raises(ValueError, match=r"^n must not be negative, not -1$"):
        PLAIN.add_working_days(local(PLAIN, "2025-01-10 10:00"), -1)
    with pytest.raises(ValueError, match=r"^working time to add must not be negative, not -0.5$"):
        PLAIN.add_working_time(local(PLAIN, "2025-01-10 10:00"), -0.5)
    with pytest.raises(ValueError, match=r"^n must be at least 1, not 0$"):
        PLAIN.nth_working_day_after(date(2025, 1, 10), 0)


def test_no_working_time_is_exactly_zero() -> None:
    saturday = local(PLAIN, "2025-01-11 10:00")
    assert PLAIN.working_days_between(saturday, local(PLAIN, "2025-01-11 12:00")) == 0.0  # not a microsecond
    assert PLAIN.working_days_between(saturday, saturday) == 0.0
    assert PLAIN.working_days_between(local(PLAIN, "2025-01-10 12:00"), local(PLAIN, "2025-01-10 12:00")) == 0.0
    # The hour repeated when New York's clocks go back (a Sunday made a working day): a later
    # instant reading an earlier clock time adds no working time.
    cal = WorkingCalendar("America/New_York", extra_workdays=[date(2025, 11, 2)])
    first = datetime(2025, 11, 2, 1, 30, tzinfo=cal.tz)  # EDT
    again = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=cal.tz)  # EST, 40 minutes later
    assert again.astimezone(timezone.utc) - first.astimezone(timezone.utc) == timedelta(minutes=40)
    assert cal.working_days_between(first, again) == 0.0
    assert cal.working_days_between(first, datetime(2025, 11, 2, 2, 30, tzinfo=cal.tz)) == 1 / 24

