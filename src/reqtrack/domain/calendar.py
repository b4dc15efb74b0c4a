"""Working days and working time (docs/sla.md), pure: no I/O, no reading of the clock.

A working day is a *local calendar day* of the configured time zone that is

* Monday–Friday,
* minus the public holidays of the configured country (the `holidays` package),
* plus that country's make-up working days (China's 调休 Saturdays and Sundays),
* minus `extra_holidays`,
* plus `extra_workdays` (applied last, so the configured lists win over the country).

Working time is measured on a "wall clock" scale: every working day counts as exactly 1.0
(24 h) whatever its real length, and a moment's place within its day is its local clock
reading divided by 24 h. On a day with a daylight-saving change this means the skipped hour
counts for nothing and the repeated hour counts once; in exchange the two rules of docs/sla.md
("N working days after t", "Elapsed working time between a and b") hold exactly, DST or not:

* `add_working_days(t, n)` keeps the local clock time, and
* `working_days_between(t, add_working_days(t, n)) == n` for t on a working day.

(The one exception: if the clock time does not exist on the target day because the clocks
jump over it there, the result is the instant the clocks show just after the jump.)

Working-day lookups are answered from per-year prefix counts, built on first use of a year,
so counting or stepping over years of days costs a handful of list look-ups. The `holidays`
package is imported only when a country is configured; its per-year answers are cached for
the whole process.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidInput, Listed, Message

DAY_US = 86_400 * 1_000_000  # one working day on the wall-clock scale, in microseconds
_ONE_DAY = timedelta(days=1)


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or InvalidInput with one sentence."""
    try:
        if not name or name != name.strip():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            "unknown time zone {name!r}; use an IANA name such as Asia/Shanghai, Asia/Taipei or America/New_York", name=name
        ) from None


@lru_cache(maxsize=1)
def supported_countries() -> dict[str, list[str]]:
    """Country codes the installed `holidays` package knows, with their subdivisions."""
    import holidays  # lazy: ~80 ms, paid only by commands that need a country's calendar

    return {code.upper(): list(subdivs) for code, subdivs in holidays.list_supported_countries().items()}


def normalise_country(code: str, subdivision: str | None = None) -> tuple[str, str | None]:
    """(COUNTRY, subdivision) spelled as `holidays` knows them, or InvalidInput."""
    country = code.strip().upper()
    known = supported_countries()
    if country not in known:
        raise InvalidInput(
            "unknown country code {code!r} for public holidays; use an ISO 3166 code such as CN, TW, HK or US", code=code
        )
    if subdivision is None or not subdivision.strip():
        return country, None
    wanted = subdivision.strip().upper()
    for name in known[country]:
        if name.upper() == wanted:
            return country, name
    choices = Listed.of(known[country][:20], ", ", empty=Message("none"))
    raise InvalidInput("{subdivision!r} is not a subdivision of {country} that the holidays package knows (known: {choices})",
                       subdivision=subdivision, country=country, choices=choices)


def holidays_version() -> str:
    """The installed `holidays` package's version (recorded beside the country days kept)."""
    import holidays

    return str(getattr(holidays, "__version__", "unknown"))


