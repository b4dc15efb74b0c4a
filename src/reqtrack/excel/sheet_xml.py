"""An xlsx workbook opened for import: openpyxl reads its parts (the sheet list, the shared
strings, the styles, the properties), and each worksheet's XML is streamed here a row at a time
into the very values a read-only openpyxl worksheet gives (`iter_rows(values_only=True)`), with
the reader's own finishing touches (Excel's `_xHHHH_` escapes undone, a midnight date-time a
date unless its number format shows a time).

Why not openpyxl's worksheet: it builds a cell object per cell and an object tree per inline
string (the form reqtrack's exports write every text in), and before the first row it parses the
whole sheet once to find dimensions that streamed writers do not state; at 100,000 rows that is
most of an import's reading (docs/performance.md, "Import as rows pass"). The rules below are
openpyxl 3.1's (`worksheet/_reader.py` WorkSheetParser.parse_row and parse_cell,
`_read_only.py` `_cells_by_row` and `_get_row`, `cell/text.py` Text.content) for a workbook
read with `data_only=True`: a formula cell is its cached value. Anything the XML does not allow
(a bad number, date, boolean, shared-string index, coordinate or row number, broken XML) raises,
as openpyxl's parser does, for the reader to say the sheet is damaged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from .safety import ooxml_unescape

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _VALUE, _INLINE = f"{_MAIN}row", f"{_MAIN}v", f"{_MAIN}is"
_TEXT, _RUN = f"{_MAIN}t", f"{_MAIN}r"
_DIGITS = "0123456789"


@dataclass
class Sheet:
    """A worksheet of the workbook (chart sheets are not listed): its title and XML part."""

    title: str
    part: str


class Workbook:
    """The workbook's parts as openpyxl reads them, for streaming its worksheets' rows."""

    def __init__(self, path: Any) -> None:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        reader = ExcelReader(path, read_only=True, data_only=True)
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            reader.read_properties()
            apply_stylesheet(reader.archive, reader.wb)
            self.sheets = [Sheet(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                           if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
        except BaseException:
            reader.archive.close()
            raise
        self._archive = reader.archive
        self._strings: list[str] = reader.shared_strings
        book = reader.wb
        self.keywords: str = book.properties.keywords or ""
        self._epoch = book.epoch
        self._date_styles: set[int] = set(book._date_formats)
        self._timedelta_styles: set[int] = set(book._timedelta_formats)
        self._styles = book._cell_styles
        self._number_formats = book._number_formats
        self._time_shown: dict[int, bool] = {}

    def close(self) -> None:
        self._archive.close()

    def part_size(self, sheet: Sheet) -> int:
        """The size of the sheet's XML, inflated (as the archive declares it)."""
        return int(self._archive.getinfo(sheet.part).file_size)

    def rows(self, sheet: Sheet) -> Iterator[list[Any]]:
        """The sheet's rows from row 1 on, as lists of values (None for an empty cell; a row left
        out of the XML comes as an empty list; trailing empty cells are not there)."""
        with self._archive.open(sheet.part) as source:
            yield from _rows(source, self._cell_value)

    def _cell_value(self, element: Any, style: int) -> Any:
        """The value of a <c> element other than an inline string, before the reader's touches."""
        kind = element.get("t")
        text = element.findtext(_VALUE) or None
        if text is None:
            return None
        if kind is None or kind == "n":
            value: Any = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            if style in self._date_styles:
                return self._date(value, style)
            return value
        if kind == "s":
            return self._strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return _midnight(from_ISO8601(text), style, self._shows_time)
        return text  # "str" (a formula's text), "e" (an error such as #N/A)

    def _date(self, value: float, style: int) -> Any:
        from openpyxl.utils.datetime import from_excel

        try:
            moment = from_excel(value, self._epoch, timedelta=style in self._timedelta_styles)
        except (OverflowError, ValueError):
            # openpyxl's own reading, without its Python warning: printed by the command, it was a
            # line naming a source file before the import's sentence that names row, column and value
            return "#VALUE!"
        return _midnight(moment, style, self._shows_time)

    def _shows_time(self, style: int) -> bool:
        """Whether the number format of cell style `style` shows a time (as openpyxl's
        ReadOnlyCell.number_format names it)."""
        known = self._time_shown.get(style)
        if known is None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

            number = self._styles[style].numFmtId
            shown = (BUILTIN_FORMATS.get(number, "General") if number < BUILTIN_FORMATS_MAX_SIZE
                     else self._number_formats[number - BUILTIN_FORMATS_MAX_SIZE])
            known = self._time_shown[style] = has_time(shown)
        return known


