"""The meeting workbook (`report --xlsx`, docs/metrics.md): summary, distributions (bar and pie
charts), monthly trend (line chart), SLA by priority (bar chart), owners, funnel (bar chart), the
overdue list, and the period's requests with the template's columns (the export's own sheet
writer). It reads the JSON-ready dict of `services.report` and labels it in the chosen language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.record import Request
from ..domain.vocab import PRIORITY, STATUS
from ..views.cells import owner_text
from ..views.figures import DISTRIBUTIONS, headline_rows, key_label, stage_label, verdict
from ..views.labels import label, reason_label
from .safety import needs_formula_guard, ooxml_escape
from .xlsx import append_request_sheet, save_workbook_to

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet.worksheet import Worksheet

    from ..domain.vocabularies import Vocabularies

Report = dict[str, Any]
"""The report as `services.report` gives it (JSON-ready; docs/metrics.md defines every figure)."""

PERCENT_FORMAT = "0.0%"
DAYS_FORMAT = "0.00"


def write_report_workbook(path: Path, report: Report, requests: Iterable[Request], tz: ZoneInfo, lang: str,
                          vocabularies: Vocabularies | None = None) -> None:
    """The meeting workbook: summary, distributions (bar and pie charts), monthly trend (line
    chart), SLA by priority (bar chart), owners, funnel (bar chart), overdue list, and the
    period's requests with the template's columns (the export's own sheet writer).

    Written to a temporary file beside `path` and renamed, so a failure leaves no half file.
    """
    from openpyxl import Workbook

    _check_directory(Path(path))  # before any sheet opens its temporary stream
    # Write-only: a year of a large database puts tens of thousands of rows on the request
    # sheet, which a normal workbook would hold as cell objects. The small sheets are laid out
    # in a buffer (_BufferedSheet) and streamed in row order.
    workbook = Workbook(write_only=True)
    builders: list[tuple[str, Callable[[_BufferedSheet], None]]] = [
        ("summary", lambda sheet: _summary_sheet(sheet, report, lang)),
        ("distributions", lambda sheet: _distribution_sheet(sheet, report, lang, vocabularies)),
        ("trend", lambda sheet: _trend_sheet(sheet, report, lang)),
        ("sla", lambda sheet: _sla_sheet(sheet, report, lang)),
        ("owners", lambda sheet: _owner_sheet(sheet, report, lang)),
        ("funnel", lambda sheet: _funnel_sheet(sheet, report, lang)),
        ("overdue", lambda sheet: _overdue_sheet(sheet, report, tz, lang)),
    ]
    for key, build in builders:
        sheet = _BufferedSheet(workbook.create_sheet(label("sheet." + key, lang)))
        build(sheet)
        sheet.flush()
    append_request_sheet(workbook, label("sheet.requests", lang), requests, tz, lang, vocabularies=vocabularies)
    _save(workbook, Path(path))


class _BufferedCell:
    """A cell of a _BufferedSheet: value and the styles the builders set."""

    __slots__ = ("value", "font", "fill", "number_format")

    def __init__(self) -> None:
        self.value: Any = None
        self.font: Any = None
        self.fill: Any = None
        self.number_format: str | None = None


class _BufferedSheet:
    """The part of the worksheet API the sheet builders use (`cell`, `sheet["A1"]`, widths,
    freeze panes, autofilter, charts), over a write-only worksheet: cells are kept until
    `flush` appends them row by row."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.cells: dict[tuple[int, int], _BufferedCell] = {}

    @property
    def title(self) -> str:
        return self.sheet.title

    @title.setter
    def title(self, value: str) -> None:
        self.sheet.title = value

    def __getattr__(self, name: str) -> Any:  # column_dimensions, freeze_panes, auto_filter, add_chart
        return getattr(self.sheet, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("sheet", "cells"):
            object.__setattr__(self, name, value)
        elif name == "title":
            self.sheet.title = value
        else:
            setattr(self.sheet, name, value)

    def cell(self, row: int, column: int, value: Any = None) -> _BufferedCell:
        found = self.cells.get((row, column))
        if found is None:
            found = self.cells[(row, column)] = _BufferedCell()
        if value is not None:
            found.value = value
        return found

    def _coordinate(self, coordinate: str) -> tuple[int, int]:
        from openpyxl.utils.cell import coordinate_to_tuple

        return coordinate_to_tuple(coordinate)

    def __getitem__(self, coordinate: str) -> _BufferedCell:
        return self.cell(*self._coordinate(coordinate))

    def __setitem__(self, coordinate: str, value: Any) -> None:
        self.cell(*self._coordinate(coordinate)).value = value

    def flush(self) -> None:
        """Append every row, from 1 to the last one used, to the write-only worksheet."""
        from openpyxl.cell import WriteOnlyCell

        if not self.cells:
            return
        last_row = max(row for row, _ in self.cells)
        last_column = max(column for _, column in self.cells)
        for row in range(1, last_row + 1):
            values: list[Any] = []
            for column in range(1, last_column + 1):
                buffered = self.cells.get((row, column))
                if buffered is None:
                    values.append(None)
                    continue
                if isinstance(buffered.value, _UserText):
                    cell = _user_text_cell(self.sheet, buffered.value)
                else:
                    cell = WriteOnlyCell(self.sheet, value=buffered.value)
                if buffered.font is not None:
                    cell.font = buffered.font
                if buffered.fill is not None:
                    cell.fill = buffered.fill
                if buffered.number_format is not None:
                    cell.number_format = buffered.number_format
                values.append(cell)
            self.sheet.append(values)


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


def _check_directory(path: Path) -> Path:
    """Refuse early (exit 2) what the workbook may not replace: the open database, a directory,
    /dev/null or another special file, or a file in a directory that does not exist."""
    from ..safe_output import check_target

    return check_target(path, what="the workbook ").parent


def _save(workbook: Workbook, path: Path) -> None:
    """Through the one atomic writer: private (0600), whole or not at all, a full disk is exit 3."""
    from ..safe_output import atomic_output

    with atomic_output(path, what="the workbook ") as handle:
        save_workbook_to(handle, workbook)


def _header(sheet: _BufferedSheet, row: int, names: Iterable[str]) -> None:
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(row=row, column=column, value=name)
        cell.font = Font(bold=True)
        cell.fill = fill


def _widths(sheet: _BufferedSheet, widths: Iterable[float]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


class _UserText(str):
    """A cell's text that came from users (a customer, an owner, a description): written as a
    string cell, never a formula, quote-prefixed when it starts like one, with the control
    characters XML cannot hold in Excel's `_xHHHH_` escape — the rules of export's sheet."""


def _text(value: Any) -> Any:
    """User text for a workbook cell: `= + - @` first stays text (customer names come from users)."""
    return _UserText(value) if isinstance(value, str) else value


def _summary_sheet(sheet: _BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.styles import Font

    period = report["period"]
    sheet["A1"] = f"{label('title', lang)} {period['label']}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = label("period", lang)
    sheet["B2"] = f"{period['from'][:16].replace('T', ' ')} → {period['to'][:16].replace('T', ' ')}"
    sheet["A3"] = label("as_of", lang)
    sheet["B3"] = period["as_of"][:16].replace("T", " ")
    sheet["A4"] = label("timezone", lang)
    sheet["B4"] = report["timezone"]
    row = 6
    _header(sheet, row, [label("figure", lang), label("value", lang)])
    for key in ("new", "completed", "closed", "cancelled", "reopened", "backlog"):
        row += 1
        sheet.cell(row=row, column=1, value=label(key, lang))
        sheet.cell(row=row, column=2, value=report[key])
    row += 1
    sheet.cell(row=row, column=1, value=label("overdue_now", lang))
    sheet.cell(row=row, column=2, value=report["overdue"]["count"])

    row += 2
    _header(sheet, row, [label("figure", lang), label("value", lang), label("target", lang), label("verdict", lang)])
    headline_values = [report["first_response_rate"], report["resolution_days"]["mean"]] + [
        report["sla_compliance"][p] for p in ("high", "medium", "low")]
    for index, ((figure, _, target, met), value) in enumerate(zip(headline_rows(report, lang), headline_values)):
        row += 1
        sheet.cell(row=row, column=1, value=figure)
        cell = sheet.cell(row=row, column=2, value=value)
        cell.number_format = DAYS_FORMAT if index == 1 else PERCENT_FORMAT
        sheet.cell(row=row, column=3, value=target)
        verdict_cell = sheet.cell(row=row, column=4, value=verdict(met, lang))
        verdict_cell.font = Font(bold=True, color="008000" if met else "C00000" if met is False else "808080")

    row += 2
    _header(sheet, row, [label("figure", lang), label("value", lang)])
    stats = report["resolution_days"]
    sat = report["satisfaction"]
    rows = [
        (f"{label('resolution', lang)}: {label('mean', lang)}", stats["mean"], DAYS_FORMAT),
        (f"{label('resolution', lang)}: {label('median', lang)}", stats["median"], DAYS_FORMAT),
        (f"{label('resolution', lang)}: {label('p90', lang)}", stats["p90"], DAYS_FORMAT),
        (label("on_time", lang), report["on_time_rate"], PERCENT_FORMAT),
        (label("first_pass", lang), report["first_pass_rate"], PERCENT_FORMAT),
        (label("recurrence", lang), report["recurrence_rate"], PERCENT_FORMAT),
        (label("satisfaction_rate", lang), sat["rate"], PERCENT_FORMAT),
        (label("satisfied", lang), sat["satisfied"], "0"),
        (label("neutral", lang), sat["neutral"], "0"),
        (label("dissatisfied", lang), sat["dissatisfied"], "0"),
    ]
    for name, value, number_format in rows:
        row += 1
        sheet.cell(row=row, column=1, value=name)
        cell = sheet.cell(row=row, column=2, value=value)
        cell.number_format = number_format
    _widths(sheet, (44, 24, 16, 12))


_CHART_ANCHORS = ("A20", "H20", "A37", "H37", "A54")


def _distribution_sheet(sheet: _BufferedSheet, report: Report, lang: str, vocabularies: Vocabularies | None = None) -> None:
    """Five small tables side by side (type, source, priority, top 15 customers and owners of the
    period's new requests), a bar chart for each but priority, which gets a pie, and a pie of
    the types."""
    from openpyxl.chart import BarChart, PieChart, Reference

    for index, name in enumerate(DISTRIBUTIONS):
        column = 1 + 3 * index
        items = list(report[name].items())[:15]
        sheet.cell(row=1, column=column, value=label(name, lang))
        sheet.cell(row=1, column=column + 1, value=label("count", lang))
        _header_cells(sheet, 1, column, 2)
        for row, (key, count) in enumerate(items, start=2):
            sheet.cell(row=row, column=column, value=_text(key_label(name, key, lang, vocabularies)))
            sheet.cell(row=row, column=column + 1, value=count)
        last = max(2, len(items) + 1)
        chart: Any = PieChart() if name == "by_priority" else BarChart()
        if isinstance(chart, BarChart):
            chart.type = "bar" if name in ("by_customer", "by_owner") else "col"
            chart.legend = None
        chart.title = label(name, lang)
        chart.add_data(Reference(sheet, min_col=column + 1, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=last))
        chart.height, chart.width = 7.5, 12
        sheet.add_chart(chart, _CHART_ANCHORS[index])
    types = max(2, min(len(report["by_type"]), 15) + 1)
    pie = PieChart()
    pie.title = label("by_type", lang)
    pie.add_data(Reference(sheet, min_col=2, min_row=1, max_row=types), titles_from_data=True)
    pie.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=types))
    pie.height, pie.width = 7.5, 12
    sheet.add_chart(pie, "H54")
    _widths(sheet, (22, 8, 3, 22, 8, 3, 14, 8, 3, 28, 8, 3, 20, 8))


def _header_cells(sheet: _BufferedSheet, row: int, first_column: int, count: int) -> None:
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="DDEBF7")
    for column in range(first_column, first_column + count):
        cell = sheet.cell(row=row, column=column)
        cell.font = Font(bold=True)
        cell.fill = fill


def _trend_sheet(sheet: _BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    _header(sheet, 1, [label("month", lang), label("new", lang), label("completed", lang), label("new_growth", lang),
                       label("completed_growth", lang)])
    for row, month in enumerate(report["trend"], start=2):
        sheet.cell(row=row, column=1, value=month["month"])
        sheet.cell(row=row, column=2, value=month["new"])
        sheet.cell(row=row, column=3, value=month["completed"])
        for column, key in ((4, "new_growth"), (5, "completed_growth")):
            cell = sheet.cell(row=row, column=column, value=month[key])
            cell.number_format = PERCENT_FORMAT
    last = max(2, len(report["trend"]) + 1)
    categories = Reference(sheet, min_col=1, min_row=2, max_row=last)
    line = LineChart()
    line.title = f"{label('trend', lang)}: {label('new', lang)} / {label('completed', lang)}"
    line.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    line.set_categories(categories)
    line.y_axis.title = label("count", lang)
    line.height, line.width = 8, 18
    sheet.add_chart(line, "G2")
    bars = BarChart()
    bars.type = "col"
    bars.title = label("trend", lang)
    bars.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(categories)
    bars.height, bars.width = 8, 18
    sheet.add_chart(bars, "G20")
    _widths(sheet, (10, 8, 10, 18, 22))


def _sla_sheet(sheet: _BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.chart import BarChart, Reference

    _header(sheet, 1, [label("priority", lang), label("count", lang), label("mean", lang), label("median", lang), label("p90", lang),
                       label("target_days", lang), label("within_target", lang), label("sla_compliance", lang)])
    for row, priority in enumerate(("high", "medium", "low"), start=2):
        stats = report["resolution_days_by_priority"][priority]
        values = [PRIORITY.label(priority, lang), stats["count"], stats["mean"], stats["median"], stats["p90"],
                  stats["target_days"], stats["within_target"], report["sla_compliance"][priority]]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if column in (3, 4, 5):
                cell.number_format = DAYS_FORMAT
            elif column == 8:
                cell.number_format = PERCENT_FORMAT
    categories = Reference(sheet, min_col=1, min_row=2, max_row=4)
    chart = BarChart()
    chart.type = "col"
    chart.title = f"{label('resolution', lang)}: {label('mean', lang)} / {label('target', lang)}"
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=4), titles_from_data=True)
    chart.add_data(Reference(sheet, min_col=6, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(categories)
    chart.height, chart.width = 8, 14
    sheet.add_chart(chart, "A7")
    compliance = BarChart()
    compliance.type = "col"
    compliance.title = label("sla_compliance", lang)
    compliance.add_data(Reference(sheet, min_col=8, min_row=1, max_row=4), titles_from_data=True)
    compliance.set_categories(categories)
    compliance.y_axis.scaling.min = 0
    compliance.y_axis.scaling.max = 1
    compliance.y_axis.numFmt = "0%"
    compliance.legend = None
    compliance.height, compliance.width = 8, 14
    sheet.add_chart(compliance, "I7")
    _widths(sheet, (12, 8, 8, 10, 14, 14, 12, 16))


def _owner_sheet(sheet: _BufferedSheet, report: Report, lang: str) -> None:
    _header(sheet, 1, [label("owner", lang), label("department", lang), label("open", lang), label("completed", lang),
                       label("median_resolution", lang), label("sla_compliance", lang), label("overdue", lang)])
    for row, owner in enumerate(report["owners"], start=2):
        name = label("unassigned", lang) if owner["owner"] == "unassigned" else owner["owner"]
        values = [_text(name), _text(owner["department"]), owner["open"], owner["completed"],
                  owner["median_resolution_days"], owner["sla_compliance"], owner["overdue"]]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if column == 5:
                cell.number_format = DAYS_FORMAT
            elif column == 6:
                cell.number_format = PERCENT_FORMAT
    sheet.freeze_panes = "A2"
    _widths(sheet, (20, 16, 8, 10, 22, 16, 8))


def _funnel_sheet(sheet: _BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.chart import BarChart, Reference

    _header(sheet, 1, [label("stage", lang), label("count", lang), label("share", lang)])
    for row, stage in enumerate(report["funnel"], start=2):
        sheet.cell(row=row, column=1, value=stage_label(stage["stage"], lang))
        sheet.cell(row=row, column=2, value=stage["count"])
        sheet.cell(row=row, column=3, value=stage["rate"]).number_format = PERCENT_FORMAT
    last = max(2, len(report["funnel"]) + 1)
    chart = BarChart()
    chart.type = "bar"  # horizontal bars, widest stage on top: a funnel
    chart.title = label("funnel", lang)
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.legend = None
    chart.height, chart.width = 8, 14
    sheet.add_chart(chart, "E2")
    _widths(sheet, (16, 8, 18))


def _overdue_sheet(sheet: _BufferedSheet, report: Report, tz: ZoneInfo, lang: str) -> None:
    _header(sheet, 1, [label("id", lang), label("reason", lang), label("deadline", lang), label("late_wd", lang), label("owner", lang),
                       label("priority", lang), label("status", lang), label("customer", lang), label("description", lang)])
    for row, item in enumerate(report["overdue"]["requests"], start=2):
        deadline = datetime.fromisoformat(item["deadline"]).astimezone(tz).replace(tzinfo=None) if item["deadline"] else None
        owner = owner_text(item["department"], item["owner"])
        values = [_text(item["id"]), ", ".join(reason_label(r, lang) for r in item["reasons"]), deadline,
                  item["late_working_days"], _text(owner), PRIORITY.label(item["priority"], lang),
                  STATUS.label(item["status"], lang), _text(item["customer"]), _text(item["description"])]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if column == 3 and value is not None:
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif column == 4:
                cell.number_format = DAYS_FORMAT
    sheet.freeze_panes = "A2"
    if report["overdue"]["requests"]:
        sheet.auto_filter.ref = f"A1:I{len(report['overdue']['requests']) + 1}"
    _widths(sheet, (14, 24, 18, 10, 20, 8, 10, 20, 60))
