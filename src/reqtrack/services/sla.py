"""SLA services: the morning overdue check and the shared settings (a request's clocks: services.show)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidInput
from ..domain.record import Request
from ..domain.timeparse import parse_duration
from .context import Context, Inputs, inputs, with_histories
from .upkeep import keep_deadlines

if TYPE_CHECKING:
    from ..domain.calendar import WorkingCalendar
    from ..domain.sla import OverdueReason, SlaPolicy
    from ..storage.repository import UnitOfWork
    from ..storage.stored import RequestFilter


@dataclass
class OverdueRow:
    """An open request and every reason it is late (or soon due), most urgent first."""

    request: Request
    reasons: list[OverdueReason]
    status: str  # at the moment evaluated (differs from request.status for a past --as-of)

    @property
    def reason(self) -> OverdueReason:
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

    Reads the running deadlines stored for the open requests (see `overdue_rows`).
    `within` adds those coming due inside the window; `stale` adds in-progress requests with no
    update for `sla.stale_hours`; `as_of` evaluates the clocks at another moment (requests
    submitted after it are left out).
    """
    from ..storage.stored import RequestFilter, bulk_objects

    # Plain sqlite3 reads: no SQLAlchemy import, no per-value result processing; and no cyclic
    # garbage collection while tens of thousands of acyclic records are made (docs/performance.md).
    with ctx.reader() as uow, bulk_objects():
        given = inputs(uow, ctx)
        moment = given.time(as_of, "start", "--as-of")
        when = moment.at if moment else ctx.now
        window: timedelta | None = None
        if within is not None:
            duration = parse_duration(within)
            window = duration.after(when, given.calendar.add_working_days) - when
        rows = overdue_rows(uow, given, RequestFilter(owner=owner, open_only=True), when, window, stale, lite=True)
    rows.sort(key=lambda row: (-row.reasons[0].late_calendar.total_seconds(), row.request.id))  # row.reason, inline
    return OverdueReport(rows, when, given.tz)


def overdue_rows(uow: UnitOfWork, given: Inputs, flt: RequestFilter, when: datetime,
                 window: timedelta | None = None, stale: bool = False, lite: bool = False) -> list[OverdueRow]:
    """The overdue rows among the open requests `flt` selects (its `open_only` is set), at `when`.

    From now on, the stored running deadlines answer (one indexed query; no history is read)
    while they were computed with the current settings; requests changed after `when` are
    replayed from their history instead. In the past, the requests' stored timelines answer:
    the state their clocks read at `when`, whose deadlines are computed under the current
    settings (one range of an index; no history is read). Every way gives the same rows
    (domain.sla.running_deadlines, domain.metrics.timeline; tests/unit/test_sla.py,
    tests/cli/test_overdue_cli.py). `lite`: from the stored running deadlines, each request with
    the fields a list of overdue requests shows only (the report's).
    """
    from ..domain.sla import SlaPolicy, deadline_basis, overdue_reasons, reasons_at, status_at

    calendar = given.calendar
    policy = SlaPolicy.from_settings(given.settings)
    past = when < given.now
    rows: list[OverdueRow] = []
    replay: list[Request] = []
    from_facts = _rows_from_facts(uow, flt, when, calendar, policy, window, stale) if past else None
    if not past and uow.requests.deadline_basis() == deadline_basis(given.settings):
        upto = when + window if window is not None and window > timedelta(0) else when
        for request, valid_from, deadlines in uow.requests.running_deadlines(flt, when, upto, stale, lite):
            if valid_from > when:  # changed after `when` (a clock behind the machine's): replay it
                replay.append(request)
                continue
            reasons = reasons_at(deadlines, calendar, when, window, stale)
            if reasons:
                rows.append(OverdueRow(request, reasons, request.status))
    elif from_facts is not None:
        rows, replay = from_facts
    else:
        # In the past: also the requests closed since, which were perhaps open then; the clocks
        # replay each one's history up to `when`.
        if past:
            flt = replace(flt, open_only=False, open_at=when)
        replay = list(uow.requests.select(flt))
    replay = [r for r in replay if r.submitted_at <= when]  # not yet submitted then: in no list
    if lite and replay:  # the whole requests, with their histories, to replay
        replay = list(uow.requests.get_many([r.id for r in replay]).values())
    else:
        with_histories(uow.requests, replay)
    for request in replay:
        reasons = overdue_reasons(request, calendar, policy, when, within=window, include_stale=stale)
        if reasons:
            rows.append(OverdueRow(request, reasons, status_at(request, when) if past else request.status))
    return rows


