"""The SLA on screen and for scripts: the clocks of `show`, the overdue list and the settings."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from json.encoder import encode_basestring as _string  # what json's encoder writes for a str
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..domain.isotime import iso_writer
from ..domain.vocab import PRIORITY, STATUS
from .cells import local, owner_cell
from .labels import LABELS, SETTING_MEANINGS, label, reason_label, setting_meaning
from .output import console_for_stdout, plain, plain_table
from .text import one_line

if TYPE_CHECKING:
    from ..domain.calendar import WorkingCalendar
    from ..domain.sla import Clock
    from ..services.sla import OverdueReport, SettingView

def human_delta(delta: timedelta, lang: str = "en") -> str:
    """`2d 4h`, `5h 30m`, `12m` (2天4小时, 5小时30分钟, 12分钟) — the size of a delta, without its sign."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return label("delta.dh", lang, d=days, h=hours)
    if hours:
        return label("delta.hm", lang, h=hours, m=mins)
    return label("delta.m", lang, m=mins)


def span_text(working_days: float, delta: timedelta, lang: str = "en") -> str:
    """`1.50 wd (1d 12h)` (1.50 个工作日（1天12小时）): working days, then calendar time."""
    return label("span", lang, days=label("wd.n", lang, n=f"{abs(working_days):.2f}"), delta=human_delta(delta, lang))


def late_text(late_calendar: timedelta, late_working_days: float, lang: str = "en") -> str:
    """`late 1.50 wd (1d 12h)` or `in 0.25 wd (6h 00m)`."""
    word = "overdue.late" if late_calendar.total_seconds() > 0 else "overdue.in"
    return label(word, lang, span=span_text(late_working_days, late_calendar, lang))


def overdue_json_lines(report: OverdueReport) -> list[str]:
    """Each row for scripts as one line of JSON, an object of id, reason (the most urgent),
    reasons (each: reason, deadline, late_calendar_hours, late_working_days, most urgent first),
    deadline, late_calendar_hours and late_working_days (the most urgent reason's), owner,
    department, priority, status (at the moment evaluated), customer, description and due —
    exactly as `json.JSONEncoder(ensure_ascii=False).encode` writes that object (tests/unit/
    test_overdue_json.py). Written field by field, with json's own string encoder: making a dict
    per row and encoding it was two fifths of `overdue --json`."""
    write = iso_writer(report.tz)
    lines = []
    for row in report.rows:
        r = row.request
        listed: list[str] = []
        for x in row.reasons:
            deadline = write(x.deadline)
            figures = (f'"deadline": {"null" if deadline is None else _string(deadline)}, '
                       f'"late_calendar_hours": {_hundredths(x.late_calendar.total_seconds() / 3600)}, '
                       f'"late_working_days": {_hundredths(x.late_working_days)}')
            if not listed:
                reason, first = _string(x.reason), figures
            listed.append(f'{{"reason": {_string(x.reason)}, {figures}}}')
        due = write(r.due)
        lines.append(
            f'{{"id": {_value(r.id)}, "reason": {reason}, "reasons": [{", ".join(listed)}], {first}, '
            f'"owner": {_value(r.owner)}, "department": {_value(r.department)}, "priority": {_value(r.priority)}, '
            f'"status": {_value(row.status)}, "customer": {_value(r.customer)}, '
            f'"description": {_value(r.description)}, "due": {"null" if due is None else _string(due)}}}'
        )
    return lines


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _value(value: object) -> str:
    """A value as json's encoder writes it (ensure_ascii=False): a str by json's own string
    encoder (quoted, escaped), None as null, anything else (a hand's edit of the file) by the encoder."""
    if value.__class__ is str:
        return _string(value)
    return "null" if value is None else _ENCODE(value)


def _hundredths(value: float) -> str:
    """`round(value, 2)` as json's encoder writes it (its repr when finite), without the round:
    f"{value:.2f}" is round's own decimal rounding, and below 10^13 the shortest text of the
    float it gives is those digits less a trailing zero (tests/unit/test_overdue_json.py)."""
    if -1e13 < value < 1e13:
        text = f"{value:.2f}"
        return text[:-1] if text[-1] == "0" else text
    rounded = round(value, 2)
    return float.__repr__(rounded) if rounded - rounded == 0 else _ENCODE(rounded)


