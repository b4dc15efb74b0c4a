"""The meeting workbook (`report --xlsx`) and the export print as they are (SPEC §11, issue 20,
docs/workbook.md): landscape, one page wide, the header row on every page, rows tall enough for
their wrapped text, columns wide enough for their labels, each chart inside one page, straight
lines, whole-number visible axes, pie percentages, one colour per priority; a period not over
yet says "to date".

Checked on the written file through openpyxl and the chart XML inside the zip; how it looks
printed is in docs/workbook.md (rendered through LibreOffice with ../shared/tools/look-at-workbook).
"""

from __future__ import annotations

import math
import random
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from helpers import Clock, copy_sqlite, export
from reqtrack import services
from reqtrack.excel.charts import PRIORITY_COLOURS
from reqtrack.excel.print_setup import (
    CM_PER_WIDTH_UNIT,
    DEFAULT_ROW_POINTS,
    MAX_ROW_POINTS,
    POINTS_PER_CM,
    PRINTABLE_HEIGHT_CM,
    PRINTABLE_WIDTH_CM,
    text_width,
)
from reqtrack.services import Context

DECEMBER_FIRST = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai, the report's "now"
NOW_TEXT = DECEMBER_FIRST.isoformat()
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

# -- a month of a few dozen requests ----------------------------------------------------------------
CUSTOMERS = ["ACME", "Globex Corporation", "Initech", "Customer success team, Northwind Traders",
             "华为技术有限公司", "深圳市腾讯计算机系统有限公司", "Umbrella", "Stark Industries"]
OWNERS = [("Li", "Support"), ("Wang", "R&D"), ("张伟", "研发部"), ("Zhao", None), ("Chen", "R&D")]
DESCRIPTIONS = [
    "Export to Excel fails for large files",
    "Login page times out\nSteps: 1. open the portal\n2. enter the code from the SMS\n3. wait 30 s",
    "报表导出后合计金额不对，请核对十一月的数据\n客户附上了截图",
    "Add a filter by region to the monthly dashboard so that the regional managers can see their own numbers first",
    "Invoice PDF shows the wrong VAT number",
    "希望增加按部门统计的功能",
    "Search is slow when more than 10,000 orders are open",
    "Password reset mail never arrives\nChecked spam folder\nHappens for @globex.com addresses only",
]
NOTES = ["reproduced on staging", "waiting for the customer's log files", "root cause found in the import job",
         "已联系客户确认需求细节", "patch under review", "deployed to staging, asked the customer to test",
         "called the customer back: the workaround helps for now"]
LAST_STEP = datetime(2026, 11, 30, 18, 0)


class _Later(Exception):
    """A step after the month's last working evening: not taken."""


def _at(day: datetime, hours: float) -> str:
    when = day + timedelta(hours=hours)
    if when > LAST_STEP:
        raise _Later
    return when.strftime("%Y-%m-%d %H:%M")


def _work(ctx: Context, rng: random.Random, rid: str, day: datetime, n: int) -> None:
    """Assign, a few progress notes, done, verified (one fails first), every third closed; every
    seventh stays in progress (some overdue)."""
    owner, department = rng.choice(OWNERS)
    services.assign(ctx, rid, owner=owner, department=department, due=_at(day, 24 * rng.choice([2, 4, 7])),
                    at=_at(day, 2))
    hours = 3
    for _ in range(rng.randrange(1, 5)):
        hours += rng.randrange(3, 30)
        services.progress(ctx, rid, rng.choice(NOTES), at=_at(day, hours))
    if n % 7 == 6:
        return
    hours += rng.randrange(3, 40)
    services.progress(ctx, rid, "fixed", done=True, at=_at(day, hours))
    hours += 2
    if n % 9 == 4:
        services.verify(ctx, rid, passed=False, note="still wrong for the A4 layout", at=_at(day, hours))
        hours += 20
        services.progress(ctx, rid, "fixed again", done=True, at=_at(day, hours))
        hours += 2
    services.verify(ctx, rid, passed=True, satisfaction=rng.choice(["satisfied", "satisfied", "neutral", "dissatisfied"]),
                    at=_at(day, hours))
    if n % 3 == 0:
        services.close(ctx, rid, at=_at(day, hours + 24))


