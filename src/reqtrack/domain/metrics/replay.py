"""The first way to the figures: replaying full requests (with their histories), each judged as
it stood at the cut. `compute_metrics` is the whole report this way; the report's usual path
replays only the requests changed after the cut (`tally_requests`) and takes the others from
their stored facts (metrics.facts). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from .. import sla
from ..calendar import WorkingCalendar
from ..links import registered_as_recurrence
from ..record import Request
from ..sla import OverdueReason, SlaPolicy
from ..vocab import OPEN_STATUSES
from .figures import figures
from .history import completion_times, state_at
from .late import LateNow, late_now
from .period import Period
from .tally import EventFact, NewRequest, OpenRequest, Tally, count_events, event_facts, funnel_flags
from .trend import MonthlyInputs, trend_inputs
from .verdicts import completion, response_verdict


def tally_requests(requests: Iterable[Request], period: Period, calendar: WorkingCalendar, policy: SlaPolicy,
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
        if view.status in OPEN_STATUSES:
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
            assert now_view is not None  # submitted by as_of (see above)
            assigned, verified, closed = funnel_flags(view.history)
            tally.new.append(NewRequest(
                view.type, view.source, view.priority, view.customer, view.owner,
                assigned, bool(stood), verified, closed, response_verdict(now_view, policy, as_of),
                registered_as_recurrence(view)))
    tally.events = count_events(events, period)
    return tally


def overdue_now(requests: Iterable[Request], period: Period, calendar: WorkingCalendar, policy: SlaPolicy) -> list[tuple[Request, list[OverdueReason]]]:
    """(request as at as_of, its sla.overdue_reasons) of every request open and overdue at as_of."""
    as_of = period.as_of
    result = []
    for request in requests:
        if request.submitted_at > as_of:
            continue
        history = request.history
        last = history[-1].at if history else request.submitted_at
        now_view = request if last <= as_of else state_at(request, lambda at: at <= as_of)
        if now_view is not None and now_view.status in OPEN_STATUSES:
            reasons = sla.overdue_reasons(now_view, calendar, policy, as_of)
            if reasons:
                result.append((now_view, reasons))
    return result


def compute_metrics(
    requests: Iterable[Request],
    period: Period,
    calendar: WorkingCalendar,
    policy: SlaPolicy,
    tz: ZoneInfo,
    monthly: MonthlyInputs | None = None,
    overdue: Iterable[LateNow] | None = None,
) -> dict[str, Any]:
    """Every figure of the report as a JSON-ready dict (see docs/metrics.md), from full requests.

    `requests` must hold every request that had been submitted by the cut and was open at
    the cut or at as_of, or has an event on or after the period's start; others are ignored
    correctly but cost time. `monthly` gives the trend's inputs for the twelve months; without
    it they are taken from `requests` (which then must cover those months). `overdue` gives
    "overdue now" — each request listed (metrics.late_now, metrics.breached) — when the caller
    already has it (from the stored running deadlines); without it each open request is evaluated.
    """
    requests = list(requests)
    if overdue is None:
        overdue = [late_now(request, reasons) for request, reasons in overdue_now(requests, period, calendar, policy)]
    if monthly is None:
        monthly = trend_inputs(requests)
    return figures(tally_requests(requests, period, calendar, policy), period, policy, tz, monthly, overdue)
