"""The shared settings (calendar and SLA targets: docs/sla.md), how each is checked, and the
SLA policy and working calendar they describe. Pure: no I/O."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..calendar import CountryYear, WorkingCalendar, load_zone, normalise_country, parse_date_list, supported_countries
from ..errors import InvalidInput

PRIORITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class SettingSpec:
    """One shared setting: its key, default (as stored text; None = not set) and meaning."""

    key: str
    default: str | None
    description: str
    kind: str  # zone | country | subdivision | dates | hours | days | fraction


_SPECS = (
    SettingSpec("calendar.timezone", "UTC", "IANA time zone of the database: dates, months and holidays are local to it "
                "(set from the creating machine's zone).", "zone"),
    SettingSpec("calendar.country", None, "ISO country code whose public holidays and make-up working days count "
                "(CN, TW, HK, US, ...); unset = Monday-Friday only.", "country"),
    SettingSpec("calendar.subdivision", None, "Optional subdivision of the country for regional holidays "
                "(e.g. a US state).", "subdivision"),
    SettingSpec("calendar.extra_holidays", "", "Extra days off, YYYY-MM-DD separated by commas (win over the country's "
                "calendar).", "dates"),
    SettingSpec("calendar.extra_workdays", "", "Extra working days, YYYY-MM-DD separated by commas (win over "
                "everything else).", "dates"),
    SettingSpec("sla.response_hours", "24", "First response due within this many calendar hours of submission.", "hours"),
    SettingSpec("sla.plan_hours.high", "48", "High priority: assignment (solution plan) due within this many calendar "
                "hours of submission.", "hours"),
    SettingSpec("sla.resolution_days.high", "2", "High priority: working days from submission (or reopen) to "
                "actual completion.", "days"),
    SettingSpec("sla.resolution_days.medium", "4", "Medium priority (and no priority yet): working days to actual "
                "completion.", "days"),
    SettingSpec("sla.resolution_days.low", "7", "Low priority: working days to actual completion.", "days"),
    SettingSpec("sla.stale_hours", "24", "An in-progress request with no update for this many calendar hours is "
                "stale.", "hours"),
    SettingSpec("sla.mean_resolution_target_days", "5", "Target for the mean resolution time over all requests, in "
                "working days (report).", "days"),
    SettingSpec("sla.first_response_target", "0.9", "Target share of requests answered within sla.response_hours "
                "(report); 0.9 or 90%.", "fraction"),
)
SETTINGS: dict[str, SettingSpec] = {spec.key: spec for spec in _SPECS}

_MAX = {"hours": 24 * 3650, "days": 3650}  # ten years: beyond that a target is a typo


def _number(key: str, value: str, kind: str) -> float:
    unit = "hours" if kind == "hours" else "working days"
    try:
        number = float(value.strip())
    except ValueError:
        raise InvalidInput(f"{key} must be a positive number of {unit}, not {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidInput(f"{key} must be a positive number of {unit}, not {value!r}")
    if number > _MAX[kind]:
        raise InvalidInput(f"{key} must be at most {_MAX[kind]} {unit}, not {value!r}")
    return number


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _fraction(key: str, value: str) -> float:
    text = value.strip()
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise InvalidInput(f"{key} must be a share such as 0.9 or 90%, not {value!r}") from None
    if percent or number > 1:
        number /= 100
    if not math.isfinite(number) or not 0 < number <= 1:
        raise InvalidInput(f"{key} must be a share above 0 and at most 100%, such as 0.9 or 90%, not {value!r}")
    return number


def validate_setting(key: str, value: str, settings: Mapping[str, str] | None = None) -> str:
    """The normalised text to store for `key`, or InvalidInput with one sentence.

    `settings` (the current ones, optional) lets a subdivision be checked against the
    configured country.
    """
    spec = SETTINGS.get(key)
    if spec is None:
        raise InvalidInput(f"unknown setting {key!r}; known settings: {', '.join(SETTINGS)}")
    text = value.strip()
    if spec.kind == "zone":
        load_zone(text)
        return text
    if spec.kind == "country":
        if text.lower() in ("", "none", "-"):
            return ""
        return normalise_country(text)[0]
    if spec.kind == "subdivision":
        if text.lower() in ("", "none", "-"):
            return ""
        country = (settings or {}).get("calendar.country", "")
        if country:
            return normalise_country(country, text)[1] or ""
        for subdivisions in supported_countries().values():
            for name in subdivisions:
                if name.upper() == text.upper():
                    return name
        raise InvalidInput(f"{value!r} is not a subdivision of any country the holidays package knows")
    if spec.kind == "dates":
        return ",".join(day.isoformat() for day in parse_date_list(text, key))
    if spec.kind == "fraction":
        return _number_text(_fraction(key, text))
    return _number_text(_number(key, text, spec.kind))


def setting_value(settings: Mapping[str, str], key: str) -> str | None:
    value = settings.get(key)
    return SETTINGS[key].default if value is None else value


@dataclass(frozen=True)
class SlaPolicy:
    """The SLA targets; the defaults are those of the settings (SETTINGS, docs/sla.md)."""

    response_hours: float = 24
    plan_hours_high: float = 48
    resolution_days: dict[str, float] = field(default_factory=lambda: {"high": 2, "medium": 4, "low": 7})
    stale_hours: float = 24
    mean_resolution_target_days: float = 5
    first_response_target: float = 0.9

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SlaPolicy:
        """The policy from stored settings (missing keys take their defaults); InvalidInput for a bad value."""

        def number(key: str) -> float:
            text = setting_value(settings, key) or ""
            spec = SETTINGS[key]
            try:
                return _fraction(key, text) if spec.kind == "fraction" else _number(key, text, spec.kind)
            except InvalidInput as exc:
                raise InvalidInput(f"stored setting {exc}; fix it with `reqtrack config set {key} VALUE`") from None

        return cls(
            response_hours=number("sla.response_hours"),
            plan_hours_high=number("sla.plan_hours.high"),
            resolution_days={p: number(f"sla.resolution_days.{p}") for p in PRIORITIES},
            stale_hours=number("sla.stale_hours"),
            mean_resolution_target_days=number("sla.mean_resolution_target_days"),
            first_response_target=number("sla.first_response_target"),
        )

    def resolution_target(self, priority: str | None) -> float:
        """Working days allowed for `priority` (no or unknown priority: medium)."""
        return float(self.resolution_days.get(priority or "medium", self.resolution_days["medium"]))


def calendar_from_settings(settings: Mapping[str, str],
                           country_days: Mapping[int, CountryYear] | None = None) -> WorkingCalendar:
    """The working calendar the settings describe; InvalidInput naming the setting to fix.

    `country_days`: the country's days of the years already kept (see WorkingCalendar).
    """
    zone = setting_value(settings, "calendar.timezone") or "UTC"
    country = setting_value(settings, "calendar.country") or None
    subdivision = setting_value(settings, "calendar.subdivision") or None

    def dates(key: str) -> tuple[date, ...]:
        return parse_date_list(setting_value(settings, key) or "", f"stored setting {key}")

    try:
        return WorkingCalendar(
            timezone=zone,
            country=country,
            extra_holidays=dates("calendar.extra_holidays"),
            extra_workdays=dates("calendar.extra_workdays"),
            subdivision=subdivision if country else None,
            country_days=country_days,
        )
    except InvalidInput as exc:
        raise InvalidInput(f"{exc} (from the stored calendar settings; change them with `reqtrack config set`)") from None


# What running deadlines depend on besides the request: the calendar and the clock targets.
_DEADLINE_SETTINGS = ("calendar.timezone", "calendar.country", "calendar.subdivision", "calendar.extra_holidays",
                      "calendar.extra_workdays", "sla.response_hours", "sla.plan_hours.high",
                      "sla.resolution_days.high", "sla.resolution_days.medium", "sla.resolution_days.low",
                      "sla.stale_hours")
DEADLINES_FORMAT = 1  # bump when the clocks' rules change, so stored deadlines are recomputed


def deadline_basis(settings: Mapping[str, str]) -> str:
    """A text naming everything stored running deadlines were computed with besides the
    requests: the format and the calendar and SLA settings (defaults filled in). Stored
    deadlines are used only while their basis equals the current one. (A country's days are
    kept in the database once used, so a new `holidays` package does not change them.)"""
    parts = [f"format={DEADLINES_FORMAT}"]
    parts += [f"{key}={setting_value(settings, key) or ''}" for key in _DEADLINE_SETTINGS]
    return ";".join(parts)

