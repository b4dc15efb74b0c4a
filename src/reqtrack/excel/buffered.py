"""A small sheet laid out in a buffer and streamed to a write-only worksheet in row order (the
meeting workbook's sheets but the requests): cells with their styles, user text written as
export writes it, column widths and row heights worked out from the text before the first row
goes out (excel.print_setup's estimates), merged cells, and the print setup.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .print_setup import fit_width, row_points, text_points
from .safety import needs_formula_guard, ooxml_escape

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet.worksheet import Worksheet

PERCENT_FORMAT = "0.0%"
DAYS_FORMAT = "0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


class UserText(str):
    """A cell's text that came from users (a customer, an owner, a description): written as a
    string cell, never a formula, quote-prefixed when it starts like one, with the control
    characters XML cannot hold in Excel's `_xHHHH_` escape — the rules of export's sheet."""


def user_text(value: Any) -> Any:
    """User text for a workbook cell: `= + - @` first stays text (customer names come from users)."""
    return UserText(value) if isinstance(value, str) else value


class BufferedCell:
    """A cell of a BufferedSheet: value and the styles the builders set; `wrap` wraps its text
    (the row grows to show it all), `spill` lets it run over empty neighbours (its width is not
    the column's: a title, a note)."""

    __slots__ = ("value", "font", "fill", "number_format", "wrap", "spill", "align")

    def __init__(self) -> None:
        self.value: Any = None
        self.font: Any = None
        self.fill: Any = None
        self.number_format: str | None = None
        self.wrap = False
        self.spill = False
        self.align: str | None = None  # horizontal alignment ("right", "center"), None for Excel's own


def shown_text(cell: BufferedCell) -> str:
    """About the text a cell shows, for its width: numbers as their format shows them."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime, date)):
        return "2025-01-01 00:00" if isinstance(value, datetime) else "2025-01-01"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if cell.number_format == PERCENT_FORMAT:
            return f"{value * 100:.1f}%"
        if cell.number_format == DAYS_FORMAT:
            return f"{value:.2f}"
        return f"{value:g}"
    return str(value)


class BufferedSheet:
    """The part of the worksheet API the sheet builders use (`cell`, `sheet["A1"]`, freeze
    panes, autofilter, charts), over a write-only worksheet: cells are kept until `flush`
    appends them row by row, after `fit_columns` has set the widths from their text."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.cells: dict[tuple[int, int], BufferedCell] = {}
        self.widths: list[float] = []
        self.merged: list[tuple[int, int, int]] = []  # (row, first column, last column)
        self.row_heights: dict[int, float] = {}  # rows whose height a builder set

    @property
    def title(self) -> str:
        return self.sheet.title

    def __getattr__(self, name: str) -> Any:  # freeze_panes, auto_filter, add_chart, page_setup
        return getattr(self.sheet, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("sheet", "cells", "widths", "merged", "row_heights"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.sheet, name, value)

    def cell(self, row: int, column: int, value: Any = None) -> BufferedCell:
        found = self.cells.get((row, column))
        if found is None:
            found = self.cells[(row, column)] = BufferedCell()
        if value is not None:
            found.value = value
        return found

    def _coordinate(self, coordinate: str) -> tuple[int, int]:
        from openpyxl.utils.cell import coordinate_to_tuple

        return coordinate_to_tuple(coordinate)

    def __getitem__(self, coordinate: str) -> BufferedCell:
        return self.cell(*self._coordinate(coordinate))

    def __setitem__(self, coordinate: str, value: Any) -> None:
        self.cell(*self._coordinate(coordinate)).value = value

    def merge(self, row: int, first: int, last: int) -> None:
        """Cells `first`..`last` of `row` as one (the first one's value)."""
        self.merged.append((row, first, last))

    def fit_columns(self, minimum: float = 8, maximum: float = 50, at_least: dict[int, float] | None = None) -> list[float]:
        """Every column as wide as its widest text (`at_least` gives some a floor), within
        [minimum, maximum]: wrapped text wider than that wraps, spilling text is not counted;
        a merged cell's text fits the merged columns (the first one widened when not)."""
        last_column = max((column for _, column in self.cells), default=0)
        texts: dict[int, list[str]] = {c: [] for c in range(1, last_column + 1)}
        bold: dict[int, bool] = {}
        merged = {(row, first) for row, first, _ in self.merged}
        for (row, column), cell in self.cells.items():
            if cell.spill or (row, column) in merged:
                continue
            texts[column].append(shown_text(cell))
            bold[column] = bold.get(column, False) or _bold(cell)
        floors = at_least or {}
        widths = [max(floors.get(c, 0), fit_width(texts[c], minimum, maximum, bold.get(c, False)))
                  for c in range(1, last_column + 1)]
        for row, first, last in self.merged:
            cell = self.cell(row, first)
            needed = fit_width([shown_text(cell)], 0, 200, _bold(cell)) * _size(cell) / 11
            span = sum(widths[first - 1:last])
            if span < needed:
                widths[first - 1] += needed - span
        self.widths = widths
        return widths

    def heights(self) -> dict[int, float]:
        """The rows that need more than one line: their height in points (set ones kept)."""
        needs: dict[int, list[float]] = {}
        spans = {(row, first): sum(self.widths[first - 1:last]) for row, first, last in self.merged}
        for (row, column), cell in self.cells.items():
            if cell.wrap and isinstance(cell.value, str) and column <= len(self.widths):
                width = spans.get((row, column), self.widths[column - 1])
                needs.setdefault(row, []).append(text_points(cell.value, width))
        heights = {row: points for row, wanted in needs.items() if (points := row_points(wanted)) is not None}
        heights.update(self.row_heights)
        return heights

    def flush(self) -> None:
        """Set the widths, heights and merged cells, then append every row, from 1 to the last
        one used, to the write-only worksheet."""
        from openpyxl.utils import get_column_letter

        if not self.widths:
            self.fit_columns()
        for index, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        for row, points in self.heights().items():
            self.sheet.row_dimensions[row].height = points
        for row, first, last in self.merged:
            self.sheet.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")
        if not self.cells:
            return
        tall = set(self.heights())
        last_row = max(row for row, _ in self.cells)
        last_column = max(column for _, column in self.cells)
        for row in range(1, last_row + 1):
            self.sheet.append([self._written(self.cells.get((row, column)), row in tall)
                               for column in range(1, last_column + 1)])

    def _written(self, buffered: BufferedCell | None, tall: bool) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        if buffered is None:
            return None
        if isinstance(buffered.value, UserText):
            cell = _user_text_cell(self.sheet, buffered.value)
        else:
            cell = WriteOnlyCell(self.sheet, value=buffered.value)
        if buffered.font is not None:
            cell.font = buffered.font
        if buffered.fill is not None:
            cell.fill = buffered.fill
        if buffered.number_format is not None:
            cell.number_format = buffered.number_format
        if buffered.wrap or tall or buffered.align:  # in a row of several lines every cell starts at its top
            cell.alignment = Alignment(wrap_text=buffered.wrap or None, vertical="top" if buffered.wrap or tall else None,
                                       horizontal=buffered.align)
        return cell


def _bold(cell: BufferedCell) -> bool:
    return bool(cell.font is not None and cell.font.b)


def _size(cell: BufferedCell) -> float:
    """The cell's font size (points; Calibri 11 unless set)."""
    return float(cell.font.sz) if cell.font is not None and cell.font.sz else 11.0


def _user_text_cell(sheet: Worksheet, text: str) -> WriteOnlyCell:
    """A string cell holding `text` exactly as export writes it (`needs_formula_guard`: quote
    prefix, so Excel keeps it text even when edited; `ooxml_escape` for control characters),
    never a formula nor an error code."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    cell.value = ooxml_escape(text)
    cell.data_type = "s"
    if needs_formula_guard(text):
        cell.quotePrefix = True
    return cell

