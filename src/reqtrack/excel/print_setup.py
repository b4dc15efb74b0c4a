"""How reqtrack's sheets print (SPEC §11, docs/workbook.md): A4 landscape, fitted to the page
width (as many pages tall as needed), the header row repeated on every page, a footer with the
sheet's name and page number; rows tall enough for their wrapped text and columns wide enough
for their labels, estimated from the text (CJK characters count double); and `PageGrid`, which
places a sheet's charts so that none crosses a page break.

Everything here works on a write-only worksheet: column widths and the sheet properties must be
set before its first row is appended, the rest (page setup, print titles, breaks, merged cells)
any time before it is saved. The estimates are for Calibri 11, the workbook's font, with some
room for the wider fonts that stand in for it where Calibri is not installed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# -- the page: A4 landscape ---------------------------------------------------------------------
PAPER_A4 = 9  # the pageSetup paperSize code
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 29.7, 21.0
MARGINS_INCH = {"left": 0.5, "right": 0.5, "top": 0.7, "bottom": 0.7, "header": 0.3, "footer": 0.3}
_CM_PER_INCH = 2.54
PRINTABLE_WIDTH_CM = PAGE_WIDTH_CM - (MARGINS_INCH["left"] + MARGINS_INCH["right"]) * _CM_PER_INCH
# Kept short of the real printable height: the footer and rounding of the scale take some.
PRINTABLE_HEIGHT_CM = (PAGE_HEIGHT_CM - (MARGINS_INCH["top"] + MARGINS_INCH["bottom"]) * _CM_PER_INCH) * 0.92

# -- cells: Calibri 11 --------------------------------------------------------------------------
# One unit of column width is a digit of the workbook's font: 7 px (0.185 cm) in Calibri; where a
# wider font stands in for it (LibreOffice without Calibri or Carlito) columns print wider.
CM_PER_WIDTH_UNIT = (0.18, 0.2)  # the range the chart layout allows for
POINTS_PER_CM = 72 / _CM_PER_INCH
DEFAULT_ROW_POINTS = 15.0  # openpyxl's defaultRowHeight
LINE_POINTS = 15.0  # one wrapped line of Latin text
CJK_LINE_POINTS = 17.0  # one wrapped line holding CJK characters (their fallback fonts are taller)
ROW_PADDING_POINTS = 3.0
MAX_ROW_POINTS = 409.0  # Excel's largest row height
WRAP_FILL = 0.88  # share of a column's width that wrapped text fills (word breaks, wider fonts)

# Characters shown double width: CJK ideographs and syllables, kana, Hangul, full-width forms.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
                   "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def text_width(text: str) -> int:
    """How many columns of width `text` takes on one line: CJK characters count two."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def has_wide(text: str) -> bool:
    """Whether `text` holds a double-width (CJK) character."""
    return not text.isascii() and _WIDE.search(text) is not None


def _quick_width(text: str) -> int:
    """`text_width` as export needs it for every row, quickly: from the UTF-8 length, so a CJK
    character (3 bytes) counts two, ASCII one, other letters (2 bytes) one and a half."""
    return (len(text.encode("utf-8", "surrogatepass")) + len(text)) >> 1