def build_month(ctx: Context, seed: int = 20) -> list[str]:
    """15 requests in October 2026 and 30 in November, worked as a team works them, and two on
    the morning of 1 December (the clock's day). Returns the IDs."""
    rng = random.Random(seed)
    starts = [datetime(2026, 10, 1 + i * 2, 9, 0) for i in range(15)]
    starts += [datetime(2026, 11, 2 + i * 28 // 30, 9, 0) + timedelta(hours=(i % 3) * 2) for i in range(30)]
    ids = []
    for n, day in enumerate(starts):
        request = services.register(ctx, rng.choice(DESCRIPTIONS), rng.choice(CUSTOMERS),
                                    source=rng.choice(["email", "phone", "meeting", "chat"]),
                                    type=rng.choice(["bug", "feature", "improvement", "support"]),
                                    priority=rng.choice(["high", "medium", "medium", "low"]), at=_at(day, 0))
        ids.append(request.id)
        if n % 11 == 10:
            continue  # left pending
        try:
            _work(ctx, rng, request.id, day, n)
        except _Later:
            pass
    ids.append(services.register(ctx, "New login problem", "ACME", source="email", type="bug", priority="high",
                                 at="2026-12-01 08:10").id)
    ids.append(services.register(ctx, "导出按钮无响应", "华为技术有限公司", source="phone", type="bug", priority="medium",
                                 at="2026-12-01 08:40").id)
    return ids


class _Months:
    """engine → the database of `build_month`, built once per test process: building it through
    the services takes seconds, and every test of the month only reads it (reports, exports).
    A server schema is dropped when the session ends (the session's request)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> None:
        self.tmp_path_factory, self.request = tmp_path_factory, request
        self.built: dict[str, Any] = {}

    def database(self, engine: str) -> Any:
        location = self.built.get(engine)
        if location is None:
            from conftest import new_pg_schema

            location = (new_pg_schema(self.request) if engine == "postgres"
                        else self.tmp_path_factory.mktemp("month") / "month.db")
            build_month(Context(db_path=location, actor="tester", clock=Clock(DECEMBER_FIRST)))
            self.built[engine] = location
        return location


@pytest.fixture(scope="session")
def months(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> _Months:
    return _Months(tmp_path_factory, request)


@pytest.fixture
def db_path(engine: str, tmp_path: Path, request: pytest.FixtureRequest, months: _Months) -> Any:
    """A test of the month reads the month's database: on the server the one schema, on SQLite a
    copy of the one file (SQLite's backup, so that nothing a command leaves in it reaches the next
    test); any other test has a new database of its own, as everywhere."""
    from conftest import new_pg_schema

    if "month" not in request.fixturenames:
        return new_pg_schema(request) if engine == "postgres" else tmp_path / "reqtrack.db"
    location = months.database(engine)
    if engine == "postgres":
        return location
    return copy_sqlite(location, tmp_path / "reqtrack.db")


@pytest.fixture
def month(ctx: Context, clock: Clock) -> Context:
    """The month of `build_month` (its database: `db_path`), with the clock on its 1 December."""
    clock.now = DECEMBER_FIRST
    return ctx


def report_workbook(cli: Any, path: Path, *args: str, lang: str = "en") -> Path:
    result = cli("--lang", lang, "report", *args, "--xlsx", str(path), env={"REQTRACK_NOW": NOW_TEXT})
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def november(cli: Any, month: Context, tmp_path: Path) -> Path:
    """The meeting workbook of November, written on 1 December: a period that is over."""
    return report_workbook(cli, tmp_path / "november.xlsx", "--period", "month", "--previous")


# -- reading the written file ------------------------------------------------------------------------
def chart_parts(path: Path) -> dict[str, list[ElementTree.Element]]:
    """Each sheet's charts (sheet title → chart XML roots, in the drawing's order)."""
    def rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
        folder, name = part.rsplit("/", 1)
        rel_path = f"{folder}/_rels/{name}.rels"
        if rel_path not in archive.namelist():
            return {}
        root = ElementTree.fromstring(archive.read(rel_path))
        return {r.get("Id"): _resolve(folder, r.get("Target")) for r in root}

    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheet_rels = rels(archive, "xl/workbook.xml")
        found: dict[str, list[ElementTree.Element]] = {}
        for sheet in workbook.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
            part = sheet_rels[sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")]
            charts = []
            for drawing in rels(archive, part).values():
                if "drawing" in drawing:
                    charts += [ElementTree.fromstring(archive.read(c)) for c in rels(archive, drawing).values()]
            found[sheet.get("name")] = charts
    return found


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts = folder.split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def chart_title(chart: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in chart.find(f"{C}chart/{C}title").iter(f"{A}t"))


def value(element: ElementTree.Element | None) -> str | None:
    return None if element is None else element.get("val")


def width_of(sheet: Any, letter: str) -> float:
    dimension = sheet.column_dimensions.get(letter)
    return dimension.width if dimension is not None and dimension.width else 8.43


# -- page setup --------------------------------------------------------------------------------------
def assert_prints_one_page_wide(sheet: Any) -> None:
    setup = sheet.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0), sheet.title
    assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert setup.paperSize == 9, sheet.title  # A4


def test_every_sheet_of_the_workbook_prints_landscape_one_page_wide(november: Path) -> None:
    workbook = load_workbook(november)
    for sheet in workbook.worksheets:
        assert_prints_one_page_wide(sheet)
        assert "&P" in sheet.oddFooter.center.text  # the page number, with the sheet's name
    for title in ("Trend", "SLA", "Owners", "Funnel", "Overdue", "Requests"):  # a header row on top: on every page
        assert workbook[title].print_title_rows == "$1:$1", title


def test_the_export_prints_landscape_with_its_header_on_every_page(month: Context, tmp_path: Path) -> None:
    export(month, tmp_path / "export.xlsx", "zh-CN")
    workbook = load_workbook(tmp_path / "export.xlsx")
    for sheet in workbook.worksheets:
        assert_prints_one_page_wide(sheet)
    assert workbook.worksheets[0].print_title_rows == "$1:$1"


# -- rows and columns ------------------------------------------------------------------------------
def test_rows_are_tall_enough_for_every_line_of_the_process_log(november: Path) -> None:
    sheet = load_workbook(november)["Requests"]
    header = [cell.value for cell in sheet[1]]
    log, description = header.index("Process log") + 1, header.index("Description") + 1
    checked = 0
    for row in sheet.iter_rows(min_row=2):
        lines = max(len(str(row[column - 1].value or "").split("\n")) for column in (log, description))
        if lines < 2:
            continue
        height = sheet.row_dimensions[row[0].row].height
        assert height is not None and height >= min(MAX_ROW_POINTS, lines * 14), (row[0].value, lines, height)
        assert row[log - 1].alignment.wrap_text
        checked += 1
    assert checked >= 20  # the month's worked requests


def test_a_long_process_log_stops_at_excels_tallest_row(ctx: Context, clock: Clock, tmp_path: Path) -> None:
    clock.now = DECEMBER_FIRST
    request = services.register(ctx, "a request worked for a long time", "ACME", at="2026-11-02 09:00")
    for hour in range(60):
        services.progress(ctx, request.id, f"step {hour}", at=(datetime(2026, 11, 2, 10) + timedelta(hours=hour))
                          .strftime("%Y-%m-%d %H:%M"))
    export(ctx, tmp_path / "long.xlsx")
    sheet = load_workbook(tmp_path / "long.xlsx").worksheets[0]
    assert sheet.row_dimensions[2].height == MAX_ROW_POINTS
    assert len(sheet.cell(2, 15).value.split("\n")) == 61  # every line is in the cell, none cut


def test_multi_line_descriptions_on_the_overdue_sheet_are_wrapped_and_tall(november: Path) -> None:
    sheet = load_workbook(november)["Overdue"]
    multi_line = [row for row in sheet.iter_rows(min_row=2) if "\n" in str(row[8].value)]
    assert multi_line
    for row in multi_line:
        assert row[8].alignment.wrap_text
        assert sheet.row_dimensions[row[0].row].height >= 14 * len(row[8].value.split("\n"))


@pytest.mark.parametrize("lang", ["en", "zh-CN", "zh-TW"])
def test_columns_are_wide_enough_for_their_labels(cli: Any, month: Context, tmp_path: Path, lang: str) -> None:
    workbook = load_workbook(report_workbook(cli, tmp_path / "book.xlsx", lang=lang))
    for title in workbook.sheetnames[1:]:
        sheet = workbook[title]
        for cell in sheet[1]:
            if isinstance(cell.value, str):
                assert width_of(sheet, cell.column_letter) >= text_width(cell.value), (title, cell.value)
    summary = workbook.worksheets[0]
    for row in summary.iter_rows(min_row=2, max_col=1):
        if isinstance(row[0].value, str):
            assert width_of(summary, "A") >= text_width(row[0].value), row[0].value
    period = summary["B2"].value  # merged over B:D, never cut
    assert sum(width_of(summary, c) for c in "BCD") >= text_width(period)
    assert "B2:D2" in {str(r) for r in summary.merged_cells.ranges}
    export(month, tmp_path / "export.xlsx", lang)
    sheet = load_workbook(tmp_path / "export.xlsx").worksheets[0]
    for cell in sheet[1]:
        assert width_of(sheet, cell.column_letter) >= text_width(cell.value), cell.value


# -- charts ----------------------------------------------------------------------------------------
def test_charts_have_straight_lines_visible_whole_number_axes_and_pie_percentages(november: Path) -> None:
    charts = chart_parts(november)
    every = [chart for sheet in charts.values() for chart in sheet]
    assert len(every) >= 10
    lines = [c for c in every if c.find(f".//{C}lineChart") is not None]
    assert lines
    for chart in lines:
        assert [value(s.find(f"{C}smooth")) for s in chart.iter(f"{C}ser")] == ["0", "0"]
    for chart in every:
        for axis in [*chart.iter(f"{C}catAx"), *chart.iter(f"{C}valAx")]:
            assert value(axis.find(f"{C}delete")) == "0", chart_title(chart)
        for axis in chart.iter(f"{C}catAx"):
            assert value(axis.find(f"{C}tickLblSkip")) == "1", chart_title(chart)
        if chart.find(f".//{C}pieChart") is not None:
            assert value(chart.find(f".//{C}dLbls/{C}showPercent")) == "1", chart_title(chart)
    counts = [c for c in every if chart_title(c).startswith(("By ", "Monthly trend", "Funnel"))
              and c.find(f".//{C}valAx") is not None]
    assert len(counts) >= 7
    for chart in counts:
        axis = chart.find(f".//{C}valAx")
        unit = float(value(axis.find(f"{C}majorUnit")))
        assert unit >= 1 and unit == int(unit), chart_title(chart)
        assert axis.find(f"{C}numFmt").get("formatCode") == "0", chart_title(chart)
        assert value(axis.find(f"{C}scaling/{C}min")) == "0", chart_title(chart)


def test_the_customer_chart_names_every_customer(november: Path) -> None:
    [customers] = [c for c in chart_parts(november)["Distributions"] if chart_title(c) == "By customer"]
    assert value(customers.find(f".//{C}catAx/{C}tickLblSkip")) == "1"
    sheet = load_workbook(november)["Distributions"]
    names = [row[0].value for row in sheet.iter_rows(min_row=2, min_col=10, max_col=10) if row[0].value]
    assert len(names) == 8  # every customer of the period has a row, so a category
    assert customers.find(f".//{C}barDir").get("val") == "bar"  # horizontal: a line per name


def priority_fills(chart: ElementTree.Element) -> dict[int, str]:
    """Point index → fill colour of the chart's first series."""
    series = next(chart.iter(f"{C}ser"))
    return {int(value(point.find(f"{C}idx"))): point.find(f"{C}spPr/{A}solidFill/{A}srgbClr").get("val")
            for point in series.iter(f"{C}dPt")}


def test_each_priority_has_its_own_colour_on_every_chart(november: Path) -> None:
    workbook = load_workbook(november)
    charts = chart_parts(november)
    keys = {"High": "high", "Medium": "medium", "Low": "low", "(not set)": "unset"}
    table = [row[0].value for row in workbook["Distributions"].iter_rows(min_row=2, min_col=7, max_col=7)
             if row[0].value]
    [pie] = [c for c in charts["Distributions"] if chart_title(c) == "By priority"]
    assert priority_fills(pie) == {i: PRIORITY_COLOURS[keys[name]] for i, name in enumerate(table)}
    for chart in charts["SLA"]:  # High, Medium, Low
        assert priority_fills(chart) == {0: PRIORITY_COLOURS["high"], 1: PRIORITY_COLOURS["medium"],
                                         2: PRIORITY_COLOURS["low"]}
    assert PRIORITY_COLOURS["high"].startswith(("C", "D", "E", "F"))  # red: high in red, not green
    red, green, _ = (int(PRIORITY_COLOURS["low"][i:i + 2], 16) for i in (0, 2, 4))
    assert green > red  # low in green


# -- each chart inside one page ------------------------------------------------------------------------
def column_lefts(sheet: Any, unit: float) -> list[float]:
    from openpyxl.utils import get_column_letter

    lefts = [0.0]
    for index in range(1, 60):
        lefts.append(lefts[-1] + width_of(sheet, get_column_letter(index)) * unit)
    return lefts


def row_cm(sheet: Any, row: int) -> float:
    return (sheet.row_dimensions[row].height or DEFAULT_ROW_POINTS) / POINTS_PER_CM


def row_top(sheet: Any, row: int) -> float:
    return sum(row_cm(sheet, r) for r in range(1, row))


def chart_extent(sheet: Any, chart: Any) -> tuple[float, float]:
    """A chart's top and bottom, cm from the sheet's top."""
    top = row_top(sheet, chart.anchor._from.row + 1)
    return top, top + chart.anchor.ext.height / 360000


def automatic_pages(sheet: Any, unit: float) -> list[tuple[float, float]]:
    """The pages (top, bottom in cm of the sheet) as a program lays them out that fits the sheet
    to the page width with columns `unit` cm per width unit and keeps no manual break (Excel,
    fitting to the page, may not): as many rows on each page as its printable height holds at
    that scale, the repeated header row taking its place on every page after the first."""
    from openpyxl.utils import column_index_from_string

    lefts = column_lefts(sheet, unit)
    last = max((column_index_from_string(d) for d in sheet.column_dimensions), default=1)
    right = lefts[last]
    for chart in sheet._charts:
        start = chart.anchor._from
        right = max(right, lefts[start.col] + start.colOff / 360000 + chart.anchor.ext.width / 360000)
    scale = 1.0 if right <= PRINTABLE_WIDTH_CM else math.floor(PRINTABLE_WIDTH_CM / right * 100) / 100
    full = PRINTABLE_HEIGHT_CM / 0.92 / scale
    repeated = row_cm(sheet, 1) if sheet.print_title_rows else 0.0
    bottom = max(chart_extent(sheet, chart)[1] for chart in sheet._charts)
    found, top, row = [], 0.0, 1
    while top < bottom:
        room = full if not found else full - repeated
        used = 0.0
        while used + row_cm(sheet, row) <= room:
            used += row_cm(sheet, row)
            row += 1
        found.append((top, top + used))
        top += used
    return found


def manual_pages(sheet: Any) -> list[tuple[float, float]]:
    """The pages between the sheet's manual breaks (LibreOffice keeps them)."""
    tops = [0.0] + [row_top(sheet, brk.id + 1) for brk in sheet.row_breaks.brk]
    return list(zip(tops, tops[1:] + [float("inf")]))


def inside_one(extent: tuple[float, float], page_list: list[tuple[float, float]]) -> bool:
    top, bottom = extent
    return any(start - 1e-6 <= top and bottom <= end + 1e-6 for start, end in page_list)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("period", [("--period", "month", "--previous"), ("--period", "quarter")])
def test_no_chart_crosses_a_page_break(cli: Any, month: Context, tmp_path: Path, lang: str,
                                       period: tuple[str, ...]) -> None:
    workbook = load_workbook(report_workbook(cli, tmp_path / "book.xlsx", *period, lang=lang))
    checked = 0
    for sheet in workbook.worksheets:
        if not sheet._charts:
            continue
        layouts = [automatic_pages(sheet, unit) for unit in CM_PER_WIDTH_UNIT] + [manual_pages(sheet)]
        for chart in sheet._charts:
            for page_list in layouts:
                assert inside_one(chart_extent(sheet, chart), page_list), (sheet.title, chart.anchor._from.row + 1)
            checked += 1
    assert checked == 11  # six distributions, two trends, two SLA charts, the funnel


# -- a period not over yet ---------------------------------------------------------------------------
def test_a_period_not_over_yet_says_to_date_on_screen_and_in_the_workbook(cli: Any, month: Context,
                                                                          tmp_path: Path) -> None:
    book = report_workbook(cli, tmp_path / "december.xlsx")  # the default: this month, on its first morning
    workbook = load_workbook(book)
    summary = workbook["Summary"]
    assert summary["A1"].value == "Requirements report 2026-12 · to date (day 1 of 31)"
    assert summary["B6"].value == "Value (to date)"
    trend = [[cell.value for cell in row] for row in workbook["Trend"].iter_rows()]
    assert trend[0][5] == "Note" and trend[-1][0] == "2026-12"
    assert trend[-1][5] == "to date; growth vs the same time of 2026-11"
    assert all(row[5] is None for row in trend[1:-1])
    titles = [chart_title(c) for c in chart_parts(book)["Trend"]]
    assert titles and all(t.endswith("(2026-12: to date)") for t in titles)
    out = cli("report", env={"REQTRACK_NOW": NOW_TEXT}).stdout
    assert "to date (day 1 of 31)" in out
    # The 1st morning against the 1st morning of November (nothing then: no growth), not against
    # the whole of November (which read -93.3 %).
    assert "2026-12 (to date): New, month on month – · Completed, month on month –" in out
    assert "(growth vs the same" in out
    zh = cli("--lang", "zh-CN", "report", env={"REQTRACK_NOW": NOW_TEXT}).stdout
    assert "截至目前（第 1 天，共 31 天）" in zh and "2026-12（截至目前）：新增环比" in zh
    zh_book = load_workbook(report_workbook(cli, tmp_path / "zh.xlsx", lang="zh-TW"))
    assert "截至目前" in zh_book.worksheets[0]["A1"].value and zh_book.worksheets[0]["B6"].value == "數值（截至目前）"


def test_a_period_that_is_over_says_nothing_and_a_month_cut_by_the_period_says_until(cli: Any, month: Context,
                                                                                    tmp_path: Path,
                                                                                    november: Path) -> None:
    workbook = load_workbook(november)
    assert workbook["Summary"]["A1"].value == "Requirements report 2026-11"
    assert workbook["Summary"]["B6"].value == "Value"
    assert all(row[5].value in (None, "Note") for row in workbook["Trend"].iter_rows())
    out = cli("report", "--period", "month", "--previous", env={"REQTRACK_NOW": NOW_TEXT}).stdout
    assert "to date" not in out and "2026-11: New, month on month 100.0 %" in out
    # Last week (23–29 November): the trend's November is counted until the week's end.
    week = load_workbook(report_workbook(cli, tmp_path / "week.xlsx", "--period", "week", "--previous"))
    assert week["Summary"]["A1"].value == "Requirements report 2026-W48"
    last = [cell.value for cell in list(week["Trend"].iter_rows())[-1]]
    assert last[0] == "2026-11" and last[5] == "until 2026-11-30 00:00; growth vs the same time of 2026-10"
