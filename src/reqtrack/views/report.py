"""The report on screen: the one-screen Rich summary of `services.report`'s figures, labelled in
the chosen language (`views.figures` words the figures; the workbook uses the same)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cells import owner_text
from .figures import (
    DISTRIBUTIONS,
    days,
    growth_basis,
    headline_rows,
    key_label,
    percent,
    period_note,
    stage_label,
    trend_note,
    verdict,
)
from .labels import label, reason_label
from .output import console_for_stdout, plain
from .text import visible

if TYPE_CHECKING:
    from rich.table import Table

    from ..domain.vocabularies import Vocabularies

_BLOCKS = " ▏▎▍▌▋▊▉█"
PRIORITY_STYLES = {"high": "red", "medium": "yellow", "low": "green", "unset": "dim"}


def bar(value: float, largest: float, width: int = 20) -> str:
    """A horizontal bar of `value` against `largest`, in eighths of a character."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_BLOCKS[rest] if rest else "")


def _distribution_table(report: dict[str, Any], name: str, lang: str, limit: int = 6,
                        vocabularies: Vocabularies | None = None) -> Table:
    from rich.table import Table

    table = Table(title=label(name, lang), title_justify="left", show_header=False, show_edge=False, box=None, padding=(0, 1))
    table.add_column(no_wrap=True, max_width=14, overflow="ellipsis")
    table.add_column(justify="right")
    table.add_column(style="cyan", no_wrap=True)
    items = list(report[name].items())
    largest = max((count for _, count in items), default=0)
    for key, count in items[:limit]:
        drawn = bar(count, largest, 6)
        if name == "by_priority" and key in PRIORITY_STYLES:  # the workbook's colours: high red, low green
            drawn = f"[{PRIORITY_STYLES[key]}]{drawn}[/]"
        table.add_row(plain(key_label(name, key, lang, vocabularies)), str(count), drawn)  # a name, as typed
    if len(items) > limit:
        table.add_row(label("more", lang, n=len(items) - limit), "", "")
    return table


def show_report(report: dict[str, Any], lang: str, vocabularies: Vocabularies | None = None) -> None:
    """The one-screen summary: volumes, headline figures against targets, rates, distributions,
    owners, the trend, the funnel and the most overdue requests.

    Markup is used for reqtrack's own labels only; user text (customers, owners, departments,
    IDs, descriptions, vocabulary labels) goes in as `views.output.plain` Text: shown as typed, its
    control characters visible."""
    from rich.columns import Columns
    from rich.markup import escape

    console = console_for_stdout(120, highlight=False, emoji=False)
    period = report["period"]
    start, end, as_of = (period[k].replace("T", " ")[:16] for k in ("from", "to", "as_of"))
    span = "" if period["kind"] == "custom" else f"  {start} → {end}"
    zone = label("sep.paren", lang, text="", inner=f"{report['timezone']}{label('sep.semicolon', lang)}{label('as_of', lang)} {as_of}")
    console.print(f"[bold]{escape(visible(label('title', lang)))} {escape(visible(period['label']))}[/]{escape(span)}  "
                  f"{escape(visible(zone.strip()))}")
    volumes = [(label(key, lang), report[key]) for key in ("new", "completed", "closed", "cancelled", "reopened", "backlog")]
    volumes.append((label("overdue_now", lang), report["overdue"]["count"]))
    note = period_note(report, lang)  # a period not over yet: its figures are so far, not final
    so_far = f"   [bold yellow]{escape(note)}[/]" if note else ""
    console.print("   ".join(f"{name} [bold]{count}[/]" for name, count in volumes) + so_far)
    console.print(_headline_table(report, lang))
    console.print(_rates_text(report, lang))
    console.print(Columns([_distribution_table(report, name, lang, vocabularies=vocabularies)
                           for name in DISTRIBUTIONS], padding=(0, 2)))
    console.print(Columns([_owners_table(report, lang), _funnel_table(report, lang)], padding=(0, 4)))
    console.print(_trend_table(report, lang))
    if report["overdue"]["count"]:
        console.print(_overdue_table(report, lang))
    else:
        console.print(label("nothing_overdue", lang))


def _headline_table(report: dict[str, Any], lang: str) -> Table:
    """The headline figures against their targets, with each priority's mean resolution."""
    from rich.table import Table

    headline = Table(show_edge=False, header_style="bold", pad_edge=False)
    for name, justify in ((label("figure", lang), "left"), (label("value", lang), "right"), (label("target", lang), "right"),
                          (label("verdict", lang), "left"), (label("mean_wd", lang), "right")):
        headline.add_column(name, justify=justify)  # type: ignore[arg-type]
    by_priority = report["resolution_days_by_priority"]
    for index, (figure, value, target, met) in enumerate(headline_rows(report, lang)):
        extra = ""
        if index >= 2:  # next to each priority's SLA compliance, its mean resolution
            mean = by_priority[("high", "medium", "low")[index - 2]]["mean"]
            extra = "–" if mean is None else f"{mean:.2f}"
        style = "green" if met else "red" if met is False else "dim"
        headline.add_row(figure, value, target, f"[{style}]{verdict(met, lang)}[/]", extra)
    return headline


