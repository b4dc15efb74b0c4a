"""Cell text safety: what every writer does so that a cell holds exactly what was typed, and
what the reader undoes (docs/excel.md, "Safety: nothing becomes a formula" and "Excel's
32,767-character cell limit").

- A text that starts with `= + - @` (or a tab / carriage return) never becomes a formula: in
  xlsx it is a string cell (never a formula cell) with Excel's quote prefix, so it stays text
  even when edited, and the cell holds exactly the text; in CSV it gets a leading `'` (the
  usual CSV-injection guard), and a text that itself starts with `'` before such a character
  gets one more, so that import strips exactly one `'` and recovers what was typed.
- Control characters XML cannot hold are written in Excel's own `_xHHHH_` escape (which Excel
  shows as the character) and unescaped on import; a literal `_xHHHH_` is escaped as `_x005F_…`.
- A text longer than Excel's 32,767-character cell limit is cut in xlsx with a visible marker
  (the process log keeps its newest entries); CSV keeps it whole. Both are reported
  (`SheetNotices`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EXCEL_CELL_LIMIT = 32767  # characters (UTF-16 code units) in one Excel cell


@dataclass
class SheetNotices:
    """What a writer had to do about cells that Excel cannot hold as they are (said in words by
    `excel.export_info.notice_sentences`)."""

    cut_cells: list[tuple[str, str]] = field(default_factory=list)  # (request ID, column key), xlsx
    control_cells: int = 0  # cells with control characters, written in Excel's _xHHHH_ escape
    long_csv_cells: list[tuple[str, str]] = field(default_factory=list)  # kept whole in CSV, but Excel cuts them


# -- formula guard and Excel's escape -----------------------------------------------------------
_GUARDED = re.compile(r"^'*[=+\-@\t\r]")
_UNGUARD = re.compile(r"^'+[=+\-@\t\r]")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


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


def utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


# -- Excel's cell limit ------------------------------------------------------------------------
def _fits(text: str) -> bool:
    """Excel counts UTF-16 units of the text; openpyxl cuts the escaped text at 32,767 characters."""
    return utf16_length(text) <= EXCEL_CELL_LIMIT and len(ooxml_escape(text)) <= EXCEL_CELL_LIMIT


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


def xlsx_text(text: str, request_id: str, key: str, notices: SheetNotices) -> tuple[str, bool]:
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