def overdue_table(report: OverdueReport, lang: str) -> None:
    """The overdue list on screen, most late first, as aligned plain text (late rows red, coming
    due yellow on a terminal): a Rich table of thousands of rows took 15 s of CPU at 100,000
    requests, and the list is also what the morning script writes to its summary file."""
    as_of = local(report.as_of, report.tz)
    if not report.rows:
        sys.stdout.write(label("overdue.nothing", lang, as_of=as_of) + "\n")
        return
    headers = [label(key, lang) for key in ("id", "reason", "deadline", "overdue.late_by", "owner", "priority", "status",
                                             "customer", "description")]
    rows, styles = [], []
    for row in report.rows:
        r = row.request
        late = row.reason.late_calendar.total_seconds() > 0
        rows.append([one_line(r.id), label("sep.list", lang).join(reason_label(x.reason, lang) for x in row.reasons),
                     local(row.reason.deadline, report.tz),
                     late_text(row.reason.late_calendar, row.reason.late_working_days, lang), one_line(owner_cell(r)),
                     one_line(PRIORITY.label(r.priority, lang)), one_line(STATUS.label(row.status, lang)),
                     one_line(r.customer), one_line(r.description)])  # user text on one line, controls shown
        styles.append("31" if late else "33")
    lines = plain_table(headers, rows, [None, 40, None, None, 24, None, None, 24, 40], styles)
    late_count = sum(1 for row in report.rows if row.reason.late_calendar.total_seconds() > 0)
    lines.append(label("overdue.footer", lang, late=late_count, soon=len(report.rows) - late_count, as_of=as_of))
    sys.stdout.write("\n".join(lines) + "\n")


def clock_rows(clocks: list[Clock], calendar: WorkingCalendar | None, now: datetime,
               tz: ZoneInfo, lang: str = "en", due_is_date: bool = False) -> list[tuple[str, str, str]]:
    """(clock, deadline, state) for `show`: met, late or remaining, in working and calendar time
    (none without the calendar to count working days in); the planned completion as a date when
    it was set as one (`due_is_date`)."""
    rows: list[tuple[str, str, str]] = []
    if calendar is None:
        return rows
    for clock in clocks:
        if clock.deadline is None:
            continue
        delta = clock.late_by(now)  # in UTC: a DST change does not shift it
        span = span_text(clock.late_working_days(now, calendar), delta, lang)
        if clock.met_at is not None:
            met = local(clock.met_at, tz)
            state = label("clock.met_late", lang, time=met, span=span) if delta.total_seconds() > 0 else \
                label("clock.met", lang, time=met)
        elif clock.paused:
            state = label("clock.paused", lang, days=label("wd.n", lang, n=f"{clock.paused_working_days:.2f}"))
        elif delta.total_seconds() > 0:
            state = label("clock.late", lang, span=span)
        else:
            state = label("clock.left", lang, span=span)
        name = f"clock.{clock.name}"
        deadline = local(clock.deadline, tz, due_is_date and clock.name == "due")
        rows.append((label(name, lang) if name in LABELS else clock.name, deadline, state))
    return rows


def zone_change_lines(old: str, new: str, dates_kept: int, lang: str) -> list[str]:
    """What `config set calendar.timezone` moved: the zones, the planned dates kept, and that
    recorded moments stay the moments they were."""
    lines = [label("zone.changed", lang, old=old, new=new)]
    if dates_kept:
        lines.append(label("zone.dates_kept", lang, n=dates_kept, new=new))
    lines.append(label("zone.moments", lang, new=new))
    return lines


def settings_table(views: list[SettingView], lang: str = "en") -> None:
    """The settings: key, value, whether it is set or the default, what it means."""
    from rich.table import Table

    table = Table(show_edge=False, header_style="bold")
    for key in ("config.setting", "config.value", "config.origin", "config.meaning"):
        table.add_column(label(key, lang), overflow="fold")
    for v in views:  # values are text people set: shown as plain text, never read as markup
        known = v.key in SETTING_MEANINGS
        meaning = setting_meaning(v.key, v.description, lang) if known else label("config.unknown", lang)
        table.add_row(plain(v.key), plain(v.value), label("config.set" if v.is_set else "config.default", lang), plain(meaning))
    console_for_stdout(140, markup=False, emoji=False).print(table)
