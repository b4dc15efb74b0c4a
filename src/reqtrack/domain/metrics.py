"""The report's figures for a period, computed from requests and their history (SPEC §5).

Pure: the caller passes the requests (with `.history`), the period, the moment the report is
made (`as_of`), the working-day calendar and the SLA policy. Every definition is written out in
docs/metrics.md; the names used there are the names used here.

The period is half-open, [start, end). What happened after `as_of` has not happened yet, so an
event counts when `start <= at < end` and `at <= as_of` ("in the period"), and every request is
judged as it stood at the *cut*: after its last event before `end` and not after `as_of`
(`Period.has_happened`). A request's state at the cut is rebuilt from its history by undoing,
newest first, the changes of the entries after the cut, so a report on last week gives the
same volumes today as it did on Monday. Two figures look at as_of instead of the cut: "overdue
now", and the first-response verdicts (an answer given after the period's end counts).

The per-request verdicts are those of domain.sla (the clocks `overdue` reads); `completion` and
`response_verdict` compute them directly in the common case, and the tests check that the two
agree.
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from statistics import mean, median
from typing import Any, Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

from . import sla
from .lifecycle import RESPONSE_ACTIONS
from .record import HistoryEntry, Request

OPEN = ("pending", "in-progress", "verifying")
PRIORITIES = ("high", "medium", "low")
SATISFACTIONS = ("satisfied", "neutral", "dissatisfied")
UNSET = "unset"  # the distribution key of a field that has no value
UNASSIGNED = "unassigned"
FUNNEL_STAGES = ("received", "assessed", "assigned", "completed", "verified", "closed")

TREND_MONTHS = 12
RATE_DIGITS = 4
DAY_DIGITS = 2

_TIME_FIELDS = frozenset({"submitted_at", "due", "completed_at", "closed_at", "responded_at"})


@dataclass(frozen=True)
class Period:
    """[start, end) judged at `as_of` (aware datetimes)."""

    start: datetime
    end: datetime
    as_of: datetime

    def has_happened(self, at: datetime) -> bool:
        """Before the end of the period and not after as_of: visible to this report."""
        return at < self.end and at <= self.as_of

    def contains(self, at: datetime) -> bool:
        """In the period: start <= at < end, and not after as_of."""
        return self.start <= at and self.has_happened(at)


# -- small numeric helpers -----------------------------------------------------------------------
def rate(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator rounded to 4 decimals; None when there is nothing to divide."""
    return round(numerator / denominator, RATE_DIGITS) if denominator else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (Excel's PERCENTILE.INC): the value at
    position (n − 1)·fraction of the sorted values, counted from 0."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def day_stats(values: Sequence[float]) -> dict[str, float | int | None]:
    """{mean, median, p90, count} of working-day durations, days rounded to 2 decimals."""
    if not values:
        return {"mean": None, "median": None, "p90": None, "count": 0}
    return {
        "mean": round(mean(values), DAY_DIGITS),
        "median": round(median(values), DAY_DIGITS),
        "p90": round(percentile(values, 0.9), DAY_DIGITS),  # type: ignore[arg-type]
        "count": len(values),
    }


def _round_days(value: float | None) -> float | None:
    return None if value is None else round(value, DAY_DIGITS)


# -- reading the history -------------------------------------------------------------------------
def verification_failed(entry: HistoryEntry) -> bool:
    """A `verify` entry that sent the work back (fail)."""
    verdict = entry.changes.get("verification")
    if isinstance(verdict, (list, tuple)) and len(verdict) == 2:
        return verdict[1] == "fail"
    status = entry.changes.get("status")
    return isinstance(status, (list, tuple)) and len(status) == 2 and status[1] == "in-progress"


def standing_completions(steps: Sequence[tuple[str, bool]]) -> list[int]:
    """Positions of the completions that stand, given a request's history as (action, failed).

    A `complete` entry is the actual completion of its cycle unless the verification that
    follows it failed (a fail clears the completion and the work goes on). A completion still
    waiting for verification, or cancelled while verifying, stands.
    """
    result: list[int] = []
    waiting: int | None = None
    for index, (action, failed) in enumerate(steps):
        if action == "complete":
            waiting = index
        elif action == "verify" and waiting is not None:
            if not failed:
                result.append(waiting)
            waiting = None
    if waiting is not None:
        result.append(waiting)
    return result


def completion_times(request: Request) -> list[tuple[datetime, int | None]]:
    """(time, history position) of every completion of the request that stands (the rule of
    `standing_completions`, in one pass over the history).

    An imported request whose history has no `complete` entry but that has an actual
    completion time counts that time once (position None).
    """
    history = request.history
    found: list[tuple[datetime, int | None]] = []
    waiting: int | None = None
    any_complete = False
    for index, entry in enumerate(history):
        action = entry.action
        if action == "complete":
            waiting = index
            any_complete = True
        elif action == "verify" and waiting is not None:
            if not verification_failed(entry):
                found.append((history[waiting].at, waiting))
            waiting = None
    if waiting is not None:
        found.append((history[waiting].at, waiting))
    if not any_complete and request.completed_at is not None:
        return [(request.completed_at, None)]
    return found


def _from_change(name: str, value: Any) -> Any:
    if name in _TIME_FIELDS and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def state_at(request: Request, has_happened: Callable[[datetime], bool]) -> Request | None:
    """The request as it stood when only the entries for which `has_happened(at)` is true had
    happened; None when it had not been submitted yet.

    The newer entries' changes are undone newest first (each change keeps its old value).
    The request itself is returned when nothing has to be undone.
    """
    if not has_happened(request.submitted_at):
        return None
    history = request.history
    kept = len(history)
    while kept and not has_happened(history[kept - 1].at):
        kept -= 1
    if kept == len(history):
        return request
    view = copy.copy(request)
    view.history = history[:kept]
    for entry in reversed(history[kept:]):
        for name, change in entry.changes.items():
            if name in ("id", "history", "attachments") or not hasattr(view, name):
                continue
            if isinstance(change, (list, tuple)) and len(change) == 2:
                setattr(view, name, _from_change(name, change[0]))
    view.responded_at = next((e.at for e in view.history if e.action in RESPONSE_ACTIONS), None)
    return view


def _until(request: Request, position: int, completed_at: datetime) -> Request:
    """The request as it stood right after the completion at `position` of its history (what
    the SLA helpers read to measure that completion's resolution time)."""
    view = copy.copy(state_at(request, lambda at: at <= completed_at))
    view.history = request.history[:position + 1]
    view.completed_at = completed_at
    view.closed_at = None
    view.status = "verifying"
    return view


def _owner_key(request: Request) -> str:
    return request.owner or UNASSIGNED


# -- the per-request records the figures are made of ---------------------------------------------
@dataclass
class Completion:
    """One actual completion in the period, as the SLA clocks of `domain.sla` judge it.

    `days`: sla.resolution_working_days; `within_target`: sla.resolution_met_within (completed
    by the resolution deadline, which pauses push back: the same clock `overdue` reads);
    `on_time`: sla.due_met (None without a planned completion). All read the request as it stood
    right after this completion, so priority and planned completion are the ones of that cycle.
    """

    request: Request
    at: datetime
    days: float | None
    priority: str
    within_target: bool | None
    on_time: bool | None


Step = tuple[datetime, str, bool]  # (at, action, verification failed)


@dataclass
class MonthlyInputs:
    """What the trend needs for its whole twelve months (not only the period), in the form the
    storage layer can fetch in bulk without loading every request: submission times; per
    request, its `complete` and `verify` entries in order; and the completion times of requests
    whose history has no `complete` entry (imported ones)."""

    submissions: list[datetime] = field(default_factory=list)
    completion_steps: list[list[Step]] = field(default_factory=list)
    completed_without_entry: list[datetime] = field(default_factory=list)
    # Completions the storage layer already found standing at the cut (the same rule as
    # `standing_completions`, in SQL), instead of `completion_steps`.
    standing: list[datetime] = field(default_factory=list)

    def completions(self, has_happened: Callable[[datetime], bool]) -> list[datetime]:
        """The times of the completions that stood at the cut."""
        times = []
        for steps in self.completion_steps:
            seen = [step for step in steps if has_happened(step[0])]
            times.extend(seen[i][0] for i in standing_completions([(a, f) for _, a, f in seen]))
        times.extend(at for at in self.standing if has_happened(at))
        times.extend(at for at in self.completed_without_entry if has_happened(at))
        return times


def trend_inputs(requests: Iterable[Request]) -> MonthlyInputs:
    """The trend's inputs taken from full requests (what the storage query computes in bulk)."""
    inputs = MonthlyInputs()
    for request in requests:
        inputs.submissions.append(request.submitted_at)
        steps = [(e.at, e.action, verification_failed(e)) for e in request.history if e.action in ("complete", "verify")]
        if any(action == "complete" for _, action, _ in steps):
            inputs.completion_steps.append(steps)
        elif request.completed_at is not None:
            inputs.completed_without_entry.append(request.completed_at)
    return inputs


def month_starts(last_month: date, count: int, tz: ZoneInfo) -> list[datetime]:
    """Local midnights of the first day of `count` months ending with `last_month`, plus the
    start of the month after it (count + 1 boundaries)."""
    year, month = last_month.year, last_month.month
    starts = []
    for offset in range(count - 1, -2, -1):
        y, m = divmod((year * 12 + month - 1) - offset, 12)
        starts.append(datetime(y, m + 1, 1, tzinfo=tz))
    return starts


def trend_months(period: Period, tz: ZoneInfo, count: int = TREND_MONTHS) -> list[datetime]:
    """Boundaries of the trend's months: the `count` months that end with the month of the
    period's last moment (its end, or as_of if earlier), plus one month before them for the
    first month's growth."""
    last = min(period.end - timedelta(microseconds=1), period.as_of).astimezone(tz).date()
    return month_starts(last, count + 1, tz)


def monthly_trend(boundaries: list[datetime], inputs: MonthlyInputs, period: Period) -> list[dict[str, Any]]:
    """New and completed per month with month-on-month growth ((this − previous) ÷ previous).

    Only what had happened by the cut counts; the first boundary month gives the first shown
    month its growth and is not shown itself.
    """
    # Compared in UTC: the stored times are UTC, and comparing datetimes of different zones
    # costs a utcoffset() call each time.
    edges = [b.astimezone(timezone.utc) for b in boundaries]
    first, stop = edges[0], min(edges[-1], period.end, period.as_of + timedelta(microseconds=1))

    def per_month(times: Iterable[datetime]) -> list[int]:
        counts = [0] * (len(edges) - 1)
        for at in times:
            if first <= at < stop:
                counts[bisect_right(edges, at) - 1] += 1
        return counts

    new = per_month(inputs.submissions)
    done = per_month(inputs.completions(period.has_happened))
    rows = []
    for i in range(1, len(boundaries) - 1):
        rows.append({
            "month": boundaries[i].strftime("%Y-%m"),
            "new": new[i],
            "completed": done[i],
            "new_growth": rate(new[i] - new[i - 1], new[i - 1]),
            "completed_growth": rate(done[i] - done[i - 1], done[i - 1]),
        })
    return rows


# -- the per-request verdicts (domain.sla, with exact shortcuts for the common case) ---------------
def field_at(request: Request, name: str, moment: datetime) -> Any:
    """The value field `name` had at `moment`: the old value of its earliest change after
    `moment`, else its current value (what `state_at` rebuilds, for one field)."""
    value = getattr(request, name)
    for entry in reversed(request.history):
        if entry.at <= moment:
            break
        change = entry.changes.get(name)
        if isinstance(change, (list, tuple)) and len(change) == 2:
            value = _from_change(name, change[0])
    return value


def _never_paused(request: Request) -> bool:
    """No pause anywhere in the request's life: never deferred, never waiting on the customer."""
    if request.feasibility == "defer" or request.waiting:
        return False
    for entry in request.history:
        changes = entry.changes
        if "waiting" in changes:
            return False
        feasibility = changes.get("feasibility")
        if feasibility is not None and "defer" in feasibility:
            return False
    return True


def completion(request: Request, at: datetime, position: int | None, calendar: Any, policy: Any) -> Completion:
    """The completion at `at` (history position `position`) of `request` (as it stood at the
    cut), judged by the SLA clocks of the request as it stood right after that completion.

    The clocks are those of domain.sla (`completion_by_sla`). When the request was never paused
    and the completion has its `complete` entry, their result is computed directly, which is
    the same arithmetic without replaying the history three times: resolution = working days
    from the start (submission, or the latest reopen before the completion) to the completion;
    met = completed by `start + target` working days (the resolution clock's deadline); on time
    = completed by the planned completion of that moment. tests/test_metrics.py checks the two
    agree.
    """
    if position is None or not _never_paused(request):
        return completion_by_sla(request, at, position, calendar, policy)
    begin = request.submitted_at
    for entry in request.history[:position + 1]:
        if entry.action == "reopen" and entry.at > begin:
            begin = entry.at
    priority = field_at(request, "priority", at) or "medium"
    due = field_at(request, "due", at)
    if at < begin:  # cannot happen with lifecycle histories; the SLA helpers say "not completed"
        return Completion(request, at, None, priority, None, None if due is None else at <= due)
    days = calendar.working_days_between(begin, at)
    target = policy.resolution_target(priority)
    # The deadline is the moment the working time since `begin` reaches the target, and working
    # time never decreases: clearly below the target means met, clearly above means late. Only
    # near the boundary is the deadline itself computed, as the resolution clock does.
    if abs(days - target) > 1e-6:
        met = days < target
    else:
        met = at <= calendar.add_working_time(begin, target)
    return Completion(request, at, max(0.0, days), priority, met, None if due is None else at <= due)


def completion_by_sla(request: Request, at: datetime, position: int | None, calendar: Any, policy: Any) -> Completion:
    """`completion` through the domain.sla helpers on the request as it stood right after it."""
    resolved = _until(request, position, at) if position is not None else request
    return Completion(
        request, at, sla.resolution_working_days(resolved, calendar), resolved.priority or "medium",
        sla.resolution_met_within(resolved, calendar, policy), sla.due_met(resolved))


def response_verdict(request: Request, policy: Any, as_of: datetime) -> bool | None:
    """sla.response_met_within(request, policy, as_of), computed directly when the history has a
    response entry by as_of: answered in time when the earliest one is within
    `response_hours` of the submission."""
    first: datetime | None = None
    for entry in request.history:
        if entry.action in RESPONSE_ACTIONS and entry.at <= as_of and (first is None or entry.at < first):
            first = entry.at
    if first is None:
        return sla.response_met_within(request, policy, as_of)
    return first - request.submitted_at <= timedelta(hours=policy.response_hours)


# -- the figures ---------------------------------------------------------------------------------
def _distribution(values: Iterable[str | None]) -> dict[str, int]:
    counts = Counter(value if value else UNSET for value in values)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def compute_metrics(
    requests: Iterable[Request],
    period: Period,
    calendar: Any,
    policy: Any,
    tz: ZoneInfo,
    monthly: MonthlyInputs | None = None,
    overdue: Iterable[tuple[Request, list[Any]]] | None = None,
) -> dict[str, Any]:
    """Every figure of the report as a JSON-ready dict (see docs/metrics.md).

    `requests` must hold every request that had been submitted by the cut and was open at
    the cut or at as_of, or has an event on or after the period's start; others are ignored
    correctly but cost time. `monthly` gives the trend's inputs for the twelve months; without
    it they are taken from `requests` (which then must cover those months). `overdue` gives
    "overdue now" — (request as at as_of, its sla.overdue_reasons) — when the caller already
    has it (from the stored running deadlines); without it each open request is evaluated.
    """
    requests = list(requests)

    new_requests: list[Request] = []
    backlog: list[Request] = []
    completions: list[Completion] = []
    closed = cancelled = reopened = 0
    response = Counter()  # in_time / late / excluded
    first_pass = Counter()  # passed / verified
    satisfaction = Counter()
    funnel = Counter()
    overdue_rows: list[dict[str, Any]] = []
    owner_overdue = Counter()

    start, end, as_of = period.start, period.end, period.as_of
    for late_request, reasons in overdue or ():
        overdue_rows.append(_overdue_row(late_request, reasons, tz))
        owner_overdue[_owner_key(late_request)] += 1
    for request in requests:
        submitted = request.submitted_at
        if submitted > as_of:
            continue  # not submitted yet at as_of: in no figure
        history = request.history
        last = history[-1].at if history else submitted  # entries are in time order
        now_view = request if last <= as_of else state_at(request, lambda at: at <= as_of)
        assert now_view is not None
        if overdue is None:
            if now_view.status in OPEN:
                reasons = sla.overdue_reasons(now_view, calendar, policy, as_of)
                if reasons:
                    overdue_rows.append(_overdue_row(now_view, reasons, tz))
                    owner_overdue[_owner_key(now_view)] += 1
        if submitted >= end:
            continue  # submitted after the period: only "overdue now" can count it
        view = request if last < end and last <= as_of else state_at(request, period.has_happened)
        assert view is not None
        if view.status in OPEN:
            backlog.append(view)
        if last < start and submitted < start and (view.completed_at is None or view.completed_at < start):
            continue  # nothing happened to it in the period: it only counts in the backlog

        history = view.history
        cycle_verified = False
        latest_rating: str | None = None
        assigned = verified = was_closed = False  # for the funnel
        for entry in history:
            action = entry.action
            at = entry.at
            in_period = start <= at < end and at <= as_of
            if action == "reopen":
                cycle_verified = False
                if in_period:
                    reopened += 1
            elif action == "verify":
                passed = not verification_failed(entry)
                verified = verified or passed
                if not cycle_verified:
                    cycle_verified = True
                    if in_period:
                        first_pass["verified"] += 1
                        if passed:
                            first_pass["passed"] += 1
            elif action == "close":
                was_closed = True
                if in_period:
                    closed += 1
            elif action == "cancel":
                if in_period:
                    cancelled += 1
            elif action == "assign":
                assigned = True
            if in_period:
                given = entry.changes.get("satisfaction")
                if isinstance(given, (list, tuple)) and len(given) == 2 and given[1] in SATISFACTIONS:
                    latest_rating = given[1]
        if latest_rating is not None:
            satisfaction[latest_rating] += 1

        stood = completion_times(view)
        for at, position in stood:
            if start <= at < end and at <= as_of:
                completions.append(completion(view, at, position, calendar, policy))

        if start <= submitted:
            new_requests.append(view)
            funnel["received"] += 1
            funnel["assessed"] += view.priority is not None
            funnel["assigned"] += assigned
            funnel["completed"] += bool(stood)
            funnel["verified"] += verified
            funnel["closed"] += was_closed
            # Judged with everything known at as_of (an answer given after the period's end still
            # counts); only a request still unanswered and not yet late at as_of is left out.
            met = response_verdict(now_view, policy, as_of)
            if met is None:
                response["excluded"] += 1  # unanswered but not late yet: no verdict
            elif met:
                response["in_time"] += 1
            else:
                response["late"] += 1

    all_days = [c.days for c in completions if c.days is not None]
    by_priority = {}
    compliance = {}
    for priority in PRIORITIES:
        mine = [c for c in completions if c.priority == priority and c.days is not None]
        within = sum(1 for c in mine if c.within_target)
        stats = day_stats([c.days for c in mine])  # type: ignore[misc]
        stats.update(target_days=policy.resolution_target(priority), within_target=within)
        by_priority[priority] = stats
        compliance[priority] = rate(within, len(mine))
    with_due = [c for c in completions if c.on_time is not None]
    on_time = sum(1 for c in with_due if c.on_time)
    rated = sum(satisfaction.values())
    answered = response["in_time"] + response["late"]
    received = funnel["received"]

    if monthly is None:
        monthly = trend_inputs(requests)
    boundaries = trend_months(period, tz)
    overdue_rows.sort(key=lambda row: (-row["late_hours"], row["id"]))

    return {
        "new": len(new_requests),
        "completed": len(completions),
        "closed": closed,
        "cancelled": cancelled,
        "reopened": reopened,
        "backlog": len(backlog),
        "backlog_by_status": {status: sum(1 for r in backlog if r.status == status) for status in OPEN},
        "first_response_rate": rate(response["in_time"], answered),
        "first_response": {"in_time": response["in_time"], "late": response["late"],
                           "excluded_not_yet_due": response["excluded"]},
        "resolution_days": day_stats(all_days),
        "resolution_days_by_priority": by_priority,
        "sla_compliance": compliance,
        "on_time_rate": rate(on_time, len(with_due)),
        "on_time": {"on_time": on_time, "late": len(with_due) - on_time, "without_due": len(completions) - len(with_due)},
        "first_pass_rate": rate(first_pass["passed"], first_pass["verified"]),
        "first_pass": {"passed": first_pass["passed"], "first_verifications": first_pass["verified"]},
        "recurrence_rate": rate(reopened, len(completions)),
        "satisfaction": {**{key: satisfaction[key] for key in SATISFACTIONS},
                         "rate": rate(satisfaction["satisfied"], rated)},
        "by_type": _distribution(r.type for r in new_requests),
        "by_source": _distribution(r.source for r in new_requests),
        "by_priority": _distribution(r.priority for r in new_requests),
        "by_customer": _distribution(r.customer for r in new_requests),
        "by_owner": _distribution(r.owner or UNASSIGNED for r in new_requests),
        "owners": _owners(backlog, completions, owner_overdue),
        "trend": monthly_trend(boundaries, monthly, period),
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


def _owners(backlog: list[Request], completions: list[Completion], overdue: Counter) -> list[dict[str, Any]]:
    """Per owner: open at the cut, completed in the period, median resolution, SLA compliance,
    overdue now. Requests without an owner are grouped as `unassigned`."""
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"department": None, "open": 0, "days": [], "within": 0})
    for request in backlog:
        row = rows[_owner_key(request)]
        row["open"] += 1
        row["department"] = row["department"] or request.department
    for c in completions:
        row = rows[_owner_key(c.request)]
        row["department"] = row["department"] or c.request.department
        row.setdefault("completed", 0)
        row["completed"] += 1
        if c.days is not None:
            row["days"].append(c.days)
            row["within"] += bool(c.within_target)
    for name in overdue:
        rows[name]  # noqa: B018 - an owner with only overdue work still gets a row
    result = []
    for name, row in rows.items():
        result.append({
            "owner": name,
            "department": row["department"],
            "open": row["open"],
            "completed": row.get("completed", 0),
            "median_resolution_days": _round_days(median(row["days"])) if row["days"] else None,
            "sla_compliance": rate(row["within"], len(row["days"])),
            "overdue": overdue.get(name, 0),
        })
    result.sort(key=lambda r: (r["owner"] == UNASSIGNED, -(r["open"] + r["completed"]), r["owner"]))
    return result


def _overdue_row(request: Request, reasons: list[Any], tz: ZoneInfo) -> dict[str, Any]:
    first = reasons[0]
    return {
        "id": request.id,
        "reason": first.reason,
        "reasons": [r.reason for r in reasons],
        "deadline": first.deadline.astimezone(tz).isoformat() if first.deadline else None,
        "late_hours": round(first.late_calendar.total_seconds() / 3600, DAY_DIGITS),
        "late_working_days": round(first.late_working_days, DAY_DIGITS),
        "owner": request.owner,
        "department": request.department,
        "priority": request.priority,
        "status": request.status,
        "customer": request.customer,
        "description": request.description,
    }


def touched_in_period(request: Request, period: Period) -> bool:
    """Submitted in the period or with any history entry in it: the period's requests."""
    return period.contains(request.submitted_at) or any(period.contains(e.at) for e in request.history)
