"""SLA: the shared settings and policy, and the clocks of one request (docs/sla.md). Pure: no I/O.

    settings.py  the settings (calendar, SLA targets), how each is checked; SlaPolicy; the calendar
    state.py     the request as it stood at a moment, replayed from its history
    clocks.py    the clocks of one request
    overdue.py   why an open request is overdue; the running deadlines the services store
    verdicts.py  after the fact: the SLA verdicts over a whole record (the report's definitions)

Clocks (see docs/sla.md):

* response   — submitted_at + `response_hours` calendar hours; met by the first classify,
  reassess, assign, progress, complete, verify, cancel or notice entry (lifecycle.RESPONSE_ACTIONS).
* plan       — high priority only: submitted_at + `plan_hours_high` calendar hours; met by the
  first assign entry.
* resolution — from submitted_at, or from the latest reopen; `resolution_days[priority]`
  working days (no priority: medium), pushed back by the working time paused before the
  deadline; met by completed_at. Paused while feasibility is `defer` or the request waits on
  the customer.
* due        — the planned completion as stored; met by completed_at.
* stale      — in-progress requests only: the latest entry + `stale_hours` calendar hours.

This package's names are those of its modules, re-exported: `from reqtrack.domain.sla import X`.
"""

from .clocks import Clock, paused_between, request_clocks, resolution_clock_of
from .overdue import (
    REASON_ORDER,
    OverdueReason,
    RunningDeadlines,
    overdue_reasons,
    reasons_at,
    running_deadlines,
    state_reasons,
)
from .settings import (
    DEADLINES_FORMAT,
    PRIORITIES,
    SETTINGS,
    RemindPolicy,
    SettingSpec,
    SlaPolicy,
    calendar_from_settings,
    deadline_basis,
    setting_value,
    stored_number,
    validate_setting,
)
from .state import UTC, recorded_end, status_at
from .verdicts import (
    first_response_at,
    resolution_inputs,
    response_met_within,
)

__all__ = [
    "DEADLINES_FORMAT", "PRIORITIES", "REASON_ORDER", "SETTINGS", "UTC", "Clock", "OverdueReason", "RunningDeadlines",
    "RemindPolicy", "SettingSpec", "SlaPolicy", "calendar_from_settings", "deadline_basis", "first_response_at",
    "overdue_reasons", "paused_between", "reasons_at",
    "recorded_end", "request_clocks", "resolution_clock_of", "resolution_inputs",
    "response_met_within", "running_deadlines", "setting_value", "state_reasons", "status_at", "stored_number",
    "validate_setting",
]
