"""Turning requests into what people and scripts read: JSON objects, Rich tables, CSV lines."""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import datetime
from typing import Any, Callable, Iterable, TextIO
from zoneinfo import ZoneInfo

from .domain.record import HistoryEntry, Request
from .domain.vocab import ACTION, FEASIBILITY, PRIORITY, SATISFACTION, SOURCE, STATUS, TYPE, VERIFICATION, column_label
from .views_text import one_line, visible

JSON_KEYS = (
    "id", "source", "proposer", "customer", "type", "description", "attachments", "submitted_at", "liaison",
    "priority", "owner", "department", "due", "completed_at", "status", "history", "verification", "satisfaction",
    "notes", "contact", "feasibility", "scores", "priority_reason", "assign_reason", "verification_note",
    "responded_at", "closed_at", "waiting", "due_is_date",
)
LABELLED = {"source": SOURCE, "type": TYPE, "priority": PRIORITY, "status": STATUS, "feasibility": FEASIBILITY,
            "verification": VERIFICATION, "satisfaction": SATISFACTION}


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 in the database's zone, with its offset."""
    return value.astimezone(tz).isoformat() if value is not None else None


def local(value: datetime | None, tz: ZoneInfo, date_only: bool = False) -> str:
    """`YYYY-MM-DD HH:MM` (or the date) in the database's zone; "" for None."""
    if value is None:
        return ""
    shown = value.astimezone(tz)
    return shown.strftime("%Y-%m-%d") if date_only else shown.strftime("%Y-%m-%d %H:%M")


def history_to_json(entry: HistoryEntry, tz: ZoneInfo) -> dict[str, Any]:
    return {"seq": entry.seq, "at": iso(entry.at, tz), "action": entry.action, "actor": entry.actor,
            "changes": entry.changes, "note": entry.note}


def request_to_json(request: Request, tz: ZoneInfo) -> dict[str, Any]:
    """The keys of SPEC §1 (English vocabulary keys, ISO times); history oldest first."""
    data: dict[str, Any] = {}
    for key in JSON_KEYS:
        if key == "history":
            data[key] = [history_to_json(e, tz) for e in request.history]
        elif key == "attachments":
            data[key] = [{"number": a.number, "name": a.name, "size": a.size, "sha256": a.sha256} for a in request.attachments]
        else:
            value = getattr(request, key)
            data[key] = iso(value, tz) if isinstance(value, datetime) else value
    return data


def console_for_stdout(width_when_piped: int, **options: Any) -> Any:
    """A Rich console for stdout: the terminal's width, or `width_when_piped` into a pipe or file.

    A reader that closes the pipe early (`reqtrack report | head`) is not a failure: Rich would
    exit 1 there, which scripts read as "overdue found something"; this console raises
    BrokenPipeError instead, which the CLI ends with exit 0.
    """
    from rich.console import Console

    class _PipeAwareConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _PipeAwareConsole(width=None if sys.stdout.isatty() else width_when_piped, **options)


# Characters JSON may carry raw (it escapes only C0 controls) that a terminal obeys or that
# disguise text: DEL, C1 controls, line/paragraph separators, bidi overrides, lone surrogates.
# They only ever occur inside JSON strings, where `\uXXXX` means exactly the same character.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _json_safe(text: str) -> str:
    """Encoded JSON with the characters of _JSON_UNSAFE as `\\uXXXX` escapes: the same JSON value
    for programs, nothing a terminal obeys for people who print it."""
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def dump_json(value: Any, out: TextIO | None = None) -> None:
    """JSON with Chinese kept readable: an object one key per line (`_pretty`); an array one
    element per line. Text is exact; the few characters a terminal would obey that JSON leaves
    raw are written as `\\uXXXX` escapes (`_json_safe`), which decode to the same text.

    An array can hold tens of thousands of rows (`list --format json`, `overdue --json`), and
    `indent` makes the json module fall back from its C encoder to pure Python (about ten times
    slower); one compact element per line keeps the C encoder and is still easy to read and grep.
    """
    stream = out or sys.stdout
    if isinstance(value, list):
        if not value:
            stream.write("[]\n")
            return
        encode = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder (no indent)
        # Written 500 elements at a time: one string of every row would double the peak memory.
        for start in range(0, len(value), 500):
            chunk = ",\n".join(encode(item) for item in value[start:start + 500])
            stream.write(("[\n" if start == 0 else ",\n") + _json_safe(chunk))
        stream.write("\n]\n")
        return
    stream.write(_json_safe(_pretty(value, "", json.JSONEncoder(ensure_ascii=False).encode)) + "\n")


