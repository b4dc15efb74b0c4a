"""The meeting workbook (`report --xlsx`, docs/metrics.md, docs/workbook.md): summary,
distributions (bar and pie charts), monthly trend (line and bar charts), SLA by priority (bar
charts), owners, funnel (bar chart), the overdue list, and the period's requests with the
template's columns (the export's own sheet writer). It reads the JSON-ready dict of
`services.report` and labels it in the chosen language.

Every sheet prints as it is (SPEC §11, excel.print_setup): A4 landscape fitted to the page width,
the header row on every page, rows and columns sized to their text, each chart inside one page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.record import Request
from ..domain.vocab import PRIORITY, STATUS
from ..views.cells import owner_text
from ..views.figures import (
    DISTRIBUTIONS,
    growth_basis,
    headline_rows,
    key_label,
    period_note,
    stage_label,
    trend_note,
    verdict,
)
from ..views.labels import label, reason_label
from . import charts as style
from .buffered import DATETIME_FORMAT, DAYS_FORMAT, PERCENT_FORMAT, BufferedSheet, user_text
from .print_setup import PageGrid, add_row_breaks, anchor, set_up_page
from .xlsx import append_request_sheet, save_workbook_to

if TYPE_CHECKING:
    from openpyxl import Workbook

    from ..domain.vocabularies import Vocabularies

Report = dict[str, Any]
"""The report as `services.report` gives it (JSON-ready; docs/metrics.md defines every figure)."""

HEADER_FILL = "DDEBF7"
NOTE_COLOUR = "C55A11"  # "to date": figures that are not final
_PRIORITIES = ("high", "medium", "low")


def write_report_workbook(path: Path, report: Report, requests: Iterable[Request], tz: ZoneInfo, lang: str,
                          vocabularies: Vocabularies | None = None) -> None:
    """The meeting workbook: summary, distributions (bar and pie charts), monthly trend (line
    and bar charts), SLA by priority (bar charts), owners, funnel (bar chart), overdue list, and
    the period's requests with the template's columns (the export's own sheet writer).

    Written to a temporary file beside `path` and renamed, so a failure leaves no half file.
    """
    from openpyxl import Workbook

    _check_directory(Path(path))  # before any sheet opens its temporary stream
    # Write-only: a year of a large database puts tens of thousands of rows on the request
    # sheet, which a normal workbook would hold as cell objects. The small sheets are laid out
    # in a buffer (BufferedSheet) and streamed in row order.
    workbook = Workbook(write_only=True)
    builders: list[tuple[str, Callable[[BufferedSheet], None]]] = [
        ("summary", lambda sheet: _summary_sheet(sheet, report, lang)),
        ("distributions", lambda sheet: _distribution_sheet(sheet, report, lang, vocabularies)),
        ("trend", lambda sheet: _trend_sheet(sheet, report, lang)),
        ("sla", lambda sheet: _sla_sheet(sheet, report, lang)),
        ("owners", lambda sheet: _owner_sheet(sheet, report, lang)),
        ("funnel", lambda sheet: _funnel_sheet(sheet, report, lang)),
        ("overdue", lambda sheet: _overdue_sheet(sheet, report, tz, lang)),
    ]
    for key, build in builders:
        sheet = BufferedSheet(workbook.create_sheet(label("sheet." + key, lang)))
        build(sheet)
        sheet.flush()
    append_request_sheet(workbook, label("sheet.requests", lang), requests, tz, lang, vocabularies=vocabularies)
    _save(workbook, Path(path))


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


def _header(sheet: BufferedSheet, row: int, names: Iterable[str], first_column: int = 1,
            numbers_from: int | None = None) -> None:
    """A bold header row; from column `numbers_from` on (columns of numbers, which Excel and Calc
    align right) the headers are aligned right too, each above its numbers — a header at the
    left of a narrow column read as the title of the numbers of the column before it."""
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for column, name in enumerate(names, start=first_column):
        cell = sheet.cell(row=row, column=column, value=name)
        cell.font = Font(bold=True)
        cell.fill = fill
        if numbers_from is not None and column >= numbers_from:
            cell.align = "right"


def _print(sheet: BufferedSheet, lang: str, title_rows: int | None = 1) -> None:
    """The sheet's print setup (excel.print_setup), the footer in `lang`."""
    set_up_page(sheet.sheet, title_rows=title_rows, footer=label("page_footer", lang))


def _place_charts(sheet: BufferedSheet, bands: Sequence[Sequence[Any]], first_row: int, title_rows: int = 0) -> None:
    """The charts in bands under the tables, none across a page break (excel.print_setup)."""
    grid = PageGrid(sheet.widths, sheet.heights(), first_row=first_row, title_rows=title_rows)
    placements, breaks = grid.place(bands)
    for placement in placements:
        sheet.add_chart(placement.chart, anchor(placement))
    add_row_breaks(sheet.sheet, breaks)


def _summary_sheet(sheet: BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.styles import Font

    period = report["period"]
    note = period_note(report, lang)
    title = f"{label('title', lang)} {period['label']}"
    sheet["A1"] = f"{title} · {note}" if note else title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge(1, 1, 4)
    sheet.row_heights[1] = 22
    sheet["A2"] = label("period", lang)
    sheet["B2"] = f"{period['from'][:16].replace('T', ' ')} → {period['to'][:16].replace('T', ' ')}"
    sheet.merge(2, 2, 4)
    sheet["A3"] = label("as_of", lang)
    sheet["B3"] = period["as_of"][:16].replace("T", " ")
    sheet["A4"] = label("timezone", lang)
    sheet["B4"] = report["timezone"]
    value = label("value_to_date" if note else "value", lang)
    row = _summary_volumes(sheet, report, lang, 6, value)
    row = _summary_headline(sheet, report, lang, row + 2, value)
    _summary_rates(sheet, report, lang, row + 2, value)
    sheet.fit_columns(maximum=60, at_least={2: 12, 3: 12, 4: 10})
    _print(sheet, lang, title_rows=None)


def _summary_volumes(sheet: BufferedSheet, report: Report, lang: str, row: int, value: str) -> int:
    _header(sheet, row, [label("figure", lang), value], numbers_from=2)
    volumes = [(label(key, lang), report[key]) for key in ("new", "completed", "closed", "cancelled", "reopened",
                                                              "backlog")]
    volumes.append((label("overdue_now", lang), report["overdue"]["count"]))
    for name, count in volumes:
        row += 1
        sheet.cell(row=row, column=1, value=name)
        sheet.cell(row=row, column=2, value=count)
    return row


def _summary_headline(sheet: BufferedSheet, report: Report, lang: str, row: int, value: str) -> int:
    from openpyxl.styles import Font

    _header(sheet, row, [label("figure", lang), value, label("target", lang), label("verdict", lang)], numbers_from=2)
    sheet.cell(row=row, column=3).align, sheet.cell(row=row, column=4).align = "right", "center"
    headline_values = [report["first_response_rate"], report["resolution_days"]["mean"]] + [
        report["sla_compliance"][p] for p in _PRIORITIES]
    for index, ((figure, _, target, met), number) in enumerate(zip(headline_rows(report, lang), headline_values)):
        row += 1
        sheet.cell(row=row, column=1, value=figure)
        cell = sheet.cell(row=row, column=2, value=number)
        cell.number_format = DAYS_FORMAT if index == 1 else PERCENT_FORMAT
        sheet.cell(row=row, column=3, value=target).align = "right"
        verdict_cell = sheet.cell(row=row, column=4, value=verdict(met, lang))
        verdict_cell.align = "center"
        verdict_cell.font = Font(bold=True, color="008000" if met else "C00000" if met is False else "808080")
    return row


def _summary_rates(sheet: BufferedSheet, report: Report, lang: str, row: int, value: str) -> int:
    _header(sheet, row, [label("figure", lang), value], numbers_from=2)
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
    for name, number, number_format in rows:
        row += 1
        sheet.cell(row=row, column=1, value=name)
        cell = sheet.cell(row=row, column=2, value=number)
        cell.number_format = number_format
    return row


_TOP = 15  # categories shown per distribution
_CHART_WIDTH = 8.5  # cm: three side by side on a landscape page
_WIDE_CHARTS = ("by_customer", "by_owner")  # horizontal bars: one line per name


def _distribution_sheet(sheet: BufferedSheet, report: Report, lang: str, vocabularies: Vocabularies | None = None) -> None:
    """Five small tables side by side (type, source, priority, top 15 customers and owners of the
    period's new requests), a bar chart for each but priority, which gets a pie (one colour per
    priority), and a pie of the types; the charts in bands under the tables."""
    from openpyxl.chart import PieChart, Reference

    charts: dict[str, Any] = {}
    longest = 1
    for index, name in enumerate(DISTRIBUTIONS):
        column = 1 + 3 * index
        items = list(report[name].items())[:_TOP]
        longest = max(longest, len(items))
        _header(sheet, 1, [label(name, lang), label("count", lang)], column, numbers_from=column + 1)
        for row, (key, count) in enumerate(items, start=2):
            sheet.cell(row=row, column=column, value=user_text(key_label(name, key, lang, vocabularies))).wrap = True
            sheet.cell(row=row, column=column + 1, value=count)
        charts[name] = _distribution_chart(sheet, name, column, items, lang)
    types = max(2, min(len(report["by_type"]), _TOP) + 1)
    pie = PieChart()
    pie.title = label("by_type", lang)
    pie.add_data(Reference(sheet, min_col=2, min_row=1, max_row=types), titles_from_data=True)
    pie.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=types))
    style.pie_percentages(pie)
    pie.height, pie.width = 7.5, _CHART_WIDTH
    sheet.fit_columns(minimum=2, maximum=26, at_least={c: 7 for c in range(1, 16) if c % 3})
    for gap in range(3, 3 * len(DISTRIBUTIONS), 3):
        sheet.widths[gap - 1] = 1.5
    bands = [[charts["by_type"], pie, charts["by_source"]],
             [charts["by_priority"], charts["by_customer"], charts["by_owner"]]]
    _place_charts(sheet, bands, first_row=longest + 3)
    _print(sheet, lang, title_rows=None)


