"""`reqtrack remind` as people read it: the screen (a table per person, rows like `overdue`'s),
the JSON for scripts, and the digest each person gets by e-mail; every word from views/labels.py
in en, zh-CN and zh-TW."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .cells import iso, local, spoken_time
from .labels import label
from .output import plain_table
from .text import one_line, visible

if TYPE_CHECKING:
    from ..domain.remind import Reminder
    from ..services.remind import RemindReport

# ANSI colours of a row on a terminal: red for what is late, yellow for what is about to be.
_STYLES = {"breached": "31", "stale": "33", "due-soon": "33"}
_DESCRIPTION = 80  # characters of the description a digest quotes


def remind_json(report: RemindReport) -> list[dict[str, Any]]:
    """One object per thing to do: {person, id, action, since, deadline}, times in the database's
    zone with their offset."""
    return [{"person": row.person, "id": row.id, "action": row.action, "since": iso(row.since, report.tz),
             "deadline": iso(row.deadline, report.tz)} for row in report.rows]


def person_name(person: str | None, lang: str) -> str:
    return label("remind.nobody", lang) if person is None else person


def remind_screen(report: RemindReport, lang: str) -> None:
    """A table per person (nobody last), each row what to do, since when, the deadline, the
    customer and the description; then one line of totals."""
    as_of = local(report.as_of, report.tz)
    if not report.rows:
        sys.stdout.write(label("remind.nothing", lang, as_of=as_of) + "\n")
        return
    headers = [label("id", lang), label("remind.todo", lang), label("remind.since", lang), label("deadline", lang),
               label("customer", lang), label("description", lang)]
    lines: list[str] = []
    groups = report.by_person()
    for person, rows in groups:
        if lines:
            lines.append("")
        lines.append(visible(label("remind.heading", lang, person=person_name(person, lang), n=len(rows))))
        cells = []
        for row in rows:
            request = report.requests.get(row.id)
            cells.append([one_line(row.id), label(f"remind.{row.action}", lang), local(row.since, report.tz),
                          local(row.deadline, report.tz), one_line(request.customer if request else ""),
                          one_line(request.description if request else "")])
        lines += plain_table(headers, cells, [None, 30, None, None, 24, 40], [_STYLES.get(r.action) for r in rows])
    lines.append("")
    lines.append(label("remind.summary", lang, n=len(report.rows), people=len(groups), as_of=as_of))
    sys.stdout.write("\n".join(lines) + "\n")


def digest(report: RemindReport, person: str, rows: list[Reminder], lang: str) -> tuple[str, str]:
    """(subject, body) of the e-mail that tells `person` what is theirs to do: one numbered item
    per row, with the deadline, the customer and the start of the description."""
    tz = report.tz
    as_of = spoken_time(report.as_of, tz, lang)
    subject = label("remind.mail.subject", lang, n=len(rows), as_of=as_of)
    lines = [label("remind.mail.greeting", lang, person=person), "", label("remind.mail.intro", lang, as_of=as_of), ""]
    for number, row in enumerate(rows, start=1):
        request = report.requests.get(row.id)
        when = (label("remind.mail.deadline", lang, deadline=spoken_time(row.deadline, tz, lang)) if row.deadline
                else label("remind.mail.since", lang, since=spoken_time(row.since, tz, lang)))
        separator = " — " if lang == "en" else "，"
        lines.append(f"{number}. {row.id} {label(f'remind.{row.action}', lang)}{separator}{when}")
        if request is not None:
            text = one_line(request.description, _DESCRIPTION + 1)
            text = text if len(text) <= _DESCRIPTION else text[:_DESCRIPTION] + "…"
            lines.append("   " + label("remind.mail.customer", lang, customer=one_line(request.customer)))
            lines.append("   " + label("remind.mail.request", lang, description=text))
    lines += ["", label("remind.mail.closing", lang, person=person), "", label("remind.mail.signature", lang)]
    return subject, "\n".join(lines)
