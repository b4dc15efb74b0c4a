"""domain/isotime.py: an instant's ISO 8601 text in a zone is exactly what
`value.astimezone(tz).isoformat()` writes — for random instants in every zone, at and around
every offset change the installed time zone database knows, and for values that are not UTC."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta, timezone
from functools import cache

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reqtrack.domain.isotime import iso_writer

ZONES = sorted(zoneinfo.available_timezones())
# Zones whose offsets are not whole hours, change by half an hour, change twice a year, skipped a
# day, or had local mean time with seconds into the 1970s: the cases the tables must get right.
HARD_ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Asia/Kathmandu",
              "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham", "Europe/Dublin", "Africa/Casablanca",
              "America/Santiago", "Asia/Tehran", "Pacific/Apia", "Antarctica/Troll", "Africa/Monrovia",
              "Pacific/Kiritimati", "America/Adak", "Europe/Moscow", "Asia/Pyongyang"]
INSTANTS = st.datetimes(min_value=datetime(1899, 12, 31), max_value=datetime(3000, 1, 1, 23, 59, 59),
                        timezones=st.just(timezone.utc))


@cache
def _transitions(name: str) -> list[int]:
    """The UTC seconds at which `name` changes its offset, from its TZif file (zoneinfo's own
    reader); [] where the file cannot be found (a zone from the tzdata package, not the system)."""
    from zoneinfo import _common  # noqa: PLC2701 - the one reader of TZif files in the standard library
    from zoneinfo._tzpath import find_tzfile  # noqa: PLC2701

    path = find_tzfile(name)
    if path is None:
        return []
    with open(path, "rb") as handle:
        index, times, offsets, *_ = _common.load_data(handle)
    return [t for i, t in enumerate(times) if i == 0 or offsets[index[i]] != offsets[index[i - 1]]]


@given(INSTANTS, st.sampled_from(ZONES), st.booleans())
@example(datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=timezone.utc), "Europe/Berlin", False)
@example(datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc), "America/New_York", True)
@example(datetime(2011, 12, 30, 9, 59, 59, tzinfo=timezone.utc), "Pacific/Apia", True)
@example(datetime(2026, 4, 4, 15, 29, 59, tzinfo=timezone.utc), "Australia/Lord_Howe", True)
@example(datetime(1971, 1, 1, 0, 44, 29, 500000, tzinfo=timezone.utc), "Africa/Monrovia", False)
def test_the_text_of_an_instant_is_astimezone_isoformat(value: datetime, name: str, whole_seconds: bool) -> None:
    tz = zoneinfo.ZoneInfo(name)
    if whole_seconds:
        value = value.replace(microsecond=0)
    assert iso_writer(tz)(value) == value.astimezone(tz).isoformat()


@given(INSTANTS, st.sampled_from(HARD_ZONES), st.integers(-14 * 60, 14 * 60))
def test_a_value_in_another_zone_reads_as_the_same_instant(value: datetime, name: str, minutes: int) -> None:
    tz = zoneinfo.ZoneInfo(name)
    other = value.astimezone(timezone(timedelta(minutes=minutes)))
    assert iso_writer(tz)(other) == other.astimezone(tz).isoformat() == value.astimezone(tz).isoformat()


def test_none_is_none_and_fixed_offset_zones_work() -> None:
    assert iso_writer(zoneinfo.ZoneInfo("UTC"))(None) is None
    value = datetime(2026, 12, 31, 23, 30, 5, tzinfo=timezone.utc)
    for tz in (timezone.utc, timezone(timedelta(hours=-9, minutes=-30)), timezone(timedelta(hours=13, minutes=45))):
        assert iso_writer(tz)(value) == value.astimezone(tz).isoformat()


@pytest.mark.parametrize("name", HARD_ZONES)
def test_every_offset_change_and_the_moments_around_it(name: str) -> None:
    """Each change of the zone's offset from 1900 on (and the day's start and end around it),
    to the microsecond: the day of a change goes value by value, the days beside it by table."""
    transitions = _transitions(name)
    if not transitions and name != "UTC":
        pytest.skip(f"no TZif file for {name}")
    tz = zoneinfo.ZoneInfo(name)
    write = iso_writer(tz)
    steps = [timedelta(seconds=s) for s in (-86400, -3600, -1, 0, 1, 1799, 3600, 86399)] + [timedelta(microseconds=-1)]
    for seconds in transitions:
        if seconds < -2208988800:  # before 1900
            continue
        moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
        for step in steps:
            value = moment + step
            assert write(value) == value.astimezone(tz).isoformat(), value


def test_no_zone_changes_its_offset_twice_within_two_days() -> None:
    """What the tables rely on: a day whose start and end have the same offset kept it all day.
    True of every zone of the installed database (two changes within 48 hours would break it)."""
    close = []
    for name in ZONES:
        times = _transitions(name)
        close += [(name, a) for a, b in zip(times, times[1:]) if b - a < 2 * 86400]
    if not any(_transitions(name) for name in ZONES):
        pytest.skip("no TZif files")
    assert close == []