def _pretty(value: Any, indent: str, encode: Callable[[Any], str]) -> str:
    """An object with one key per line (indented by two), an array of objects or arrays with one
    compact element per line, anything else compact: readable, and written by the C encoder
    (a report's object holds thousands of overdue rows)."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        members = [f"{inner}{encode(str(key))}: {_pretty(item, inner, encode)}" for key, item in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + indent + "}"
    if isinstance(value, list) and value and any(isinstance(item, (dict, list)) for item in value):
        return "[\n" + ",\n".join(inner + encode(item) for item in value) + "\n" + indent + "]"
    return encode(value)


def label(field: str, value: Any, lang: str) -> str:
    if value is None:
        return ""
    vocab = LABELLED.get(field)
    return vocab.label(value, lang) if vocab else str(value)


def owner_cell(request: Request) -> str:
    """The template's "dept/person" cell."""
    if request.department and request.owner:
        return f"{request.department}/{request.owner}"
    return request.owner or request.department or ""


def history_line(entry: HistoryEntry, tz: ZoneInfo, lang: str) -> str:
    """`YYYY-MM-DD HH:MM <action label>: <note>`, the process-log format (SPEC §1, row 15)."""
    text = f"{local(entry.at, tz)} {ACTION.label(entry.action, lang)}"
    return f"{text}: {entry.note}" if entry.note else text


def _changes_text(entry: HistoryEntry) -> str:
    parts = []
    for name, (old, new) in entry.changes.items():
        if isinstance(new, dict):
            parts.append(f"{name}: " + ", ".join(f"{k} {v}" for k, v in new.items()))
        elif old in (None, False, "") and name != "waiting":
            parts.append(f"{name}={new}")
        else:
            parts.append(f"{name}: {old} → {new}")
    return "; ".join(parts)


def plain(value: Any, multiline: bool = False) -> Any:
    """User text for a Rich table or console: a `rich.text.Text`, so that `[red]`, `[/]`,
    `[link=…]` or `:smile:` in it are shown as typed, never read as markup; its control
    characters made visible (`views_text.visible`; `multiline` keeps newlines and tabs)."""
    from rich.text import Text

    return Text(visible("" if value is None else value, multiline))


# Fields of `show` whose text may run over several lines: shown with their newlines and tabs.
MULTILINE_FIELDS = frozenset({"description", "notes", "priority_reason", "assign_reason", "verification"})


def show_request(request: Request, tz: ZoneInfo, lang: str, clocks: list[tuple[str, str, str]] | None = None) -> None:
    """The whole record on screen: fields, attachments, clocks and the history newest first.
    Every cell is plain text (`plain`): user text is shown, never read as markup or obeyed."""
    from rich.table import Table

    console = console_for_stdout(120, markup=False, emoji=False, highlight=False)
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold cyan", no_wrap=True)
    fields.add_column(overflow="fold")
    rows: list[tuple[str, str]] = [
        ("id", request.id),
        ("status", label("status", request.status, lang) + (f"  ({column_label('waiting', lang)})" if request.waiting else "")),
        ("customer", request.customer),
        ("description", request.description),
        ("source", label("source", request.source, lang)),
        ("proposer", request.proposer or ""),
        ("contact", request.contact or ""),
        ("type", label("type", request.type, lang)),
        ("submitted_at", local(request.submitted_at, tz)),
        ("liaison", request.liaison or ""),
        ("priority", label("priority", request.priority, lang)),
        ("scores", ", ".join(f"{k} {v}" for k, v in (request.scores or {}).items())),
        ("priority_reason", request.priority_reason or ""),
        ("feasibility", label("feasibility", request.feasibility, lang)),
        ("owner", owner_cell(request)),
        ("assign_reason", request.assign_reason or ""),
        ("due", local(request.due, tz, request.due_is_date)),
        ("responded_at", local(request.responded_at, tz)),
        ("completed_at", local(request.completed_at, tz)),
        ("verification", label("verification", request.verification, lang)
         + (f" — {request.verification_note}" if request.verification_note else "")),
        ("satisfaction", label("satisfaction", request.satisfaction, lang)),
        ("closed_at", local(request.closed_at, tz)),
        ("notes", request.notes or ""),
    ]
    for key, value in rows:
        if value:
            fields.add_row(plain(column_label(key, lang)), plain(value, key in MULTILINE_FIELDS))
    console.print(fields)
    if request.attachments:
        table = Table(title=column_label("attachments", lang), title_justify="left", show_edge=False)
        for name in ("#", "file", "bytes", "sha256"):
            table.add_column(name)
        for a in request.attachments:
            table.add_row(str(a.number), plain(a.name), "" if a.size is None else str(a.size), (a.sha256 or "")[:16])
        console.print(table)
    if clocks:
        table = Table(title="SLA", title_justify="left", show_edge=False)
        for name in ("clock", "deadline", "state"):
            table.add_column(name)
        for row in clocks:
            table.add_row(*(plain(cell) for cell in row))
        console.print(table)
    table = Table(title=column_label("history", lang), title_justify="left", show_edge=False)
    for name in ("time", "action", "by", "note", "changes"):
        table.add_column(name, overflow="fold")
    for entry in sorted(request.history, key=lambda e: e.seq, reverse=True):
        table.add_row(local(entry.at, tz), plain(ACTION.label(entry.action, lang)), plain(entry.actor),
                      plain(entry.note, True), plain(_changes_text(entry), True))
    console.print(table)


