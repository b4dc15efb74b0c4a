"""The template's sheet in and out: xlsx (openpyxl, streaming both ways) and CSV.

Writing: `append_request_sheet` puts the 18 template columns (SPEC §1) on a sheet of a
write-only workbook, one row per request, in constant memory (rows go into the sheet's XML
directly, see `_FastRows`); `write_csv_sheet` writes the same cells as CSV. Reading: `read_table` finds the header row of a sheet or CSV file (any of the three
languages, any order) and streams its rows; the `parse_*` functions turn cells back into field
values, leniently, raising `CellProblem` with a short reason when a cell cannot be read.

Cell safety, the same rules both ways so that what a user typed is always recovered:
- a text that starts with `= + - @` (or a tab / carriage return) never becomes a formula: in
  xlsx it is a string cell (never a formula cell) with Excel's quote prefix, so it stays text
  even when edited, and the cell holds exactly the text; in CSV it gets a leading `'` (the
  usual CSV-injection guard), and a text that itself starts with `'` before such a character
  gets one more, so that import strips exactly one `'` and recovers what was typed.
- control characters XML cannot hold are written in Excel's own `_xHHHH_` escape (which Excel
  shows as the character) and unescaped on import; a literal `_xHHHH_` is escaped as `_x005F_…`.
- a text longer than Excel's 32,767-character cell limit is cut in xlsx with a visible marker
  (the process log keeps its newest entries); CSV keeps it whole. Both are reported.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
import unicodedata
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TextIO
from zoneinfo import ZoneInfo

from .domain.record import TIME_RANGE_TEXT, HistoryEntry, Request, mask_name, year_in_range
from .domain.vocab import (
    ACTION, COLUMNS, EXTRA_FIELDS, FEASIBILITY, PRIORITY, SATISFACTION, SOURCE, STATUS, TYPE, VERIFICATION,
    Vocabulary, column_label,
)
from .render import history_line

EXCEL_CELL_LIMIT = 32767  # characters (UTF-16 code units) in one Excel cell
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MASK_TOKEN = "[reqtrack:masked]"  # in the info sheet / first CSV line of a --mask export
HEADER_SEARCH_ROWS = 10  # a real sheet may have a title row or two above its header

# What an import may read (docs/excel.md, "What import refuses and why"). Generous for real
# sheets — a 100,000-request export inflates to about 125 MB — and checked before anything is
# parsed, so that a zip bomb or a runaway file is refused in a moment, with nothing written.
MAX_INFLATED_BYTES = 1 << 30  # an xlsx's parts inflated, all together (declared sizes; zipfile
#                               stops at the declared size, so a lie ends in a CRC error); a CSV's size
MAX_SHARED_STRINGS_BYTES = 256 << 20  # openpyxl holds the shared strings in memory whole
MAX_ZIP_MEMBERS = 10_000
MAX_ROWS = 1_048_576  # Excel's own limit of rows in a sheet (header and blank rows count)
MAX_CSV_FIELD = 8 << 20  # characters in one CSV field (Python's default is 128 K) or xlsx cell
MAX_CSV_LINE = 64 << 20  # characters in one physical CSV line

TEMPLATE_KEYS: tuple[str, ...] = tuple(c[0] for c in COLUMNS)
EXTRA_KEYS: tuple[str, ...] = tuple(c[0] for c in EXTRA_FIELDS)
LANG_INDEX = {"en": 1, "zh-CN": 2, "zh-TW": 3}

VOCABULARY_COLUMNS: dict[str, Vocabulary] = {
    "source": SOURCE, "type": TYPE, "priority": PRIORITY, "status": STATUS, "satisfaction": SATISFACTION,
    "feasibility": FEASIBILITY,
}
TIME_COLUMNS = ("submitted_at", "completed_at", "responded_at", "closed_at")
WRAPPED_COLUMNS = frozenset({"description", "attachments", "history", "notes"})
NAME_FIELDS = ("proposer", "contact", "liaison", "owner")
COLUMN_WIDTHS = {
    "id": 13, "source": 12, "proposer": 11, "customer": 22, "type": 12, "description": 48, "attachments": 20,
    "submitted_at": 17, "liaison": 12, "priority": 9, "owner": 20, "due": 17, "completed_at": 17, "status": 11,
    "history": 64, "verification": 16, "satisfaction": 11, "notes": 32, "contact": 16, "department": 14,
    "feasibility": 14, "scores": 30, "priority_reason": 24, "assign_reason": 24, "verification_note": 24,
    "responded_at": 17, "closed_at": 17, "waiting": 9,
}


class CellProblem(ValueError):
    """A cell that cannot be read; the message says why (the caller adds row, column and value)."""


@dataclass
class SheetNotices:
    """What a writer had to do about cells that Excel cannot hold as they are."""

    cut_cells: list[tuple[str, str]] = field(default_factory=list)  # (request ID, column key), xlsx
    control_cells: int = 0  # cells with control characters, written in Excel's _xHHHH_ escape
    long_csv_cells: list[tuple[str, str]] = field(default_factory=list)  # kept whole in CSV, but Excel cuts them

    def sentences(self) -> list[str]:
        """One sentence per kind of notice, for the summary line and the info sheet."""
        out = []
        if self.cut_cells:
            sample = ", ".join(f"{rid} {key}" for rid, key in self.cut_cells[:5])
            more = f" and {len(self.cut_cells) - 5} more" if len(self.cut_cells) > 5 else ""
            out.append(f"{len(self.cut_cells)} cell(s) over Excel's {EXCEL_CELL_LIMIT:,}-character limit were cut "
                       f"with a marker ({sample}{more}); the full text stays in reqtrack")
        if self.control_cells:
            out.append(f"{self.control_cells} cell(s) hold control characters, written in Excel's _xHHHH_ escape")
        if self.long_csv_cells:
            sample = ", ".join(f"{rid} {key}" for rid, key in self.long_csv_cells[:5])
            out.append(f"{len(self.long_csv_cells)} cell(s) are longer than Excel's {EXCEL_CELL_LIMIT:,}-character "
                       f"limit ({sample}); the CSV keeps them whole, but Excel will cut them when it opens the file")
        return out


# -- cell text safety -------------------------------------------------------------------------
_GUARDED = re.compile(r"^'*[=+\-@\t\r]")
_UNGUARD = re.compile(r"^'+[=+\-@\t\r]")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def needs_formula_guard(text: str) -> bool:
    """True for a text a spreadsheet could take for a formula (`= + - @`, tab, CR first)."""
    return bool(text) and _GUARDED.match(text) is not None


def guard_csv(text: str) -> str:
    """The CSV form of a text: one `'` in front when a spreadsheet could read it as a formula."""
    return "'" + text if needs_formula_guard(text) else text


def unguard(text: str) -> str:
    """Undo `guard_csv`: strip one `'` before `'*[=+-@]` (tab, CR)."""
    return text[1:] if text[:1] == "'" and _UNGUARD.match(text) else text


def ooxml_escape(text: str) -> str:
    """Control characters XML cannot carry as `_xHHHH_` (Excel's escape); a literal `_xHHHH_`
    keeps its meaning by escaping its underscore."""
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def ooxml_unescape(text: str) -> str:
    """Excel's `_xHHHH_` back to characters (surrogates stay escaped: they cannot be stored)."""
    if "_x" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)

    return _OOXML_ESCAPE.sub(one, text)


