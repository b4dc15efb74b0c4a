"""The SLA on screen and for scripts: the clocks of `show`, the overdue list and the settings."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.vocab import PRIORITY, STATUS
from .cells import iso, local, owner_cell
from .labels import label
from .output import console_for_stdout, plain, plain_table
from .text import one_line

if TYPE_CHECKING:
    from ..domain.calendar import WorkingCalendar
    from ..domain.sla import Clock
    from ..services.sla import OverdueReport, SettingView

def human_delta(delta: timedelta) -> str:
    """`2d 4h`, `5h 30m`, `12m` — the size of a delta, without its sign."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def late_text(late_calendar: timedelta, late_working_days: float) -> str:
    """`late 1.50 wd (1d 12h)` or `in 0.25 wd (6h 00m)`."""
    word = "late" if late_calendar.total_seconds() > 0 else "in"
    return f"{word} {abs(late_working_days):.2f} wd ({human_delta(late_calendar)})"


def overdue_json(report: OverdueReport) -> list[dict[str, Any]]:
    """Rows for scripts: id, reason (most urgent), reasons with deadlines, deadline, owner, priority, status."""
    tz = report.tz
    rows = []
    for row in report.rows:
        r = row.request
        rows.append({
            "id": r.id,
            "reason": row.reason.reason,
            "reasons": [
                {"reason": x.reason, "deadline": iso(x.deadline, tz),
                 "late_calendar_hours": round(x.late_calendar.total_seconds() / 3600, 2),
                 "late_working_days": round(x.late_working_days, 2)}
                for x in row.reasons
            ],
            "deadline": iso(row.reason.deadline, tz),
            "late_calendar_hours": round(row.reason.late_calendar.total_seconds() / 3600, 2),
            "late_working_days": round(row.reason.late_working_days, 2),
            "owner": r.owner,
            "department": r.department,
            "priority": r.priority,
            "status": row.status,
            "customer": r.customer,
            "description": r.description,
            "due": iso(r.due, tz),
        })
    return rows


def overdue_table(report: OverdueReport, lang: str) -> None:
    """The overdue list on screen, most late first, as aligned plain text (late rows red, coming
    due yellow on a terminal): a Rich table of thousands of rows took 15 s of CPU at 100,000
    requests, and the list is also what the morning script writes to its summary file."""
    if not report.rows:
        sys.stdout.write(f"Nothing overdue as of {local(report.as_of, report.tz)}.\n")
        return
    headers = ["ID", "reason", "deadline", "late by", "owner", "priority", "status", "customer", "description"]
    rows, styles = [], []
    for row in report.rows:
        r = row.request
        late = row.reason.late_calendar.total_seconds() > 0
        rows.append([one_line(r.id), ", ".join(label(f"reason.{x.reason}", lang) for x in row.reasons), local(row.reason.deadline, report.tz),
                     late_text(row.reason.late_calendar, row.reason.late_working_days), one_line(owner_cell(r)),
                     one_line(PRIORITY.label(r.priority, lang)), one_line(STATUS.label(row.status, lang)),
                     one_line(r.customer), one_line(r.description)])  # user text on one line, controls shown
        styles.append("31" if late else "33")
    lines = plain_table(headers, rows, [None, 40, None, None, 24, None, None, 24, 40], styles)
    late_count = sum(1 for row in report.rows if row.reason.late_calendar.total_seconds() > 0)
    lines.append(f"{late_count} overdue, {len(report.rows) - late_count} coming due, as of {local(report.as_of, report.tz)}.")
    sys.stdout.write("\n".join(lines) + "\n")


def clock_rows(clocks: list[Clock], calendar: WorkingCalendar | None, now: datetime,
               tz: ZoneInfo) -> list[tuple[str, str, str]]:
    """(clock, deadline, state) for `show`: met, late or remaining, in working and calendar time
    (none without the calendar to count working days in)."""
    rows: list[tuple[str, str, str]] = []
    if calendar is None:
        return rows
    for clock in clocks:
        if clock.deadline is None:
            continue
        delta = clock.late_by(now)  # in UTC: a DST change does not shift it
        working = abs(clock.late_working_days(now, calendar))
        if clock.met_at is not None:
            state = f"met {local(clock.met_at, tz)}" + (f", late {working:.2f} wd ({human_delta(delta)})" if delta.total_seconds() > 0 else "")
        elif clock.paused:
            state = f"paused ({clock.paused_working_days:.2f} wd so far); the deadline moves with the pause"
        elif delta.total_seconds() > 0:
            state = f"LATE {working:.2f} wd ({human_delta(delta)})"
        else:
            state = f"{working:.2f} wd left ({human_delta(delta)})"
        rows.append((clock.name, local(clock.deadline, tz), state))
    return rows


def zone_change_lines(old: str, new: str, dates_kept: int, lang: str) -> list[str]:
    """What `config set calendar.timezone` moved: the zones, the planned dates kept, and that
    recorded moments stay the moments they were."""
    lines = [label("zone.changed", lang, old=old, new=new)]
    if dates_kept:
        lines.append(label("zone.dates_kept", lang, n=dates_kept, new=new))
    lines.append(label("zone.moments", lang, new=new))
    return lines


def settings_table(views: list[SettingView]) -> None:
    """The settings: key, value, whether it is the default, what it means."""
    from rich.table import Table

    table = Table(show_edge=False, header_style="bold")
    for name in ("setting", "value", "", "meaning"):
        table.add_column(name, overflow="fold")
    for v in views:  # values are text people set: shown as plain text, never read as markup
        table.add_row(plain(v.key), plain(v.value), "set" if v.is_set else "default", plain(v.description))
    console_for_stdout(140, markup=False, emoji=False).print(table)
