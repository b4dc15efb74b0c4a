"""Showing the report: the one-screen Rich summary and the meeting workbook (openpyxl charts).

Both read the JSON-ready dict of `services.report` (docs/metrics.md defines every figure) and
label it in the chosen language; distribution keys stay English in JSON and are translated here.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from .domain.errors import InvalidInput
from .domain.vocab import PRIORITY, SOURCE, STATUS, TYPE

_L: dict[str, tuple[str, str, str]] = {
    # key: (en, zh-CN, zh-TW)
    "title": ("Requirements report", "客户需求报告", "客戶需求報告"),
    "period": ("Period", "统计周期", "統計週期"),
    "as_of": ("as of", "截至", "截至"),
    "timezone": ("Time zone", "时区", "時區"),
    "new": ("New", "新增", "新增"),
    "completed": ("Completed", "完成", "完成"),
    "closed": ("Closed", "关闭", "關閉"),
    "cancelled": ("Cancelled", "取消", "取消"),
    "reopened": ("Reopened", "重新打开", "重新打開"),
    "backlog": ("Open backlog", "未结需求", "未結需求"),
    "overdue_now": ("Overdue now", "当前超期", "當前超期"),
    "figure": ("Figure", "指标", "指標"),
    "value": ("Value", "数值", "數值"),
    "target": ("Target", "目标", "目標"),
    "verdict": ("Met?", "是否达标", "是否達標"),
    "met": ("met", "达标", "達標"),
    "missed": ("missed", "未达标", "未達標"),
    "no_data": ("no data", "无数据", "無數據"),
    "first_response": ("First response within {hours} h", "{hours}小时内首次响应率", "{hours}小時內首次響應率"),
    "mean_resolution": ("Mean resolution", "平均解决时长", "平均解決時長"),
    "priority_sla": ("{priority} priority: resolved within {days} wd", "{priority}优先级{days}个工作日内解决",
                     "{priority}優先級{days}個工作日內解決"),
    "mean_wd": ("Mean (wd)", "平均（工作日）", "平均（工作日）"),
    "resolution": ("Resolution (working days)", "解决时长（工作日）", "解決時長（工作日）"),
    "mean": ("mean", "平均", "平均"),
    "median": ("median", "中位数", "中位數"),
    "p90": ("90th percentile", "90分位", "90分位"),
    "count": ("count", "数量", "數量"),
    "completions": ("completions", "项完成", "項完成"),
    "sla_compliance": ("SLA compliance", "SLA达标率", "SLA達標率"),
    "within_target": ("within target", "达标数", "達標數"),
    "target_days": ("target (wd)", "目标（工作日）", "目標（工作日）"),
    "on_time": ("On time vs planned", "按计划完成率", "按計劃完成率"),
    "first_pass": ("First-pass verification", "一次验证通过率", "一次驗證通過率"),
    "recurrence": ("Recurrence (reopens ÷ completions)", "复现率（重开÷完成）", "復現率（重開÷完成）"),
    "satisfaction": ("Satisfaction", "客户满意度", "客戶滿意度"),
    "satisfaction_rate": ("Satisfaction rate", "满意率", "滿意率"),
    "satisfied": ("Satisfied", "满意", "滿意"),
    "neutral": ("Neutral", "一般", "一般"),
    "dissatisfied": ("Dissatisfied", "不满意", "不滿意"),
    "by_type": ("By type", "按类型", "按類型"),
    "by_source": ("By source", "按来源", "按來源"),
    "by_priority": ("By priority", "按优先级", "按優先級"),
    "by_customer": ("By customer", "按客户", "按客戶"),
    "by_owner": ("By owner", "按负责人", "按負責人"),
    "distributions": ("Distributions", "分布", "分佈"),
    "owners": ("Owners", "负责人", "負責人"),
    "owner": ("Owner", "负责人", "負責人"),
    "department": ("Department", "部门", "部門"),
    "open": ("Open", "未结", "未結"),
    "median_resolution": ("Median resolution (wd)", "解决时长中位数（工作日）", "解決時長中位數（工作日）"),
    "overdue": ("Overdue", "超期", "超期"),
    "median_wd": ("Median wd", "中位工作日", "中位工作日"),
    "sla_short": ("SLA", "SLA", "SLA"),
    "trend": ("Monthly trend", "月度趋势", "月度趨勢"),
    "month": ("Month", "月份", "月份"),
    "new_growth": ("New, month on month", "新增环比", "新增環比"),
    "completed_growth": ("Completed, month on month", "完成环比", "完成環比"),
    "funnel": ("Funnel", "处理漏斗", "處理漏斗"),
    "stage": ("Stage", "阶段", "階段"),
    "share": ("Share of received", "占接收比例", "佔接收比例"),
    "sla": ("SLA by priority", "分优先级SLA", "分優先級SLA"),
    "priority": ("Priority", "优先级", "優先級"),
    "summary": ("Summary", "概览", "概覽"),
    "requests": ("Requests", "需求明细", "需求明細"),
    "id": ("ID", "需求编号", "需求編號"),
    "reason": ("Reason", "原因", "原因"),
    "deadline": ("Deadline", "截止时间", "截止時間"),
    "late_wd": ("Late (wd)", "超期（工作日）", "超期（工作日）"),
    "status": ("Status", "状态", "狀態"),
    "customer": ("Customer", "客户", "客戶"),
    "description": ("Description", "需求描述", "需求描述"),
    "unset": ("(not set)", "（未设置）", "（未設置）"),
    "unassigned": ("(unassigned)", "（未分配）", "（未分配）"),
    "wd": ("wd", "工作日", "工作日"),
    "nothing_overdue": ("Nothing overdue.", "无超期需求。", "無超期需求。"),
    "written": ("Workbook written to {path}", "工作簿已写入 {path}", "活頁簿已寫入 {path}"),
    "more": ("… {n} more", "……另有 {n} 项", "……另有 {n} 項"),
    "received": ("Received", "接收", "接收"),
    "assessed": ("Assessed", "已评估", "已評估"),
    "assigned": ("Assigned", "已分配", "已分配"),
    "verified": ("Verified", "验证通过", "驗證通過"),
    "in_time": ("in time", "及时", "及時"),
    "late": ("late", "超时", "超時"),
    "not_yet_due": ("not yet due", "未到期", "未到期"),
}
_INDEX = {"en": 0, "zh-CN": 1, "zh-TW": 2}
DISTRIBUTIONS = ("by_type", "by_source", "by_priority", "by_customer", "by_owner")
_VOCAB = {"by_type": TYPE, "by_source": SOURCE, "by_priority": PRIORITY}


def t(key: str, lang: str, **values: Any) -> str:
    """The label `key` in `lang`, with {placeholders} filled."""
    text = _L[key][_INDEX.get(lang, 0)]
    return text.format(**values) if values else text


def percent(value: float | None) -> str:
    """`75.0 %`; `–` for no data."""
    return "–" if value is None else f"{value * 100:.1f} %"


def days(value: float | None, lang: str = "en") -> str:
    return "–" if value is None else f"{value:.2f} {t('wd', lang)}"


def key_label(distribution: str, key: str, lang: str) -> str:
    """A distribution key in `lang` (vocabulary label, `(not set)`, or the customer's name)."""
    if key == "unset":
        return t("unset", lang)
    if distribution == "by_owner" and key == "unassigned":
        return t("unassigned", lang)
    vocab = _VOCAB.get(distribution)
    if vocab is not None and key in vocab.labels:
        return vocab.label(key, lang)
    return key


def reason_label(reason: str, lang: str) -> str:
    from .render_sla import REASON_LABELS

    return REASON_LABELS.get(lang, REASON_LABELS["en"]).get(reason, reason)


def headline_rows(report: dict[str, Any], lang: str) -> list[tuple[str, str, str, bool | None]]:
    """(figure, value, target, met) for the headline (met None: no data): the first-response
    rate against its target; the mean resolution against its target; and for each priority its
    SLA compliance (completions resolved within the priority's working days), met only when
    every one was (an SLA is a promise per request, so one breach misses it)."""
    targets = report["targets"]
    rows: list[tuple[str, str, str, bool | None]] = []
    rate = report["first_response_rate"]
    rows.append((t("first_response", lang, hours=f"{targets['response_hours']:g}"), percent(rate),
                 f"≥ {percent(targets['first_response_rate'])}",
                 None if rate is None else rate >= targets["first_response_rate"] - 1e-9))
    mean = report["resolution_days"]["mean"]
    rows.append((t("mean_resolution", lang), days(mean, lang), f"≤ {targets['resolution_mean_days']:g} {t('wd', lang)}",
                 None if mean is None else mean <= targets["resolution_mean_days"] + 1e-9))
    for priority in ("high", "medium", "low"):
        stats = report["resolution_days_by_priority"][priority]
        target = targets["resolution_days"][priority]
        share = report["sla_compliance"][priority]
        value = f"{percent(share)} ({stats['within_target']}/{stats['count']})" if share is not None else percent(None)
        rows.append((t("priority_sla", lang, priority=PRIORITY.label(priority, lang), days=f"{target:g}"), value,
                     percent(1.0), None if share is None else share >= 1.0))
    return rows


def _verdict(met: bool | None, lang: str) -> str:
    return t("no_data", lang) if met is None else t("met", lang) if met else t("missed", lang)


# -- terminal ------------------------------------------------------------------------------------
_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, largest: float, width: int = 20) -> str:
    """A horizontal bar of `value` against `largest`, in eighths of a character."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_BLOCKS[rest] if rest else "")


def _distribution_table(report: dict[str, Any], name: str, lang: str, limit: int = 6) -> Any:
    from rich.table import Table

    from .render import plain

    table = Table(title=t(name, lang), title_justify="left", show_header=False, show_edge=False, box=None, padding=(0, 1))
    table.add_column(no_wrap=True, max_width=14, overflow="ellipsis")
    table.add_column(justify="right")
    table.add_column(style="cyan", no_wrap=True)
    items = list(report[name].items())
    largest = max((count for _, count in items), default=0)
    for key, count in items[:limit]:
        table.add_row(plain(key_label(name, key, lang)), str(count), bar(count, largest, 6))  # a name, as typed
    if len(items) > limit:
        table.add_row(t("more", lang, n=len(items) - limit), "", "")
    return table


def show_report(report: dict[str, Any], lang: str) -> None:
    """The one-screen summary: volumes, headline figures against targets, rates, distributions,
    owners, the trend, the funnel and the most overdue requests.

    Markup is used for reqtrack's own labels only; user text (customers, owners, departments,
    IDs, descriptions, vocabulary labels) goes in as `render.plain` Text: shown as typed, its
    control characters visible."""
    from rich.columns import Columns
    from rich.markup import escape
    from rich.table import Table

    from .render import console_for_stdout, plain
    from .views_text import visible

    console = console_for_stdout(120, highlight=False, emoji=False)
    period = report["period"]
    start, end, as_of = (period[k].replace("T", " ")[:16] for k in ("from", "to", "as_of"))
    span = "" if period["kind"] == "custom" else f"  {start} → {end}"
    console.print(f"[bold]{escape(visible(t('title', lang)))} {escape(visible(period['label']))}[/]{escape(span)}  "
                  f"({escape(visible(report['timezone']))}; {escape(t('as_of', lang))} {escape(as_of)})")
    volumes = [(t(key, lang), report[key]) for key in ("new", "completed", "closed", "cancelled", "reopened", "backlog")]
    volumes.append((t("overdue_now", lang), report["overdue"]["count"]))
    console.print("   ".join(f"{name} [bold]{count}[/]" for name, count in volumes))

    headline = Table(show_edge=False, header_style="bold", pad_edge=False)
    for name, justify in ((t("figure", lang), "left"), (t("value", lang), "right"), (t("target", lang), "right"),
                          (t("verdict", lang), "left"), (t("mean_wd", lang), "right")):
        headline.add_column(name, justify=justify)  # type: ignore[arg-type]
    by_priority = report["resolution_days_by_priority"]
    for index, (figure, value, target, met) in enumerate(headline_rows(report, lang)):
        extra = ""
        if index >= 2:  # next to each priority's SLA compliance, its mean resolution
            mean = by_priority[("high", "medium", "low")[index - 2]]["mean"]
            extra = "–" if mean is None else f"{mean:.2f}"
        style = "green" if met else "red" if met is False else "dim"
        headline.add_row(figure, value, target, f"[{style}]{_verdict(met, lang)}[/]", extra)
    console.print(headline)

    stats = report["resolution_days"]
    sat = report["satisfaction"]
    fr = report["first_response"]
    response_label = t("first_response", lang, hours=f"{report['targets']['response_hours']:g}")
    console.print(
        f"{t('resolution', lang)}: {t('mean', lang)} {days(stats['mean'], lang)} · {t('median', lang)} "
        f"{days(stats['median'], lang)} · {t('p90', lang)} {days(stats['p90'], lang)} ({stats['count']} {t('completions', lang)})\n"
        f"{response_label}: {fr['in_time']} {t('in_time', lang)}, "
        f"{fr['late']} {t('late', lang)}, {fr['excluded_not_yet_due']} {t('not_yet_due', lang)}\n"
        f"{t('on_time', lang)} {percent(report['on_time_rate'])} · {t('first_pass', lang)} {percent(report['first_pass_rate'])} · "
        f"{t('recurrence', lang)} {percent(report['recurrence_rate'])}\n"
        f"{t('satisfaction_rate', lang)} {percent(sat['rate'])} ({t('satisfied', lang)} {sat['satisfied']}, "
        f"{t('neutral', lang)} {sat['neutral']}, {t('dissatisfied', lang)} {sat['dissatisfied']})"
    )
    console.print(Columns([_distribution_table(report, name, lang)
                           for name in DISTRIBUTIONS], padding=(0, 2)))

    owners = Table(title=t("owners", lang), title_justify="left", show_edge=False, header_style="bold", pad_edge=False)
    for key in ("owner", "open", "completed", "median_wd", "sla_short", "overdue"):
        owners.add_column(t(key, lang), justify="left" if key == "owner" else "right", no_wrap=True,
                          max_width=22 if key == "owner" else None, overflow="ellipsis")
    for row in report["owners"][:6]:
        name = t("unassigned", lang) if row["owner"] == "unassigned" else row["owner"]
        if row["department"]:
            name = f"{row['department']}/{name}"
        owners.add_row(plain(name), str(row["open"]), str(row["completed"]),
                       "–" if row["median_resolution_days"] is None else f"{row['median_resolution_days']:.2f}",
                       percent(row["sla_compliance"]), str(row["overdue"]))
    if len(report["owners"]) > 6:
        owners.add_row(t("more", lang, n=len(report["owners"]) - 6), "", "", "", "", "")

    funnel = Table(title=t("funnel", lang), title_justify="left", show_edge=False, show_header=False, box=None)
    funnel.add_column(no_wrap=True)
    funnel.add_column(justify="right")
    funnel.add_column(justify="right")
    funnel.add_column(style="magenta", no_wrap=True)
    received = report["funnel"][0]["count"] if report["funnel"] else 0
    for stage in report["funnel"]:
        funnel.add_row(_stage_label(stage["stage"], lang), str(stage["count"]), percent(stage["rate"]),
                       bar(stage["count"], received, 12))
    console.print(Columns([owners, funnel], padding=(0, 4)))
    console.print(_trend_table(report, lang))

    overdue = report["overdue"]
    late = Table(title=f"{t('overdue_now', lang)} ({overdue['count']})", title_justify="left", show_edge=False,
                 header_style="bold", pad_edge=False)
    for key in ("id", "reason", "late_wd", "owner", "customer", "description"):
        late.add_column(t(key, lang), no_wrap=True, max_width=36 if key == "description" else 20, overflow="ellipsis")
    for row in overdue["requests"][:5]:
        late.add_row(plain(row["id"]), reason_label(row["reason"], lang), f"{row['late_working_days']:.2f}",
                     plain("/".join(x for x in (row["department"], row["owner"]) if x)), plain(row["customer"]),
                     plain((row["description"] or "")[:200]))  # one line: newlines shown as ␊, cut with …
    if overdue["count"] > 5:
        late.add_row(t("more", lang, n=overdue["count"] - 5), "", "", "", "", "")
    if overdue["count"]:
        console.print(late)
    else:
        console.print(t("nothing_overdue", lang))


_SPARKS = " ▁▂▃▄▅▆▇█"


def spark(value: int, largest: int) -> str:
    """One character whose height shows `value` against `largest` (blank for 0)."""
    if largest <= 0 or value <= 0:
        return " "
    return _SPARKS[max(1, round(value / largest * 8))]


def _trend_table(report: dict[str, Any], lang: str) -> Any:
    """The twelve months side by side: counts with a small column chart above each row."""
    from rich.table import Table

    months = report["trend"]
    table = Table(title=t("trend", lang), title_justify="left", show_edge=False, header_style="bold",
                  pad_edge=False, box=None)
    table.add_column("", no_wrap=True)
    for month in months:
        table.add_column(month["month"][2:], justify="center", no_wrap=True)
    largest = max([m["new"] for m in months] + [m["completed"] for m in months] + [0])
    table.add_row("", *(f"[cyan]{spark(m['new'], largest)}[/][green]{spark(m['completed'], largest)}[/]" for m in months))
    table.add_row(f"[cyan]{t('new', lang)}[/]", *(str(m["new"]) for m in months))
    table.add_row(f"[green]{t('completed', lang)}[/]", *(str(m["completed"]) for m in months))
    last = months[-1] if months else None
    if last is not None:
        table.caption = (f"{last['month']}: {t('new_growth', lang)} {percent(last['new_growth'])} · "
                         f"{t('completed_growth', lang)} {percent(last['completed_growth'])}")
        table.caption_justify = "left"
    return table


def _stage_label(stage: str, lang: str) -> str:
    return t(stage, lang) if stage in _L else stage


# -- workbook ------------------------------------------------------------------------------------
_SHEET_TITLES = {
    "summary": ("Summary", "概览", "概覽"),
    "distributions": ("Distributions", "分布", "分佈"),
    "trend": ("Trend", "月度趋势", "月度趨勢"),
    "sla": ("SLA", "SLA", "SLA"),
    "owners": ("Owners", "负责人", "負責人"),
    "funnel": ("Funnel", "处理漏斗", "處理漏斗"),
    "overdue": ("Overdue", "超期清单", "超期清單"),
    "requests": ("Requests", "需求明细", "需求明細"),
}
PERCENT_FORMAT = "0.0%"
DAYS_FORMAT = "0.00"


def _sheet_title(key: str, lang: str) -> str:
    return _SHEET_TITLES[key][_INDEX.get(lang, 0)]


def write_report_workbook(path: Path, report: dict[str, Any], requests: list[Any], tz: ZoneInfo, lang: str) -> None:
    """The meeting workbook: summary, distributions (bar and pie charts), monthly trend (line
    chart), SLA by priority (bar chart), owners, funnel (bar chart), overdue list, and the
    period's requests with the template's columns (the export's own sheet writer).

    Written to a temporary file beside `path` and renamed, so a failure leaves no half file.
    """
    from openpyxl import Workbook

    from .excel import append_request_sheet

    _check_directory(Path(path))  # before any sheet opens its temporary stream
    # Write-only: a year of a large database puts tens of thousands of rows on the request
    # sheet, which a normal workbook would hold as cell objects. The small sheets are laid out
    # in a buffer (_BufferedSheet) and streamed in row order.
    workbook = Workbook(write_only=True)
    builders = [
        ("summary", lambda sheet: _summary_sheet(sheet, report, lang)),
        ("distributions", lambda sheet: _distribution_sheet(sheet, report, lang)),
        ("trend", lambda sheet: _trend_sheet(sheet, report, lang)),
        ("sla", lambda sheet: _sla_sheet(sheet, report, lang)),
        ("owners", lambda sheet: _owner_sheet(sheet, report, lang)),
        ("funnel", lambda sheet: _funnel_sheet(sheet, report, lang)),
        ("overdue", lambda sheet: _overdue_sheet(sheet, report, tz, lang)),
    ]
    for key, build in builders:
        sheet = _BufferedSheet(workbook.create_sheet(_sheet_title(key, lang)))
        build(sheet)
        sheet.flush()
    append_request_sheet(workbook, _sheet_title("requests", lang), requests, tz, lang)
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

    def __init__(self, sheet: Any) -> None:
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


def _user_text_cell(sheet: Any, text: str) -> Any:
    """A string cell holding `text` exactly as export writes it (`excel.needs_formula_guard`:
    quote prefix, so Excel keeps it text even when edited; `excel.ooxml_escape` for control
    characters), never a formula nor an error code."""
    from openpyxl.cell import WriteOnlyCell

    from .excel import needs_formula_guard, ooxml_escape

    cell = WriteOnlyCell(sheet)
    cell.value = ooxml_escape(text)
    cell.data_type = "s"
    if needs_formula_guard(text):
        cell.quotePrefix = True
    return cell


def _check_directory(path: Path) -> Path:
    """Refuse early (exit 2) what the workbook may not replace: the open database, a directory,
    /dev/null or another special file, or a file in a directory that does not exist."""
    from .safe_output import check_target

    return check_target(path, what="the workbook ").parent


def _save(workbook: Any, path: Path) -> None:
    """Through the one atomic writer: private (0600), whole or not at all, a full disk is exit 3."""
    from .safe_output import atomic_output

    with atomic_output(path, what="the workbook ") as handle:
        save_workbook_to(handle, workbook)


def save_workbook_to(handle: Any, workbook: Any) -> None:
    """openpyxl's `workbook.save(handle)`, except that a failed save (a full disk, Ctrl-C) leaves
    nothing to finish later: left to the garbage collector, the half-written zip file and the
    unwritten sheets' row writers write to closed files, which Python prints as tracebacks
    after reqtrack's one sentence. (Used by export too.)"""
    import datetime as _datetime
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    archive = ZipFile(handle, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        workbook.properties.modified = _datetime.datetime.now(tz=_datetime.timezone.utc).replace(tzinfo=None)
        ExcelWriter(workbook, archive).save()
    except BaseException:
        archive.fp = None  # abandoned: ZipFile.__del__ writes nothing more
        for sheet in getattr(workbook, "worksheets", ()):
            if getattr(sheet, "closed", True) is False:
                try:
                    sheet.close()  # its row writer ends now, while its stream is open
                except Exception:  # noqa: BLE001 - the workbook is being thrown away
                    pass
        raise


def _header(sheet: Any, row: int, names: Iterable[str]) -> None:
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(row=row, column=column, value=name)
        cell.font = Font(bold=True)
        cell.fill = fill


def _widths(sheet: Any, widths: Iterable[float]) -> None:
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


def _summary_sheet(sheet: Any, report: dict[str, Any], lang: str) -> None:
    from openpyxl.styles import Font

    period = report["period"]
    sheet["A1"] = f"{t('title', lang)} {period['label']}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = t("period", lang)
    sheet["B2"] = f"{period['from'][:16].replace('T', ' ')} → {period['to'][:16].replace('T', ' ')}"
    sheet["A3"] = t("as_of", lang)
    sheet["B3"] = period["as_of"][:16].replace("T", " ")
    sheet["A4"] = t("timezone", lang)
    sheet["B4"] = report["timezone"]
    row = 6
    _header(sheet, row, [t("figure", lang), t("value", lang)])
    for key in ("new", "completed", "closed", "cancelled", "reopened", "backlog"):
        row += 1
        sheet.cell(row=row, column=1, value=t(key, lang))
        sheet.cell(row=row, column=2, value=report[key])
    row += 1
    sheet.cell(row=row, column=1, value=t("overdue_now", lang))
    sheet.cell(row=row, column=2, value=report["overdue"]["count"])

    row += 2
    _header(sheet, row, [t("figure", lang), t("value", lang), t("target", lang), t("verdict", lang)])
    headline_values = [report["first_response_rate"], report["resolution_days"]["mean"]] + [
        report["sla_compliance"][p] for p in ("high", "medium", "low")]
    for index, ((figure, _, target, met), value) in enumerate(zip(headline_rows(report, lang), headline_values)):
        row += 1
        sheet.cell(row=row, column=1, value=figure)
        cell = sheet.cell(row=row, column=2, value=value)
        cell.number_format = DAYS_FORMAT if index == 1 else PERCENT_FORMAT
        sheet.cell(row=row, column=3, value=target)
        verdict = sheet.cell(row=row, column=4, value=_verdict(met, lang))
        verdict.font = Font(bold=True, color="008000" if met else "C00000" if met is False else "808080")

    row += 2
    _header(sheet, row, [t("figure", lang), t("value", lang)])
    stats = report["resolution_days"]
    sat = report["satisfaction"]
    rows = [
        (f"{t('resolution', lang)}: {t('mean', lang)}", stats["mean"], DAYS_FORMAT),
        (f"{t('resolution', lang)}: {t('median', lang)}", stats["median"], DAYS_FORMAT),
        (f"{t('resolution', lang)}: {t('p90', lang)}", stats["p90"], DAYS_FORMAT),
        (t("on_time", lang), report["on_time_rate"], PERCENT_FORMAT),
        (t("first_pass", lang), report["first_pass_rate"], PERCENT_FORMAT),
        (t("recurrence", lang), report["recurrence_rate"], PERCENT_FORMAT),
        (t("satisfaction_rate", lang), sat["rate"], PERCENT_FORMAT),
        (t("satisfied", lang), sat["satisfied"], "0"),
        (t("neutral", lang), sat["neutral"], "0"),
        (t("dissatisfied", lang), sat["dissatisfied"], "0"),
    ]
    for label, value, number_format in rows:
        row += 1
        sheet.cell(row=row, column=1, value=label)
        cell = sheet.cell(row=row, column=2, value=value)
        cell.number_format = number_format
    _widths(sheet, (44, 24, 16, 12))


_CHART_ANCHORS = ("A20", "H20", "A37", "H37", "A54")


def _distribution_sheet(sheet: Any, report: dict[str, Any], lang: str) -> None:
    """Five small tables side by side (type, source, priority, top 15 customers and owners of the
    period's new requests), a bar chart for each but priority, which gets a pie, and a pie of
    the types."""
    from openpyxl.chart import BarChart, PieChart, Reference

    for index, name in enumerate(DISTRIBUTIONS):
        column = 1 + 3 * index
        items = list(report[name].items())[:15]
        sheet.cell(row=1, column=column, value=t(name, lang))
        sheet.cell(row=1, column=column + 1, value=t("count", lang))
        _header_cells(sheet, 1, column, 2)
        for row, (key, count) in enumerate(items, start=2):
            sheet.cell(row=row, column=column, value=_text(key_label(name, key, lang)))
            sheet.cell(row=row, column=column + 1, value=count)
        last = max(2, len(items) + 1)
        chart: Any = PieChart() if name == "by_priority" else BarChart()
        if isinstance(chart, BarChart):
            chart.type = "bar" if name in ("by_customer", "by_owner") else "col"
            chart.legend = None
        chart.title = t(name, lang)
        chart.add_data(Reference(sheet, min_col=column + 1, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=last))
        chart.height, chart.width = 7.5, 12
        sheet.add_chart(chart, _CHART_ANCHORS[index])
    types = max(2, min(len(report["by_type"]), 15) + 1)
    pie = PieChart()
    pie.title = t("by_type", lang)
    pie.add_data(Reference(sheet, min_col=2, min_row=1, max_row=types), titles_from_data=True)
    pie.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=types))
    pie.height, pie.width = 7.5, 12
    sheet.add_chart(pie, "H54")
    _widths(sheet, (22, 8, 3, 22, 8, 3, 14, 8, 3, 28, 8, 3, 20, 8))


