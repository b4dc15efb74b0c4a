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

The per-request verdicts are those of domain.sla (the clocks `overdue` reads); `completion_fact`
and `response_verdict` compute them directly in the common case, and the tests check that the
two agree.

Two ways to the same figures: `compute_metrics` replays full requests (`tally_requests`); the
report's usual path judges the requests whose record ends before the cut from the facts the
services store for each (`request_facts`, read back for `tally_quiet`), replays only the others,
and counts the period's entries from stored `event_facts`. Both tallies feed `figures`.
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from statistics import median
from typing import Any, Callable, Iterable, NamedTuple, Sequence
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
        # fsum ÷ n: statistics.mean's exact fractions cost a tenth of a year's report, and the
        # two differ by at most a unit in the last place, far below the two decimals shown.
        "mean": round(math.fsum(values) / len(values), DAY_DIGITS),
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
    `owner` and `department` are the request's at the cut (the owner table groups by them).
    """

    at: datetime
    days: float | None
    priority: str
    within_target: bool | None
    on_time: bool | None
    owner: str | None = None
    department: str | None = None


Pause = tuple[datetime, "datetime | None"]


class CompletionFact(NamedTuple):
    """What judging one completion needs, none of it depending on the settings: the services
    keep one per standing completion (table report_completion), so that a report judges a
    year's completions without reading their histories.

    `start`: the resolution clock's start (submission, or the latest reopen before the
    completion); `completed`: the completion as that clock reads it (normally `at`; None when
    the clock does not see one); `priority` and `due` as they were right after the completion;
    `pauses`: the deferred / waiting intervals up to then (UTC; an end of None = still paused
    at `as_of`, the last moment recorded).
    """

    at: datetime
    start: datetime
    completed: datetime | None
    priority: str | None
    due: datetime | None
    pauses: tuple[Pause, ...] = ()
    as_of: datetime | None = None
    seq: int = 0  # of the `complete` entry (0: an imported completion time without one)


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


def completion_fact(request: Request, at: datetime, position: int | None) -> CompletionFact:
    """The facts of the completion at `at` (history position `position`; None: an imported
    completion time without a `complete` entry) of `request`, as it stood right after it.

    They are those the domain.sla clocks replay (`completion_by_sla`). When the request was
    never paused and the completion has its `complete` entry they are read directly, without
    replaying the history: the start is the submission or the latest reopen before the
    completion, priority and planned completion the values of that moment. tests/test_metrics.py
    checks that both give what the sla helpers give.
    """
    if position is None or not _never_paused(request):
        resolved = _until(request, position, at) if position is not None else request
        start, completed, as_of, priority, due, pauses = sla.resolution_inputs(resolved)
        seq = request.history[position].seq if position is not None else 0
        return CompletionFact(at, start, completed, priority, due, pauses, as_of, seq)
    begin = request.submitted_at
    for entry in request.history[:position + 1]:
        if entry.action == "reopen" and entry.at > begin:
            begin = entry.at
    return CompletionFact(at, begin, at, field_at(request, "priority", at), field_at(request, "due", at), (), at,
                          request.history[position].seq)


def judge_completion(fact: CompletionFact, calendar: Any, policy: Any,
                     owner: str | None = None, department: str | None = None) -> Completion:
    """The verdicts of one completion under the current calendar and SLA settings.

    Resolution = working days from the start to the completion, less the working time paused
    in between; met = completed by the resolution deadline (`start + target` working days,
    pushed back by pauses: sla.resolution_clock_of); on time = completed by the planned
    completion.
    """
    completed = fact.completed
    on_time = None if fact.due is None else fact.at <= fact.due
    priority = fact.priority or "medium"
    if completed is None or completed < fact.start:  # cannot happen with lifecycle histories
        return Completion(fact.at, None, priority, None, on_time, owner, department)
    days = calendar.working_days_between(fact.start, completed)
    if fact.pauses:
        clock = sla.resolution_clock_of(fact.start, completed, fact.as_of or completed, fact.priority, fact.pauses,
                                        calendar, policy)
        days -= sla.paused_between(fact.pauses, fact.start, completed, calendar)
        met = not clock.was_late
    else:
        target = policy.resolution_target(fact.priority)
        # The deadline is the moment the working time since the start reaches the target, and
        # working time never decreases: clearly below the target means met, clearly above means
        # late. Only near the boundary is the deadline itself computed, as the clock does.
        if abs(days - target) > 1e-6:
            met = days < target
        else:
            met = completed <= calendar.add_working_time(fact.start, target)
    return Completion(fact.at, max(0.0, days), priority, met, on_time, owner, department)


def completion(request: Request, at: datetime, position: int | None, calendar: Any, policy: Any) -> Completion:
    """The completion at `at` of `request` (as it stood at the cut), judged
    (`judge_completion(completion_fact(...))`); owner and department are the request's."""
    return judge_completion(completion_fact(request, at, position), calendar, policy,
                            request.owner, request.department)