def _utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _fits(text: str) -> bool:
    """Excel counts UTF-16 units of the text; openpyxl cuts the escaped text at 32,767 characters."""
    return _utf16_length(text) <= EXCEL_CELL_LIMIT and len(ooxml_escape(text)) <= EXCEL_CELL_LIMIT


_CUT_MARKER = re.compile(r"…\[reqtrack: (\d+) (more characters|older entries) not shown \(Excel's cell limit\); "
                         r"see `reqtrack show [^`]*`\]$")


def _text_cut_marker(count: int, request_id: str) -> str:
    return f"…[reqtrack: {count} more characters not shown (Excel's cell limit); see `reqtrack show {request_id}`]"


def _log_cut_marker(count: int, request_id: str) -> str:
    return f"…[reqtrack: {count} older entries not shown (Excel's cell limit); see `reqtrack show {request_id}`]"


def fit_text(text: str, request_id: str) -> tuple[str, bool]:
    """The text, or its longest prefix that fits one cell with the cut marker; (text, was_cut)."""
    if len(text) <= EXCEL_CELL_LIMIT // 7 or _fits(text):  # 7: the longest escape of one character
        return text, False
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits together with its marker
        middle = (low + high + 1) // 2
        if _fits(text[:middle] + _text_cut_marker(len(text) - middle, request_id)):
            low = middle
        else:
            high = middle - 1
    return text[:low] + _text_cut_marker(len(text) - low, request_id), True


def fit_lines(lines: list[str], request_id: str) -> tuple[str, bool]:
    """Process-log lines (newest first) in one cell: the newest that fit, then a marker."""
    text = "\n".join(lines)
    if len(text) <= EXCEL_CELL_LIMIT // 7 or _fits(text):
        return text, False
    kept: list[str] = []
    for index, line in enumerate(lines):
        candidate = "\n".join([*kept, line, _log_cut_marker(len(lines) - index - 1, request_id)])
        if not _fits(candidate):
            break
        kept.append(line)
    if not kept:  # the newest entry alone is too long: cut its text
        line, _ = fit_text(lines[0], request_id)
        return line, True
    return "\n".join([*kept, _log_cut_marker(len(lines) - len(kept), request_id)]), True


def strip_cut_marker(text: str) -> tuple[str, bool]:
    """(text without reqtrack's cut marker, whether it had one)."""
    match = _CUT_MARKER.search(text)
    if not match:
        return text, False
    return text[:match.start()].rstrip("\n"), True


# -- requests to cells ------------------------------------------------------------------------
def column_keys(extra: bool = False) -> tuple[str, ...]:
    """The 18 template columns in order, then the kept extras when asked for."""
    return TEMPLATE_KEYS + EXTRA_KEYS if extra else TEMPLATE_KEYS


def header_labels(lang: str, extra: bool = False) -> list[str]:
    """The header row in `lang`."""
    return [column_label(key, lang) for key in column_keys(extra)]


def local_minute(value: datetime, tz: ZoneInfo) -> datetime:
    """A naive local datetime to the minute: what an Excel cell holds."""
    return value.astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)


def owner_to_cell(request: Request) -> str:
    """The template's "dept/person" cell. An owner containing `/` without a department gets a
    leading `/` so that import splits it back the same way."""
    if request.department:
        return f"{request.department}/{request.owner or ''}"
    if request.owner and "/" in request.owner:
        return f"/{request.owner}"
    return request.owner or ""


def verification_to_cell(request: Request, lang: str) -> str | None:
    """`pass`/`fail` label, with the verification note after `: ` (a fail keeps its reason)."""
    if request.verification is None:
        return None
    text = VERIFICATION.label(request.verification, lang)
    return f"{text}: {request.verification_note}" if request.verification_note else text


def process_log_lines(request: Request, tz: ZoneInfo, lang: str) -> list[str]:
    """Every history entry, newest first, one `YYYY-MM-DD HH:MM <action>: <note>` each."""
    return [history_line(entry, tz, lang) for entry in sorted(request.history, key=lambda e: e.seq, reverse=True)]


def _scores_text(scores: dict[str, int] | None) -> str | None:
    return "; ".join(f"{k}={v}" for k, v in scores.items()) if scores else None


_YES = {"en": "yes", "zh-CN": "是", "zh-TW": "是"}


def request_cells(request: Request, tz: ZoneInfo, lang: str, keys: Iterable[str]) -> list[Any]:
    """The cell values of one request for the given columns: text, naive local datetimes (to
    the minute), dates for date-only deadlines, None for empty. The process log is a list of
    lines (newest first) so that writers can cut it entry by entry."""
    values: list[Any] = []
    for key in keys:
        if key in VOCABULARY_COLUMNS:
            raw = getattr(request, key)
            values.append(VOCABULARY_COLUMNS[key].label(raw, lang) if raw else None)
        elif key in TIME_COLUMNS:
            raw = getattr(request, key)
            values.append(local_minute(raw, tz) if raw else None)
        elif key == "due":
            if request.due is None:
                values.append(None)
            else:
                values.append(request.due.astimezone(tz).date() if request.due_is_date else local_minute(request.due, tz))
        elif key == "owner":
            values.append(owner_to_cell(request) or None)
        elif key == "attachments":
            values.append("\n".join(a.name for a in request.attachments) or None)
        elif key == "history":
            values.append(process_log_lines(request, tz, lang) or None)
        elif key == "verification":
            values.append(verification_to_cell(request, lang))
        elif key == "scores":
            values.append(_scores_text(request.scores))
        elif key == "waiting":
            values.append(_YES[lang] if request.waiting else None)
        else:
            raw = getattr(request, key)
            values.append(raw if raw not in ("",) else None)
    return values


# -- masking ----------------------------------------------------------------------------------
def _name_hider(names: Iterable[Any]) -> Callable[[str | None], str | None]:
    known = sorted({n.strip() for n in names if isinstance(n, str) and len(n.strip()) > 1}, key=len, reverse=True)
    if not known:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n) for n in known))

    def hide(text: str | None) -> str | None:
        return pattern.sub(lambda m: mask_name(m.group(0)) or "", text) if text else text

    return hide


def masked_copy(request: Request) -> Request:
    """A copy for sheets shared outside the team: proposer, contact, liaison, owner and every
    actor keep their first character (王经理 → 王**), and those names are hidden wherever they
    appear in the history, description, notes and reasons. The original is not touched."""
    names: list[Any] = [getattr(request, name) for name in NAME_FIELDS]
    for entry in request.history:
        names.append(entry.actor)
        for name in NAME_FIELDS:
            names.extend(entry.changes.get(name, ()))
    hide = _name_hider(names)

    def changes(entry: HistoryEntry) -> dict[str, list[Any]]:
        out = {}
        for key, pair in entry.changes.items():
            if key in NAME_FIELDS:
                out[key] = [mask_name(v) if isinstance(v, str) else v for v in pair]
            else:
                out[key] = [hide(v) if isinstance(v, str) else v for v in pair]
        return out

    history = [replace(e, actor=mask_name(e.actor) or e.actor, note=hide(e.note) or "", changes=changes(e))
               for e in request.history]
    return replace(
        request, proposer=mask_name(request.proposer), contact=mask_name(request.contact),
        liaison=mask_name(request.liaison), owner=mask_name(request.owner), description=hide(request.description) or "",
        notes=hide(request.notes), priority_reason=hide(request.priority_reason), assign_reason=hide(request.assign_reason),
        verification_note=hide(request.verification_note), history=history, attachments=list(request.attachments),
    )


