"""The report's figures as text, the same on screen and in the meeting workbook: percentages,
working days, distribution keys, the headline rows against their targets.

The figures themselves are the JSON-ready dict of `services.report` (docs/metrics.md defines
each); distribution keys stay English there and are translated here.
"""

from __future__ import annotations

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