def has_time(number_format: str | None) -> bool:
    """Whether an Excel number format shows a time of day (hours or seconds)."""
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", (number_format or "").split(";")[0]).lower()
    return "h" in fmt or "s" in fmt


def _midnight(value: Any, style: int, shows_time: Callable[[int], bool]) -> Any:
    """A date-time at midnight is a date cell, unless its format shows a time (a deadline at 00:00)."""
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second or value.microsecond):
        return value if shows_time(style) else value.date()
    return value


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _inline_text(element: Any) -> str:
    """An <is> element's text: its own <t>, then every run's (phonetic runs left out), as
    openpyxl's Text.content reads it (by local name, the last <t> of a kind winning)."""
    plain: str | None = None
    runs: list[str] = []
    for child in element:
        tag = child.tag
        if tag != _TEXT and tag != _RUN:
            tag = f"{_MAIN}{_local(tag)}"
        if tag == _TEXT:
            plain = child.text
        elif tag == _RUN:
            text = None
            for part in child:
                if part.tag == _TEXT or _local(part.tag) == "t":
                    text = part.text
            if text is not None:
                runs.append(text)
    if not runs:
        return plain or ""
    return (plain or "") + "".join(runs)


_COLUMNS: dict[str, int] = {}  # the column letters met so far → the column's number


def _column(reference: str) -> int:
    """The column number of a cell reference such as `AB12` (ValueError when it is none)."""
    letters = reference.rstrip(_DIGITS)
    if len(letters) == len(reference):  # no row number, as openpyxl would find in int("")
        raise ValueError(f"{reference!r} is not a cell reference")
    number = _COLUMNS.get(letters)
    if number is None:
        from openpyxl.utils.cell import column_index_from_string

        number = _COLUMNS[letters] = int(column_index_from_string(letters))
    return number


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(value)


def _rows(source: IO[bytes], cell_value: Callable[[Any, int], Any]) -> Iterator[list[Any]]:
    """Every row of a worksheet's XML from row 1 on (openpyxl's `_cells_by_row` without a
    maximum: a missing row is an empty one; a row numbered before the last one is dropped)."""
    counter = 1  # the number of the next row to yield
    number = 0
    for _, element in iterparse(source):
        if element.tag != _ROW:
            continue
        given = element.get("r")
        number = _row_number(given) if given is not None else number + 1
        cells = _cells(element, cell_value)
        element.clear()
        while counter < number:
            counter += 1
            yield []
        if counter <= number:
            counter += 1
            yield cells


def _cells(row: Any, cell_value: Callable[[Any, int], Any]) -> list[Any]:
    """A <row>'s values by column (openpyxl's parse_cell and `_get_row`): the row is as wide as
    its last cell's column; a cell past that, or before column 1, is left out."""
    found: list[tuple[int, Any]] = []
    column = 0
    for element in row:
        style_text = element.get("s")
        style = int(style_text) if style_text else 0
        reference = element.get("r")
        column = _column(reference) if reference else column + 1
        if element.get("t") == "inlineStr":
            inline = element.find(_INLINE)
            value = ooxml_unescape(_inline_text(inline)) if inline is not None else None
        else:
            value = cell_value(element, style)
            if type(value) is str:
                value = ooxml_unescape(value)
        found.append((column, value))
    if not found:
        return []
    width = found[-1][0]
    if all(column == index for index, (column, _) in enumerate(found, 1)):
        return [value for _, value in found]
    cells: list[Any] = [None] * max(width, 0)
    for column, value in found:
        if 1 <= column <= width:
            cells[column - 1] = value
    return cells