def _distribution_chart(sheet: BufferedSheet, name: str, column: int, items: list[tuple[str, int]], lang: str) -> Any:
    """The chart of one distribution: a pie for priority (percentages, a colour per priority),
    else bars (horizontal for names), every category named, a whole-number count axis."""
    from openpyxl.chart import BarChart, PieChart, Reference

    last = max(2, len(items) + 1)
    chart: Any
    if name == "by_priority":
        chart = PieChart()
    else:
        chart = BarChart()
        chart.type = "bar" if name in _WIDE_CHARTS else "col"
        chart.legend = None
    chart.title = label(name, lang)
    chart.add_data(Reference(sheet, min_col=column + 1, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=last))
    if isinstance(chart, PieChart):
        style.pie_percentages(chart)
        style.colour_points(chart.series[0], style.priority_colours(key for key, _ in items))
        chart.height, chart.width = 7.5, _CHART_WIDTH
        return chart
    style.show_axes(chart)
    style.count_axis(chart.y_axis, max((count for _, count in items), default=1))
    style.every_category(chart.x_axis)
    chart.height, chart.width = 7.5, _CHART_WIDTH
    if name in _WIDE_CHARTS:
        chart.x_axis.scaling.orientation = "maxMin"  # the largest on top, as in the table
        chart.height = min(14.0, max(7.5, 3 + 0.75 * len(items)))  # room for every name, two lines each
    return chart


