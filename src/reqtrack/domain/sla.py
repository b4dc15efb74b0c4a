"""SLA policy, the shared settings, and the clocks of one request (SPEC §4). Pure: no I/O.

Every clock is computed from what the request has stored: `submitted_at` and the history
entries (their times, actions and `changes` {field: [old, new]}), falling back on the stored
fields only where the history says nothing (an imported request whose process log was free
text). Evaluating at an `as_of` in the past ignores the entries after it and reads each field
as it was then (the old value of the first later change), so `overdue --as-of` answers what
was overdue at that moment.

Clocks (see docs/sla.md):

* response   — submitted_at + `response_hours` calendar hours; met by the first classify,
  reassess, assign, progress, complete, verify or cancel entry.
* plan       — high priority only: submitted_at + `plan_hours_high` calendar hours; met by the
  first assign entry.
* resolution — from submitted_at, or from the latest reopen; `resolution_days[priority]`
  working days (no priority: medium), pushed back by the working time paused before the
  deadline; met by completed_at. Paused while feasibility is `defer` or the request waits on
  the customer.
* due        — the planned completion as stored; met by completed_at.
* stale      — in-progress requests only: the latest entry + `stale_hours` calendar hours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from typing import Any

from .calendar import CountryYear, WorkingCalendar, load_zone, normalise_country, parse_date_list, supported_countries
from .errors import InvalidInput
from .lifecycle import RESPONSE_ACTIONS
from .record import HistoryEntry, Request
from .vocab import OPEN_STATUSES

UTC = timezone.utc
PRIORITIES = ("high", "medium", "low")
CLOCK_NAMES = ("response", "plan", "resolution", "due", "stale")
# Order of reasons with the same lateness, and of the three groups (breaches, stale, due soon).
REASON_ORDER = {"response": 0, "plan": 1, "resolution": 2, "due": 3, "stale": 4, "due-soon": 5}
_BREACHES = frozenset({"response", "plan", "resolution", "due"})


# -- settings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SettingSpec:
    """One shared setting: its key, default (as stored text; None = not set) and meaning."""

    key: str
    default: str | None
    description: str
    kind: str  # zone | country | subdivision | dates | hours | days | fraction


_SPECS = (
    SettingSpec("calendar.timezone", "UTC", "IANA time zone of the database: dates, months and holidays are local to it "
                "(set from the creating machine's zone).", "zone"),
    SettingSpec("calendar.country", None, "ISO country code whose public holidays and make-up working days count "
                "(CN, TW, HK, US, ...); unset = Monday-Friday only.", "country"),
    SettingSpec("calendar.subdivision", None, "Optional subdivision of the country for regional holidays "
                "(e.g. a US state).", "subdivision"),
    SettingSpec("calendar.extra_holidays", "", "Extra days off, YYYY-MM-DD separated by commas (win over the country's "
                "calendar).", "dates"),
    SettingSpec("calendar.extra_workdays", "", "Extra working days, YYYY-MM-DD separated by commas (win over "
                "everything else).", "dates"),
    SettingSpec("sla.response_hours", "24", "First response due within this many calendar hours of submission.", "hours"),
    SettingSpec("sla.plan_hours.high", "48", "High priority: assignment (solution plan) due within this many calendar "
                "hours of submission.", "hours"),
    SettingSpec("sla.resolution_days.high", "2", "High priority: working days from submission (or reopen) to "
                "actual completion.", "days"),
    SettingSpec("sla.resolution_days.medium", "4", "Medium priority (and no priority yet): working days to actual "
                "completion.", "days"),
    SettingSpec("sla.resolution_days.low", "7", "Low priority: working days to actual completion.", "days"),
    SettingSpec("sla.stale_hours", "24", "An in-progress request with no update for this many calendar hours is "
                "stale.", "hours"),
    SettingSpec("sla.mean_resolution_target_days", "5", "Target for the mean resolution time over all requests, in "
                "working days (report).", "days"),
    SettingSpec("sla.first_response_target", "0.9", "Target share of requests answered within sla.response_hours "
                "(report); 0.9 or 90%.", "fraction"),
)
SETTINGS: dict[str, SettingSpec] = {spec.key: spec for spec in _SPECS}

_MAX = {"hours": 24 * 3650, "days": 3650}  # ten years: beyond that a target is a typo


def _number(key: str, value: str, kind: str) -> float:
    unit = "hours" if kind == "hours" else "working days"
    try:
        number = float(value.strip())
    except ValueError:
        raise InvalidInput(f"{key} must be a positive number of {unit}, not {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise InvalidInput(f"{key} must be a positive number of {unit}, not {value!r}")
    if number > _MAX[kind]:
        raise InvalidInput(f"{key} must be at most {_MAX[kind]} {unit}, not {value!r}")
    return number


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _fraction(key: str, value: str) -> float:
    text = value.strip()
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise InvalidInput(f"{key} must be a share such as 0.9 or 90%, not {value!r}") from None
    if percent or number > 1:
        number /= 100
    if not math.isfinite(number) or not 0 < number <= 1:
        raise InvalidInput(f"{key} must be a share above 0 and at most 100%, such as 0.9 or 90%, not {value!r}")
    return number


def validate_setting(key: str, value: str, settings: Mapping[str, str] | None = None) -> str:
    """The normalised text to store for `key`, or InvalidInput with one sentence.

    `settings` (the current ones, optional) lets a subdivision be checked against the
    configured country.
    """
    spec = SETTINGS.get(key)
    if spec is None:
        raise InvalidInput(f"unknown setting {key!r}; known settings: {', '.join(SETTINGS)}")
    text = value.strip()
    if spec.kind == "zone":
        load_zone(text)
        return text
    if spec.kind == "country":
        if text.lower() in ("", "none", "-"):
            return ""
        return normalise_country(text)[0]
    if spec.kind == "subdivision":
        if text.lower() in ("", "none", "-"):
            return ""
        country = (settings or {}).get("calendar.country", "")
        if country:
            return normalise_country(country, text)[1] or ""
        for subdivisions in supported_countries().values():
            for name in subdivisions:
                if name.upper() == text.upper():
                    return name
        raise InvalidInput(f"{value!r} is not a subdivision of any country the holidays package knows")
    if spec.kind == "dates":
        return ",".join(day.isoformat() for day in parse_date_list(text, key))
    if spec.kind == "fraction":
        return _number_text(_fraction(key, text))
    return _number_text(_number(key, text, spec.kind))


def _setting(settings: Mapping[str, str], key: str) -> str | None:
    value = settings.get(key)
    return SETTINGS[key].default if value is None else value


@dataclass(frozen=True)
class SlaPolicy:
    """The SLA targets (SPEC §4 defaults, seed `monitoring-standard`)."""

    response_hours: float = 24
    plan_hours_high: float = 48
    resolution_days: dict[str, float] = field(default_factory=lambda: {"high": 2, "medium": 4, "low": 7})
    stale_hours: float = 24
    mean_resolution_target_days: float = 5
    first_response_target: float = 0.9

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SlaPolicy:
        """The policy from stored settings (missing keys take their defaults); InvalidInput for a bad value."""

        def number(key: str) -> float:
            text = _setting(settings, key) or ""
            spec = SETTINGS[key]
            try:
                return _fraction(key, text) if spec.kind == "fraction" else _number(key, text, spec.kind)
            except InvalidInput as exc:
                raise InvalidInput(f"stored setting {exc}; fix it with `reqtrack config set {key} VALUE`") from None

        return cls(
            response_hours=number("sla.response_hours"),
            plan_hours_high=number("sla.plan_hours.high"),
            resolution_days={p: number(f"sla.resolution_days.{p}") for p in PRIORITIES},
            stale_hours=number("sla.stale_hours"),
            mean_resolution_target_days=number("sla.mean_resolution_target_days"),
            first_response_target=number("sla.first_response_target"),
        )

    def resolution_target(self, priority: str | None) -> float:
        """Working days allowed for `priority` (no or unknown priority: medium)."""
        return float(self.resolution_days.get(priority or "medium", self.resolution_days["medium"]))


def calendar_from_settings(settings: Mapping[str, str],
                           country_days: Mapping[int, CountryYear] | None = None) -> WorkingCalendar:
    """The working calendar the settings describe; InvalidInput naming the setting to fix.

    `country_days`: the country's days of the years already kept (see WorkingCalendar).
    """
    zone = _setting(settings, "calendar.timezone") or "UTC"
    country = _setting(settings, "calendar.country") or None
    subdivision = _setting(settings, "calendar.subdivision") or None

    def dates(key: str) -> tuple[date, ...]:
        return parse_date_list(_setting(settings, key) or "", f"stored setting {key}")

    try:
        return WorkingCalendar(
            timezone=zone,
            country=country,
            extra_holidays=dates("calendar.extra_holidays"),
            extra_workdays=dates("calendar.extra_workdays"),
            subdivision=subdivision if country else None,
            country_days=country_days,
        )
    except InvalidInput as exc:
        raise InvalidInput(f"{exc} (from the stored calendar settings; change them with `reqtrack config set`)") from None


# What running deadlines depend on besides the request: the calendar and the clock targets.
_DEADLINE_SETTINGS = ("calendar.timezone", "calendar.country", "calendar.subdivision", "calendar.extra_holidays",
                      "calendar.extra_workdays", "sla.response_hours", "sla.plan_hours.high",
                      "sla.resolution_days.high", "sla.resolution_days.medium", "sla.resolution_days.low",
                      "sla.stale_hours")
DEADLINES_FORMAT = 1  # bump when the clocks' rules change, so stored deadlines are recomputed


def deadline_basis(settings: Mapping[str, str]) -> str:
    """A text naming everything stored running deadlines were computed with besides the
    requests: the format and the calendar and SLA settings (defaults filled in). Stored
    deadlines are used only while their basis equals the current one. (A country's days are
    kept in the database once used, so a new `holidays` package does not change them.)"""
    parts = [f"format={DEADLINES_FORMAT}"]
    parts += [f"{key}={_setting(settings, key) or ''}" for key in _DEADLINE_SETTINGS]
    return ";".join(parts)


# -- the request as it stood at a moment --------------------------------------------------------
_MISSING = object()


def _utc(t: datetime) -> datetime:
    zone = t.tzinfo
    if zone is UTC:  # the common case: stored times come back in UTC
        return t
    if zone is None:
        raise ValueError(f"a timezone-aware datetime is needed, not {t!r}")
    return t.astimezone(UTC)


def _as_datetime(value: Any) -> Any:
    """A datetime from a stored change value (ISO text or datetime); _MISSING when unreadable."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return _MISSING
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return _MISSING