def _rates_text(report: dict[str, Any], lang: str) -> str:
    """Resolution times, first responses, the rates and satisfaction: four lines (markup)."""
    stats = report["resolution_days"]
    sat = report["satisfaction"]
    fr = report["first_response"]
    response_label = label("first_response", lang, hours=f"{report['targets']['response_hours']:g}")
    colon, comma = label("sep.colon", lang), label("sep.comma", lang)
    counted = label("sep.paren", lang, text="", inner=f"{stats['count']} {label('completions', lang)}")
    satisfaction = comma.join(f"{label(key, lang)} {sat[key]}" for key in ("satisfied", "neutral", "dissatisfied"))
    return (
        f"{label('resolution', lang)}{colon}{label('mean', lang)} {days(stats['mean'], lang)} · {label('median', lang)} "
        f"{days(stats['median'], lang)} · {label('p90', lang)} {days(stats['p90'], lang)}{counted}\n"
        f"{response_label}{colon}{fr['in_time']} {label('in_time', lang)}{comma}"
        f"{fr['late']} {label('late', lang)}{comma}{fr['excluded_not_yet_due']} {label('not_yet_due', lang)}\n"
        f"{label('on_time', lang)} {percent(report['on_time_rate'])} · {label('first_pass', lang)} {percent(report['first_pass_rate'])} · "
        f"{label('recurrence', lang)} {percent(report['recurrence_rate'])}\n"
        + label("sep.paren", lang, text=f"{label('satisfaction_rate', lang)} {percent(sat['rate'])}", inner=satisfaction)
    )


def _owners_table(report: dict[str, Any], lang: str) -> Table:
    """The first six owners: open, completed, median resolution, SLA compliance, overdue."""
    from rich.table import Table

    owners = Table(title=label("owners", lang), title_justify="left", show_edge=False, header_style="bold", pad_edge=False)
    for key in ("owner", "open", "completed", "median_wd", "sla_short", "overdue"):
        owners.add_column(label(key, lang), justify="left" if key == "owner" else "right", no_wrap=True,
                          max_width=22 if key == "owner" else None, overflow="ellipsis")
    for row in report["owners"][:6]:
        name = label("unassigned", lang) if row["owner"] == "unassigned" else row["owner"]
        owners.add_row(plain(owner_text(row["department"], name)), str(row["open"]), str(row["completed"]),
                       "–" if row["median_resolution_days"] is None else f"{row['median_resolution_days']:.2f}",
                       percent(row["sla_compliance"]), str(row["overdue"]))
    if len(report["owners"]) > 6:
        owners.add_row(label("more", lang, n=len(report["owners"]) - 6), "", "", "", "", "")
    return owners


def _funnel_table(report: dict[str, Any], lang: str) -> Table:
    """The funnel's stages: count, share of received, a bar."""
    from rich.table import Table

    funnel = Table(title=label("funnel", lang), title_justify="left", show_edge=False, show_header=False, box=None)
    funnel.add_column(no_wrap=True)
    funnel.add_column(justify="right")
    funnel.add_column(justify="right")
    funnel.add_column(style="magenta", no_wrap=True)
    received = report["funnel"][0]["count"] if report["funnel"] else 0
    for stage in report["funnel"]:
        funnel.add_row(stage_label(stage["stage"], lang), str(stage["count"]), percent(stage["rate"]),
                       bar(stage["count"], received, 12))
    return funnel


def _overdue_table(report: dict[str, Any], lang: str) -> Table:
    """The five most overdue requests, and how many more there are."""
    from rich.table import Table

    overdue = report["overdue"]
    late = Table(title=label("sep.paren", lang, text=label("overdue_now", lang), inner=overdue["count"]), title_justify="left", show_edge=False,
                 header_style="bold", pad_edge=False)
    for key in ("id", "reason", "late_wd", "owner", "customer", "description"):
        late.add_column(label(key, lang), no_wrap=True, max_width=36 if key == "description" else 20, overflow="ellipsis")
    for row in overdue["requests"][:5]:
        late.add_row(plain(row["id"]), reason_label(row["reason"], lang), f"{row['late_working_days']:.2f}",
                     plain(owner_text(row["department"], row["owner"])), plain(row["customer"]),
                     plain((row["description"] or "")[:200]))  # one line: newlines shown as ␊, cut with …
    if overdue["count"] > 5:
        late.add_row(label("more", lang, n=overdue["count"] - 5), "", "", "", "", "")
    return late


_SPARKS = " ▁▂▃▄▅▆▇█"


def spark(value: int, largest: int) -> str:
    """One character whose height shows `value` against `largest` (blank for 0)."""
    if largest <= 0 or value <= 0:
        return " "
    return _SPARKS[max(1, round(value / largest * 8))]


def _trend_table(report: dict[str, Any], lang: str) -> Table:
    """The twelve months side by side: counts with a small column chart above each row."""
    from rich.table import Table

    months = report["trend"]
    table = Table(title=label("trend", lang), title_justify="left", show_edge=False, header_style="bold",
                  pad_edge=False, box=None)
    table.add_column("", no_wrap=True)
    for month in months:
        table.add_column(month["month"][2:], justify="center", no_wrap=True)
    largest = max([m["new"] for m in months] + [m["completed"] for m in months] + [0])
    table.add_row("", *(f"[cyan]{spark(m['new'], largest)}[/][green]{spark(m['completed'], largest)}[/]" for m in months))
    table.add_row(f"[cyan]{label('new', lang)}[/]", *(str(m["new"]) for m in months))
    table.add_row(f"[green]{label('completed', lang)}[/]", *(str(m["completed"]) for m in months))
    last = months[-1] if months else None
    if last is not None:
        note = trend_note(report, last["month"], lang)  # counted in part: its growth is not a whole month's
        month = label("month_note", lang, month=last["month"], note=note) if note else last["month"]
        basis = f" ({growth_basis(last['month'], lang)})" if last.get("partial") else ""
        table.caption = (f"{month}{label('sep.colon', lang)}{label('new_growth', lang)} {percent(last['new_growth'])} · "
                         f"{label('completed_growth', lang)} {percent(last['completed_growth'])}{basis}")
        table.caption_justify = "left"
    return table
