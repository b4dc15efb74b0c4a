"""The meeting workbook's chart settings (SPEC §11, docs/workbook.md): axes that are shown
(recent Excel hides an axis openpyxl leaves undecided), whole-number count axes from 0, straight
lines, percentages on pies, every category named, and one colour per priority on every chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# One colour per priority, the same on every chart: high red, medium amber, low green; not set grey.
PRIORITY_COLOURS = {"high": "C0392B", "medium": "E6A117", "low": "3A9A4E", "unset": "A6A6A6"}
TARGET_COLOUR = "BFBFBF"  # a target beside the figure it is for
NEW_COLOUR, COMPLETED_COLOUR = "4472C4", "70AD47"  # the trend's two series


def show_axes(chart: Any) -> None:
    """Both axes drawn (delete = 0): left unset, recent Excel does not draw openpyxl's axes."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def count_step(largest: float) -> int:
    """A whole step for a count axis up to `largest`: 1, 2, 5, 10, 20, 50… for at most ten steps."""
    step = 1
    while largest / step > 10:
        for factor in (2, 5 / 2, 2):  # 1 → 2 → 5 → 10
            step = round(step * factor)
            if largest / step <= 10:
                break
    return step


def count_axis(axis: Any, largest: float) -> None:
    """A count axis: from 0, ticks on whole numbers only (no 0.5 requests), shown as integers."""
    from openpyxl.chart.data_source import NumFmt

    axis.scaling.min = 0
    axis.majorUnit = count_step(largest)
    axis.numFmt = NumFmt(formatCode="0", sourceLinked=False)


def every_category(axis: Any, points: int = 900) -> None:
    """Name every category (Excel skips every other label where they crowd), in a font of
    `points` hundredths of a point."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    axis.tickLblSkip = 1
    axis.tickMarkSkip = 1
    size = CharacterProperties(sz=points)
    axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def straight_lines(chart: Any) -> None:
    """Lines drawn point to point: a smoothed line overshoots (two months of 16 peak at 18)."""
    chart.smooth = False
    for series in chart.series:
        series.smooth = False


def pie_percentages(pie: Any) -> None:
    """Each slice labelled with its share."""
    from openpyxl.chart.label import DataLabelList

    labels = DataLabelList()
    labels.showPercent = True
    labels.showVal = False
    labels.showCatName = False
    labels.showSerName = False
    labels.showLegendKey = False
    pie.dataLabels = labels


def fill(series: Any, colour: str) -> None:
    """One colour for a whole series."""
    series.graphicalProperties.solidFill = colour
    series.graphicalProperties.line.solidFill = colour


def colour_points(series: Any, colours: Iterable[str | None]) -> None:
    """The series' points (bars, slices) in these colours, in order (None: the series' own)."""
    from openpyxl.chart.marker import DataPoint
    from openpyxl.chart.shapes import GraphicalProperties

    for index, colour in enumerate(colours):
        if colour is None:
            continue
        properties = GraphicalProperties(solidFill=colour)
        properties.line.solidFill = colour
        series.dPt.append(DataPoint(idx=index, spPr=properties))


def priority_colours(keys: Iterable[str]) -> list[str | None]:
    """The colour of each priority key (`high`, `medium`, `low`, `unset`), None for another."""
    return [PRIORITY_COLOURS.get(key) for key in keys]
