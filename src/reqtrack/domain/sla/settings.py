"""The shared settings (calendar and SLA targets: docs/sla.md; reminders and e-mail:
docs/notices.md), how each is checked, and the SLA policy, the reminder policy and the working
calendar they describe. Pure: no I/O."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..addresses import parse_mailbox
from ..calendar import CountryYear, WorkingCalendar, load_zone, normalise_country, parse_date_list, supported_countries
from ..errors import InvalidInput, Message

PRIORITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class SettingSpec:
    """One shared setting: its key, default (as stored text; None = not set) and meaning."""

    key: str
    default: str | None
    description: str
    kind: str  # zone | country | subdivision | dates | hours | days | calendar-days | fraction | host | port | choice | text | mailbox
    choices: tuple[str, ...] = ()  # kind choice: the accepted values


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
    # -- reminders (`remind`, docs/notices.md) ----------------------------------------------------
    SettingSpec("remind.assign_hours", "1", "Remind to assign a request still unassigned this many calendar hours "
                "after submission.", "hours"),
    SettingSpec("remind.due_days", "1", "Remind the owner of a planned completion or resolution deadline within "
                "this many working days.", "days"),
    SettingSpec("remind.update_days", "7", "Remind the liaison to update the customer of an open request after this "
                "many calendar days without a notice.", "calendar-days"),
    SettingSpec("remind.verify_days", "3", "Remind the liaison to chase the customer's verification after this many "
                "working days waiting.", "days"),
    SettingSpec("remind.survey_days", "3", "Remind the liaison to send the satisfaction survey this many calendar days "
                "after closing.", "calendar-days"),
    SettingSpec("remind.survey_until_days", "30", "No survey reminder for requests closed longer ago than this many "
                "calendar days.", "calendar-days"),
    # -- e-mail (`notice --send`, `remind --send`; the password only from REQTRACK_SMTP_PASSWORD) ----
    SettingSpec("smtp.host", None, "SMTP server that sends reqtrack's e-mail (host name or address); unset = no "
                "e-mail.", "host"),
    SettingSpec("smtp.port", "587", "Port of the SMTP server (587 for starttls, 465 for ssl, 25 for none).", "port"),
    SettingSpec("smtp.security", "starttls", "How the connection is secured: starttls, ssl (TLS from the start) or "
                "none.", "choice", ("starttls", "ssl", "none")),
    SettingSpec("smtp.user", None, "User name for the SMTP login (the password comes from REQTRACK_SMTP_PASSWORD); "
                "unset = no login.", "text"),
    SettingSpec("smtp.from", None, "Sender of reqtrack's e-mail: an address, or a name and address such as "
                "'客服团队 <support@example.com>'.", "mailbox"),
)
SETTINGS: dict[str, SettingSpec] = {spec.key: spec for spec in _SPECS}

_MAX = {"hours": 24 * 3650, "days": 3650, "calendar-days": 3650}  # ten years: beyond that a target is a typo
_UNITS = {"hours": Message("hours"), "days": Message("working days"), "calendar-days": Message("days")}


_POSITIVE = "{key} must be a positive number of {unit}, not {value!r}"


def _number(key: str, value: str, kind: str) -> float:
    unit = _UNITS[kind]
    try:
        number = float(value.strip())
    except ValueError:
        raise InvalidInput(_POSITIVE, key=key, unit=unit, value=value) from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidInput(_POSITIVE, key=key, unit=unit, value=value)
    if number > _MAX[kind]:
        raise InvalidInput("{key} must be at most {most} {unit}, not {value!r}", key=key, most=_MAX[kind], unit=unit,
                           value=value)
    return number


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _fraction(key: str, value: str) -> float:
    text = value.strip()
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise InvalidInput("{key} must be a share such as 0.9 or 90%, not {value!r}", key=key, value=value) from None
    if percent or number > 1:
        number /= 100
    if not math.isfinite(number) or not 0 < number <= 1:
        raise InvalidInput("{key} must be a share above 0 and at most 100%, such as 0.9 or 90%, not {value!r}", key=key,
                           value=value)
    return number


def validate_setting(key: str, value: str, settings: Mapping[str, str] | None = None) -> str:
    """The normalised text to store for `key`, or InvalidInput with one sentence.

    `settings` (the current ones, optional) lets a subdivision be checked against the
    configured country.
    """
    spec = SETTINGS.get(key)
    if spec is None:
        raise InvalidInput("unknown setting {key!r}; known settings: {known}", key=key, known=", ".join(SETTINGS))
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
        raise InvalidInput("{value!r} is not a subdivision of any country the holidays package knows", value=value)
    if spec.kind == "dates":
        return ",".join(day.isoformat() for day in parse_date_list(text, key))
    if spec.kind == "fraction":
        return _number_text(_fraction(key, text))
    if spec.kind in _UNITS:
        return _number_text(_number(key, text, spec.kind))
    return _mail_setting(spec, text, value)


def _mail_setting(spec: SettingSpec, text: str, value: str) -> str:
    """The e-mail settings: a host, a port, a choice, a user name, a sender."""
    key = spec.key
    if spec.kind == "port":
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise InvalidInput("{key} must be a port number from 1 to 65535, not {value!r}", key=key, value=value)
        return str(int(text))
    if spec.kind == "choice":
        if text.lower() not in spec.choices:
            raise InvalidInput("{key} must be one of {choices}, not {value!r}", key=key, choices=", ".join(spec.choices),
                               value=value)
        return text.lower()
    if text.lower() in ("", "none", "-"):
        return ""
    if spec.kind == "host":
        if len(text) > 253 or not all(ch.isalnum() or ch in ".-:[]_" for ch in text) or not text.isascii():
            raise InvalidInput("{key} must be a host name or address such as smtp.example.com, not {value!r}", key=key,
                               value=value)
        return text
    if spec.kind == "mailbox":
        mailbox = parse_mailbox(text)
        if mailbox is None:
            raise InvalidInput("{key} must be an e-mail address, or a name and address such as "
                               "'Support <support@example.com>', not {value!r}", key=key, value=value)
        return text
    if len(text) > 254 or not all(ch.isprintable() for ch in text):
        raise InvalidInput("{key} must be one line of text of at most 254 characters, not {value!r}", key=key,
                           value=value[:80])
    return text


# A stored setting that does not read (mail.py words its own the same).
STORED_SETTING = "stored setting {problem}; fix it with `reqtrack config set {key} VALUE`"


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
            return stored_number(settings, key)

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


def stored_number(settings: Mapping[str, str], key: str) -> float:
    """The number a stored numeric setting holds (its default when unset); InvalidInput naming
    the setting to fix for a value that does not read."""
    text = setting_value(settings, key) or ""
    spec = SETTINGS[key]
    try:
        return _fraction(key, text) if spec.kind == "fraction" else _number(key, text, spec.kind)
    except InvalidInput as exc:
        raise InvalidInput(STORED_SETTING, problem=exc, key=key) from None


@dataclass(frozen=True)
class RemindPolicy:
    """When `remind` lists a thing to do (docs/notices.md); the defaults are those of SETTINGS.

    Hours are calendar hours, `*_days` of kind `days` working days (due, verify), the others
    calendar days (update, survey).
    """

    assign_hours: float = 1
    due_days: float = 1
    update_days: float = 7
    verify_days: float = 3
    survey_days: float = 3
    survey_until_days: float = 30

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> RemindPolicy:
        """The reminder policy from stored settings (missing keys take their defaults)."""
        return cls(**{name: stored_number(settings, f"remind.{name}") for name in (
            "assign_hours", "due_days", "update_days", "verify_days", "survey_days", "survey_until_days")})


def calendar_from_settings(settings: Mapping[str, str],
                           country_days: Mapping[int, CountryYear] | None = None) -> WorkingCalendar:
    """The working calendar the settings describe; InvalidInput naming the setting to fix.

    `country_days`: the country's days of the years already kept (see WorkingCalendar).
    """
    zone = setting_value(settings, "calendar.timezone") or "UTC"
    country = setting_value(settings, "calendar.country") or None
    subdivision = setting_value(settings, "calendar.subdivision") or None

    def dates(key: str) -> tuple[date, ...]:
        return parse_date_list(setting_value(settings, key) or "", Message("stored setting {key}", key=key))

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
        raise InvalidInput("{problem} (from the stored calendar settings; change them with `reqtrack config set`)",
                           problem=exc) from None


# What running deadlines depend on besides the request: the calendar and the clock targets.
_DEADLINE_SETTINGS = ("calendar.timezone", "calendar.country", "calendar.subdivision", "calendar.extra_holidays",
                      "calendar.extra_workdays", "sla.response_hours", "sla.plan_hours.high",
                      "sla.resolution_days.high", "sla.resolution_days.medium", "sla.resolution_days.low",
                      "sla.stale_hours")
DEADLINES_FORMAT = 2  # 2: a `notice` answers the response clock. Bump when the clocks' rules change, so stored deadlines are recomputed


def deadline_basis(settings: Mapping[str, str]) -> str:
    """A text naming everything stored running deadlines were computed with besides the
    requests: the format and the calendar and SLA settings (defaults filled in). Stored
    deadlines are used only while their basis equals the current one. (A country's days are
    kept in the database once used, so a new `holidays` package does not change them.)"""
    parts = [f"format={DEADLINES_FORMAT}"]
    parts += [f"{key}={setting_value(settings, key) or ''}" for key in _DEADLINE_SETTINGS]
    return ";".join(parts)