@lru_cache(maxsize=512)
def country_year(country: str, subdivision: str | None, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, make-up working days) of one country in one year.

    Make-up days come from the package's `weekend_workdays` (dates on the country's weekend that
    are worked to bridge a holiday: China's 调休, Taiwan's 補班). A make-up day that makes up for
    a holiday of the next year (e.g. a late-December Saturday worked for New Year) is only
    recorded when that next year is populated, so the lookup covers `year` and `year + 1`.
    """
    import holidays

    years = [y for y in (year, year + 1) if y <= 9999]
    table = holidays.country_holidays(country, subdiv=subdivision, years=years)
    off = frozenset(d for d in table.keys() if d.year == year)
    made_up = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    return off, made_up - off


CountryYear = tuple[frozenset[date], frozenset[date]]  # (public holidays, make-up working days)


@dataclass(frozen=True)
class _YearTable:
    """Working-day flags of one year and their running count (prefix[i] = working days before day i)."""

    start: int  # ordinal of 1 January
    prefix: list[int]

    @property
    def total(self) -> int:
        return self.prefix[-1]


class WorkingCalendar:
    """Which local days are worked, and arithmetic in working time (see the module docstring)."""

    def __init__(
        self,
        timezone: str = "UTC",
        country: str | None = None,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        subdivision: str | None = None,
        country_days: Mapping[int, CountryYear] | None = None,
    ) -> None:
        """Raise InvalidInput for an unknown zone, country or subdivision.

        `country_days` gives the country's (public holidays, make-up days) of years already
        known (kept in the database, so that past figures do not move when the `holidays`
        package changes); the country and subdivision are then taken as already checked, and
        the package is imported only for a year not given. Those years are recorded in
        `fetched_days`, for the caller to keep.
        """
        self.timezone = timezone
        self.tz = load_zone(timezone)
        self.country: str | None = None
        self.subdivision: str | None = None
        if country is not None and country.strip():
            if country_days is None:
                self.country, self.subdivision = normalise_country(country, subdivision)
            else:
                self.country, self.subdivision = country.strip().upper(), subdivision or None
        self.country_days: dict[int, CountryYear] = dict(country_days or {})
        self.fetched_days: dict[int, CountryYear] = {}
        self._checked = country_days is None
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._years: dict[int, _YearTable] = {}
        self._day_flags: dict[date, bool] = {}
        self._last_local: tuple[datetime | None, datetime] = (None, datetime.min)  # (t, t in the zone): one entry
        self._to: tuple[datetime | None, Callable[[datetime], float] | None] = (None, None)  # working_days_to's last

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(timezone={self.timezone!r}, country={self.country!r}, "
            f"extra_holidays={len(self.extra_holidays)}, extra_workdays={len(self.extra_workdays)})"
        )

    # -- days -----------------------------------------------------------------------------
    def _rule(self, day: date, off: frozenset[date], made_up: frozenset[date]) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if day in made_up:
            return True
        if day in off:
            return False
        return day.weekday() < 5

    def _table(self, year: int) -> _YearTable:
        table = self._years.get(year)
        if table is None:
            if not 1 <= year <= 9999:
                raise ValueError(f"working days are only known for years 1-9999, not {year}")
            if self.country is not None:
                off, made_up = self._country_year(year)
            else:
                off = made_up = frozenset()
            first = date(year, 1, 1)
            length = (date(year + 1, 1, 1) - first).days if year < 9999 else 365
            flags = (self._rule(first + timedelta(days=i), off, made_up) for i in range(length))
            table = _YearTable(first.toordinal(), [0, *itertools.accumulate(int(f) for f in flags)])
            self._years[year] = table
        return table

    def country_year_days(self, year: int) -> CountryYear:
        """The configured country's (public holidays, make-up days) of `year` (empty without a
        country): kept ones first, else from the package (then recorded in `fetched_days`)."""
        return self._country_year(year) if self.country is not None else (frozenset(), frozenset())

    def replace_country_year(self, year: int, days: CountryYear) -> None:
        """Use `days` for the country's `year` from now on (recorded in `fetched_days`, to be kept)."""
        self.country_days[year] = self.fetched_days[year] = days
        self._years.clear()  # tables and day flags built with the old days
        self._day_flags.clear()
        self._to = (None, None)

    def _country_year(self, year: int) -> CountryYear:
        known = self.country_days.get(year)
        if known is not None:
            return known
        assert self.country is not None
        if not self._checked:  # the stored settings name a country the package must still know
            self.country, self.subdivision = normalise_country(self.country, self.subdivision)
            self._checked = True
        known = self.country_days[year] = self.fetched_days[year] = country_year(self.country, self.subdivision, year)
        return known

    def is_working_day(self, day: date) -> bool:
        """Whether the local calendar day `day` is a working day."""
        known = self._day_flags.get(day)  # asked tens of thousands of times by `overdue`
        if known is None:
            table = self._table(day.year)
            i = day.toordinal() - table.start
            known = self._day_flags[day] = table.prefix[i + 1] > table.prefix[i]
        return known

    def count_working_days(self, start: date, end: date) -> int:
        """Number of working days in [start, end) (0 when end <= start)."""
        if end <= start:
            return 0
        first = self._table(start.year)
        if start.year == end.year:
            return first.prefix[end.toordinal() - first.start] - first.prefix[start.toordinal() - first.start]
        count = first.total - first.prefix[start.toordinal() - first.start]
        for year in range(start.year + 1, end.year):
            count += self._table(year).total
        last = self._table(end.year)
        return count + last.prefix[end.toordinal() - last.start]

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day` (n >= 1)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        table = self._table(day.year)
        target = table.prefix[day.toordinal() - table.start + 1] + n
        year = day.year
        while target > table.total:
            # Carry what is left into the next year, whose count starts again at 0.
            target -= table.total
            year += 1
            table = self._table(year)
        k = bisect.bisect_left(table.prefix, target)  # first k with prefix[k] >= target: day k-1
        return date.fromordinal(table.start + k - 1)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.nth_working_day_after(day, 1)

    def first_working_day_from(self, day: date) -> date:
        """`day` itself when it is a working day, else the next working day."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    # -- instants -------------------------------------------------------------------------
    def local(self, t: datetime) -> datetime:
        """`t` (timezone-aware) in the calendar's zone."""
        zone = t.tzinfo
        if zone is self.tz:  # already local (deadlines are): astimezone would return it unchanged
            return t
        if t is self._last_local[0]:  # `overdue` asks for the same "now" once per request
            return self._last_local[1]
        if zone is None:
            raise ValueError(f"a timezone-aware datetime is needed, not {t!r}")
        shown = t.astimezone(self.tz)
        self._last_local = (t, shown)
        return shown

    def local_date(self, t: datetime) -> date:
        """The local calendar day of `t`."""
        return self.local(t).date()

    def _at(self, day: date, position_us: int, fold: int = 0) -> datetime:
        seconds, micro = divmod(position_us, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        wall = datetime.combine(day, time(hour, minute, second, micro), tzinfo=self.tz).replace(fold=fold)
        # Round-trip through UTC so that a clock time skipped by DST becomes a real instant.
        return wall.astimezone(timezone.utc).astimezone(self.tz)

    def add_working_time(self, t: datetime, days: float) -> datetime:
        """The moment `days` (>= 0, may be fractional) of working time after `t`.

        A `t` on a non-working day starts at 00:00 of the next working day. A whole number of
        days keeps the local clock time; a result exactly at a day boundary is 00:00 of the
        next working day (never 24:00 of a working day followed by a weekend).
        """
        if days < 0:
            raise ValueError(f"working time to add must not be negative, not {days}")
        lt = self.local(t)
        day = lt.date()
        if self.is_working_day(day):
            if days == 0:
                return lt
            position = _position_us(lt)
        else:
            day, position = self.next_working_day(day), 0
        whole, rest = divmod(position + round(days * DAY_US), DAY_US)
        if whole:
            day = self.nth_working_day_after(day, whole)
        return self._at(day, rest, lt.fold if rest == position else 0)

    def add_working_days(self, t: datetime, n: int) -> datetime:
        """`n working days after t`: the same local clock time n working days later (docs/sla.md).

        A `t` on a non-working day starts at 00:00 of the next working day; n = 0 on a working
        day returns `t` (in the calendar's zone).
        """
        if n < 0:
            raise ValueError(f"n must not be negative, not {n}")
        return self.add_working_time(t, n)

    def working_days_between(self, a: datetime, b: datetime) -> float:
        """Elapsed working time from `a` to `b`, in days: the part of [a, b] on working days.

        24 h of a working day is 1.0; 0.0 when b <= a.
        """
        la, lb = self.local(a), self.local(b)
        if lb <= la:  # same zone: wall-clock order, which is the scale working time is measured on
            return 0.0
        return self._working_us(la, lb) / DAY_US

    def working_days_to(self, b: datetime) -> Callable[[datetime], float]:
        """`lambda a: self.working_days_between(a, b)` for many `a` and one `b` (`overdue`'s
        now: one per breached clock of every open request), equal to it for every `a`
        (tests/unit/test_calendar.py): `b`'s local day and place are worked out once, and the
        working time from each day to `b` the first time that day comes up. The last one made
        is kept, for the same `b` (the very object) asked again."""
        if self._to[0] is b and self._to[1] is not None:
            return self._to[1]
        lb = self.local(b)
        db, pb = lb.date(), _position_us(lb)
        tz = self.tz
        # Local day before b's -> (working time from its start to b, whether it is worked): the
        # sum `_working_us` makes, less the place of `a` within a worked day.
        spans: dict[date, tuple[int, bool]] = {}

        def between(a: datetime) -> float:
            zone = a.tzinfo  # local(a), inline for the aware values it is given (naive ones: its error)
            la = a if zone is tz else a.astimezone(tz) if zone is not None else self.local(a)
            if lb <= la:  # same zone: wall-clock order, as in working_days_between
                return 0.0
            da = la.date()
            if da == db:
                return (max(0, pb - _position_us(la)) if self.is_working_day(db) else 0) / DAY_US
            span = spans.get(da)
            if span is None:
                worked = self.is_working_day(da)
                span = spans[da] = (DAY_US * self.count_working_days(da + _ONE_DAY, db) + (DAY_US if worked else 0)
                                    + (pb if self.is_working_day(db) else 0), worked)
            return (span[0] - _position_us(la) if span[1] else span[0]) / DAY_US

        self._to = (b, between)
        return between

    def window_start(self, t: datetime, days: float) -> datetime:
        """The earliest moment s with `working_days_between(s, t) <= days` (days > 0): from s on,
        `t` is at most `days` of working time away (the start of a "due within N working days"
        window). A start at 00:00 of a working day reaches back over the days off before it (no
        working time passes there)."""
        if days <= 0:
            return self.local(t)
        lt = self.local(t)
        day, need = lt.date(), round(days * DAY_US)
        end = _position_us(lt)
        available = end if self.is_working_day(day) else 0
        while need > available:
            need -= available
            day -= _ONE_DAY
            end = DAY_US
            available = DAY_US if self.is_working_day(day) else 0
        position = end - need
        if position == 0:
            while not self.is_working_day(day - _ONE_DAY):
                day -= _ONE_DAY
        return self._at(day, position)

    def _working_us(self, la: datetime, lb: datetime) -> int:
        """Working time between two local moments (la before lb), in wall-clock microseconds."""
        da, db = la.date(), lb.date()
        pa, pb = _position_us(la), _position_us(lb)
        if da == db:
            # max(): in a repeated DST hour the later moment can read an earlier clock time.
            return max(0, pb - pa) if self.is_working_day(da) else 0
        total = DAY_US * self.count_working_days(da + _ONE_DAY, db)
        if self.is_working_day(da):
            total += DAY_US - pa
        if self.is_working_day(db):
            total += pb
        return total


def _position_us(lt: datetime) -> int:
    """Place of a local moment within its day, on the wall clock, in microseconds."""
    return ((lt.hour * 60 + lt.minute) * 60 + lt.second) * 1_000_000 + lt.microsecond


def parse_date_list(text: str, what: str | Message = "date list") -> tuple[date, ...]:
    """`2025-01-01, 2025-01-02` → sorted unique dates; InvalidInput for anything else."""
    days: set[date] = set()
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            days.add(date.fromisoformat(part))
        except ValueError:
            raise InvalidInput("{what}: {part!r} is not a date; write YYYY-MM-DD, separated by commas", what=what,
                               part=part) from None
    return tuple(sorted(days))
