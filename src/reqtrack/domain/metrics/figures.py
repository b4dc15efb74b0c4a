"""The figures: every number of the report as a JSON-ready dict (docs/metrics.md), from a tally,
the trend's inputs and "overdue now", whichever way the tally was made. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from ..record import Request
from ..sla import SlaPolicy
from ..vocab import OPEN_STATUSES
from .late import LateNow
from .period import (
    DAY_DIGITS,
    FUNNEL_STAGES,
    PRIORITIES,
    SATISFACTIONS,
    UNASSIGNED,
    UNSET,
    Period,
    day_stats,
    median,
    rate,
    round_days,
)
from .tally import OpenRequest, Tally
from .trend import MonthlyInputs, monthly_trend, trend_months
from .verdicts import Completion


def _owner_key(late: LateNow) -> str:
    return late.owner or UNASSIGNED


def _distribution(values: Counter, none: str = UNSET) -> dict[str, int]:
    """How many have each value (counted in `values`), an empty one as `none`; largest first,
    ties by key."""
    counts: Counter = Counter()
    for value, count in values.items():
        if count:
            counts[value if value else none] += count
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def figures(tally: Tally, period: Period, policy: SlaPolicy, tz: ZoneInfo, monthly: MonthlyInputs,
            overdue: Iterable[LateNow]) -> dict[str, Any]:
    """Every figure of the report from a tally, the trend's inputs and "overdue now" (each
    request listed: metrics.late_now, metrics.breached)."""
    overdue_rows, owner_overdue = _overdue_now(overdue, tz)

    completions, backlog, new, events = tally.completions, tally.backlog, tally.new, tally.events
    # One pass over the completions (a year's report has tens of thousands): the days of each
    # priority, how many met their target, how many had a planned completion and met it.
    all_days: list[float] = []
    days_of: dict[str, list[float]] = {priority: [] for priority in PRIORITIES}
    within_of = dict.fromkeys(PRIORITIES, 0)
    with_due = on_time = 0
    for c in completions:
        days = c.days
        if days is not None:
            all_days.append(days)
            mine = days_of.get(c.priority)
            if mine is not None:
                mine.append(days)
                if c.within_target:
                    within_of[c.priority] += 1
        if c.on_time is not None:
            with_due += 1
            if c.on_time:
                on_time += 1
    by_priority = {}
    compliance = {}
    for priority in PRIORITIES:
        stats = day_stats(days_of[priority])
        stats.update(target_days=policy.resolution_target(priority), within_target=within_of[priority])
        by_priority[priority] = stats
        compliance[priority] = rate(within_of[priority], len(days_of[priority]))
    satisfaction = events.satisfaction
    rated = sum(satisfaction[key] for key in SATISFACTIONS)
    received, in_time, late, recurrences = new.received, new.in_time, new.late, new.recurrences
    funnel = {stage: new.funnel[stage] for stage in FUNNEL_STAGES}
    funnel["received"] = received

    return {
        "new": received,
        "completed": len(completions),
        "closed": events.closed,
        "cancelled": events.cancelled,
        "reopened": events.reopened,
        "backlog": len(backlog),
        "backlog_by_status": {status: sum(1 for r in backlog if r.status == status) for status in OPEN_STATUSES},
        "first_response_rate": rate(in_time, in_time + late),
        "first_response": {"in_time": in_time, "late": late, "excluded_not_yet_due": received - in_time - late},
        "resolution_days": day_stats(all_days),
        "resolution_days_by_priority": by_priority,
        "sla_compliance": compliance,
        "on_time_rate": rate(on_time, with_due),
        "on_time": {"on_time": on_time, "late": with_due - on_time, "without_due": len(completions) - with_due},
        "first_pass_rate": rate(events.first_passed, events.first_verifications),
        "first_pass": {"passed": events.first_passed, "first_verifications": events.first_verifications},
        "recurrences": recurrences,
        "recurrence_rate": rate(events.reopened + recurrences, len(completions)),
        "satisfaction": {**{key: satisfaction[key] for key in SATISFACTIONS},
                         "rate": rate(satisfaction["satisfied"], rated)},
        "by_type": _distribution(new.by["type"]),
        "by_source": _distribution(new.by["source"]),
        "by_priority": _distribution(new.by["priority"]),
        "by_customer": _distribution(new.by["customer"]),
        "by_owner": _distribution(new.by["owner"], none=UNASSIGNED),
        "owners": _owners(backlog, completions, owner_overdue),
        "trend": monthly_trend(trend_months(period, tz), monthly, period),
        "funnel": [{"stage": stage, "count": funnel[stage], "rate": rate(funnel[stage], received)}
                   for stage in FUNNEL_STAGES],
        "overdue": {"count": len(overdue_rows), "by_reason": dict(Counter(row["reason"] for row in overdue_rows)),
                    "requests": overdue_rows},
        "targets": {
            "first_response_rate": float(policy.first_response_target),
            "response_hours": float(policy.response_hours),
            "resolution_mean_days": float(policy.mean_resolution_target_days),
            "resolution_days": {p: policy.resolution_target(p) for p in PRIORITIES},
        },
    }


def _owners(backlog: list[OpenRequest], completions: list[Completion], overdue: Counter[str]) -> list[dict[str, Any]]:
    """Per owner: open at the cut, completed in the period, median resolution, SLA compliance,
    overdue now, and the department most often seen on those requests (ties: the first in
    alphabetical order). Requests without an owner are grouped as `unassigned`."""
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"departments": Counter(), "open": 0, "completed": 0, "days": [], "within": 0})
    for request in backlog:
        row = rows[request.owner or UNASSIGNED]
        row["open"] += 1
        if request.department:
            row["departments"][request.department] += 1
    for c in completions:
        row = rows[c.owner or UNASSIGNED]
        row["completed"] += 1
        if c.department:
            row["departments"][c.department] += 1
        if c.days is not None:
            row["days"].append(c.days)
            row["within"] += bool(c.within_target)
    for name in overdue:
        rows[name]  # noqa: B018 - an owner with only overdue work still gets a row
    result = []
    for name, row in rows.items():
        departments = sorted(row["departments"].items(), key=lambda item: (-item[1], item[0]))
        result.append({
            "owner": name,
            "department": departments[0][0] if departments else None,
            "open": row["open"],
            "completed": row["completed"],
            "median_resolution_days": round_days(median(row["days"])) if row["days"] else None,
            "sla_compliance": rate(row["within"], len(row["days"])),
            "overdue": overdue.get(name, 0),
        })
    result.sort(key=lambda r: (r["owner"] == UNASSIGNED, -(r["open"] + r["completed"]), r["owner"]))
    return result


def _overdue_now(overdue: Iterable[LateNow], tz: ZoneInfo) -> tuple[list[dict[str, Any]], Counter[str]]:
    """"Overdue now"'s rows, most late first, and how many are each owner's."""
    late = list(overdue)
    rows = [_overdue_row(row, tz) for row in late]
    rows.sort(key=lambda row: (-row["late_hours"], row["id"]))
    return rows, Counter(_owner_key(row) for row in late)


def _overdue_row(late: LateNow, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": late.id,
        "reason": late.reasons[0],
        "reasons": list(late.reasons),
        "deadline": late.deadline.astimezone(tz).isoformat() if late.deadline else None,
        "late_hours": round(late.late.total_seconds() / 3600, DAY_DIGITS),
        "late_working_days": round(late.late_working_days, DAY_DIGITS),
        "owner": late.owner,
        "department": late.department,
        "priority": late.priority,
        "status": late.status,
        "customer": late.customer,
        "description": late.description,
    }


def touched_in_period(request: Request, period: Period) -> bool:
    """Submitted in the period or with any history entry in it: the period's requests."""
    return period.contains(request.submitted_at) or any(period.contains(e.at) for e in request.history)