# -- xlsx writing -----------------------------------------------------------------------------
class _CellFactory:
    """Styled cells for one worksheet. Styles are registered once, on a template cell per
    style; in a write-only sheet each row is serialised as soon as it is appended, so one cell
    object per (column, style) is reused row after row instead of building thousands."""

    def __init__(self, worksheet: Any, reuse: bool) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.worksheet = worksheet
        self.reuse = reuse
        self._new_cell = WriteOnlyCell
        top = Alignment(vertical="top")
        wrap = Alignment(vertical="top", wrap_text=True)
        specs: dict[str, dict[str, Any]] = {
            "header": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"),
                       "alignment": Alignment(vertical="center", wrap_text=True),
                       "border": Border(bottom=Side(style="thin", color="8EA9DB"))},
            "text": {"alignment": top},
            "wrap": {"alignment": wrap},
            "datetime": {"alignment": top, "number_format": DATETIME_FORMAT},
            "date": {"alignment": top, "number_format": DATE_FORMAT},
        }
        for name in ("text", "wrap"):
            specs[name + "!"] = dict(specs[name], quotePrefix=True)
        self.templates: dict[str, Any] = {}
        for name, attributes in specs.items():
            template = WriteOnlyCell(worksheet)
            for attribute, value in attributes.items():
                setattr(template, attribute, value)
            self.templates[name] = template
        # Registered now, in this order, so that a style's id does not depend on which cell
        # happens to use it first (the fast row writer relies on the same ids).
        self.style_ids = {name: str(template.style_id) for name, template in self.templates.items()}
        self.slots: dict[tuple[int, str], Any] = {}

    def cell(self, column: int, style: str, value: Any) -> Any:
        if self.reuse:
            slot = self.slots.get((column, style))
            if slot is None:
                slot = self.slots[(column, style)] = self._styled(style)
        else:
            slot = self._styled(style)
        slot.value = value
        if style in ("text", "wrap", "text!", "wrap!", "header"):
            slot.data_type = "s"  # never a formula (`=…`) nor an error code (`#N/A`)
        return slot

    def _styled(self, style: str) -> Any:
        cell = self._new_cell(self.worksheet)
        cell._style = copy(self.templates[style]._style)
        return cell


def _xlsx_text(text: str, request_id: str, key: str, notices: SheetNotices) -> tuple[str, bool]:
    """(cell text, quote prefix?) for xlsx: formula guard, cell limit, control characters."""
    quote = text[:1] in "=+-@\t\r"  # a string cell, quote-prefixed: Excel keeps it text even when edited
    if len(text) > EXCEL_CELL_LIMIT // 7:
        text, cut = fit_text(text, request_id)
        if cut:
            notices.cut_cells.append((request_id, key))
    if _XML_UNSAFE.search(text):
        if _CONTROL.search(text):
            notices.control_cells += 1
        text = ooxml_escape(text)
    return text, quote


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'") or "Sheet"
    return cleaned[:31]


class _RawRow(tuple):
    """A data row of `append_request_sheet` for a write-only sheet: per column None or
    (style name, value), serialised by `_FastRows` straight to the sheet's XML."""


