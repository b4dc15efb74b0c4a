""""Overdue now" as the report lists it: each late request's shown fields, the names of its
reasons and its most urgent reason in full. Pure.

The report shows every reason's name but the deadline, lateness and working days of the first
one only; `breached` gives that straight from a request's running deadlines (the ones the
services store), computing working time for the first reason alone — the rest of what
`sla.reasons_at` computes for each reason is never shown (thousands of requests at 100,000).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from ..calendar import WorkingCalendar
from ..record import Request
from ..sla import REASON_ORDER, OverdueReason
from ..sla.state import utc

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


def breached(shown: tuple, deadlines: Mapping[str, datetime], calendar: WorkingCalendar,
             as_of: datetime) -> LateNow | None:
    """`late_now` of the request whose SHOWN fields are `shown` with the reasons
    `sla.reasons_at(deadlines, calendar, as_of)` gives (no due-soon window, no stale), None
    when there are none: the same names in the same order (most late first, ties in
    REASON_ORDER), the first one's working days the only ones computed."""
    now = utc(as_of)
    passed = [(name, deadline) for name, deadline in deadlines.items() if name != "stale" and now > utc(deadline)]
    if not passed:
        return None
    if len(passed) == 1:  # most often
        names: tuple[str, ...] = (passed[0][0],)
    else:
        # reasons_at's key for breaches: lateness (as a float of seconds), then the clock's order.
        passed.sort(key=lambda item: (-(now - utc(item[1])).total_seconds(), REASON_ORDER[item[0]]))
        names = tuple([name for name, _ in passed])
    deadline = passed[0][1]
    return LateNow._make((*shown, names, deadline, now - utc(deadline), calendar.working_days_between(deadline, now)))
