"""A request as people and scripts read it: JSON objects, CSV lines, the `show` screen and the
`list` table."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from ..domain.record import HistoryEntry, Request
from ..domain.request_json import JSON_KEYS, request_json
from ..domain.vocab import ACTION, column_label
from .cells import field_label, local, owner_cell
from .history import history_rows, scores_text
from .labels import label
from .output import field_block, plain_table, screen_width, wrapped_table
from .text import one_line, visible

if TYPE_CHECKING:
    from ..domain.vocabularies import Vocabularies

# The JSON of a request is the domain's (services keep its text stored beside each request);
# these names are the views' too: `show --json`, `new --json`, the CSV and the exports use them.
request_to_json = request_json


def history_line(entry: HistoryEntry, tz: ZoneInfo, lang: str) -> str:
    """`YYYY-MM-DD HH:MM <action label>: <note>`, the template's process-log cell (docs/excel.md)."""
    text = f"{local(entry.at, tz)} {ACTION.label(entry.action, lang)}"
    return f"{text}: {entry.note}" if entry.note else text


# Fields of `show` whose text may run over several lines: shown with their newlines and tabs.
MULTILINE_FIELDS = frozenset({"description", "notes", "priority_reason", "assign_reason", "verification"})


def show_request(request: Request, tz: ZoneInfo, lang: str, clocks: list[tuple[str, str, str]] | None = None,
                 vocabularies: Vocabularies | None = None) -> None:
    """The whole record on screen: fields, attachments, clocks and the history newest first
    (source and type labelled in the database's `vocabularies`). User text is shown, never read
    as markup or obeyed (`visible`). Plain text wrapped to the terminal (views.output's
    `field_block` and `wrapped_table`), not Rich: `show` is typed all day, and Rich's import
    was a third of its start-up."""
    width = screen_width(120)
    rows: list[tuple[str, str]] = [
        ("id", request.id),
        ("status", label("show.waiting", lang, status=field_label("status", request.status, lang), waiting=column_label("waiting", lang))
         if request.waiting else field_label("status", request.status, lang)),
        ("customer", request.customer),
        ("description", request.description),
        ("source", field_label("source", request.source, lang, vocabularies)),
        ("proposer", request.proposer or ""),
        ("contact", request.contact or ""),
        ("type", field_label("type", request.type, lang, vocabularies)),
        ("submitted_at", local(request.submitted_at, tz)),
        ("liaison", request.liaison or ""),
        ("priority", field_label("priority", request.priority, lang)),
        ("scores", scores_text(request.scores, lang)),
        ("priority_reason", request.priority_reason or ""),
        ("feasibility", field_label("feasibility", request.feasibility, lang)),
        ("owner", owner_cell(request)),
        ("assign_reason", request.assign_reason or ""),
        ("due", local(request.due, tz, request.due_is_date)),
        ("responded_at", local(request.responded_at, tz)),
        ("completed_at", local(request.completed_at, tz)),
        ("verification", label("show.verification", lang, verdict=field_label("verification", request.verification, lang),
                               note=request.verification_note) if request.verification_note
         else field_label("verification", request.verification, lang)),
        ("satisfaction", field_label("satisfaction", request.satisfaction, lang)),
        ("closed_at", local(request.closed_at, tz)),
        ("notes", request.notes or ""),
    ]
    if request.links:
        from .links import link_text

        rows.append(("links", "\n".join(link_text(link, lang) for link in request.links)))
    lines = field_block([(visible(column_label(key, lang)), visible(value, key in MULTILINE_FIELDS or key == "links"))
                         for key, value in rows if value], width)
    if request.attachments:
        lines += ["", *wrapped_table(
            column_label("attachments", lang),
            ["#", label("show.file", lang), label("show.bytes", lang), label("show.sha256", lang)],
            [[str(a.number), visible(a.name), "" if a.size is None else str(a.size), (a.sha256 or "")[:16]]
             for a in request.attachments], width)]
    if clocks:
        lines += ["", *wrapped_table(label("show.sla", lang), [label(k, lang) for k in ("show.clock", "deadline", "show.state")],
                                     [[visible(cell) for cell in row] for row in clocks], width)]
    history = [[when, visible(action), visible(actor), visible(note, True), visible(changes, True)]
               for when, action, actor, note, changes in history_rows(request, tz, lang, vocabularies)]
    lines += ["", *wrapped_table(column_label("history", lang),
                                 [label(k, lang) for k in ("show.time", "show.action", "show.by", "show.note", "show.changes")],
                                 history, width)]
    sys.stdout.write("\n".join(lines) + "\n")


LIST_COLUMNS = ("id", "status", "priority", "customer", "owner", "submitted_at", "due", "description")


def list_table(requests: list[Request], total: int, tz: ZoneInfo, lang: str) -> None:
    """A screen of rows as an aligned plain-text table, with how many more there are.

    Plain text rather than a Rich table: laying out a Rich table measures every cell several
    times, which cost more than the query and the rest of `list` together, and a listing needs
    no more than aligned columns (wide Chinese characters counted as two). High-priority rows are
    bold red on a terminal, as before.
    """
    headers = [column_label(key, lang) for key in LIST_COLUMNS]
    rows = [
        [one_line(r.id), one_line(field_label("status", r.status, lang)), one_line(field_label("priority", r.priority, lang)),
         one_line(r.customer), one_line(owner_cell(r)), local(r.submitted_at, tz, True), local(r.due, tz, True),
         one_line(r.description)]  # one line: its newlines and tabs shown as ␊ and ␉, cut with …
        for r in requests
    ]
    caps: list[int | None] = [None, 24, 24, 24, 24, None, None, 60]  # the description gets what is left, up to 60
    lines = []
    if requests:
        lines = plain_table(headers, rows, caps, ["1;31" if r.priority == "high" else None for r in requests])
    shown = len(requests)
    if total == 0:
        lines.append(label("list.none", lang))
    elif shown < total:
        lines.append(label("list.partial", lang, shown=shown, total=total, hint=label("list.hint", lang)))
    else:
        lines.append(label("list.one", lang) if total == 1 else label("list.many", lang, n=total))
    sys.stdout.write("\n".join(lines) + "\n")


CSV_KEYS = tuple(k for k in JSON_KEYS if k != "history")


def write_csv(requests: Iterable[Request], tz: ZoneInfo, out: TextIO) -> None:
    """Every row as CSV with the English keys as header (vocabulary keys, ISO times). A text a
    spreadsheet could take for a formula (`= + - @`, tab, CR first) gets export's guard, a leading
    `'` (`excel.safety.guard_csv`, which `import` strips again); the text is otherwise exact."""
    from ..excel.safety import guard_csv

    writer = csv.writer(out)
    writer.writerow(CSV_KEYS)
    for r in requests:
        data = request_to_json(r, tz)
        data["attachments"] = "; ".join(a["name"] for a in data["attachments"])
        data["scores"] = json.dumps(data["scores"]) if data["scores"] else ""
        writer.writerow(["" if data[k] is None else guard_csv(data[k]) if isinstance(data[k], str) else data[k]
                         for k in CSV_KEYS])
