"""SLA services: the morning overdue check, per-request clocks, and the shared settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInput
from ..domain.record import Request
from ..domain.timeparse import parse_duration
from . import Context, _inputs


@dataclass
class OverdueRow:
    """An open request and every reason it is late (or soon due), most urgent first."""

    request: Request
    reasons: list[Any]  # domain.sla.OverdueReason
    status: str  # at the moment evaluated (differs from request.status for a past --as-of)

    @property
    def reason(self) -> Any:
        return self.reasons[0]


@dataclass
class OverdueReport:
    rows: list[OverdueRow]
    as_of: datetime
    tz: ZoneInfo


def overdue(
    ctx: Context, *, as_of: str | None = None, within: str | None = None, stale: bool = False, owner: str | None = None
) -> OverdueReport:
    """Open requests that breached a clock or passed their planned completion.

    Only open requests are read (the status index keeps this a small slice of a large database).
    `within` adds those coming due inside the window; `stale` adds in-progress requests with no
    update for `sla.stale_hours`; `as_of` evaluates the clocks at another moment (requests
    submitted after it are left out).
    """
    from ..domain.sla import SlaPolicy, overdue_reasons, status_at
    from ..storage.reader import RequestFilter, bulk_objects

    # Plain sqlite3 reads: no SQLAlchemy import, no per-value result processing; and no cyclic
    # garbage collection while tens of thousands of acyclic records are made (docs/performance.md).
    with ctx.reader() as uow, bulk_objects():
        inputs = _inputs(uow, ctx)
        moment = inputs.time(as_of, "start", "--as-of")
        when = moment.at if moment else ctx.now
        window: timedelta | None = None
        if within is not None:
            duration = parse_duration(within)
            window = duration.after(when, inputs.calendar.add_working_days) - when
        policy = SlaPolicy.from_settings(inputs.settings)
        # Now: only the open requests (the status index). In the past: also those closed since,
        # which were perhaps open then; the clocks replay each one's history up to `when`.
        past = when < ctx.now
        flt = RequestFilter(owner=owner, open_at=when) if past else RequestFilter(open_only=True, owner=owner)
        candidates = [r for r in uow.requests.select(flt) if r.submitted_at <= when]
        histories = uow.requests.histories([r.id for r in candidates])
        rows = []
        for request in candidates:
            request.history = histories[request.id]
            reasons = overdue_reasons(request, inputs.calendar, policy, when, within=window, include_stale=stale)
            if reasons:
                rows.append(OverdueRow(request, reasons, status_at(request, when) if past else request.status))
    rows.sort(key=lambda row: (-row.reason.late_calendar.total_seconds(), row.request.id))
    return OverdueReport(rows, when, inputs.tz)


def clocks(ctx: Context, request: Request) -> tuple[list[Any], Any, datetime]:
    """The request's SLA clocks now, with the calendar to express them in working days."""
    from ..domain.sla import SlaPolicy, request_clocks

    with ctx.reader() as uow:
        inputs = _inputs(uow, ctx)
        policy = SlaPolicy.from_settings(inputs.settings)
        return request_clocks(request, inputs.calendar, policy, ctx.now), inputs.calendar, ctx.now


@dataclass
class SettingView:
    key: str
    value: str
    default: str | None
    is_set: bool
    description: str


def config_show(ctx: Context) -> list[SettingView]:
    """Every known setting with its value (set or default), and any unknown stored key."""
    from ..domain.sla import SETTINGS

    with ctx.reader() as uow:
        stored = uow.requests.settings()
    views = []
    for key, spec in SETTINGS.items():
        default = _spec_value(spec, "default")
        value = stored.get(key, "" if default is None else str(default))
        views.append(SettingView(key, value, None if default is None else str(default), key in stored,
                                 str(_spec_value(spec, "description") or "")))
    for key in sorted(set(stored) - set(SETTINGS)):
        views.append(SettingView(key, stored[key], None, True, "(not a setting this version knows)"))
    return views


def _spec_value(spec: Any, name: str) -> Any:
    return spec.get(name) if isinstance(spec, dict) else getattr(spec, name, None)


def config_set(ctx: Context, key: str, value: str) -> str:
    """Validate and store a setting; returns the stored (normalised) value."""
    from ..domain.sla import validate_setting

    normalised = validate_setting(key, value)
    with ctx.unit_of_work(write=True) as uow:
        uow.requests.set_setting(key, normalised)
        uow.commit()
    return normalised


def config_unset(ctx: Context, key: str) -> None:
    """Return a setting to its default (the time zone cannot be unset: dates depend on it)."""
    from ..domain.sla import SETTINGS

    if key == "calendar.timezone":
        raise InvalidInput("calendar.timezone cannot be unset; set another zone with `reqtrack config set calendar.timezone ZONE`")
    with ctx.unit_of_work(write=True) as uow:
        if key not in SETTINGS and key not in uow.requests.settings():
            raise InvalidInput(f"unknown setting {key!r}; `reqtrack config show` lists them")
        uow.requests.set_setting(key, None)
        uow.commit()
