"""Reading the times and durations people type: `2024-05-01`, `2024-05-01 14:30`, ISO 8601,
`now`, `today`, `yesterday`, `tomorrow`, `+3d`, `-2h`, `+2wd` (working days), `+1w`.

The clock and the time zone are passed in. A date alone means 00:00 for a start (`--at`,
`--since`, `--from`, `--to`) and the end of that day for an end (`--due`, `--until`).

Times are accepted from 1900-01-01 to 2999-12-31 (local): wide enough for any request and any
plan, narrow enough that every derived date (deadlines, report periods, the monthly trend, the
working-day calendar) stays inside what Python's dates and the stored ISO text can hold. A time
outside, or a relative time or window so large it overflows (`+99999999d`), is refused with
exit 2 and a sentence giving that range, never an internal error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from .errors import InvalidInput
from .record import EARLIEST_YEAR, LATEST_YEAR, TIME_RANGE, year_in_range

Role = Literal["start", "end"]
RELATIVE = re.compile(r"^([+-])\s*(\d+(?:\.\d+)?)\s*(wd|m|min|h|d|w)$", re.IGNORECASE)
DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(wd|m|min|h|d|w)$", re.IGNORECASE)
DATE_ONLY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{4}/\d{1,2}/\d{1,2}$|^\d{8}$")
UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
FIRST_YEAR, LAST_YEAR = EARLIEST_YEAR, LATEST_YEAR  # the times reqtrack accepts (domain.record, for imports too)
MAX_WINDOW_DAYS = 36500  # a duration (`--within`) up to 100 years

AddWorkingDays = Callable[[datetime, int], datetime]


@dataclass(frozen=True)
class ParsedTime:
    """A point in time and whether the user gave only a date."""

    at: datetime
    date_only: bool


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last minute of a local day (23:59:59), the meaning of a date-only deadline."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """00:00 of a local day."""
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def parse_time(
    text: str,
    now: datetime,
    tz: ZoneInfo,
    role: Role = "start",
    add_working_days: AddWorkingDays | None = None,
) -> ParsedTime:
    """Read `text` as a time in zone `tz`, from 1900-01-01 to 2999-12-31; raise InvalidInput with
    one sentence if it is not one (or is outside that range)."""
    raw = text.strip()
    try:
        parsed = _parse_time(raw, now, tz, role, add_working_days)
    except (OverflowError, ValueError):  # date arithmetic past year 1 or 9999, a calendar's limit
        raise _out_of_range(raw) from None
    return ParsedTime(_within_range(raw, parsed.at, tz), parsed.date_only)


def _out_of_range(raw: str) -> InvalidInput:
    return InvalidInput("{raw!r} is out of range: {range}", raw=raw, range=TIME_RANGE)


def _within_range(raw: str, at: datetime, tz: ZoneInfo) -> datetime:
    """`at`, when its local year (in `tz`) is in FIRST_YEAR..LAST_YEAR and it has a UTC form."""
    try:
        year = at.astimezone(tz).year
        at.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise _out_of_range(raw) from None
    if not year_in_range(year):
        raise _out_of_range(raw)
    return at


def _parse_time(raw: str, now: datetime, tz: ZoneInfo, role: Role, add_working_days: AddWorkingDays | None) -> ParsedTime:
    """parse_time without the range check (an overflow raises OverflowError or ValueError)."""
    lowered = raw.lower()
    local_now = now.astimezone(tz)
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if lowered == "now":
        return ParsedTime(local_now, False)
    if lowered in named:
        day = local_now.date() + timedelta(days=named[lowered])
        return _date_meaning(day, tz, role)
    match = RELATIVE.match(lowered)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        amount, unit = float(match.group(2)), match.group(3).lower()
        edge = date(LAST_YEAR, 12, 31) if sign > 0 else date(FIRST_YEAR, 1, 1)
        if amount * UNIT_SECONDS.get(unit, 86400) > (abs((edge - local_now.date()).days) + 2) * 86400:
            raise _out_of_range(raw)  # past the range's end before any arithmetic (a working day is a day or more)
        if unit == "wd":
            if add_working_days is None or sign < 0 or amount != int(amount):
                raise InvalidInput("{raw!r}: working days count forward in whole days, e.g. +2wd", raw=raw)
            return ParsedTime(add_working_days(local_now, int(amount)), False)
        if unit in ("d", "w") and amount == int(amount):
            # Whole days keep the clock time, like "+2wd" does.
            return ParsedTime(local_now + sign * timedelta(days=int(amount) * (7 if unit == "w" else 1)), False)
        return ParsedTime(local_now + sign * timedelta(seconds=amount * UNIT_SECONDS[unit]), False)
    if DATE_ONLY.match(raw):
        try:
            digits = raw.replace("/", "-")
            day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if "-" not in digits else date(
                *map(int, digits.split("-"))
            )
        except ValueError:
            raise InvalidInput("{raw!r} is not a valid date", raw=raw) from None
        return _date_meaning(day, tz, role)
    parsed = _parse_datetime_text(raw)
    if parsed is None:
        raise InvalidInput(
            "cannot read {raw!r} as a time; use e.g. 2024-05-01, '2024-05-01 14:30', ISO 8601, today, +3d or +2wd", raw=raw
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return ParsedTime(parsed, False)


def _parse_datetime_text(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw.replace("/", "-").replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        from dateutil import parser as date_parser  # only for the looser forms

        return date_parser.isoparse(raw)
    except (ValueError, OverflowError):
        pass
    try:
        from dateutil import parser as date_parser

        return date_parser.parse(raw, yearfirst=True, dayfirst=False)
    except (ValueError, OverflowError):
        return None


def _date_meaning(day: date, tz: ZoneInfo, role: Role) -> ParsedTime:
    return ParsedTime(end_of_day(day, tz) if role == "end" else start_of_day(day, tz), True)


@dataclass(frozen=True)
class Duration:
    """A window such as `1d`, `4h` or `2wd` (working days)."""

    amount: float
    unit: str

    @property
    def is_working_days(self) -> bool:
        return self.unit == "wd"

    def as_timedelta(self) -> timedelta:
        """Calendar length (working days are not calendar time: refuse)."""
        if self.is_working_days:
            raise ValueError("working-day durations need a calendar")
        return timedelta(seconds=self.amount * UNIT_SECONDS[self.unit])

    def after(self, t: datetime, add_working_days: AddWorkingDays | None) -> datetime:
        """The end of the window that starts at `t`."""
        if self.is_working_days:
            if add_working_days is None:
                raise ValueError("working-day durations need a calendar")
            return add_working_days(t, int(self.amount))
        return t + self.as_timedelta()


def parse_duration(text: str) -> Duration:
    """Read `1d`, `36h`, `30m`, `1w` or `2wd`."""
    match = DURATION.match(text.strip().lower())
    if not match:
        raise InvalidInput("cannot read {text!r} as a duration; use e.g. 1d, 4h, 30m, 1w or 2wd (working days)", text=text)
    amount, unit = float(match.group(1)), match.group(2)
    if unit == "wd" and amount != int(amount):
        raise InvalidInput("{text!r}: working days are whole days", text=text)
    if amount * UNIT_SECONDS.get(unit, 86400) > MAX_WINDOW_DAYS * 86400:
        raise InvalidInput("{text!r} is too long a window: durations go up to {most}d (100 years; working days count as "
                           "days here)", text=text.strip(), most=MAX_WINDOW_DAYS)
    return Duration(amount, "m" if unit == "min" else unit)


def utc(t: datetime) -> datetime:
    """The same instant in UTC."""
    return t.astimezone(timezone.utc)