def completion_by_sla(request: Request, at: datetime, position: int | None, calendar: Any, policy: Any) -> Completion:
    """`completion` through the domain.sla helpers on the request as it stood right after it
    (the reference the tests compare `completion` with)."""
    resolved = _until(request, position, at) if position is not None else request
    return Completion(
        at, sla.resolution_working_days(resolved, calendar), resolved.priority or "medium",
        sla.resolution_met_within(resolved, calendar, policy), sla.due_met(resolved),
        request.owner, request.department)


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


# -- the tally: what the figures are made of, per request, mergeable --------------------------------
class NewRequest(NamedTuple):
    """One of the period's new requests as it stood at the cut: its fields, how far it got
    (the funnel) and its first-response verdict (None: unanswered and not yet late)."""

    type: str | None
    source: str | None
    priority: str | None
    customer: str | None
    owner: str | None
    assigned: bool
    completed: bool
    verified: bool
    closed: bool
    response_met: bool | None


class OpenRequest(NamedTuple):
    """A request open at the cut (the backlog)."""

    status: str
    owner: str | None
    department: str | None


@dataclass
class EventCounts:
    """The figures that count history entries in the period (the same whichever state the
    request is in at the cut, since every entry in the period happened before the cut)."""

    closed: int = 0
    cancelled: int = 0
    reopened: int = 0
    first_verifications: int = 0
    first_passed: int = 0
    satisfaction: Counter = field(default_factory=Counter)  # per request, its latest rating in the period

    def add(self, other: EventCounts) -> None:
        """Add `other`'s counts to these."""
        self.closed += other.closed
        self.cancelled += other.cancelled
        self.reopened += other.reopened
        self.first_verifications += other.first_verifications
        self.first_passed += other.first_passed
        self.satisfaction.update(other.satisfaction)


@dataclass
class Tally:
    """The per-request records of a period: new requests, the backlog, completions, and the
    event counts. Two tallies of disjoint sets of requests add up (`add`)."""

    new: list[NewRequest] = field(default_factory=list)
    backlog: list[OpenRequest] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    events: EventCounts = field(default_factory=EventCounts)

    def add(self, other: Tally) -> None:
        """Add `other` (a tally of other requests) to this one."""
        self.new.extend(other.new)
        self.backlog.extend(other.backlog)
        self.completions.extend(other.completions)
        self.events.add(other.events)


class EventFact(NamedTuple):
    """A history entry the event counts read: `close`, `cancel`, `reopen`, `first-verify` (the
    first verification of a cycle; value `pass` or `fail`) or `rating` (a satisfaction given;
    value the rating). `seq` orders a request's ratings."""

    kind: str
    at: datetime
    seq: int
    value: str | None = None


def event_facts(history: Sequence[HistoryEntry]) -> list[EventFact]:
    """The entries of a history (in seq order) that the event counts read."""
    facts: list[EventFact] = []
    cycle_verified = False
    for entry in history:
        action = entry.action
        if action == "reopen":
            cycle_verified = False  # a cycle starts at submission and at each reopen
            facts.append(EventFact("reopen", entry.at, entry.seq))
        elif action == "verify":
            if not cycle_verified:
                cycle_verified = True
                facts.append(EventFact("first-verify", entry.at, entry.seq,
                                       "fail" if verification_failed(entry) else "pass"))
        elif action in ("close", "cancel"):
            facts.append(EventFact(action, entry.at, entry.seq))
        given = entry.changes.get("satisfaction")
        if isinstance(given, (list, tuple)) and len(given) == 2 and given[1] in SATISFACTIONS:
            facts.append(EventFact("rating", entry.at, entry.seq, given[1]))
    return facts


def count_events(facts: Iterable[tuple[str, EventFact]], period: Period) -> EventCounts:
    """The event counts of the period from (request ID, fact) pairs: entries in the period (and
    not after as_of), and per request only its latest rating in the period."""
    counts = EventCounts()
    latest: dict[str, tuple[int, str]] = {}
    for request_id, fact in facts:
        if not period.contains(fact.at):
            continue
        kind = fact.kind
        if kind == "rating":
            if request_id not in latest or latest[request_id][0] < fact.seq:
                latest[request_id] = (fact.seq, fact.value)  # type: ignore[assignment]
        elif kind == "first-verify":
            counts.first_verifications += 1
            counts.first_passed += fact.value == "pass"
        elif kind == "close":
            counts.closed += 1
        elif kind == "cancel":
            counts.cancelled += 1
        elif kind == "reopen":
            counts.reopened += 1
    counts.satisfaction.update(value for _, value in latest.values())
    return counts