def _rows_from_facts(uow: UnitOfWork, flt: RequestFilter, when: datetime, calendar: WorkingCalendar,
                     policy: SlaPolicy, window: timedelta | None, stale: bool,
                     ) -> tuple[list[OverdueRow], list[Request]] | None:
    """At a past `when`, from the stored timelines (None when the report facts are not stored):
    the rows of the requests open then (closed since or not), each from the segment of its
    timeline in force at `when`, and the requests without stored facts, to replay. Imported
    here: storage.report_queries loads the report's domain.metrics, a tenth of the start-up of
    `overdue` from now on, which never needs them."""
    from ..domain.sla import state_reasons
    from ..storage import report_queries

    if not report_queries.report_facts_ready(uow.conn):
        return None
    rows: list[OverdueRow] = []
    for request, _, _, state in report_queries.open_states_at(uow.conn, replace(flt, open_only=False), when):
        reasons = state_reasons(state, calendar, policy, window, stale)
        if reasons:
            rows.append(OverdueRow(request, reasons, state.status))
    return rows, report_queries.without_facts(uow.conn, flt, when)


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
        default = spec.default
        value = stored.get(key, "" if default is None else default)
        views.append(SettingView(key, value, default, key in stored, spec.description))
    for key in sorted(set(stored) - set(SETTINGS)):
        views.append(SettingView(key, stored[key], None, True, "(not a setting this version knows)"))
    return views


@dataclass
class SettingChanged:
    """What `config set` stored, and for a new time zone what moved with it."""

    value: str  # the stored (normalised) value
    old_zone: str | None = None  # calendar.timezone: the zone before (None: the zone did not change)
    dates_kept: int = 0  # planned completions given as dates, re-anchored to the same dates


def config_set(ctx: Context, key: str, value: str) -> SettingChanged:
    """Validate and store a setting. A new time zone keeps every planned completion given as a
    date on its date (domain.lifecycle.reanchor_due, one history entry each); recorded moments
    stay the same moments, shown in the new zone."""
    from ..domain.sla import validate_setting

    normalised = validate_setting(key, value)
    changed = SettingChanged(normalised)
    with ctx.unit_of_work(write=True) as uow:
        moved: list[Request] = []
        if key == "calendar.timezone":
            old_zone = inputs(uow, ctx).tz
            if str(old_zone) != normalised:
                moved = _reanchor_dates(uow, ctx, old_zone, ZoneInfo(normalised))
                changed.old_zone, changed.dates_kept = str(old_zone), len(moved)
        uow.requests.set_setting(key, normalised)
        if key in ("calendar.country", "calendar.subdivision"):
            uow.requests.forget_country_days()  # taken again from the installed package
        keep_deadlines(uow, inputs(uow, ctx), moved, recompute=True)  # also the way to repair them
        uow.commit()
    return changed


def _reanchor_dates(uow: UnitOfWork, ctx: Context, old_zone: ZoneInfo, new_zone: ZoneInfo) -> list[Request]:
    """The requests whose date-only planned completion moved to the same date in `new_zone`,
    saved with their history entry."""
    from ..domain.lifecycle import reanchor_due
    from ..storage.stored import RequestFilter

    ids = [r.id for r in uow.requests.select(RequestFilter(date_only_due=True))]
    moved = [request for request in uow.requests.get_many(ids).values()
             if reanchor_due(request, old_zone, new_zone, ctx.now, ctx.actor) is not None]
    uow.requests.save_many(moved)
    return moved


def config_unset(ctx: Context, key: str) -> None:
    """Return a setting to its default (the time zone cannot be unset: dates depend on it)."""
    from ..domain.sla import SETTINGS

    if key == "calendar.timezone":
        raise InvalidInput("calendar.timezone cannot be unset; set another zone with `reqtrack config set calendar.timezone ZONE`")
    with ctx.unit_of_work(write=True) as uow:
        if key not in SETTINGS and key not in uow.requests.settings():
            raise InvalidInput("unknown setting {key!r}; `reqtrack config show` lists them", key=key)
        uow.requests.set_setting(key, None)
        if key in ("calendar.country", "calendar.subdivision"):
            uow.requests.forget_country_days()
        keep_deadlines(uow, inputs(uow, ctx), [], recompute=True)
        uow.commit()
