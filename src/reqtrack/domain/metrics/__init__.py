"""The report's figures for a period, computed from requests and their history (docs/metrics.md).

Pure: the caller passes the requests (with `.history`), the period, the moment the report is
made (`as_of`), the working-day calendar and the SLA policy. Every definition is written out in
docs/metrics.md; the names used there are the names used here.

    period.py    the period and its cut; rates, percentiles, day statistics
    history.py   reading a history: standing completions, the request as it stood at the cut
    verdicts.py  each completion and first response judged (the clocks of domain.sla)
    tally.py     the per-request records of a period, mergeable; the period's event counts
    replay.py    way one: full requests replayed (`tally_requests`, `compute_metrics`)
    facts.py     way two: the facts stored per request (`request_facts`, `tally_quiet`,
                 `tally_at_cut` for a cut before a request's later changes)
    timeline.py  a request as it stood from one recorded moment to the next (stored with the facts)
    trend.py     new and completed per month
    late.py      "overdue now" as the report lists it (the first reason in full, the others' names)
    figures.py   every figure from a tally, the trend's inputs and "overdue now"

Every request is judged as it stood at the cut (`Period.has_happened`). Two figures look at
as_of instead: "overdue now", and the first-response verdicts (an answer given after the
period's end counts).

Two ways to the same figures: `compute_metrics` replays full requests (`tally_requests`); the
report's usual path judges the requests whose record ends before the cut from the facts the
services store for each (`request_facts`, read back for `tally_quiet`), replays only the others,
and counts the period's entries from stored `event_facts`. Both tallies feed `figures`.

This package's names are those of its modules, re-exported: `from reqtrack.domain.metrics import X`.
"""

from .facts import (
    AtCut,
    QuietNew,
    RequestFacts,
    count_new,
    request_facts,
    stood_at,
    tally_at_cut,
    tally_quiet,
    trend_times,
)
from .figures import figures, touched_in_period
from .history import completion_times, field_at, standing_completions, state_at, verification_failed
from .late import SHOWN, LateNow, breached, late_now
from .period import (
    DAY_DIGITS,
    FUNNEL_STAGES,
    PRIORITIES,
    RATE_DIGITS,
    SATISFACTIONS,
    TREND_MONTHS,
    UNASSIGNED,
    UNSET,
    Period,
    day_stats,
    percentile,
    rate,
)
from .replay import compute_metrics, overdue_now, tally_requests
from .tally import (
    DISTRIBUTED,
    EventCounts,
    EventFact,
    NewCounts,
    NewRequest,
    OpenRequest,
    Tally,
    count_events,
    event_facts,
    funnel_flags,
)
from .timeline import CompletionSpan, Segment, timeline
from .trend import MonthlyInputs, Step, month_starts, monthly_trend, trend_cuts, trend_inputs, trend_months
from .verdicts import (
    Completion,
    CompletionFact,
    Pause,
    completion,
    completion_fact,
    judge_completion,
    response_verdict,
)

__all__ = [
    "AtCut", "DAY_DIGITS", "LateNow", "SHOWN", "breached", "late_now", "FUNNEL_STAGES", "PRIORITIES", "RATE_DIGITS", "SATISFACTIONS", "TREND_MONTHS", "UNASSIGNED", "UNSET",
    "Completion", "CompletionFact", "CompletionSpan", "EventCounts", "EventFact", "MonthlyInputs", "NewRequest", "OpenRequest", "Pause",
    "Period", "QuietNew", "RequestFacts", "Segment", "Step", "Tally", "completion", "completion_fact",
    "completion_times", "compute_metrics", "count_new", "DISTRIBUTED", "NewCounts", "count_events", "day_stats", "event_facts", "field_at", "figures",
    "funnel_flags", "judge_completion", "month_starts", "monthly_trend", "overdue_now", "percentile", "rate",
    "request_facts", "response_verdict", "stood_at", "tally_at_cut", "trend_times", "standing_completions", "state_at", "tally_quiet", "tally_requests",
    "timeline", "touched_in_period", "trend_cuts", "trend_inputs", "trend_months", "verification_failed",
]
