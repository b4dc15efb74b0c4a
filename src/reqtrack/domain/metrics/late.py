""""Overdue now" as the report lists it: each late request's shown fields, the names of its
reasons and its most urgent reason in full. Pure.

The report shows every reason's name but the deadline, lateness and working days of the first
one only; `breached` gives that straight from a request's running deadlines (the ones the
services store), computing working time for the first reason alone — the rest of what
`sla.reasons_at` computes for each reason is never shown (thousands of requests at 100,000).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from ..calendar import WorkingCalendar
from ..record import Request
from ..sla import REASON_ORDER, OverdueReason
from ..sla.state import utc

_NOTHING = timedelta(0)
# The request's fields the report's list shows, in LateNow's order (the storage layer reads these).
SHOWN = ("id", "owner", "department", "priority", "status", "customer", "description")


class LateNow(NamedTuple):
    """A request overdue at the report's as_of: its shown fields (as it stood then), its reasons'
    names most urgent first (the order of sla.overdue_reasons), and the first reason's deadline,
    calendar lateness and working days late."""

    id: str
    owner: str | None
    department: str | None
    priority: str | None
    status: str
    customer: str
    description: str
    reasons: tuple[str, ...]
    deadline: datetime
    late: timedelta
    late_working_days: float


def late_now(request: Request, reasons: list[OverdueReason]) -> LateNow:
    """The listed form of a request and its (non-empty) sla.overdue_reasons."""
    first = reasons[0]
    return LateNow(request.id, request.owner, request.department, request.priority, request.status, request.customer,
                   request.description, tuple(reason.reason for reason in reasons), first.deadline,
                   first.late_calendar, first.late_working_days)


def breached(shown: Sequence[Any], deadlines: Mapping[str, datetime], calendar: WorkingCalendar,
             as_of: datetime) -> LateNow | None:
    """`late_now` of the request whose SHOWN fields are `shown` with the reasons
    `sla.reasons_at(deadlines, calendar, as_of)` gives (no due-soon window, no stale), None
    when there are none: the same names in the same order (most late first, ties in
    REASON_ORDER), the first one's working days the only ones computed."""
    now = utc(as_of)
    # (reasons_at's key for breaches: lateness as a float of seconds, then the clock's order; name,
    # deadline, lateness) of each clock whose deadline has passed (late by more than nothing).
    passed = []
    for name, deadline in deadlines.items():
        if name != "stale":
            late = now - utc(deadline)
            if late > _NOTHING:
                passed.append((-late.total_seconds(), REASON_ORDER[name], name, deadline, late))
    if not passed:
        return None
    if len(passed) == 1:
        names: tuple[str, ...] = (passed[0][2],)
    else:
        passed.sort()  # by the key alone: no two clocks have the same order
        names = tuple([reason[2] for reason in passed])
    _, _, _, deadline, late = passed[0]
    return LateNow._make((*shown, names, deadline, late, calendar.working_days_between(deadline, now)))