_FIELD_READERS = {
    "status": lambda v: v if isinstance(v, str) or v is None else _MISSING,
    "priority": lambda v: v if isinstance(v, str) or v is None else _MISSING,
    "feasibility": lambda v: v if isinstance(v, str) or v is None else _MISSING,
    "waiting": lambda v: bool(v),
    "due": _as_datetime,
    "completed_at": _as_datetime,
}


@dataclass  # not frozen: built once per request by `overdue` and the report, and never changed
class _State:
    """What the clocks need, as it stood at `as_of` (all times UTC)."""

    as_of: datetime
    submitted: datetime
    status: str
    priority: str | None
    due: datetime | None
    due_set: datetime | None
    completed: datetime | None
    reopened: datetime | None
    responded: datetime | None
    assigned: datetime | None
    last_event: datetime
    pauses: tuple[tuple[datetime, datetime | None], ...]  # (begin, end); end None = still paused


_TIME_AND_SEQ = itemgetter(0, 1)


def _ordered(history: Iterable[HistoryEntry]) -> list[tuple[datetime, int, HistoryEntry]]:
    """(time in UTC, seq, entry), oldest first."""
    return sorted(((e.at if e.at.tzinfo is UTC else _utc(e.at), e.seq, e) for e in history), key=_TIME_AND_SEQ)