def funnel_flags(history: Sequence[HistoryEntry]) -> tuple[bool, bool, bool]:
    """(assigned, verified, closed): an `assign` entry, a passing verification, a `close` entry."""
    assigned = verified = closed = False
    for entry in history:
        action = entry.action
        if action == "assign":
            assigned = True
        elif action == "verify":
            verified = verified or not verification_failed(entry)
        elif action == "close":
            closed = True
    return assigned, verified, closed


def tally_requests(requests: Iterable[Request], period: Period, calendar: Any, policy: Any,
                   count_entries: bool = True) -> Tally:
    """The tally of `requests` (with their history) for `period`, each judged as it stood at the
    cut. `count_entries=False` leaves the event counts at zero (for a caller that counts the
    period's entries from the stored event facts)."""
    tally = Tally()
    events: list[tuple[str, EventFact]] = []
    start, end, as_of = period.start, period.end, period.as_of
    for request in requests:
        submitted = request.submitted_at
        if submitted > as_of or submitted >= end:
            continue  # not submitted by the cut: in none of these figures
        history = request.history
        last = history[-1].at if history else submitted  # entries are in time order
        view = request if last < end and last <= as_of else state_at(request, period.has_happened)
        assert view is not None
        if view.status in OPEN:
            tally.backlog.append(OpenRequest(view.status, view.owner, view.department))
        if last < start and submitted < start and (view.completed_at is None or view.completed_at < start):
            continue  # nothing happened to it in the period: it only counts in the backlog
        if count_entries:
            events.extend((view.id, fact) for fact in event_facts(view.history))

        stood = completion_times(view)
        for at, position in stood:
            if start <= at < end and at <= as_of:
                tally.completions.append(completion(view, at, position, calendar, policy))

        if start <= submitted:
            # Judged with everything known at as_of (an answer given after the period's end still
            # counts); only a request still unanswered and not yet late at as_of is left out.
            now_view = request if last <= as_of else state_at(request, lambda at: at <= as_of)
            assigned, verified, closed = funnel_flags(view.history)
            tally.new.append(NewRequest(
                view.type, view.source, view.priority, view.customer, view.owner,
                assigned, bool(stood), verified, closed, response_verdict(now_view, policy, as_of)))
    tally.events = count_events(events, period)
    return tally


@dataclass(frozen=True)
class RequestFacts:
    """What a report needs of a request whose whole record is before the report's cut, none of
    it depending on the settings (the services keep these per request: tables report_fact,
    report_completion, report_event).

    `recorded_end`: the last moment recorded about it (sla.recorded_end); `responded`: its first
    response (sla.first_response_at); the funnel flags; its standing completions; its event facts.
    """

    recorded_end: datetime
    responded: datetime | None
    assigned: bool
    completed: bool
    verified: bool
    closed: bool
    completions: tuple[CompletionFact, ...]
    events: tuple[EventFact, ...]


def request_facts(request: Request) -> RequestFacts:
    """The report facts of `request` (with its history) as it stands."""
    stood = completion_times(request)
    assigned, verified, closed = funnel_flags(request.history)
    # The first response is the earliest response entry (what sla.first_response_at replays
    # the history for); only a request without one needs the replay (imports, pending ones).
    responded = min((e.at for e in request.history if e.action in RESPONSE_ACTIONS), default=None)
    if responded is None:
        responded = sla.first_response_at(request)
    return RequestFacts(
        sla.recorded_end(request), responded, assigned, bool(stood), verified, closed,
        tuple(completion_fact(request, at, position) for at, position in stood),
        tuple(event_facts(request.history)))


class QuietNew(NamedTuple):
    """A new request of the period whose record ends before the cut: its fields and facts."""

    type: str | None
    source: str | None
    priority: str | None
    customer: str | None
    owner: str | None
    submitted: datetime
    responded: datetime | None
    assigned: bool
    completed: bool
    verified: bool
    closed: bool


def tally_quiet(new: Iterable[QuietNew], backlog: Iterable[OpenRequest],
                completions: Iterable[tuple[CompletionFact, str | None, str | None]],
                period: Period, calendar: Any, policy: Any) -> Tally:
    """The tally of the requests whose whole record is before the cut, from their stored facts:
    what `tally_requests` gives for them (the request at the cut is the request as it stands),
    without their histories. The event counts are left to the caller (`count_events`, or SQL).

    `new`: those submitted in the period; `backlog`: those open; `completions`: their standing
    completions in the period with the request's owner and department.
    """
    tally = Tally()
    as_of = period.as_of
    allowed = timedelta(hours=policy.response_hours)
    for r in new:
        # The first-response verdict at as_of (response_verdict, from the first response time):
        # in time, late, or None while unanswered and not yet late.
        if r.responded is not None:
            met: bool | None = r.responded - r.submitted <= allowed
        else:
            met = False if as_of - r.submitted > allowed else None
        tally.new.append(NewRequest(r.type, r.source, r.priority, r.customer, r.owner, r.assigned, r.completed,
                                    r.verified, r.closed, met))
    tally.backlog = list(backlog)
    tally.completions = [judge_completion(fact, calendar, policy, owner, department)
                         for fact, owner, department in completions]
    return tally