def line_count(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` units wide: each of its lines, and
    each line as many times as it overflows. Only `WRAP_FILL` of the width is counted as
    filled, which leaves room for the ends of lines that wrap at a word."""
    room = max(1, int(width * WRAP_FILL))
    half = room // 2
    total = 0
    for line in text.split("\n"):
        if len(line) <= half:  # one line even if every character is a wide one
            total += 1
        else:
            total += max(1, -(-_quick_width(line) // room))
    return total


def text_points(text: str, width: float) -> float:
    """The row height (points) that shows all of `text` wrapped in a column `width` units wide."""
    per_line = CJK_LINE_POINTS if has_wide(text) else LINE_POINTS
    return line_count(text, width) * per_line + ROW_PADDING_POINTS


def row_points(heights: Iterable[float]) -> float | None:
    """The height of a row whose cells need `heights` points: None (the default) when one line
    is enough, else the tallest, at most Excel's 409 points."""
    tallest = max(heights, default=0.0)
    if tallest <= DEFAULT_ROW_POINTS + ROW_PADDING_POINTS:
        return None
    return min(MAX_ROW_POINTS, math.ceil(tallest))


def fit_width(texts: Iterable[str], minimum: float = 8, maximum: float = 60, bold: bool = False) -> float:
    """A column width that shows the widest of `texts` on one line (bold text is wider), within
    [minimum, maximum]: longer texts wrap."""
    widest = max((text_width(line) for text in texts for line in text.split("\n")), default=0)
    needed = widest * (1.12 if bold else 1.05) + 2
    return round(min(maximum, max(minimum, needed)), 1)


# -- page setup ---------------------------------------------------------------------------------
def set_up_page(sheet: Any, *, title_rows: int | None = 1, footer: str | None = None) -> None:
    """Print `sheet` on A4 landscape, one page wide and as many tall as needed, with rows
    1..`title_rows` repeated at the top of every page (None: none) and `footer` (default: the
    sheet's name, page N of M) at the bottom. Before the first row of a write-only sheet."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = PAPER_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as the rows need
    properties = sheet.sheet_properties
    if properties.pageSetUpPr is None:
        properties.pageSetUpPr = PageSetupProperties()
    properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(**MARGINS_INCH)
    sheet.print_options.horizontalCentered = False
    if title_rows:
        sheet.print_title_rows = f"1:{title_rows}"
    sheet.oddFooter.center.text = footer if footer is not None else "&A — &P / &N"
    sheet.oddFooter.center.size = 8


def fit_scale(width_cm: float) -> float:
    """The scale at which content `width_cm` wide fits the page width (never above 100 %),
    rounded down to a whole percent as Excel and LibreOffice do."""
    if width_cm <= PRINTABLE_WIDTH_CM:
        return 1.0
    return math.floor(PRINTABLE_WIDTH_CM / width_cm * 100) / 100


# -- charts on pages ----------------------------------------------------------------------------
GAP_CM = 0.5  # between charts side by side, and under a band of charts


@dataclass
class Placement:
    """Where a chart goes: its top-left cell (1-based row and column) and how far into that
    column it starts (cm)."""

    chart: Any
    row: int
    column: int
    offset_cm: float = 0.0


@dataclass
class PageGrid:
    """Lays a sheet's charts out in bands (rows of charts side by side) under its tables, so that
    no chart crosses a page break when the sheet prints fitted to the page width.

    `widths` are the sheet's column widths (units), `heights` the heights (points) of rows that
    are not the default, `first_row` the first row free for charts, `title_rows` how many rows
    every page repeats.

    Where a page ends depends on the scale, so on how wide the columns print, which depends on
    the font the printing program has: a page is taken to hold at least `least` and at most
    `most` cm of rows, so each page may start between an earliest and a latest row. A band
    stays on the page if it ends within `least` of the page's earliest start; else it starts the
    next page at the row after the latest that page may start at — whatever the font, never on
    the page before — with a manual break there too (LibreOffice keeps it; Excel, fitting to
    the page, may not, which the latest start allows for)."""

    widths: Sequence[float]
    heights: dict[int, float] = field(default_factory=dict)
    first_row: int = 1
    title_rows: int = 0
    default_width: float = 8.43

    def _width(self, column: int) -> float:
        return self.widths[column - 1] if column <= len(self.widths) else self.default_width

    def _left_cm(self, column: int, unit: float) -> float:
        return sum(self._width(c) for c in range(1, column)) * unit

    def _column_at(self, x_cm: float) -> tuple[int, float]:
        """The column holding `x_cm` (in the narrowest font), and how far into it `x_cm` is."""
        column = 1
        while self._left_cm(column + 1, CM_PER_WIDTH_UNIT[0]) <= x_cm + 1e-9:
            column += 1
        return column, max(0.0, x_cm - self._left_cm(column, CM_PER_WIDTH_UNIT[0]))

    def _row_cm(self, row: int) -> float:
        return self.heights.get(row, DEFAULT_ROW_POINTS) / POINTS_PER_CM

    def _span_cm(self, first: int, stop: int) -> float:
        return sum(self._row_cm(r) for r in range(first, stop))

    def columns(self, bands: Sequence[Sequence[Any]]) -> list[list[tuple[int, float]]]:
        """Each band's charts left to right from column A, a gap between them: (column, offset)."""
        columns: list[list[tuple[int, float]]] = []
        for band in bands:
            x, band_columns = 0.0, []
            for chart in band:
                band_columns.append(self._column_at(x))
                x += chart.width + GAP_CM
            columns.append(band_columns)
        return columns

    def page_cm(self, bands: Sequence[Sequence[Any]], columns: list[list[tuple[int, float]]]) -> tuple[float, float]:
        """The least and the most height (cm of the sheet) a page holds, over the fonts allowed for."""
        scales = []
        for unit in CM_PER_WIDTH_UNIT:
            right = sum(self._width(c) for c in range(1, len(self.widths) + 1)) * unit
            for band, band_columns in zip(bands, columns):
                for chart, (column, offset) in zip(band, band_columns):
                    right = max(right, self._left_cm(column, unit) + offset + chart.width)
            scales.append(fit_scale(right))
        return PRINTABLE_HEIGHT_CM / max(scales), PRINTABLE_HEIGHT_CM / 0.92 / min(scales)

    def place(self, bands: Sequence[Sequence[Any]]) -> tuple[list[Placement], list[int]]:
        """The charts' cells, and the rows that start a new page."""
        columns = self.columns(bands)
        least, most = self.page_cm(bands, columns)
        placements: list[Placement] = []
        breaks: list[int] = []
        early = late = 1  # the earliest and the latest row the current page may start at
        row = self.first_row
        while self._next_start(late, most) <= row:  # tables longer than a page: the page `row` is on
            early, late = self._next_start(early, least), self._next_start(late, most)
        for band, band_columns in zip(bands, columns):
            rows = self._rows_for(row, max(chart.height for chart in band) + GAP_CM)
            if self._span_cm(early, row + rows) > self._room(early, least) and row > late:
                early, late = self._next_start(early, least), max(row, self._next_start(late, most))
                breaks.append(late)
                row = late + 1  # a row below the break: a chart's frame on it is not drawn on the page before
            placements.extend(Placement(chart, row, column, offset)
                              for chart, (column, offset) in zip(band, band_columns))
            row += rows
        return placements, breaks

    def _room(self, start: int, page_cm: float) -> float:
        """The height left for rows on the page starting at `start` (repeated rows take some)."""
        if start == 1 or not self.title_rows:
            return page_cm
        return page_cm - self._span_cm(1, self.title_rows + 1)

    def _rows_for(self, row: int, height_cm: float) -> int:
        """How many rows from `row` down hold `height_cm`."""
        count, total = 0, 0.0
        while total < height_cm:
            total += self._row_cm(row + count)
            count += 1
        return count

    def _next_start(self, start: int, page_cm: float) -> int:
        """The first row of the page after one starting at `start` that holds `page_cm`: the
        first row that does not fit."""
        room, row, used = self._room(start, page_cm), start, 0.0
        while used + self._row_cm(row) <= room:
            used += self._row_cm(row)
            row += 1
        return max(row, start + 1)


def anchor(placement: Placement) -> Any:
    """The chart's anchor: its top-left corner in a cell, `offset_cm` into it, and its size."""
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
    from openpyxl.drawing.xdr import XDRPositiveSize2D
    from openpyxl.utils.units import cm_to_EMU

    chart = placement.chart
    corner = AnchorMarker(col=placement.column - 1, colOff=cm_to_EMU(placement.offset_cm), row=placement.row - 1, rowOff=0)
    return OneCellAnchor(_from=corner, ext=XDRPositiveSize2D(cm_to_EMU(chart.width), cm_to_EMU(chart.height)))


def add_row_breaks(sheet: Any, rows: Iterable[int]) -> None:
    """Manual page breaks before each of `rows`."""
    from openpyxl.worksheet.pagebreak import Break

    for row in rows:
        sheet.row_breaks.append(Break(id=row - 1))