def _state(request: Request, as_of: datetime) -> _State:
    """Replay the history up to `as_of` (one pass) and read each field as it was then."""
    as_of = _utc(as_of)
    submitted = _utc(request.submitted_at)
    entries = _ordered(request.history)
    past = [(at, entry) for at, _, entry in entries if at <= as_of]

    # A field's value at as_of is the old value of its first change after as_of, else the current one.
    values: dict[str, Any] = {
        "status": request.status, "priority": request.priority, "feasibility": request.feasibility,
        "waiting": request.waiting, "due": request.due, "completed_at": request.completed_at,
    }
    if len(past) < len(entries):  # entries after as_of (`--as-of` in the past): read the old values
        earlier: dict[str, Any] = {}
        for _, _, entry in entries[len(past):]:
            for name, change in (entry.changes or {}).items():
                if name in _FIELD_READERS and name not in earlier and isinstance(change, (list, tuple)) and len(change) == 2:
                    earlier[name] = _FIELD_READERS[name](change[0])
        for name, value in earlier.items():
            if value is not _MISSING:
                values[name] = value

    responded = assigned = reopened = due_set = None
    deferred = waiting = False
    pauses: list[tuple[datetime, datetime | None]] = []
    begun: datetime | None = None
    # One pass over the entries (the hot loop of `overdue` over every open request: kept inline).
    for at, entry in past:
        action = entry.action
        if responded is None and action in RESPONSE_ACTIONS:
            responded = at
        if action == "assign":
            if assigned is None:
                assigned = at
        elif action == "reopen":
            reopened = at
        changes = entry.changes
        if not changes:
            continue  # nothing changed: neither the due nor a pause
        if "due" in changes:
            due_set = at
        was_paused = deferred or waiting
        change = changes.get("feasibility")
        if isinstance(change, (list, tuple)) and len(change) == 2:
            deferred = change[1] == "defer"
        change = changes.get("waiting")
        if isinstance(change, (list, tuple)) and len(change) == 2:
            waiting = bool(change[1])
        if not was_paused and (deferred or waiting):
            begun = at
        elif was_paused and not (deferred or waiting) and begun is not None:
            pauses.append((begun, at))
            begun = None
    last_event = max(past[-1][0], submitted) if past else submitted

    # Reconcile with the fields when the history does not say how they got there (imports).
    paused_now = values["feasibility"] == "defer" or bool(values["waiting"])
    if paused_now and begun is None:
        begun = last_event
    elif not paused_now and begun is not None:
        pauses.append((begun, last_event))
        begun = None
    if begun is not None:
        pauses.append((begun, None))

    status = values["status"] or "pending"
    if responded is None and request.responded_at is not None and _utc(request.responded_at) <= as_of:
        responded = _utc(request.responded_at)
    if responded is None and status != "pending":
        responded = last_event  # handled at an unknown time, at the latest by the last recorded event
    if assigned is None and request.owner and status in ("in-progress", "verifying", "done", "closed"):
        assigned = last_event

    due = values["due"]
    completed = values["completed_at"]
    return _State(
        as_of=as_of,
        submitted=submitted,
        status=status,
        priority=values["priority"],
        due=_utc(due) if due is not None else None,
        due_set=due_set,
        completed=_utc(completed) if completed is not None and _utc(completed) <= as_of else None,
        reopened=reopened,
        responded=responded,
        assigned=assigned,
        last_event=last_event,
        pauses=tuple(pauses),
    )