def _trend_sheet(sheet: BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    _header(sheet, 1, [label("month", lang), label("new", lang), label("completed", lang), label("new_growth", lang),
                       label("completed_growth", lang), label("note", lang)], numbers_from=2)
    sheet.cell(row=1, column=6).align = "left"  # the note is text
    partial = ""
    for row, month in enumerate(report["trend"], start=2):
        sheet.cell(row=row, column=1, value=month["month"])
        sheet.cell(row=row, column=2, value=month["new"])
        sheet.cell(row=row, column=3, value=month["completed"])
        for column, key in ((4, "new_growth"), (5, "completed_growth")):
            cell = sheet.cell(row=row, column=column, value=month[key])
            cell.number_format = PERCENT_FORMAT
        note = trend_note(report, month["month"], lang)
        if note:  # counted in part: its growth compares it with the same time of the month before
            partial = f"{month['month']}: {note}"
            if month.get("partial"):
                note = f"{note}; {growth_basis(month['month'], lang)}"
            sheet.cell(row=row, column=6, value=note).font = Font(bold=True, color=NOTE_COLOUR)
    last = max(2, len(report["trend"]) + 1)
    largest = max([m["new"] for m in report["trend"]] + [m["completed"] for m in report["trend"]] + [1])
    categories = Reference(sheet, min_col=1, min_row=2, max_row=last)
    line = LineChart()
    line.title = _noted(f"{label('trend', lang)}: {label('new', lang)} / {label('completed', lang)}", partial, lang)
    line.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    line.set_categories(categories)
    line.y_axis.title = label("count", lang)
    style.straight_lines(line)
    for series, colour in zip(line.series, (style.NEW_COLOUR, style.COMPLETED_COLOUR)):
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 28575  # 2.25 pt
    bars = BarChart()
    bars.type = "col"
    bars.title = _noted(label("trend", lang), partial, lang)
    bars.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(categories)
    for series, colour in zip(bars.series, (style.NEW_COLOUR, style.COMPLETED_COLOUR)):
        style.fill(series, colour)
    for chart in (line, bars):
        style.show_axes(chart)
        style.count_axis(chart.y_axis, largest)
        style.every_category(chart.x_axis)
        chart.legend.position = "b"
        chart.height, chart.width = 7.5, 13
    sheet.fit_columns()
    _place_charts(sheet, [[line, bars]], first_row=last + 2, title_rows=1)
    _print(sheet, lang)


def _noted(title: str, note: str, lang: str) -> str:
    """A chart's title with a note after it (the month counted in part), if any."""
    return label("month_note", lang, month=title, note=note) if note else title


def _sla_sheet(sheet: BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.chart import BarChart, Reference

    _header(sheet, 1, [label("priority", lang), label("count", lang), label("mean", lang), label("median", lang),
                       label("p90", lang), label("target_days", lang), label("within_target", lang),
                       label("sla_compliance", lang)], numbers_from=2)
    for row, priority in enumerate(_PRIORITIES, start=2):
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
    colours = style.priority_colours(_PRIORITIES)
    chart = BarChart()
    chart.type = "col"
    chart.title = f"{label('resolution', lang)}: {label('mean', lang)} / {label('target', lang)}"
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=4), titles_from_data=True)
    chart.add_data(Reference(sheet, min_col=6, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(categories)
    style.fill(chart.series[0], "7F7F7F")  # the legend's swatch; each bar in its priority's colour
    style.colour_points(chart.series[0], colours)
    style.fill(chart.series[1], style.TARGET_COLOUR)
    chart.y_axis.scaling.min = 0
    chart.legend.position = "b"
    compliance = BarChart()
    compliance.type = "col"
    compliance.title = label("sla_compliance", lang)
    compliance.add_data(Reference(sheet, min_col=8, min_row=1, max_row=4), titles_from_data=True)
    compliance.set_categories(categories)
    style.colour_points(compliance.series[0], colours)
    compliance.y_axis.scaling.min = 0
    compliance.y_axis.scaling.max = 1
    compliance.y_axis.numFmt = "0%"
    compliance.legend = None
    for each in (chart, compliance):
        style.show_axes(each)
        style.every_category(each.x_axis)
        each.height, each.width = 7.5, 13
    sheet.fit_columns()
    _place_charts(sheet, [[chart, compliance]], first_row=6, title_rows=1)
    _print(sheet, lang)


def _owner_sheet(sheet: BufferedSheet, report: Report, lang: str) -> None:
    _header(sheet, 1, [label("owner", lang), label("department", lang), label("open", lang), label("completed", lang),
                       label("median_resolution", lang), label("sla_compliance", lang), label("overdue", lang)],
            numbers_from=3)
    for row, owner in enumerate(report["owners"], start=2):
        name = label("unassigned", lang) if owner["owner"] == "unassigned" else owner["owner"]
        values = [user_text(name), user_text(owner["department"]), owner["open"], owner["completed"],
                  owner["median_resolution_days"], owner["sla_compliance"], owner["overdue"]]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.wrap = column <= 2
            if column == 5:
                cell.number_format = DAYS_FORMAT
            elif column == 6:
                cell.number_format = PERCENT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.fit_columns(maximum=40)
    _print(sheet, lang)


def _funnel_sheet(sheet: BufferedSheet, report: Report, lang: str) -> None:
    from openpyxl.chart import BarChart, Reference

    _header(sheet, 1, [label("stage", lang), label("count", lang), label("share", lang)], numbers_from=2)
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
    style.show_axes(chart)
    style.every_category(chart.x_axis)
    style.count_axis(chart.y_axis, max((stage["count"] for stage in report["funnel"]), default=1))
    chart.height, chart.width = 7.5, 16
    sheet.fit_columns()
    _place_charts(sheet, [[chart]], first_row=last + 2, title_rows=1)
    _print(sheet, lang)


def _overdue_sheet(sheet: BufferedSheet, report: Report, tz: ZoneInfo, lang: str) -> None:
    _header(sheet, 1, [label("id", lang), label("reason", lang), label("deadline", lang), label("late_wd", lang),
                       label("owner", lang), label("priority", lang), label("status", lang), label("customer", lang),
                       label("description", lang)])
    for row, item in enumerate(report["overdue"]["requests"], start=2):
        deadline = datetime.fromisoformat(item["deadline"]).astimezone(tz).replace(tzinfo=None) if item["deadline"] else None
        owner = owner_text(item["department"], item["owner"])
        values = [user_text(item["id"]), ", ".join(reason_label(r, lang) for r in item["reasons"]), deadline,
                  item["late_working_days"], user_text(owner), PRIORITY.label(item["priority"], lang),
                  STATUS.label(item["status"], lang), user_text(item["customer"]), user_text(item["description"])]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.wrap = column in (2, 5, 8, 9)
            if column == 3 and value is not None:
                cell.number_format = DATETIME_FORMAT
            elif column == 4:
                cell.number_format = DAYS_FORMAT
    sheet.freeze_panes = "A2"
    if report["overdue"]["requests"]:
        sheet.auto_filter.ref = f"A1:I{len(report['overdue']['requests']) + 1}"
    sheet.fit_columns(maximum=30, at_least={9: 60})  # the description wraps in a wide column
    _print(sheet, lang)
