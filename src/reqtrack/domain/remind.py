"""`reqtrack remind` (SPEC §8, docs/notices.md): what each person must do about the requests now.

For the owner (an unassigned request's rows go to its liaison):

* `assign`     — pending and still unassigned `remind.assign_hours` after submission;
* `due-soon`   — the planned completion or the resolution deadline is within `remind.due_days`
                 working days (the earlier of the two);
* `stale`      — in progress with no entry for `sla.stale_hours` (the SLA's stale clock);
* `breached`   — an SLA deadline passed (response, plan, resolution or planned completion: what
                 `overdue` lists; the most urgent one).

For the liaison, else the owner (the customer-facing rows):

* `acknowledge`        — open, and the customer has not heard back yet (no notice, no progress
                         note while pending);
* `update-customer`    — open, and no notice for `remind.update_days` calendar days;
* `chase-verification` — verifying for more than `remind.verify_days` working days;
* `send-survey`        — closed more than `remind.survey_days` calendar days ago (and at most
                         `remind.survey_until_days`), with no survey notice and no rating since
                         the work was completed.

The breached, stale and due-soon rows read the SLA clocks of domain/sla (overdue.py), so they
agree with `overdue`. Pure: no I/O, no clock (`as_of` is passed in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .calendar import WorkingCalendar
from .notices import acknowledged_at, last_contact_at, notice_of, ordered
from .record import HistoryEntry, Request
from .sla.clocks import plus_hours
from .sla.overdue import reasons_at, running
from .sla.settings import RemindPolicy, SlaPolicy
from .sla.state import State, stood, utc
from .vocab import OPEN_STATUSES

ACTIONS = ("breached", "stale", "due-soon", "assign", "acknowledge", "update-customer", "chase-verification",
           "send-survey")  # also the order of a person's rows
OWNER_ACTIONS = frozenset({"assign", "due-soon", "stale", "breached"})


@dataclass(frozen=True)
class Reminder:
    """One thing a person must do about one request.

    `since`: when the situation began (submitted, the last update or notice, the completion, the
    closing; for `breached` the deadline that passed; for `due-soon` the moment the deadline came
    within `remind.due_days`). `deadline`: when it is or was due (the SLA deadline, or the end of
    the reminder's allowance). `clock`: the SLA clock of a breached, stale or due-soon row.
    Times are in the calendar's zone. `person` is None for a request without owner or liaison.
    """

    person: str | None
    id: str
    action: str
    since: datetime
    deadline: datetime | None
    clock: str | None = None


@dataclass(frozen=True)
class _Routing:
    owner: str | None  # who gets the owner's rows: the owner, or the liaison while unassigned
    customer: str | None  # who gets the customer-facing rows: the liaison, else the owner


def reminders(requests: Iterable[Request], settings: Mapping[str, str], calendar: WorkingCalendar,
              as_of: datetime) -> list[Reminder]:
    """Every row due at `as_of` for `requests` (each with its history: open ones, and closed ones
    for the survey), ordered by person (None last), then action (ACTIONS), then since and ID.
    InvalidInput for a stored setting that does not read."""
    sla, policy = SlaPolicy.from_settings(settings), RemindPolicy.from_settings(settings)
    rows: list[Reminder] = []
    for request in requests:
        rows.extend(reminders_of(request, sla, policy, calendar, as_of))
    return sort_reminders(rows)


_ORDER = {action: i for i, action in enumerate(ACTIONS)}


def sort_reminders(rows: Iterable[Reminder]) -> list[Reminder]:
    """`rows` in the order `reminders` gives: by person (None last), then action (ACTIONS), then
    since and ID (for rows gathered a batch of requests at a time)."""
    return sorted(rows, key=lambda r: (r.person is None, r.person or "", _ORDER[r.action], utc(r.since), r.id))


def reminders_of(request: Request, sla: SlaPolicy, policy: RemindPolicy, calendar: WorkingCalendar,
                 as_of: datetime) -> list[Reminder]:
    """The rows of one request at `as_of` (see the module's docstring), in ACTIONS order."""
    if utc(request.submitted_at) > utc(as_of):
        return []
    state = stood(request, as_of)
    past = [e for e in ordered(request.history) if utc(e.at) <= state.as_of]
    owner = request.owner if state.assigned is not None else None
    route = _Routing(owner or request.liaison, request.liaison or owner)
    if state.status in OPEN_STATUSES:
        return _owner_rows(request, state, route, sla, policy, calendar) + \
            _customer_rows(request, state, past, route, sla, policy, calendar)
    if state.status == "closed":
        return _survey_rows(request, state, past, route, policy, calendar)
    return []


def _owner_rows(request: Request, state: State, route: _Routing, sla: SlaPolicy, policy: RemindPolicy,
                calendar: WorkingCalendar) -> list[Reminder]:
    rows: list[Reminder] = []
    as_of, local = state.as_of, calendar.local
    deadlines = running(state, calendar, sla)
    reasons = reasons_at(deadlines, calendar, as_of, include_stale=True)
    breaches = [r for r in reasons if r.reason != "stale"]
    if breaches:
        worst = breaches[0]
        rows.append(Reminder(route.owner, request.id, "breached", local(worst.deadline), local(worst.deadline), worst.clock))
    stale = next((r for r in reasons if r.reason == "stale"), None)
    if stale is not None:
        rows.append(Reminder(route.owner, request.id, "stale", local(state.last_event), local(stale.deadline), "stale"))
    date_due = _due_is_date(request, state)
    soon = sorted(found for name in ("due", "resolution") if name in deadlines
                  and (found := _due_soon(name, deadlines[name], name == "due" and date_due, as_of, policy, calendar)))
    if soon:
        deadline, name, since = soon[0]
        rows.append(Reminder(route.owner, request.id, "due-soon", since, local(deadline), name))
    if state.assigned is None and state.status == "pending":
        allowed = plus_hours(state.submitted, policy.assign_hours, calendar)
        if as_of > utc(allowed):
            rows.append(Reminder(route.owner, request.id, "assign", local(state.submitted), allowed))
    return rows


def _due_is_date(request: Request, state: State) -> bool:
    """Whether the planned completion as it stood was given as a date (the request's flag, for
    the planned completion it has now)."""
    return bool(request.due_is_date and state.due is not None and request.due is not None
                and utc(state.due) == utc(request.due))


def _due_soon(name: str, deadline: datetime, date_only: bool, as_of: datetime, policy: RemindPolicy,
              calendar: WorkingCalendar) -> tuple[datetime, str, datetime] | None:
    """(deadline in UTC, clock, since) when the deadline is due soon at `as_of`, else None.

    At most `remind.due_days` of working time away, the deadline not passed. A planned
    completion given as a date is due on that day: its window counts from the start of the day
    (with 1 day, all of the working day before is inside it, so the morning run before a
    planned completion lists it; counted from 23:59 it would first show on the day itself)."""
    if as_of > utc(deadline):
        return None
    if date_only:
        day = calendar.local(deadline).replace(hour=0, minute=0, second=0, microsecond=0)
        start = calendar.window_start(day, policy.due_days)
        return (utc(deadline), name, start) if as_of >= utc(start) else None
    if calendar.working_days_between(as_of, deadline) > policy.due_days:
        return None
    return utc(deadline), name, calendar.window_start(deadline, policy.due_days)


def _customer_rows(request: Request, state: State, past: list[HistoryEntry], route: _Routing, sla: SlaPolicy,
                   policy: RemindPolicy, calendar: WorkingCalendar) -> list[Reminder]:
    rows: list[Reminder] = []
    as_of, local = state.as_of, calendar.local
    if acknowledged_at(past) is None:
        rows.append(Reminder(route.customer, request.id, "acknowledge", local(state.submitted),
                             plus_hours(state.submitted, sla.response_hours, calendar)))
    else:
        contact = last_contact_at(past)
        assert contact is not None  # acknowledged
        allowed = plus_hours(contact, policy.update_days * 24, calendar)
        if as_of > utc(allowed):
            rows.append(Reminder(route.customer, request.id, "update-customer", local(contact), allowed))
    if state.status == "verifying" and state.completed is not None:
        allowed = calendar.add_working_time(state.completed, policy.verify_days)
        if as_of > utc(allowed):
            rows.append(Reminder(route.customer, request.id, "chase-verification", local(state.completed), allowed))
    return rows


def _survey_rows(request: Request, state: State, past: list[HistoryEntry], route: _Routing, policy: RemindPolicy,
                 calendar: WorkingCalendar) -> list[Reminder]:
    closed = max((utc(e.at) for e in past if e.action == "close"), default=None)
    if closed is None and request.closed_at is not None and utc(request.closed_at) <= state.as_of:
        closed = utc(request.closed_at)
    if closed is None:
        return []
    allowed = plus_hours(closed, policy.survey_days * 24, calendar)
    if not utc(allowed) < state.as_of <= utc(plus_hours(closed, policy.survey_until_days * 24, calendar)):
        return []
    cycle = state.completed or closed  # the survey asks about this round of work
    if any((notice_of(e) or ("", ""))[0] == "survey" and utc(e.at) >= cycle for e in past):
        return []
    if _rated_since(request, past, state.as_of, cycle):
        return []
    return [Reminder(route.customer, request.id, "send-survey", calendar.local(closed), allowed)]


def _gives_satisfaction(entry: HistoryEntry) -> bool:
    change: Any = (entry.changes or {}).get("satisfaction")
    return isinstance(change, (list, tuple)) and len(change) == 2


def _rated_since(request: Request, past: list[HistoryEntry], as_of: datetime, cycle: datetime) -> bool:
    """Whether the customer's satisfaction was given since `cycle` (the completion), as the
    history up to `as_of` says; the stored satisfaction when no entry records one (a request
    whose process log came as free text)."""
    given = [e for e in past if _gives_satisfaction(e)]
    if given:
        latest = given[-1]
        return utc(latest.at) >= cycle and latest.changes["satisfaction"][1] is not None
    if any(_gives_satisfaction(e) for e in request.history if utc(e.at) > as_of):
        return False  # given after as_of
    return request.satisfaction is not None