# -- clocks -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clock:
    """One SLA clock of a request.

    `start` and `met_at` are the stored instants; `deadline` is in the calendar's zone (None:
    no deadline). `paused`: the clock is stopped at the moment it was evaluated (resolution
    only; the deadline then moves on with the pause). Subtract through the helpers: they work
    in UTC, so DST changes do not shift the result.
    """

    name: str
    start: datetime
    deadline: datetime | None
    met_at: datetime | None
    paused: bool = False
    paused_working_days: float = 0.0  # working time paused so far (resolution)

    @property
    def met(self) -> bool:
        """Whether the clock stopped because its target was reached (on time or late)."""
        return self.met_at is not None

    @property
    def was_late(self) -> bool:
        """Met after its deadline (a breach the report counts even though it is no longer overdue)."""
        return self.met_at is not None and self.deadline is not None and _utc(self.met_at) > _utc(self.deadline)

    def is_overdue(self, as_of: datetime) -> bool:
        """Unmet, not paused, and its deadline passed before `as_of`."""
        return (self.met_at is None and not self.paused and self.deadline is not None
                and _utc(as_of) > _utc(self.deadline))

    def breached(self, as_of: datetime) -> bool:
        """Met late, or still unmet past its deadline at `as_of`."""
        return self.was_late or self.is_overdue(as_of)

    def late_by(self, as_of: datetime) -> timedelta:
        """Calendar time from the deadline to the stop (met_at, else `as_of`): negative = time left."""
        if self.deadline is None:
            raise ValueError(f"the {self.name} clock has no deadline")
        end = self.met_at if self.met_at is not None else as_of
        return _utc(end) - _utc(self.deadline)

    def late_working_days(self, as_of: datetime, calendar: WorkingCalendar) -> float:
        """Working time from the deadline to the stop, in days: negative = working time left."""
        if self.deadline is None:
            raise ValueError(f"the {self.name} clock has no deadline")
        end = self.met_at if self.met_at is not None else as_of
        if _utc(end) >= _utc(self.deadline):
            return calendar.working_days_between(self.deadline, end)
        return -calendar.working_days_between(end, self.deadline)


