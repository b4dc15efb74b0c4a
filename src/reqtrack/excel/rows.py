"""A request as a row of the template's cells (docs/excel.md, "The columns", column "cell in the
export"): what every writer (xlsx, CSV, the report workbook's request sheet) puts in each column.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..domain.record import HistoryEntry, Link, Request
from ..domain.vocab import LINK_KIND, VERIFICATION
from ..domain.vocabularies import Vocabularies
from ..views.cells import owner_cell
from ..views.labels import label
from ..views.requests import history_line
from .columns import TIME_COLUMNS, VOCABULARY_COLUMNS

CellValue = str | datetime | date | list[str] | None
"""A cell as `request_cells` gives it: text, a naive local date-time (to the minute), a date (a
date-only deadline), the process log as its lines (newest first), or None for empty."""


def local_minute(value: datetime, tz: ZoneInfo) -> datetime:
    """A naive local datetime to the minute: what an Excel cell holds."""
    return value.astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)


def verification_to_cell(request: Request, lang: str) -> str | None:
    """`pass`/`fail` label, with the verification note after `: ` (a fail keeps its reason)."""
    if request.verification is None:
        return None
    text = VERIFICATION.label(request.verification, lang)
    return f"{text}: {request.verification_note}" if request.verification_note else text


def log_line(entry: HistoryEntry, tz: ZoneInfo, lang: str) -> str:
    """One history entry as a line of the process-log cell: `YYYY-MM-DD HH:MM <action>: <note>`."""
    return history_line(entry, tz, lang)


def process_log_lines(request: Request, tz: ZoneInfo, lang: str) -> list[str]:
    """Every history entry, newest first, one `YYYY-MM-DD HH:MM <action>: <note>` each."""
    return [history_line(entry, tz, lang) for entry in sorted(request.history, key=lambda e: e.seq, reverse=True)]


LINK_ARROWS = {"out": "→", "in": "←"}  # `→`: from this request to the other; `←`: from the other to it


def link_cell_line(link: Link, lang: str) -> str:
    """A link as a line of the Links cell: `<kind label> → <ID>` (this request is KIND of ID) or
    `<kind label> ← <ID>` (ID is KIND of this one); import reads the label in any language."""
    return f"{LINK_KIND.label(link.kind, lang)} {LINK_ARROWS[link.direction]} {link.id}"


def _scores_text(scores: dict[str, int] | None) -> str | None:
    return "; ".join(f"{k}={v}" for k, v in scores.items()) if scores else None


def request_cells(request: Request, tz: ZoneInfo, lang: str, keys: Iterable[str],
                  vocabularies: Vocabularies | None = None) -> list[CellValue]:
    """The cell values of one request for the given columns: text, naive local datetimes (to
    the minute), dates for date-only deadlines, None for empty. The process log is a list of
    lines (newest first) so that writers can cut it entry by entry. Source and type are labelled
    in the database's `vocabularies` (None: the built-in ones)."""
    values: list[CellValue] = []
    vocabs = VOCABULARY_COLUMNS if vocabularies is None else \
        {**VOCABULARY_COLUMNS, "source": vocabularies.source, "type": vocabularies.type}
    for key in keys:
        if key in vocabs:
            raw = getattr(request, key)
            values.append(vocabs[key].label(raw, lang) if raw else None)
        elif key in TIME_COLUMNS:
            raw = getattr(request, key)
            values.append(local_minute(raw, tz) if raw else None)
        elif key == "due":
            if request.due is None:
                values.append(None)
            else:
                values.append(request.due.astimezone(tz).date() if request.due_is_date else local_minute(request.due, tz))
        elif key == "owner":
            values.append(owner_cell(request) or None)
        elif key == "attachments":
            values.append("\n".join(a.name for a in request.attachments) or None)
        elif key == "history":
            values.append(process_log_lines(request, tz, lang) or None)
        elif key == "verification":
            values.append(verification_to_cell(request, lang))
        elif key == "scores":
            values.append(_scores_text(request.scores))
        elif key == "waiting":
            values.append(label("export.yes", lang) if request.waiting else None)
        elif key == "links":
            values.append("\n".join(link_cell_line(link, lang) for link in request.links) or None)
        else:
            raw = getattr(request, key)
            values.append(raw if raw not in ("",) else None)
    return values
