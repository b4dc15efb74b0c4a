"""Instants as ISO 8601 text in a zone, exactly as `value.astimezone(tz).isoformat()` writes them,
without a datetime operation per value. Pure.

Every JSON of requests writes its times this way (`list --format json`, `overdue --json`, the
stored JSON documents), and for thousands of requests `astimezone` + `isoformat` were half the
work of making each JSON object. Within one UTC day a zone almost always keeps one offset, so
the text of an instant is its UTC clock time moved by that offset: per UTC day the local date
and hour at its start, the offset's minutes and its text are worked out once, with datetime
operations, and each value only adds its hour and minutes to them (carrying into the next
hour and date) and appends its seconds.

A day whose start and end have different offsets (the offset changes within it: daylight
saving, a zone's new standard time) and an offset that is not a whole number of minutes (the
local mean time of some zones before 1900-1970) are converted value by value, as
datetime does. Two offset changes within one day, which the start and end would not show,
occur in no zone of the time zone database (tests/unit/test_isotime.py checks the installed one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

_UTC = timezone.utc
_HOURS = [f"{h:02d}" for h in range(24)]
_MINUTES = [f":{m:02d}" for m in range(60)]  # also the seconds' text
_DAY_END = timedelta(days=1, microseconds=-1)
# A UTC day: the local date at its start and the next one, the local hour at its start, the
# minutes the offset adds beyond whole hours, the offset's text; None: converted value by value.
_Day = tuple[tuple[str, str], int, int, str] | None


def _day(ordinal: int, tz: tzinfo) -> _Day:
    """The conversion of the UTC day `ordinal` to `tz` (None: value by value)."""
    try:
        start = datetime.combine(date.fromordinal(ordinal), datetime.min.time(), _UTC)
        first = start.astimezone(tz)
        offset = first.utcoffset()
        if offset is None or offset != (start + _DAY_END).astimezone(tz).utcoffset() or offset % timedelta(minutes=1):
            return None
        hours, shift = divmod(int(offset.total_seconds()) // 60, 60)
        base = start.replace(tzinfo=None) + timedelta(hours=hours)  # the local time at UTC 00:00, minutes dropped
        days = (base.date().isoformat() + "T", (base.date() + timedelta(days=1)).isoformat() + "T")
    except (OverflowError, ValueError):  # near year 1 or 9999: datetime says what it says, value by value
        return None
    return days, base.hour, shift, first.isoformat()[19:]


@lru_cache(maxsize=64)
def iso_writer(tz: tzinfo) -> Callable[[datetime | None], str | None]:
    """The function that writes an aware datetime as ISO 8601 text in `tz` (None for None),
    equal to `value.astimezone(tz).isoformat()` for every value (tests/unit/test_isotime.py);
    one per zone, keeping what it worked out of the days it has seen."""
    days: dict[int, _Day] = {}

    def write(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is not _UTC:  # the services hold UTC times; any other goes the long way
            return value.astimezone(tz).isoformat()
        ordinal = value.toordinal()
        day = days[ordinal] if ordinal in days else days.setdefault(ordinal, _day(ordinal, tz))
        if day is None:
            return value.astimezone(tz).isoformat()
        dates, hour, shift, suffix = day
        hour, minute = hour + value.hour, value.minute + shift
        if minute >= 60:
            hour, minute = hour + 1, minute - 60
        prefix = dates[0] + _HOURS[hour] if hour < 24 else dates[1] + _HOURS[hour - 24]
        micro = value.microsecond
        if micro:
            return f"{prefix}{_MINUTES[minute]}{_MINUTES[value.second]}.{micro:06d}{suffix}"
        return prefix + _MINUTES[minute] + _MINUTES[value.second] + suffix

    return write