_HOURS: dict[float, timedelta] = {}  # the few targets in hours, as timedeltas made once


def _plus_hours(t: datetime, hours: float, calendar: WorkingCalendar) -> datetime:
    # In UTC: aware arithmetic within one ZoneInfo would add wall-clock time across DST changes.
    step = _HOURS.get(hours)
    if step is None:
        step = _HOURS[hours] = timedelta(hours=hours)
    return calendar.local(_utc(t) + step)


def _resolution(state: _State, calendar: WorkingCalendar, policy: SlaPolicy) -> Clock:
    """The resolution clock of a replayed state (see `resolution_clock_of`)."""
    return resolution_clock_of(state.reopened or state.submitted, state.completed, state.as_of, state.priority,
                               state.pauses, calendar, policy)


def resolution_clock_of(
    start: datetime,
    completed: datetime | None,
    as_of: datetime,
    priority: str | None,
    pauses: Sequence[tuple[datetime, datetime | None]],
    calendar: WorkingCalendar,
    policy: SlaPolicy,
) -> Clock:
    """The resolution clock: a stopwatch of unpaused working time against the target, from
    `start` (submission or latest reopen) to `completed` (if at or after start), else `as_of`.

    The deadline is pushed back by each pause that begins before the (already pushed) deadline;
    a pause that begins after it does not undo the breach. All times UTC.
    """
    met = completed if completed is not None and completed >= start else None
    end = met or as_of
    deadline = calendar.add_working_time(start, policy.resolution_target(priority))
    paused_days = 0.0
    for begin, finish in pauses:
        begin = max(begin, start)
        stop = end if finish is None else min(finish, end)
        if begin >= _utc(deadline):
            break
        if stop > begin:
            length = calendar.working_days_between(begin, stop)
            paused_days += length
            deadline = calendar.add_working_time(deadline, length)
    # Stopped now, even by a pause that began after the deadline (not overdue while paused).
    paused_now = met is None and bool(pauses) and pauses[-1][1] is None
    return Clock("resolution", start, deadline, met, paused_now, paused_days)


def _clocks(state: _State, calendar: WorkingCalendar, policy: SlaPolicy) -> list[Clock]:
    clocks = [Clock("response", state.submitted, _plus_hours(state.submitted, policy.response_hours, calendar),
                    state.responded)]
    if state.priority == "high":
        clocks.append(Clock("plan", state.submitted, _plus_hours(state.submitted, policy.plan_hours_high, calendar),
                            state.assigned))
    clocks.append(_resolution(state, calendar, policy))
    if state.due is not None:
        met = state.completed if state.completed is not None else None
        clocks.append(Clock("due", state.due_set or state.submitted, calendar.local(state.due), met))
    if state.status == "in-progress":
        clocks.append(Clock("stale", state.last_event, _plus_hours(state.last_event, policy.stale_hours, calendar), None))
    if state.status not in OPEN_STATUSES:
        # Work that ended (cancelled, or closed without a recorded completion) stops its unmet clocks.
        clocks = [c for c in clocks if c.met_at is not None]
    return clocks


def request_clocks(request: Request, calendar: WorkingCalendar, policy: SlaPolicy, as_of: datetime) -> list[Clock]:
    """The request's clocks at `as_of`, in the order response, plan, resolution, due, stale.

    plan appears for high priority only, due when a planned completion is set, stale for
    in-progress requests; a request that is no longer open keeps only its met clocks.
    """
    return _clocks(_state(request, as_of), calendar, policy)


# -- overdue ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverdueReason:
    """Why an open request is listed: the clock, its deadline, and how late (negative: not yet due).

    `clock` names the clock behind a "due-soon" (for the other reasons it equals `reason`).
    """

    reason: str  # response | plan | resolution | due | due-soon | stale
    deadline: datetime
    late_calendar: timedelta
    late_working_days: float
    clock: str = ""


def _reason_key(reason: OverdueReason) -> tuple[int, float, int]:
    group = 0 if reason.reason in _BREACHES else 1 if reason.reason == "stale" else 2
    return group, -reason.late_calendar.total_seconds(), REASON_ORDER[reason.reason]