LIST_COLUMNS = ("id", "status", "priority", "customer", "owner", "submitted_at", "due", "description")


def cell_width(text: str) -> int:
    """Terminal columns `text` takes: Chinese (East Asian wide and fullwidth) characters take two."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_cell(text: str, width: int) -> str:
    """`text` cut to `width` columns (with … when cut) and padded with spaces to exactly `width`."""
    used = cell_width(text)
    if used > width:
        kept, used = [], 0
        for ch in text:
            w = cell_width(ch)
            if used + w > width - 1:
                break
            kept.append(ch)
            used += w
        text = "".join(kept) + "…"
        used += 1
    return text + " " * (width - used)


def plain_table(headers: list[str], rows: list[list[str]], caps: list[int | None],
                styles: list[str | None] | None = None) -> list[str]:
    """Lines of an aligned plain-text table: a bold header, a rule, one line per row.

    `caps[i]` is the widest column i may get (None: its natural width); the last column gets
    what is left of the terminal (at least 10). Cells are cut with … and padded by screen
    columns (Chinese characters count as two); cells must be single lines, with their control
    characters made visible (`views_text.visible`; callers pass user text through it). `styles[i]` is an ANSI
    SGR code ("1;31": bold red) for row i, used on a terminal only. For thousands of rows this
    costs a small fraction of a Rich table, which measures every cell several times.
    """
    import shutil

    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((160, 24)).columns if tty else 160
    widths = []
    for index, header in enumerate(headers):
        natural = max([cell_width(header)] + [cell_width(row[index]) for row in rows])
        widths.append(min(natural, caps[index]) if caps[index] else natural)  # type: ignore[type-var]
    room = width - sum(widths[:-1]) - 2 * (len(widths) - 1)
    widths[-1] = max(10, min(widths[-1], room))
    header_line = "  ".join(fit_cell(h, w) for h, w in zip(headers, widths)).rstrip()
    lines = [f"\x1b[1m{header_line}\x1b[0m" if tty else header_line, "  ".join("─" * w for w in widths)]
    for index, row in enumerate(rows):
        line = "  ".join(fit_cell(cell, w) for cell, w in zip(row, widths)).rstrip()
        style = styles[index] if styles is not None and tty else None
        lines.append(f"\x1b[{style}m{line}\x1b[0m" if style else line)
    return lines


def list_table(requests: list[Request], total: int, tz: ZoneInfo, lang: str, hint: str) -> None:
    """A screen of rows as an aligned plain-text table, with how many more there are.

    Plain text rather than a Rich table: laying out a Rich table measures every cell several
    times, which cost more than the query and the rest of `list` together, and a listing needs
    no more than aligned columns (wide Chinese characters counted as two). High-priority rows are
    bold red on a terminal, as before.
    """
    headers = [column_label(key, lang) for key in LIST_COLUMNS]
    rows = [
        [one_line(r.id), one_line(label("status", r.status, lang)), one_line(label("priority", r.priority, lang)),
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
        lines.append("No requests match.")
    elif shown < total:
        lines.append(f"{shown} of {total} shown, newest first; {hint}")
    else:
        lines.append(f"{total} request{'s' if total != 1 else ''}.")
    sys.stdout.write("\n".join(lines) + "\n")


CSV_KEYS = tuple(k for k in JSON_KEYS if k != "history")


def write_csv(requests: Iterable[Request], tz: ZoneInfo, out: TextIO) -> None:
    """Every row as CSV with the English keys as header (vocabulary keys, ISO times). A text a
    spreadsheet could take for a formula (`= + - @`, tab, CR first) gets export's guard, a leading
    `'` (`excel.guard_csv`, which `import` strips again); the text is otherwise exact."""
    from .excel import guard_csv  # excel.py imports openpyxl only inside its functions

    writer = csv.writer(out)
    writer.writerow(CSV_KEYS)
    for r in requests:
        data = request_to_json(r, tz)
        data["attachments"] = "; ".join(a["name"] for a in data["attachments"])
        data["scores"] = json.dumps(data["scores"]) if data["scores"] else ""
        writer.writerow(["" if data[k] is None else guard_csv(data[k]) if isinstance(data[k], str) else data[k]
                         for k in CSV_KEYS])