class _FastRows:
    """Writes the request rows of a write-only sheet as XML text, bypassing openpyxl's per-cell
    objects and its ElementTree serialisation, which took most of an export's time (100,000
    rows: 84 s of CPU before, 19 s after).

    The XML is byte for byte what openpyxl writes for the same styled cells (a test compares
    both), and it is only used where openpyxl writes through et_xmlfile (no lxml): the row writer
    checks for that writer's raw output function on every row and falls back to ordinary cells
    otherwise. Hooks are set on this one worksheet object only."""

    _DATES = frozenset({"datetime", "date"})

    def __init__(self, worksheet: Any, factory: _CellFactory, columns: int) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.datetime import to_excel
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet

        self.factory = factory
        self.to_excel = to_excel
        self.epoch = worksheet.parent.epoch
        self.letters = [get_column_letter(i + 1) for i in range(columns)]
        self.style_ids = factory.style_ids
        writer = worksheet._writer
        plain_values_to_row = WriteOnlyWorksheet._values_to_row.__get__(worksheet)
        plain_write_row = writer.write_row

        def values_to_row(values: Any, row_index: int) -> Any:
            return values if isinstance(values, _RawRow) else plain_values_to_row(values, row_index)

        def write_row(xf: Any, row: Any, row_index: int) -> None:
            if isinstance(row, _RawRow):
                raw_out = getattr(xf, _RAW_WRITE_ATTRIBUTE, None)  # et_xmlfile: text goes to the file as is
                if raw_out is not None:
                    raw_out(self.xml(row, row_index))
                    return
                row = plain_values_to_row(self.cells(row), row_index)
            plain_write_row(xf, row, row_index)

        worksheet._values_to_row = values_to_row
        writer.write_row = write_row

    @classmethod
    def install(cls, worksheet: Any, factory: _CellFactory, columns: int) -> _FastRows | None:
        """The fast writer for this worksheet, or None (ordinary cells) when openpyxl's
        write-only internals are not the ones this was written for."""
        from openpyxl.worksheet._write_only import WriteOnlyWorksheet

        if not (isinstance(worksheet, WriteOnlyWorksheet) and hasattr(worksheet, "_values_to_row")
                and hasattr(getattr(worksheet, "_writer", None), "write_row")):
            return None
        return cls(worksheet, factory, columns)

    def cells(self, row: _RawRow) -> list[Any]:
        """The row as styled openpyxl cells (the fallback)."""
        return [None if item is None else self.factory.cell(index, item[0], item[1]) for index, item in enumerate(row)]

    def xml(self, row: _RawRow, row_index: int) -> str:
        number = str(row_index)
        parts = [f'<row r="{number}">']
        for letter, item in zip(self.letters, row):
            if item is None:
                continue
            style, value = item
            where = f'<c r="{letter}{number}" s="{self.style_ids[style]}"'
            if style in self._DATES:
                parts.append(f'{where} t="n"><v>{"%.16g" % self.to_excel(value, self.epoch)}</v></c>')
                continue
            text = value
            if "&" in text:
                text = text.replace("&", "&amp;")
            if "<" in text:
                text = text.replace("<", "&lt;")
            if ">" in text:
                text = text.replace(">", "&gt;")
            stripped = value.strip()
            space = ' xml:space="preserve"' if stripped and stripped != value else ""
            parts.append(f'{where} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)


def append_request_sheet(
    workbook: Any,
    title: str,
    requests: Iterable[Request],
    tz: ZoneInfo,
    lang: str,
    mask: bool = False,
    *,
    extra: bool = False,
    notices: SheetNotices | None = None,
    on_row: Callable[[], None] | None = None,
) -> int:
    """Append a sheet with the 18 template columns (header in `lang`) to an openpyxl workbook
    (made for `Workbook(write_only=True)`; a normal workbook works too) and return the number
    of request rows written.

    Header bold, filled and frozen, an autofilter over the rows, widths per column, wrapped
    description/attachments/process log/notes; submission, completion (and deadline) times as
    real Excel date-times to the minute in `tz`, date-only deadlines as dates; the process log
    newest first, one line per entry; the owner as "dept/person". `mask` hides personal names
    (see `masked_copy`). `extra` adds the kept non-template fields after the 18 columns;
    `notices` collects cut cells and control characters; `on_row` is called after each row.
    """
    from openpyxl.utils import get_column_letter

    notices = notices if notices is not None else SheetNotices()
    worksheet = workbook.create_sheet(title=_sheet_title(title))
    keys = column_keys(extra)
    for index, key in enumerate(keys, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(key, 14)
    worksheet.freeze_panes = "A2"
    write_only = bool(getattr(workbook, "write_only", False))
    factory = _CellFactory(worksheet, reuse=write_only)
    worksheet.append([factory.cell(i, "header", label) for i, label in enumerate(header_labels(lang, extra))])
    fast = _FastRows.install(worksheet, factory, len(keys)) if write_only and _FAST_ROWS_ENABLED else None
    text_styles = [("wrap", "wrap!") if key in WRAPPED_COLUMNS else ("text", "text!") for key in keys]
    count = 0
    for request in requests:
        if mask:
            request = masked_copy(request)
        row: list[Any] = []
        for index, value in enumerate(request_cells(request, tz, lang, keys)):
            if value is None:
                row.append(None)
                continue
            if isinstance(value, list):  # the process log, newest first
                value, cut = fit_lines(value, request.id)
                if cut:
                    notices.cut_cells.append((request.id, keys[index]))
            if isinstance(value, str):
                text, quote = _xlsx_text(value, request.id, keys[index], notices)
                row.append((text_styles[index][quote], text) if text else None)
            elif isinstance(value, datetime):
                row.append(("datetime", value))
            elif isinstance(value, date):
                row.append(("date", value))
            else:
                raise TypeError(f"{keys[index]}: unexpected cell value {value!r}")
        if fast is not None:
            worksheet.append(_RawRow(row))
        else:
            worksheet.append([None if item is None else factory.cell(index, item[0], item[1])
                              for index, item in enumerate(row)])
        count += 1
        if on_row is not None:
            on_row()
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{count + 1}"
    return count


_FAST_ROWS_ENABLED = True  # tests switch it off to compare the XML of both ways
_RAW_WRITE_ATTRIBUTE = "_file"  # et_xmlfile's _IncrementalFileWriter: its output function


def append_info_sheet(workbook: Any, title: str, rows: list[tuple[str, Any]]) -> None:
    """A two-column sheet saying what was exported (filters, time, count, masked...)."""
    worksheet = workbook.create_sheet(title=_sheet_title(title))
    worksheet.column_dimensions["A"].width = 34
    worksheet.column_dimensions["B"].width = 90
    factory = _CellFactory(worksheet, reuse=False)
    for label, value in rows:
        if isinstance(value, datetime):
            cell = factory.cell(1, "datetime", value)
        elif isinstance(value, str):
            cell = factory.cell(1, "wrap", ooxml_escape(value))
        else:
            cell = value
        worksheet.append([factory.cell(0, "header", label), cell])


# -- CSV writing --------------------------------------------------------------------------------
def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return guard_csv(str(value))


def write_csv_sheet(
    out: TextIO,
    requests: Iterable[Request],
    tz: ZoneInfo,
    lang: str,
    mask: bool = False,
    *,
    extra: bool = False,
    banner: str | None = None,
    notices: SheetNotices | None = None,
    on_row: Callable[[], None] | None = None,
) -> int:
    """The same cells as the xlsx sheet, as CSV (open `out` with encoding "utf-8-sig" and
    newline=""). Times as `YYYY-MM-DD HH:MM`, formula-like texts behind a `'`. `banner` is a
    first line above the header (the masked marker). Returns the number of request rows."""
    notices = notices if notices is not None else SheetNotices()
    writer = csv.writer(out)
    if banner:
        writer.writerow([banner])
    keys = column_keys(extra)
    writer.writerow(header_labels(lang, extra))
    count = 0
    for request in requests:
        if mask:
            request = masked_copy(request)
        cells = request_cells(request, tz, lang, keys)
        row = []
        for key, value in zip(keys, cells):
            if isinstance(value, list):
                value = "\n".join(value)
            text = _csv_value(value)
            if len(text) > EXCEL_CELL_LIMIT // 2 and _utf16_length(text) > EXCEL_CELL_LIMIT:
                notices.long_csv_cells.append((request.id, key))
            row.append(text)
        writer.writerow(row)
        count += 1
        if on_row is not None:
            on_row()
    return count


# -- reading: the header -------------------------------------------------------------------------
# Copies of the template found on the web carry pinyin glosses after some characters
# (優(yōu)先級, 需求狀態(tài)): ignored where a header or a vocabulary label is recognised.
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}\)")


def strip_glosses(text: str) -> str:
    """`優(yōu)先級` → `優先級`: pinyin in brackets right after a Chinese character dropped."""
    return _PINYIN_GLOSS.sub("", text) if "(" in text else text


def _normal(text: Any) -> str:
    """Header text compared loosely: full-width folded, pinyin glosses, spaces and `*` markers
    dropped, lower case."""
    folded = strip_glosses(unicodedata.normalize("NFKC", str(text)))
    return re.sub(r"[\s*]+", "", folded).lower()


_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "編號", "需求id", "requestid", "reqid"),
    "source": ("来源", "來源", "渠道", "需求渠道"),
    "proposer": ("提出人姓名", "客户联系人", "客戶聯繫人"),
    "customer": ("客户", "客戶", "所属客户", "所屬客戶", "客户/项目", "客戶/項目", "所属项目", "所屬項目", "项目", "項目",
                 "customer", "project", "customer/project", "所属客户/项目名称"),
    "type": ("类型", "類型"),
    "description": ("描述", "需求内容", "需求內容"),
    "attachments": ("attachment", "附件名称", "附件名稱"),
    "submitted_at": ("提出日期", "提交时间", "提交時間", "submitted", "submittedon", "submissiontime"),
    "liaison": ("对接人", "對接人"),
    "priority": ("优先级别", "優先級別"),
    "owner": ("负责人", "負責人", "owner", "负责部门/人", "負責部門/人", "负责部门/负责人员", "owner(dept/person)"),
    "department": ("dept", "部门", "部門"),
    "due": ("计划完成日期", "計劃完成日期", "due", "duedate", "deadline", "plannedcompletion"),
    "completed_at": ("实际完成日期", "實際完成日期", "completed", "completion", "actualcompletion"),
    "status": ("状态", "狀態"),
    "history": ("处理记录", "處理記錄", "history", "processlog", "处理过程记录", "處理過程記錄"),
    "verification": ("验证", "驗證"),
    "satisfaction": ("满意度", "滿意度"),
    "notes": ("remarks", "remark", "note", "备注说明", "備註說明"),
}


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for row in COLUMNS + EXTRA_FIELDS:
        key = row[0]
        for text in (key, *row[1:]):
            names.setdefault(_normal(text), key)
    for key, aliases in _HEADER_ALIASES.items():
        for text in aliases:
            names.setdefault(_normal(text), key)
    return names