def overdue_reasons(
    request: Request,
    calendar: WorkingCalendar,
    policy: SlaPolicy,
    as_of: datetime,
    within: timedelta | None = None,
    include_stale: bool = False,
) -> list[OverdueReason]:
    """Every reason the request is overdue at `as_of` (empty: not overdue), most urgent first.

    Only open requests (pending, in-progress, verifying) are ever overdue. A reason is an unmet,
    unpaused clock whose deadline passed (response, plan, resolution, due). `within` adds
    "due-soon" for unmet deadlines in (as_of, as_of + within]; `include_stale` adds "stale".
    Order: breaches first, most late first; then stale; then due-soon, soonest first; ties in
    the order response, plan, resolution, due.
    """
    state = _state(request, as_of)
    if state.status not in OPEN_STATUSES:
        return []
    return reasons_at(_running(state, calendar, policy), calendar, state.as_of, within, include_stale)


def _running(state: _State, calendar: WorkingCalendar, policy: SlaPolicy) -> dict[str, datetime]:
    """The clocks still running (unmet, unpaused, with a deadline) → their deadlines."""
    return {clock.name: clock.deadline for clock in _clocks(state, calendar, policy)
            if clock.deadline is not None and clock.met_at is None and not clock.paused}


@dataclass(frozen=True)
class RunningDeadlines:
    """What an open request's overdue check needs, from `valid_from` on (see `running_deadlines`).

    `deadlines` maps each running clock (response, plan, resolution, due, stale) to its deadline.
    """

    valid_from: datetime
    deadlines: dict[str, datetime]

    @property
    def next_breach(self) -> datetime | None:
        """The earliest deadline of response, plan, resolution and due (stale is not a breach)."""
        return min((_utc(t) for name, t in self.deadlines.items() if name != "stale"), default=None)


def running_deadlines(request: Request, calendar: WorkingCalendar, policy: SlaPolicy) -> RunningDeadlines | None:
    """The running clocks of an open request as they stand after everything recorded about it;
    None for a request that is not open.

    Until the request changes again these deadlines are fixed: for every `as_of` at or after
    `valid_from`, `overdue_reasons(request, ..., as_of)` equals
    `reasons_at(result.deadlines, ..., as_of)`. A paused resolution clock is left out (its
    deadline moves on with the pause, and a paused clock is never overdue). The services store
    this per open request, so that `overdue` reads deadlines instead of replaying every history
    (tests/test_sla.py checks the equality as a Hypothesis property).
    """
    end = _recorded_end(request)
    state = _state(request, end)
    if state.status not in OPEN_STATUSES:
        return None
    return RunningDeadlines(end, _running(state, calendar, policy))


def reasons_at(
    deadlines: Mapping[str, datetime],
    calendar: WorkingCalendar,
    as_of: datetime,
    within: timedelta | None = None,
    include_stale: bool = False,
) -> list[OverdueReason]:
    """The overdue reasons of running clocks (name → deadline) at `as_of`, most urgent first
    (the order of `overdue_reasons`)."""
    now = _utc(as_of)
    horizon = now + within if within is not None else None
    reasons: list[OverdueReason] = []
    for name, deadline in deadlines.items():
        due_at = _utc(deadline)
        if name == "stale":
            if include_stale and now > due_at:
                reasons.append(_reason("stale", name, deadline, now, calendar))
        elif now > due_at:
            reasons.append(_reason(name, name, deadline, now, calendar))
        elif horizon is not None and due_at <= horizon:
            reasons.append(_reason("due-soon", name, deadline, now, calendar))
    reasons.sort(key=_reason_key)
    return reasons


def status_at(request: Request, as_of: datetime) -> str:
    """The request's status at `as_of`, replayed from its history."""
    return _state(request, as_of).status


def _reason(reason: str, clock: str, deadline: datetime, as_of: datetime, calendar: WorkingCalendar) -> OverdueReason:
    """The reason of a running clock at `as_of` (UTC): Clock.late_by and late_working_days, inline."""
    late = as_of - _utc(deadline)
    if late.days >= 0:  # as_of at or after the deadline
        working = calendar.working_days_between(deadline, as_of)
    else:
        working = -calendar.working_days_between(as_of, deadline)
    return OverdueReason(reason, deadline, late, working, clock)


def is_overdue(request: Request, calendar: WorkingCalendar, policy: SlaPolicy, as_of: datetime) -> bool:
    """Whether the request is overdue at `as_of` (due soon and stale do not count)."""
    return bool(overdue_reasons(request, calendar, policy, as_of))


