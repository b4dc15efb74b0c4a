"""The report's figures as text, the same on screen and in the meeting workbook: percentages,
working days, distribution keys, the headline rows against their targets.

The figures themselves are the JSON-ready dict of `services.report` (docs/metrics.md defines
each); distribution keys stay English there and are translated here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..domain.vocab import PRIORITY, SOURCE, TYPE, Vocabulary
from .labels import LABELS, label

if TYPE_CHECKING:
    from ..domain.vocabularies import Vocabularies

DISTRIBUTIONS = ("by_type", "by_source", "by_priority", "by_customer", "by_owner")
_VOCAB: dict[str, Vocabulary] = {"by_type": TYPE, "by_source": SOURCE, "by_priority": PRIORITY}


def percent(value: float | None) -> str:
    """`75.0 %`; `–` for no data."""
    return "–" if value is None else f"{value * 100:.1f} %"


def days(value: float | None, lang: str = "en") -> str:
    """`2.50 wd` (working days, in `lang`); `–` for no data."""
    return "–" if value is None else f"{value:.2f} {label('wd', lang)}"


def key_label(distribution: str, key: str, lang: str, vocabularies: Vocabularies | None = None) -> str:
    """A distribution key in `lang` (vocabulary label — source and type in the database's
    `vocabularies` when given —, `(not set)`, or the customer's name)."""
    if key == "unset":
        return label("unset", lang)
    if distribution == "by_owner" and key == "unassigned":
        return label("unassigned", lang)
    vocab = _VOCAB.get(distribution)
    if vocabularies is not None and distribution in ("by_type", "by_source"):
        vocab = vocabularies.get(distribution[3:])
    if vocab is not None and key in vocab.labels:
        return vocab.label(key, lang)
    return key


def stage_label(stage: str, lang: str) -> str:
    """A funnel stage in `lang` (an unknown stage as it is)."""
    return label(stage, lang) if stage in LABELS else stage


def verdict(met: bool | None, lang: str) -> str:
    """Whether a figure met its target: met, missed, or no data."""
    return label("no_data", lang) if met is None else label("met", lang) if met else label("missed", lang)


def headline_rows(report: dict[str, Any], lang: str) -> list[tuple[str, str, str, bool | None]]:
    """(figure, value, target, met) for the headline (met None: no data): the first-response
    rate against its target; the mean resolution against its target; and for each priority its
    SLA compliance (completions resolved within the priority's working days), met only when
    every one was (an SLA is a promise per request, so one breach misses it)."""
    targets = report["targets"]
    rows: list[tuple[str, str, str, bool | None]] = []
    rate = report["first_response_rate"]
    rows.append((label("first_response", lang, hours=f"{targets['response_hours']:g}"), percent(rate),
                 f"≥ {percent(targets['first_response_rate'])}",
                 None if rate is None else rate >= targets["first_response_rate"] - 1e-9))
    mean = report["resolution_days"]["mean"]
    rows.append((label("mean_resolution", lang), days(mean, lang),
                 f"≤ {targets['resolution_mean_days']:g} {label('wd', lang)}",
                 None if mean is None else mean <= targets["resolution_mean_days"] + 1e-9))
    for priority in ("high", "medium", "low"):
        stats = report["resolution_days_by_priority"][priority]
        target = targets["resolution_days"][priority]
        share = report["sla_compliance"][priority]
        value = f"{percent(share)} ({stats['within_target']}/{stats['count']})" if share is not None else percent(None)
        rows.append((label("priority_sla", lang, priority=PRIORITY.label(priority, lang), days=f"{target:g}"), value,
                     percent(1.0), None if share is None else share >= 1.0))
    return rows


def _bounds(report: dict[str, Any]) -> tuple[datetime, datetime, datetime]:
    """The period's start, end and as_of, local (the report gives them in the database's zone)."""
    period = report["period"]
    return tuple(datetime.fromisoformat(period[k]) for k in ("from", "to", "as_of"))  # type: ignore[return-value]


def period_running(report: dict[str, Any]) -> bool:
    """Whether the period was not over yet at as_of: its figures are so far, not final."""
    _, end, as_of = _bounds(report)
    return as_of < end


def period_note(report: dict[str, Any], lang: str) -> str | None:
    """`to date (day 1 of 31)` for a period not over at as_of (its figures are so far); None for
    one that is over."""
    start, end, as_of = _bounds(report)
    if as_of >= end:
        return None
    if as_of < start:
        return label("to_date", lang)
    total = (end.date() - start.date()).days + (1 if end.time() != datetime.min.time() else 0)
    day = min(total, (as_of.date() - start.date()).days + 1)
    return label("to_date_day", lang, n=day, total=total)


def trend_note(report: dict[str, Any], month: str, lang: str) -> str | None:
    """For the trend's month `month` (`YYYY-MM`) counted only in part: `to date` when as_of cuts
    it (the month is still running), `until …` when the period's end does; None for a whole
    month. Its month-on-month growth compares a part with a whole month."""
    _, end, as_of = _bounds(report)
    cut = min(end, as_of).replace(tzinfo=None)
    first = datetime.strptime(month, "%Y-%m")
    after = (first + timedelta(days=32)).replace(day=1)
    if not first <= cut < after:
        return None
    if as_of < end:
        return label("to_date", lang)
    return label("until", lang, time=end.strftime("%Y-%m-%d %H:%M"))


def growth_basis(month: str, lang: str) -> str:
    """What the growth of a month counted in part (`partial` in its trend row) compares with:
    the same time from the start of the month before `month` (`YYYY-MM`)."""
    year, number = (int(part) for part in month.split("-"))
    before = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    return label("growth_same_time", lang, month=before)