def overdue_now(requests: Iterable[Request], period: Period, calendar: Any, policy: Any) -> list[tuple[Request, list[Any]]]:
    """(request as at as_of, its sla.overdue_reasons) of every request open and overdue at as_of."""
    as_of = period.as_of
    result = []
    for request in requests:
        if request.submitted_at > as_of:
            continue
        history = request.history
        last = history[-1].at if history else request.submitted_at
        now_view = request if last <= as_of else state_at(request, lambda at: at <= as_of)
        if now_view is not None and now_view.status in OPEN:
            reasons = sla.overdue_reasons(now_view, calendar, policy, as_of)
            if reasons:
                result.append((now_view, reasons))
    return result


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
    """Every figure of the report as a JSON-ready dict (see docs/metrics.md), from full requests.

    `requests` must hold every request that had been submitted by the cut and was open at
    the cut or at as_of, or has an event on or after the period's start; others are ignored
    correctly but cost time. `monthly` gives the trend's inputs for the twelve months; without
    it they are taken from `requests` (which then must cover those months). `overdue` gives
    "overdue now" — (request as at as_of, its sla.overdue_reasons) — when the caller already
    has it (from the stored running deadlines); without it each open request is evaluated.
    """
    requests = list(requests)
    if overdue is None:
        overdue = overdue_now(requests, period, calendar, policy)
    if monthly is None:
        monthly = trend_inputs(requests)
    return figures(tally_requests(requests, period, calendar, policy), period, policy, tz, monthly, overdue)


def figures(tally: Tally, period: Period, policy: Any, tz: ZoneInfo, monthly: MonthlyInputs,
            overdue: Iterable[tuple[Request, list[Any]]]) -> dict[str, Any]:
    """Every figure of the report from a tally, the trend's inputs and "overdue now"."""
    overdue_rows = [_overdue_row(late, reasons, tz) for late, reasons in overdue]
    owner_overdue = Counter(_owner_key(late) for late, _ in overdue)
    overdue_rows.sort(key=lambda row: (-row["late_hours"], row["id"]))

    completions, backlog, new, events = tally.completions, tally.backlog, tally.new, tally.events
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
    satisfaction = events.satisfaction
    rated = sum(satisfaction[key] for key in SATISFACTIONS)
    received = len(new)
    in_time = late = 0
    funnel = dict.fromkeys(FUNNEL_STAGES, 0)
    funnel["received"] = received
    for r in new:
        in_time += r.response_met is True
        late += r.response_met is False
        funnel["assessed"] += r.priority is not None
        funnel["assigned"] += r.assigned
        funnel["completed"] += r.completed
        funnel["verified"] += r.verified
        funnel["closed"] += r.closed

    return {
        "new": received,
        "completed": len(completions),
        "closed": events.closed,
        "cancelled": events.cancelled,
        "reopened": events.reopened,
        "backlog": len(backlog),
        "backlog_by_status": {status: sum(1 for r in backlog if r.status == status) for status in OPEN},
        "first_response_rate": rate(in_time, in_time + late),
        "first_response": {"in_time": in_time, "late": late, "excluded_not_yet_due": received - in_time - late},
        "resolution_days": day_stats(all_days),
        "resolution_days_by_priority": by_priority,
        "sla_compliance": compliance,
        "on_time_rate": rate(on_time, len(with_due)),
        "on_time": {"on_time": on_time, "late": len(with_due) - on_time, "without_due": len(completions) - len(with_due)},
        "first_pass_rate": rate(events.first_passed, events.first_verifications),
        "first_pass": {"passed": events.first_passed, "first_verifications": events.first_verifications},
        "recurrence_rate": rate(events.reopened, len(completions)),
        "satisfaction": {**{key: satisfaction[key] for key in SATISFACTIONS},
                         "rate": rate(satisfaction["satisfied"], rated)},
        "by_type": _distribution(r.type for r in new),
        "by_source": _distribution(r.source for r in new),
        "by_priority": _distribution(r.priority for r in new),
        "by_customer": _distribution(r.customer for r in new),
        "by_owner": _distribution(r.owner or UNASSIGNED for r in new),
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


def _owners(backlog: list[OpenRequest], completions: list[Completion], overdue: Counter) -> list[dict[str, Any]]:
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