# -- after the fact (report) ------------------------------------------------------------------
def _recorded_end(request: Request) -> datetime:
    """A moment after everything recorded about the request (to evaluate it "as of now")."""
    times = [_utc(request.submitted_at)] + [_utc(e.at) for e in request.history]
    for value in (request.completed_at, request.responded_at, request.closed_at):
        if value is not None:
            times.append(_utc(value))
    return max(times)


def recorded_end(request: Request) -> datetime:
    """A moment after everything recorded about the request: its submission, history entries,
    completion, response and closing times (UTC)."""
    return _recorded_end(request)


def first_response_at(request: Request) -> datetime | None:
    """Time of the first response (see the response clock), None while unanswered."""
    return _state(request, _recorded_end(request)).responded


def response_met_within(request: Request, policy: SlaPolicy, as_of: datetime | None = None) -> bool | None:
    """True: answered within `response_hours`; False: answered late, or unanswered past the
    deadline at `as_of`; None: unanswered and not (yet) late, or `as_of` not given."""
    state = _state(request, as_of or _recorded_end(request))
    deadline = state.submitted + timedelta(hours=policy.response_hours)
    if state.responded is not None:
        return state.responded <= deadline
    return False if as_of is not None and _utc(as_of) > deadline else None


def plan_met_within(request: Request, policy: SlaPolicy, as_of: datetime | None = None) -> bool | None:
    """Like `response_met_within` for the high-priority plan (assignment); None when not high."""
    state = _state(request, as_of or _recorded_end(request))
    if state.priority != "high":
        return None
    deadline = state.submitted + timedelta(hours=policy.plan_hours_high)
    if state.assigned is not None:
        return state.assigned <= deadline
    return False if as_of is not None and _utc(as_of) > deadline else None


def resolution_clock(request: Request, calendar: WorkingCalendar, policy: SlaPolicy,
                     as_of: datetime | None = None) -> Clock:
    """The resolution clock (also for a request that is no longer open)."""
    return _resolution(_state(request, as_of or _recorded_end(request)), calendar, policy)


def paused_working_days(request: Request, calendar: WorkingCalendar, as_of: datetime | None = None) -> float:
    """All working time paused (deferred or waiting) between the resolution start and its stop."""
    state = _state(request, as_of or _recorded_end(request))
    start = state.reopened or state.submitted
    end = state.completed if state.completed is not None and state.completed >= start else state.as_of
    return paused_between(state.pauses, start, end, calendar)


def paused_between(pauses: Sequence[tuple[datetime, datetime | None]], start: datetime, end: datetime,
                   calendar: WorkingCalendar) -> float:
    """Working days of the `pauses` ((begin, end or None = still paused), UTC) within [start, end]."""
    total = 0.0
    for begin, finish in pauses:
        begin, stop = max(begin, start), min(finish or end, end)
        if stop > begin:
            total += calendar.working_days_between(begin, stop)
    return total


def resolution_working_days(request: Request, calendar: WorkingCalendar) -> float | None:
    """Working days from the resolution start (submission or latest reopen) to completed_at,
    minus the working time paused in between; None when not completed."""
    state = _state(request, _recorded_end(request))
    start = state.reopened or state.submitted
    if state.completed is None or state.completed < start:
        return None
    return max(0.0, calendar.working_days_between(start, state.completed)
               - paused_between(state.pauses, start, state.completed, calendar))


def resolution_inputs(request: Request) -> tuple[datetime, datetime | None, datetime, str | None,
                                                datetime | None, tuple[tuple[datetime, datetime | None], ...]]:
    """(start, completed, as_of, priority, due, pauses) of the request's resolution clock as
    recorded (what `resolution_clock_of` and `paused_between` take; all times UTC)."""
    state = _state(request, _recorded_end(request))
    return (state.reopened or state.submitted, state.completed, state.as_of, state.priority, state.due,
            state.pauses)


def resolution_met_within(request: Request, calendar: WorkingCalendar, policy: SlaPolicy) -> bool | None:
    """True/False: completed by/after its resolution deadline; None when not completed."""
    clock = resolution_clock(request, calendar, policy)
    return None if clock.met_at is None else not clock.was_late


def due_met(request: Request) -> bool | None:
    """On time against the planned completion: completed_at <= due; None without both."""
    if request.due is None or request.completed_at is None:
        return None
    return _utc(request.completed_at) <= _utc(request.due)