HEADER_NAMES = _header_names()


@dataclass
class Column:
    """A recognised column of the file."""

    index: int  # 0-based position in a row
    key: str
    header: str  # the header text as in the file

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.index + 1)

    @property
    def name(self) -> str:
        """How problems name the column: letter and header, e.g. `L (计划完成时间)`."""
        return f"column {self.letter} ({self.header})"


@dataclass
class Table:
    """A sheet or CSV file with its recognised header; `rows` streams (row number, cells)."""

    path: Path
    kind: str  # "xlsx" or "csv"
    sheet: str | None
    header_row: int
    columns: list[Column]
    ignored: list[str]  # header texts that are not reqtrack columns
    masked: bool
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None = None
    timezone: str | None = None  # the zone a reqtrack export's info sheet states for its times
    _close: Callable[[], None] | None = None

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None


def recognise_header(cells: list[Any]) -> tuple[list[Column], list[str]]:
    """The known columns of a header row (first occurrence of each) and the unknown headers."""
    columns: list[Column] = []
    seen: set[str] = set()
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        text = str(cell).strip()
        key = HEADER_NAMES.get(_normal(text))
        if key is None or key in seen:
            ignored.append(text)
            continue
        seen.add(key)
        columns.append(Column(index, key, text))
    # The template's single "dept/person" column and separate "负责部门" + "负责人" columns both work;
    # a lone "负责部门" next to no owner column is the owner cell's department part.
    return columns, ignored


def _find_header(head: list[tuple[int, list[Any]]]) -> tuple[int, list[Column], list[str]] | None:
    for number, cells in head:
        columns, ignored = recognise_header(cells)
        keys = {c.key for c in columns}
        if {"customer", "description"} <= keys:
            return number, columns, ignored
    return None


TIMEZONE_LABELS = ("Time zone", "时区", "時區")  # the info sheet's label of the export's zone


def _stated_zone(head: list[tuple[int, list[Any]]]) -> str | None:
    """The zone named next to a time-zone label in the first rows of an info sheet."""
    for _, cells in head:
        if len(cells) >= 2 and cells[0] in TIMEZONE_LABELS and isinstance(cells[1], str) and cells[1].strip():
            return cells[1].strip()
    return None


def _contains_mask_token(cells: Iterable[Any]) -> bool:
    return any(isinstance(c, str) and MASK_TOKEN in c for c in cells)


def read_table(path: Path) -> Table:
    """Open an xlsx or CSV file and find its header row (InvalidInput when it has none)."""
    from .domain.errors import InvalidInput

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file")
    with open(path, "rb") as handle:
        start = handle.read(8)
    if start.startswith(b"PK\x03\x04"):
        return _read_xlsx(path)
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(f"{path} is an old binary Excel file (.xls); save it as .xlsx or CSV in Excel and import that")
    if path.suffix.lower() == ".json" or re.match(rb"\s*(\[\s*[{\]]|\{\s*\")", start):
        raise InvalidInput(f"{path} is JSON; import reads xlsx and CSV sheets with a header row "
                           "(export one with `reqtrack export FILE.xlsx`)")
    if path.suffix.lower() in (".xlsx", ".xlsm") and start:
        raise InvalidInput(f"{path} is not a readable xlsx file (no zip container); is it damaged or renamed?")
    return _read_csv(path)


_HEADER_HINT = ("no header row found in its first {n} rows: the sheet needs at least the columns "
                "需求描述/Description and 所属客户/项目/Customer (in any of the three languages, in any order)")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 10e6 else f"{size / 1e6:,.1f} MB"


def _check_archive(path: Path) -> None:
    """Refuse, before openpyxl reads anything, an xlsx whose parts would inflate past the import's
    limits (a zip bomb: a few MB that inflate to GBs). The sizes are the ones the zip declares;
    Python's zipfile never inflates a part past its declared size (a part that would ends in a CRC
    error, which the reader turns into "damaged"), so memory stays bounded by what is checked here."""
    import zipfile

    from .domain.errors import InvalidInput

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InvalidInput(f"{path} cannot be read as an xlsx workbook ({type(exc).__name__}: {exc})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise InvalidInput(f"{path} holds {len(members):,} parts, more than any real workbook (import's limit: "
                           f"{MAX_ZIP_MEMBERS:,}); it is refused, nothing was imported")
    total = 0
    for member in members:
        total += member.file_size
        if member.filename.lower().endswith("sharedstrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise InvalidInput(f"{path}: its shared strings inflate to {_megabytes(member.file_size)}, over import's "
                               f"limit of {_megabytes(MAX_SHARED_STRINGS_BYTES)}; nothing was imported (save the sheet as "
                               "CSV, or split it)")
    if total > MAX_INFLATED_BYTES:
        raise InvalidInput(f"{path} inflates to {_megabytes(total)} ({_megabytes(path.stat().st_size)} compressed), over "
                           f"import's limit of {_megabytes(MAX_INFLATED_BYTES)}; nothing was imported (a damaged file or "
                           "a zip bomb; a real sheet that large: split it)")


def _sheet_damaged(path: Path, row: int, exc: BaseException) -> Exception:
    """The InvalidInput for a sheet whose XML cannot be read past its load: bad XML, a number,
    date or boolean cell that is not one, a shared-string index that does not exist, a part
    inflating past its declared size."""
    from .domain.errors import InvalidInput

    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return InvalidInput(f"{path} cannot be read at row {row}: the sheet's content is damaged or not what "
                        f"Excel writes ({type(exc).__name__}{': ' + detail if detail else ''}); nothing was imported")


def _bounded_cells(path: Path, number: int, cells: list[Any]) -> list[Any]:
    """The row's cells, or InvalidInput for one longer than any field may be."""
    from .domain.errors import InvalidInput

    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CSV_FIELD:
            raise InvalidInput(f"{path} row {number}: a cell holds {len(cell):,} characters, over import's limit of "
                               f"{MAX_CSV_FIELD:,} (Excel itself holds 32,767); nothing was imported")
    return cells


def _too_many_rows(path: Path) -> Exception:
    from .domain.errors import InvalidInput

    return InvalidInput(f"{path} has more than {MAX_ROWS:,} rows, import's limit (Excel's own); nothing was imported: "
                        "split the sheet")


def _read_xlsx(path: Path) -> Table:
    from .domain.errors import InvalidInput

    _check_archive(path)
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors all mean "not readable"
        raise InvalidInput(f"{path} cannot be read as an xlsx workbook ({type(exc).__name__}: {exc})") from None
    masked = MASK_TOKEN in (workbook.properties.keywords or "")
    zone: str | None = None
    found: tuple[Any, int, list[Column], list[str], Iterator[Any], list[tuple[int, list[Any]]]] | None = None
    for worksheet in workbook.worksheets:
        if not hasattr(worksheet, "iter_rows"):
            continue  # a chart sheet
        worksheet.reset_dimensions()  # some writers state wrong dimensions; read every row there is
        rows = worksheet.iter_rows()
        head: list[tuple[int, list[Any]]] = []
        try:
            for number, row in enumerate(rows, start=1):
                head.append((number, [_xlsx_value(c) for c in row]))
                if number >= HEADER_SEARCH_ROWS:
                    break
            for number, cells in head:
                _bounded_cells(path, number, cells)
        except InvalidInput:
            workbook.close()
            raise
        except Exception as exc:  # noqa: BLE001 - whatever openpyxl raises on a damaged sheet
            workbook.close()
            raise _sheet_damaged(path, len(head) + 1, exc) from None
        result = _find_header(head)
        if result is None:
            masked = masked or any(_contains_mask_token(cells) for _, cells in head)
            zone = zone or _stated_zone(head)
            continue
        if found is None:
            number, columns, ignored = result
            found = (worksheet, number, columns, ignored, rows, head)
            masked = masked or any(_contains_mask_token(cells) for n, cells in head if n < number)
    if found is None:
        workbook.close()
        raise InvalidInput(f"{path}: " + _HEADER_HINT.format(n=HEADER_SEARCH_ROWS))
    worksheet, header_row, columns, ignored, rows, head = found

    def stream() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in head:
            if number > header_row:
                yield number, cells
        number = len(head)
        while True:
            number += 1
            if number > MAX_ROWS:
                raise _too_many_rows(path)
            try:
                row = next(rows, None)
                if row is None:
                    return
                cells = [_xlsx_value(c) for c in row]
            except Exception as exc:  # noqa: BLE001 - whatever openpyxl raises on a damaged sheet
                raise _sheet_damaged(path, number, exc) from None
            yield number, _bounded_cells(path, number, cells)

    return Table(path, "xlsx", worksheet.title, header_row, columns, ignored, masked, stream(), timezone=zone,
                 _close=workbook.close)


def _has_time(number_format: str | None) -> bool:
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", (number_format or "").split(";")[0]).lower()
    return "h" in fmt or "s" in fmt


def _xlsx_value(cell: Any) -> Any:
    value = cell.value
    if value is None:
        return None
    if isinstance(value, str):
        return ooxml_unescape(value)
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second or value.microsecond):
        # Midnight: a date cell, unless its format shows a time (a deadline at 00:00).
        return value if _has_time(getattr(cell, "number_format", None)) else value.date()
    return value