def _header_cells(sheet: Any, row: int, first_column: int, count: int) -> None:
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="DDEBF7")
    for column in range(first_column, first_column + count):
        cell = sheet.cell(row=row, column=column)
        cell.font = Font(bold=True)
        cell.fill = fill


def _trend_sheet(sheet: Any, report: dict[str, Any], lang: str) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    _header(sheet, 1, [t("month", lang), t("new", lang), t("completed", lang), t("new_growth", lang),
                       t("completed_growth", lang)])
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
    line.title = f"{t('trend', lang)}: {t('new', lang)} / {t('completed', lang)}"
    line.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    line.set_categories(categories)
    line.y_axis.title = t("count", lang)
    line.height, line.width = 8, 18
    sheet.add_chart(line, "G2")
    bars = BarChart()
    bars.type = "col"
    bars.title = t("trend", lang)
    bars.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(categories)
    bars.height, bars.width = 8, 18
    sheet.add_chart(bars, "G20")
    _widths(sheet, (10, 8, 10, 18, 22))


def _sla_sheet(sheet: Any, report: dict[str, Any], lang: str) -> None:
    from openpyxl.chart import BarChart, Reference

    _header(sheet, 1, [t("priority", lang), t("count", lang), t("mean", lang), t("median", lang), t("p90", lang),
                       t("target_days", lang), t("within_target", lang), t("sla_compliance", lang)])
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
    chart.title = f"{t('resolution', lang)}: {t('mean', lang)} / {t('target', lang)}"
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=4), titles_from_data=True)
    chart.add_data(Reference(sheet, min_col=6, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(categories)
    chart.height, chart.width = 8, 14
    sheet.add_chart(chart, "A7")
    compliance = BarChart()
    compliance.type = "col"
    compliance.title = t("sla_compliance", lang)
    compliance.add_data(Reference(sheet, min_col=8, min_row=1, max_row=4), titles_from_data=True)
    compliance.set_categories(categories)
    compliance.y_axis.scaling.min = 0
    compliance.y_axis.scaling.max = 1
    compliance.y_axis.numFmt = "0%"
    compliance.legend = None
    compliance.height, compliance.width = 8, 14
    sheet.add_chart(compliance, "I7")
    _widths(sheet, (12, 8, 8, 10, 14, 14, 12, 16))


def _owner_sheet(sheet: Any, report: dict[str, Any], lang: str) -> None:
    _header(sheet, 1, [t("owner", lang), t("department", lang), t("open", lang), t("completed", lang),
                       t("median_resolution", lang), t("sla_compliance", lang), t("overdue", lang)])
    for row, owner in enumerate(report["owners"], start=2):
        name = t("unassigned", lang) if owner["owner"] == "unassigned" else owner["owner"]
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


def _funnel_sheet(sheet: Any, report: dict[str, Any], lang: str) -> None:
    from openpyxl.chart import BarChart, Reference

    _header(sheet, 1, [t("stage", lang), t("count", lang), t("share", lang)])
    for row, stage in enumerate(report["funnel"], start=2):
        sheet.cell(row=row, column=1, value=_stage_label(stage["stage"], lang))
        sheet.cell(row=row, column=2, value=stage["count"])
        sheet.cell(row=row, column=3, value=stage["rate"]).number_format = PERCENT_FORMAT
    last = max(2, len(report["funnel"]) + 1)
    chart = BarChart()
    chart.type = "bar"  # horizontal bars, widest stage on top: a funnel
    chart.title = t("funnel", lang)
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.legend = None
    chart.height, chart.width = 8, 14
    sheet.add_chart(chart, "E2")
    _widths(sheet, (16, 8, 18))


def _overdue_sheet(sheet: Any, report: dict[str, Any], tz: ZoneInfo, lang: str) -> None:
    _header(sheet, 1, [t("id", lang), t("reason", lang), t("deadline", lang), t("late_wd", lang), t("owner", lang),
                       t("priority", lang), t("status", lang), t("customer", lang), t("description", lang)])
    for row, item in enumerate(report["overdue"]["requests"], start=2):
        deadline = datetime.fromisoformat(item["deadline"]).astimezone(tz).replace(tzinfo=None) if item["deadline"] else None
        owner = "/".join(x for x in (item["department"], item["owner"]) if x)
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