def _detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-16 (by BOM), utf-8 when the whole file decodes as UTF-8, else GB18030."""
    from .domain.errors import InvalidInput

    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if _decodes_as(handle, "utf-8"):
            return "utf-8"
        if _decodes_as(handle, "gb18030"):
            return "gb18030"
    raise InvalidInput(f"{path} is neither UTF-8 nor GB18030 text; save it as CSV UTF-8 or as xlsx")


def _decodes_as(handle: Any, encoding: str) -> bool:
    """Whether the whole file decodes as `encoding`, read a megabyte at a time from the start."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                decoder.decode(b"", final=True)
                return True
            decoder.decode(chunk)
    except UnicodeDecodeError:
        return False


def _bounded_lines(handle: Any, path: Path) -> Iterator[str]:
    """The file's lines for csv.reader, refusing one longer than MAX_CSV_LINE (memory stays bounded
    whatever the file holds)."""
    from .domain.errors import InvalidInput

    number = 0
    while True:
        line = handle.readline(MAX_CSV_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_CSV_LINE:
            raise InvalidInput(f"{path} line {number} is longer than import's limit of {MAX_CSV_LINE:,} characters; "
                               "nothing was imported")
        yield line


def _csv_problem(path: Path, line: int, exc: Exception) -> Exception:
    from .domain.errors import InvalidInput

    if isinstance(exc, UnicodeDecodeError):
        return InvalidInput(f"{path} line {line} is not valid {exc.encoding} text ({exc.reason}); nothing was imported: "
                            "save it as CSV UTF-8")
    if "field larger than field limit" in str(exc):
        return InvalidInput(f"{path} line {line}: a field is longer than import's limit of {MAX_CSV_FIELD:,} characters; "
                            "nothing was imported")
    return InvalidInput(f"{path} line {line}: a quote (\") opened in this row is not closed where its cell ends ({exc}); "
                        "nothing was imported: close the quote, or write a quote meant literally as two (\"\")")


def _read_csv(path: Path) -> Table:
    from .domain.errors import InvalidInput

    size = path.stat().st_size
    if size > MAX_INFLATED_BYTES:
        raise InvalidInput(f"{path} is {_megabytes(size)}, over import's limit of {_megabytes(MAX_INFLATED_BYTES)}; "
                           "nothing was imported: split it")
    encoding = _detect_encoding(path)
    handle = open(path, encoding=encoding, newline="")
    previous_limit = csv.field_size_limit(MAX_CSV_FIELD)  # a long description exported to CSV comes back

    def close() -> None:
        handle.close()
        csv.field_size_limit(previous_limit)

    try:
        sample = handle.read(1 << 16)
        handle.seek(0)
    except UnicodeDecodeError as exc:
        close()
        raise InvalidInput(f"{path} cannot be read as CSV: {exc}") from None
    lines = sample.splitlines()[:HEADER_SEARCH_ROWS] or [""]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    # strict: a quote left open to the end of the file is an error, not a silently merged row.
    reader = csv.reader(_bounded_lines(handle, path), delimiter=delimiter, strict=True)

    def records() -> Iterator[tuple[int, tuple[int, int], list[Any]]]:
        """(record number, its first and last line, cells); InvalidInput naming the line when unreadable."""
        number = 0
        while True:
            first_line = reader.line_num + 1
            try:
                row = next(reader, None)
            except (csv.Error, UnicodeDecodeError) as exc:
                raise _csv_problem(path, first_line, exc) from None
            if row is None:
                return
            number += 1
            if number > MAX_ROWS:
                raise _too_many_rows(path)
            yield number, (first_line, reader.line_num), [unguard(c) if c else None for c in row]

    def check_span(lines: tuple[int, int], cells: list[Any]) -> None:
        first_line, last_line = lines
        if last_line > first_line and len(cells) != width:
            # A cell that swallowed line ends and then has the wrong number of cells: a quote
            # opened and closed only by a later row's quote, merging the rows between.
            raise InvalidInput(f"{path} line {first_line}: a quote (\") opened in this row runs on to line {last_line}, "
                               f"merging {last_line - first_line + 1} lines into one row of {len(cells)} cells (the "
                               f"header has {width}); nothing was imported: close the quote")

    width = 0  # the header's number of cells, once found
    source = records()
    head: list[tuple[int, list[Any]]] = []
    spans: list[tuple[int, int]] = []
    try:
        for number, span, cells in source:
            head.append((number, cells))
            spans.append(span)
            if number >= HEADER_SEARCH_ROWS:
                break
    except InvalidInput:
        close()
        raise
    result = _find_header(head)
    if result is None:
        close()
        if not sample.strip():
            raise InvalidInput(f"{path} is empty")
        raise InvalidInput(f"{path}: " + _HEADER_HINT.format(n=HEADER_SEARCH_ROWS))
    header_row, columns, ignored = result
    width = len(head[header_row - 1][1])
    masked = any(_contains_mask_token(cells) for n, cells in head if n < header_row)

    def stream() -> Iterator[tuple[int, list[Any]]]:
        for (number, cells), span in zip(head, spans):
            if number > header_row:
                check_span(span, cells)
                yield number, cells
        for number, span, cells in source:
            check_span(span, cells)
            yield number, cells

    return Table(path, "csv", None, header_row, columns, ignored, masked, stream(), encoding=encoding, _close=close)


# -- reading: cells to field values -------------------------------------------------------------
def cell_text(value: Any) -> str | None:
    """A cell as text: None for empty or blank, numbers without a spurious `.0`."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and not math.isfinite(value):
        raise CellProblem("a number that is not finite (INF or NaN), which no field can hold; write the value itself")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def parse_plain(value: Any) -> str | None:
    """Names, customer, ID: trimmed text."""
    text = cell_text(value)
    return text.strip() if text is not None else None


def parse_verbatim(value: Any) -> str | None:
    """Description and notes: kept exactly (blank means empty)."""
    return cell_text(value)


_VOCABULARY_ALIASES: dict[str, dict[str, str]] = {
    "source": {"tel": "phone", "telephone": "phone", "call": "phone", "phone call": "phone", "e-mail": "email",
               "mail": "email", "web form": "online-form", "form": "online-form", "online form": "online-form",
               "live chat": "chat", "customer success": "csm", "social media": "social", "来电": "phone",
               "來電": "phone", "电邮": "email", "電郵": "email", "邮箱": "email", "郵箱": "email", "表单": "online-form",
               "表單": "online-form", "问卷": "survey", "問卷": "survey", "客户成功": "csm", "客戶成功": "csm"},
    "type": {"optimization": "improvement", "enhancement": "improvement", "bug": "bug", "fix": "bug",
             "new feature": "feature", "support": "support", "优化": "improvement", "優化": "improvement",
             "缺陷": "bug", "故障": "bug", "新功能": "feature", "咨询": "support", "諮詢": "support"},
    "priority": {"urgent": "high", "normal": "medium", "紧急": "high", "緊急": "high", "高优先级": "high",
                 "高優先級": "high", "中优先级": "medium", "中優先級": "medium", "低优先级": "low", "低優先級": "low"},
    "status": {"canceled": "cancelled", "in progress": "in-progress", "进行中": "in-progress", "進行中": "in-progress",
               "验证中": "verifying", "驗證中": "verifying", "已归档": "closed", "已歸檔": "closed", "完成": "done",
               "关闭": "closed", "關閉": "closed", "取消": "cancelled", "待验收": "verifying", "待驗收": "verifying"},
    "satisfaction": {"very satisfied": "satisfied", "unsatisfied": "dissatisfied", "非常满意": "satisfied",
                     "非常滿意": "satisfied", "比较满意": "satisfied", "比較滿意": "satisfied"},
    "verification": {"passed": "pass", "failed": "fail", "ok": "pass"},
    "feasibility": {},
}
# Source and type are descriptive ("客戶電話" = a phone call from the customer), so a unique
# Chinese label inside the text is enough; status, priority, verification and satisfaction are
# not (未完成 contains 完成, 不满意 contains 满意): those must match exactly.
_CONTAINMENT_FIELDS = ("source", "type")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def parse_vocabulary(vocab: Vocabulary, value: Any) -> str | None:
    """The key for a cell in any language, with a few common synonyms; CellProblem otherwise."""
    text = parse_plain(value)
    if text is None:
        return None
    folded = strip_glosses(unicodedata.normalize("NFKC", text).strip())
    key = vocab.lookup(folded)
    if key is not None:
        return key
    aliases = _VOCABULARY_ALIASES.get(vocab.field, {})
    lowered = folded.lower()
    if lowered in aliases:
        return aliases[lowered]
    if vocab.field in _CONTAINMENT_FIELDS:
        matches = set()
        for candidate, labels in vocab.labels.items():
            for label in labels[1:]:
                if _has_cjk(label) and label in folded:
                    matches.add(candidate)
        for alias, candidate in aliases.items():
            if _has_cjk(alias) and alias in folded:
                matches.add(candidate)
        if len(matches) == 1:
            return matches.pop()
    choices = ", ".join(f"{k} ({vocab.labels[k][1]})" for k in vocab.keys)
    raise CellProblem(f"not a known {vocab.field}; use one of {choices}")


_DATE_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:时時点點]\s*(\d{1,2})\s*分?(?:\s*[:]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _in_range(year: int) -> None:
    if not year_in_range(year):
        raise CellProblem(f"the year {year} is outside what every command can read back ({TIME_RANGE_TEXT}); a typo?")


def parse_when(value: Any, tz: ZoneInfo) -> tuple[datetime, bool] | None:
    """A date-time cell as (aware UTC time, date_only). Excel date-time and date cells, text such
    as `2024-05-01 14:30`, `2024-05-0114:30` (glued), `2024/5/1`, `2024年5月1日 14:30`, ISO 8601
    with an offset; naive values are local to `tz`. A date alone is 00:00 (the caller moves a
    deadline to the end of its day)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        _in_range(value.year)
        local = value if value.tzinfo else value.replace(tzinfo=tz)
        return local.astimezone(timezone.utc), False
    if isinstance(value, date):
        _in_range(value.year)
        return datetime.combine(value, time(0, 0), tzinfo=tz).astimezone(timezone.utc), True
    if isinstance(value, time):
        raise CellProblem("a time of day without a date")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial date in a cell without a date format
            moment = _EXCEL_EPOCH + timedelta(days=float(value), seconds=30)
            moment = moment.replace(second=0, microsecond=0)  # to the nearest minute
            return moment.replace(tzinfo=tz).astimezone(timezone.utc), float(value).is_integer()
        raise CellProblem("not a date")
    text = parse_plain(value)
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _DATE_TIME.match(folded) or _COMPACT_DATE.match(folded)
    try:
        if match:
            parts = [int(p) if p is not None else None for p in match.groups()] + [None] * 3
            year, month, day, hour, minute, second = parts[:6]
            _in_range(year)  # type: ignore[arg-type]
            if hour is None:
                return datetime(year, month, day, tzinfo=tz).astimezone(timezone.utc), True  # type: ignore[arg-type]
            moment = datetime(year, month, day, hour, minute or 0, second or 0, tzinfo=tz)  # type: ignore[arg-type]
            return moment.astimezone(timezone.utc), False
        moment = datetime.fromisoformat(folded.replace("Z", "+00:00"))
    except CellProblem:
        raise
    except (ValueError, OverflowError):
        raise CellProblem("not a valid date or time; write e.g. 2024-05-01 14:30") from None
    _in_range(moment.year)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(timezone.utc), False


_NONE_WORDS = frozenset({"无", "無", "没有", "沒有", "暂无", "暫無", "none", "no", "n/a", "na", "nil", "-", "—", "/", "／", "否"})


def parse_attachments(value: Any) -> list[str]:
    """File names, one per line (or separated by `;`); 无/無/none/- mean no attachments."""
    text = parse_plain(value)
    if text is None or unicodedata.normalize("NFKC", text).strip().lower() in _NONE_WORDS:
        return []
    from .safe_output import plain_file_name

    parts = text.split("\n") if "\n" in text else re.split(r"[;；]", text)
    # Names only (contents stay in reqtrack): `../../x` or `C:\\x\\y.doc` is stored as its file name.
    return [plain_file_name(p.strip()) for p in parts if p.strip()]


_DEPARTMENT_SUFFIX = re.compile(r"^(.+?(?:部门|部門|部|中心|组|組|团队|團隊|科|室|处|處))(\*.*)$")
_PARENTHESISED = re.compile(r"^(.+?)\s*[(（]([^()（）]+)[)）]$")


def parse_owner(value: Any) -> tuple[str | None, str | None]:
    """The "dept/person" cell as (department, owner). Also read: `person(dept)`, a department
    glued to a masked name as in the template (产品部*经理), and a person alone."""
    text = parse_plain(value)
    if text is None:
        return None, None
    for separator in ("/", "／"):
        if separator in text:
            department, owner = text.split(separator, 1)
            return department.strip() or None, owner.strip() or None
    match = _PARENTHESISED.match(text)
    if match:
        return match.group(2).strip(), match.group(1).strip()
    match = _DEPARTMENT_SUFFIX.match(text)
    if match:
        return match.group(1), match.group(2)
    return None, text


def parse_verification(value: Any) -> tuple[str | None, str | None]:
    """`通过`, `不通过：原因`, `Fail: reason`, `不通過(導出仍超時)` as (key, note)."""
    text = cell_text(value)
    if text is None:
        return None, None
    stripped = text.strip()
    candidates: list[tuple[str, str]] = []
    for key, labels in VERIFICATION.labels.items():
        for label in (key, *labels, *[a for a, k in _VOCABULARY_ALIASES["verification"].items() if k == key]):
            candidates.append((label, key))
    candidates.sort(key=lambda pair: len(pair[0]), reverse=True)  # 不通过 before 通过
    for label, key in candidates:
        if stripped[:len(label)].lower() == label.lower():
            rest = stripped[len(label):]
            if rest.startswith(": "):
                return key, text.lstrip()[len(label) + 2:] or None  # reqtrack's own form: exact
            if rest and (rest[0].isalnum() and not _has_cjk(rest[0])):
                continue  # "passed" is not "pass" + "ed"
            rest = rest.strip()
            if rest[:1] in "(（" and rest[-1:] in ")）":
                rest = rest[1:-1]
            rest = rest.lstrip(":：-—,，;；").strip()
            return key, rest or None
    raise CellProblem("not a verification result; use pass/fail (通过/不通过), optionally followed by ': reason'")


def parse_scores(value: Any) -> dict[str, int] | None:
    """`value=8; urgency=7; cost=3; impact=8` (or JSON) as the four scores."""
    import json

    text = parse_plain(value)
    if text is None:
        return None
    pairs: dict[str, Any]
    try:
        pairs = json.loads(text) if text.startswith("{") else {}
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        pairs = {}
    if not isinstance(pairs, dict):
        pairs = {}
    if not pairs:
        pairs = {k.lower(): v for k, v in re.findall(r"([A-Za-z]+)\s*[=:]\s*(\d+)", text)}
    try:
        scores = {name: int(pairs[name]) for name in ("value", "urgency", "cost", "impact")}
    except (KeyError, ValueError, TypeError, OverflowError):  # OverflowError: 1e999 is an infinite float
        raise CellProblem("scores need value, urgency, cost and impact, e.g. value=8; urgency=7; cost=3; impact=8") from None
    if not all(1 <= v <= 10 for v in scores.values()):
        raise CellProblem("each score is between 1 and 10")
    return scores


def parse_flag(value: Any) -> bool:
    """yes/no, 是/否, true/false, 1/0; empty is no."""
    text = parse_plain(value)
    if text is None:
        return False
    folded = text.lower()
    if folded in ("yes", "y", "true", "1", "是", "x", "✓"):
        return True
    if folded in ("no", "n", "false", "0", "否"):
        return False
    raise CellProblem("not yes or no")


# -- reading: the process log ---------------------------------------------------------------------
_LOG_LINE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) (.+?)(?:: (.*))?$", re.DOTALL)


@dataclass(slots=True)  # an import may hold hundreds of thousands
class LogEntry:
    """A line of reqtrack's own process-log format, read back."""

    at: datetime  # aware UTC, to the minute
    action: str
    note: str
    text: str  # the line(s) as in the cell


_ACTION_KEYS: dict[str, str] = {}  # action label → key, for the labels met so far (a few dozen)


def _log_line(line: str, tz: ZoneInfo) -> LogEntry | None:
    match = _LOG_LINE.match(line)
    if not match:
        return None
    label = match.group(6)
    action = _ACTION_KEYS.get(label)
    if action is None:
        action = ACTION.lookup(label)
        if action is None:
            return None
        _ACTION_KEYS[label] = action
    try:  # the pattern fixed the positions of the digits
        local = datetime(int(line[0:4]), int(line[5:7]), int(line[8:10]), int(line[11:13]), int(line[14:16]), tzinfo=tz)
    except ValueError:
        return None
    if not year_in_range(local.year):
        raise CellProblem(f"the process log has an entry dated {line[:16]}, a year outside what every command can read "
                          f"back ({TIME_RANGE_TEXT}); a typo?")
    return LogEntry(local.astimezone(timezone.utc), action, match.group(7) or "", line)


def parse_process_log(text: str | None, tz: ZoneInfo) -> tuple[list[LogEntry] | None, bool]:
    """(entries oldest first, cut) when the cell is in reqtrack's own format — each entry a line
    `YYYY-MM-DD HH:MM <action label in any language>[: note]`, newest first, a note's further
    lines following it — or (None, False) for anything else (kept as one imported note).
    `cut` says that the cell ended with reqtrack's marker for entries cut at Excel's limit.
    CellProblem for an entry dated outside the years reqtrack handles."""
    if text is None or not text.strip():
        return [], False
    body, cut = strip_cut_marker(text)
    entries: list[LogEntry] = []
    for line in body.split("\n"):
        entry = _log_line(line, tz)
        if entry is not None:
            entries.append(entry)
        elif not entries:
            return None, False
        else:
            entries[-1].note += "\n" + line
            entries[-1].text += "\n" + line
    entries.reverse()
    entries.sort(key=lambda e: e.at)  # stable: entries of the same minute keep their order
    return entries, cut
