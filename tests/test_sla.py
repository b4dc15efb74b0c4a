"""SLA policy, settings and the clocks of one request (SPEC §4): reqtrack.domain.sla."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import lifecycle_step
from reqtrack.domain.calendar import WorkingCalendar
from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.record import HistoryEntry, Request
from reqtrack.domain.sla import (
    SETTINGS,
    SlaPolicy,
    calendar_from_settings,
    due_met,
    first_response_at,
    overdue_reasons,
    paused_working_days,
    plan_met_within,
    request_clocks,
    resolution_clock,
    resolution_met_within,
    resolution_working_days,
    response_met_within,
    validate_setting,
)

TZ = ZoneInfo("Asia/Shanghai")
PLAIN = WorkingCalendar("Asia/Shanghai")
CHINA = WorkingCalendar("Asia/Shanghai", "CN")
POLICY = SlaPolicy()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def new(submitted: str, priority: str | None = None) -> Request:
    """A request as `new` leaves it; stored times are UTC like the database's."""
    when = at(submitted).astimezone(timezone.utc)
    request = Request(id="202501-001", customer="ACME", description="x", submitted_at=when, priority=priority)
    request.history.append(HistoryEntry(1, when, "new", "lead", {"customer": [None, "ACME"]}))
    return request


def event(request: Request, when: str, action: str, **fields: Any) -> Request:
    """Append a history entry that changes `fields`, recording [old, new] as lifecycle does."""
    changes = {}
    for name, value in fields.items():
        changes[name] = [_jsonable(getattr(request, name)), _jsonable(value)]
        setattr(request, name, value)
    request.history.append(HistoryEntry(len(request.history) + 1, at(when).astimezone(timezone.utc), action, "lead", changes))
    return request


def assigned(submitted: str, priority: str | None = "high", **due: Any) -> Request:
    """Registered and assigned at once (answered and planned in the same minute)."""
    return event(new(submitted, priority), submitted, "assign", status="in-progress", owner="Zhang", **due)


def reasons(request: Request, as_of: str, calendar: WorkingCalendar = PLAIN, **kwargs: Any) -> list[str]:
    return [r.reason for r in overdue_reasons(request, calendar, POLICY, at(as_of), **kwargs)]


def clock(request: Request, name: str, as_of: str, calendar: WorkingCalendar = PLAIN):
    return next(c for c in request_clocks(request, calendar, POLICY, at(as_of)) if c.name == name)


# -- the acceptance examples of SPEC §4 ---------------------------------------------------------
def test_high_priority_friday_is_due_tuesday_same_time_without_a_country() -> None:
    request = assigned("2025-01-10 10:00")  # a Friday
    assert reasons(request, "2025-01-14 09:59") == []
    late = overdue_reasons(request, PLAIN, POLICY, at("2025-01-14 10:01"))
    assert [r.reason for r in late] == ["resolution"]
    assert late[0].deadline == at("2025-01-14 10:00") and late[0].deadline.tzinfo == TZ
    assert late[0].late_calendar == timedelta(minutes=1)
    assert late[0].late_working_days == pytest.approx(1 / 1440)


def test_china_high_friday_before_spring_festival_is_due_on_the_make_up_sunday_monday() -> None:
    high = assigned("2025-01-24 10:00", "high")
    assert clock(high, "resolution", "2025-01-24 10:00", CHINA).deadline == at("2025-01-27 10:00")
    low = assigned("2025-01-27 10:00", "low")
    assert clock(low, "resolution", "2025-01-27 10:00", CHINA).deadline == at("2025-02-12 10:00")
    assert reasons(low, "2025-02-12 09:59", CHINA) == []
    assert reasons(low, "2025-02-12 10:01", CHINA) == ["resolution"]


def test_unanswered_request_is_overdue_after_24_hours_and_not_once_answered_late() -> None:
    request = new("2025-03-01 10:00", "medium")
    assert reasons(request, "2025-03-02 09:59") == []
    assert reasons(request, "2025-03-02 10:01") == ["response"]
    event(request, "2025-03-02 12:00", "progress", waiting=False)  # answered 2 h late
    assert reasons(request, "2025-03-02 12:01") == []
    response = clock(request, "response", "2025-03-02 12:01")
    assert response.was_late and response.breached(at("2025-03-02 12:01"))
    assert response_met_within(request, POLICY) is False
    # Evaluated as of a moment before the answer, it was overdue then.
    assert reasons(request, "2025-03-02 11:00") == ["response"]


def test_high_priority_needs_a_plan_within_48_hours() -> None:
    request = event(new("2025-03-03 09:00", "high"), "2025-03-03 09:30", "classify", feasibility="now")
    assert reasons(request, "2025-03-05 08:59") == []
    assert reasons(request, "2025-03-05 09:01") == ["plan", "resolution"]  # both 1 min late: plan first
    event(request, "2025-03-05 10:00", "assign", status="in-progress", owner="Li")
    assert reasons(request, "2025-03-05 10:01") == ["resolution"]
    assert plan_met_within(request, POLICY) is False and response_met_within(request, POLICY) is True
    assert plan_met_within(new("2025-03-03 09:00", "low"), POLICY) is None


def test_reasons_are_ordered_most_late_first_then_stale_then_due_soon() -> None:
    request = new("2025-03-03 09:00", "high")  # Monday; nothing done
    got = overdue_reasons(request, PLAIN, POLICY, at("2025-03-06 09:00"), within=timedelta(days=30), include_stale=True)
    assert [r.reason for r in got] == ["response", "plan", "resolution"]  # 48 h, 24 h, 24 h late: tie → fixed order
    assert [r.late_calendar for r in got] == [timedelta(hours=48), timedelta(hours=24), timedelta(hours=24)]
    request = assigned("2025-03-03 09:00", "low", due=at("2025-03-04 18:00"))
    got = overdue_reasons(request, PLAIN, POLICY, at("2025-03-05 10:00"), within=timedelta(days=7), include_stale=True)
    assert [(r.reason, r.clock) for r in got] == [("due", "due"), ("stale", "stale"), ("due-soon", "resolution")]
    assert got[2].late_calendar < timedelta(0) and got[2].late_working_days < 0


def test_a_request_registered_on_a_weekend_starts_its_clock_on_monday_morning() -> None:
    request = assigned("2025-01-11 15:00", "high")  # Saturday
    assert clock(request, "resolution", "2025-01-11 15:00").deadline == at("2025-01-15 00:00")


def test_no_priority_counts_as_medium_and_a_reassessment_changes_the_target() -> None:
    request = event(new("2025-03-03 09:00"), "2025-03-03 09:10", "progress", waiting=False)
    assert clock(request, "resolution", "2025-03-03 10:00").deadline == at("2025-03-07 09:00")
    event(request, "2025-03-04 09:00", "classify", priority="high")
    assert clock(request, "resolution", "2025-03-04 10:00").deadline == at("2025-03-05 09:00")
    assert clock(request, "resolution", "2025-03-03 10:00").deadline == at("2025-03-07 09:00")  # as it was then


# -- pauses -----------------------------------------------------------------------------------
def test_waiting_on_the_customer_pushes_the_deadline_by_the_paused_working_time() -> None:
    request = assigned("2025-03-03 10:00", "high")  # Monday; due Wednesday 10:00
    event(request, "2025-03-03 12:00", "progress", waiting=True)
    paused = clock(request, "resolution", "2025-03-04 09:00")
    assert paused.paused and reasons(request, "2025-03-04 09:00") == []
    event(request, "2025-03-04 12:00", "progress", waiting=False)  # one working day paused
    resolution = clock(request, "resolution", "2025-03-05 10:30")
    assert resolution.deadline == at("2025-03-06 10:00") and resolution.paused_working_days == 1.0
    assert reasons(request, "2025-03-06 09:59") == []
    assert reasons(request, "2025-03-06 10:01") == ["resolution"]


def test_a_pause_over_a_weekend_only_pushes_by_its_working_time() -> None:
    request = assigned("2025-03-06 10:00", "high")  # Thursday; due Monday 10:00
    event(request, "2025-03-07 12:00", "classify", feasibility="defer")
    event(request, "2025-03-10 06:00", "reassess", feasibility="now")  # 0.5 + 0.25 working days
    assert clock(request, "resolution", "2025-03-10 07:00").deadline == at("2025-03-10 10:00") + timedelta(hours=18)


def test_deferred_is_never_overdue_while_paused_and_a_late_pause_does_not_erase_the_breach() -> None:
    request = assigned("2025-03-03 10:00", "high")  # due Wednesday 10:00
    event(request, "2025-03-06 10:00", "reassess", feasibility="defer")  # a day after the deadline
    assert reasons(request, "2025-03-10 10:00") == []  # paused
    event(request, "2025-03-11 10:00", "reassess", feasibility="adjust")
    late = overdue_reasons(request, PLAIN, POLICY, at("2025-03-11 11:00"))
    assert [r.reason for r in late] == ["resolution"] and late[0].deadline == at("2025-03-05 10:00")


def test_defer_and_waiting_overlapping_count_once() -> None:
    request = assigned("2025-03-03 10:00", "medium")  # due Friday 7th 10:00
    event(request, "2025-03-03 12:00", "classify", feasibility="defer")
    event(request, "2025-03-04 12:00", "progress", waiting=True)
    event(request, "2025-03-05 12:00", "classify", feasibility="now")  # still waiting
    event(request, "2025-03-06 12:00", "progress", waiting=False)  # paused 12:00 Mon → 12:00 Thu
    resolution = clock(request, "resolution", "2025-03-06 13:00")
    assert resolution.paused_working_days == 3.0 and resolution.deadline == at("2025-03-12 10:00")


@settings(max_examples=60, deadline=None)
@given(
    pause_start=st.integers(min_value=0, max_value=4 * 24 * 60),
    pause_minutes=st.integers(min_value=1, max_value=6 * 24 * 60),
    calendar=st.sampled_from([PLAIN, CHINA]),
    priority=st.sampled_from(["high", "medium", "low"]),
)
def test_unpaused_working_time_to_the_deadline_is_the_target(pause_start: int, pause_minutes: int,
                                                            calendar: WorkingCalendar, priority: str) -> None:
    submitted = at("2025-01-20 10:00")
    request = assigned("2025-01-20 10:00", priority)
    begin = submitted + timedelta(minutes=pause_start)
    end = begin + timedelta(minutes=pause_minutes)
    event(request, begin.strftime("%Y-%m-%d %H:%M"), "progress", waiting=True)
    event(request, end.strftime("%Y-%m-%d %H:%M"), "progress", waiting=False)
    resolution = clock(request, "resolution", "2025-04-30 00:00", calendar)
    plain_deadline = calendar.add_working_days(submitted, int(POLICY.resolution_days[priority]))
    active = calendar.working_days_between(submitted, resolution.deadline) - resolution.paused_working_days
    if begin < plain_deadline:
        assert active == pytest.approx(POLICY.resolution_days[priority], abs=1e-6)
    else:
        assert resolution.deadline == plain_deadline and resolution.paused_working_days == 0.0


# -- completion, reopen, due, stale -----------------------------------------------------------
def test_completion_stops_the_resolution_and_due_clocks() -> None:
    request = assigned("2025-03-03 10:00", "high", due=at("2025-03-04 23:59:59"), due_is_date=True)
    event(request, "2025-03-04 15:00", "complete", status="verifying", completed_at=at("2025-03-04 15:00"))
    assert reasons(request, "2025-03-20 10:00", include_stale=True) == []
    assert resolution_working_days(request, PLAIN) == pytest.approx(1 + 5 / 24)
    assert resolution_met_within(request, PLAIN, POLICY) is True and due_met(request) is True
    # A failed verification clears the completion: late again.
    event(request, "2025-03-06 09:00", "verify", status="in-progress", verification="fail", completed_at=None)
    assert reasons(request, "2025-03-06 09:01") == ["due", "resolution"]
    assert resolution_working_days(request, PLAIN) is None and resolution_met_within(request, PLAIN, POLICY) is None


def test_reopen_restarts_the_resolution_clock() -> None:
    request = assigned("2025-03-03 10:00", "high")
    event(request, "2025-03-04 10:00", "complete", status="verifying", completed_at=at("2025-03-04 10:00"))
    event(request, "2025-03-04 11:00", "verify", status="done", verification="pass")
    event(request, "2025-03-10 09:00", "reopen", status="in-progress", completed_at=None, verification=None)
    resolution = clock(request, "resolution", "2025-03-10 09:00")
    assert resolution.start == at("2025-03-10 09:00") and resolution.deadline == at("2025-03-12 09:00")
    assert reasons(request, "2025-03-12 08:59") == [] and reasons(request, "2025-03-12 09:01") == ["resolution"]
    event(request, "2025-03-11 09:00", "complete", status="verifying", completed_at=at("2025-03-11 09:00"))
    assert resolution_working_days(request, PLAIN) == 1.0


def test_due_date_and_due_soon_window() -> None:
    request = assigned("2025-03-03 09:00", "low", due=at("2025-03-05 23:59:59"), due_is_date=True)
    assert reasons(request, "2025-03-05 12:00") == []
    soon = overdue_reasons(request, PLAIN, POLICY, at("2025-03-05 12:00"), within=timedelta(days=1))
    assert [(r.reason, r.clock, r.deadline) for r in soon] == [("due-soon", "due", at("2025-03-05 23:59:59"))]
    assert reasons(request, "2025-03-05 12:00", within=timedelta(hours=11, minutes=59, seconds=59)) == ["due-soon"]
    assert reasons(request, "2025-03-05 12:00", within=timedelta(hours=11)) == []
    assert reasons(request, "2025-03-06 00:30") == ["due"]


def test_stale_only_when_asked_and_only_in_progress() -> None:
    request = assigned("2025-03-03 09:00", "low")
    assert reasons(request, "2025-03-04 09:00", include_stale=True) == []
    assert reasons(request, "2025-03-04 09:01") == []
    assert reasons(request, "2025-03-04 09:01", include_stale=True) == ["stale"]
    event(request, "2025-03-04 10:00", "progress", waiting=False)
    assert reasons(request, "2025-03-04 10:01", include_stale=True) == []
    pending = event(new("2025-03-03 09:00", "low"), "2025-03-03 09:05", "progress", waiting=False)
    assert all(c.name != "stale" for c in request_clocks(pending, PLAIN, POLICY, at("2025-03-10 09:00")))


@pytest.mark.parametrize("final", ["done", "closed", "cancelled"])
def test_requests_that_are_not_open_are_never_overdue(final: str) -> None:
    request = new("2025-01-06 10:00", "high")  # never answered, never planned
    action = {"done": "verify", "closed": "close", "cancelled": "cancel"}[final]
    event(request, "2025-01-20 10:00", action, status=final)
    assert reasons(request, "2025-03-01 10:00", within=timedelta(days=99), include_stale=True) == []
    if final == "cancelled":
        # The work was dropped: only the (late) response stays, for the report.
        assert [c.name for c in request_clocks(request, PLAIN, POLICY, at("2025-03-01 10:00"))] == ["response"]
    # As of a moment when it was still open, it was overdue.
    assert reasons(request, "2025-01-15 10:00")[:1] == ["response"]


def test_imported_request_without_history_is_not_taken_for_unanswered() -> None:
    request = Request(id="TEL-002", customer="ACME", description="x", submitted_at=at("2025-01-06 10:00"),
                      status="in-progress", priority="low", owner="Wang")
    request.history.append(HistoryEntry(1, at("2025-01-07 10:00"), "import", "lead", {}, "legacy log"))
    assert reasons(request, "2025-01-08 10:00") == []
    assert first_response_at(request) == at("2025-01-07 10:00")


# -- report helpers -------------------------------------------------------------------------------
def test_report_helpers() -> None:
    on_time = assigned("2025-03-03 10:00", "high", due=at("2025-03-04 18:00"))
    event(on_time, "2025-03-03 12:00", "progress", waiting=True)
    event(on_time, "2025-03-03 18:00", "progress", waiting=False)
    event(on_time, "2025-03-05 14:00", "complete", status="verifying", completed_at=at("2025-03-05 14:00"))
    assert response_met_within(on_time, POLICY) is True and plan_met_within(on_time, POLICY) is True
    assert paused_working_days(on_time, PLAIN) == 0.25
    assert resolution_working_days(on_time, PLAIN) == pytest.approx(2 + 4 / 24 - 0.25)
    assert resolution_met_within(on_time, PLAIN, POLICY) is True  # deadline pushed to 05 16:00
    assert resolution_clock(on_time, PLAIN, POLICY).deadline == at("2025-03-05 16:00")
    assert due_met(on_time) is False
    open_one = new("2025-03-03 10:00")
    assert response_met_within(open_one, POLICY) is None
    assert response_met_within(open_one, POLICY, at("2025-03-04 10:01")) is False
    assert response_met_within(open_one, POLICY, at("2025-03-04 09:59")) is None


# -- clock helpers --------------------------------------------------------------------------------
def test_clock_lateness_in_calendar_and_working_time() -> None:
    request = assigned("2025-01-10 10:00", "high")  # due Tuesday 14th 10:00
    resolution = clock(request, "resolution", "2025-01-13 10:00")
    assert resolution.late_by(at("2025-01-13 10:00")) == -timedelta(days=1)
    assert resolution.late_working_days(at("2025-01-13 10:00"), PLAIN) == -1.0
    assert resolution.late_working_days(at("2025-01-20 10:00"), PLAIN) == 4.0
    assert not resolution.breached(at("2025-01-14 10:00")) and resolution.breached(at("2025-01-14 10:00:01"))


# -- settings --------------------------------------------------------------------------------------
def test_policy_defaults_and_settings() -> None:
    assert SlaPolicy.from_settings({}) == SlaPolicy()
    policy = SlaPolicy.from_settings({"sla.resolution_days.high": "3", "sla.response_hours": "8",
                                      "sla.first_response_target": "95%", "calendar.country": "CN"})
    assert policy.resolution_days == {"high": 3, "medium": 4, "low": 7} and policy.response_hours == 8
    assert policy.first_response_target == 0.95 and policy.resolution_target(None) == 4
    with pytest.raises(InvalidInput, match="sla.stale_hours"):
        SlaPolicy.from_settings({"sla.stale_hours": "soon"})
    for key, spec in SETTINGS.items():
        assert spec.key == key and spec.description
        if spec.default:
            assert validate_setting(key, spec.default) == spec.default


def test_validate_setting_normalises() -> None:
    assert validate_setting("calendar.country", " cn ") == "CN"
    assert validate_setting("calendar.country", "none") == ""
    assert validate_setting("calendar.timezone", "Asia/Taipei") == "Asia/Taipei"
    assert validate_setting("calendar.extra_holidays", "2025-05-02,2025-05-01 , 2025-05-01") == "2025-05-01,2025-05-02"
    assert validate_setting("calendar.extra_workdays", "") == ""
    assert validate_setting("sla.resolution_days.low", "7.0") == "7"
    assert validate_setting("sla.plan_hours.high", "36.5") == "36.5"
    assert validate_setting("sla.first_response_target", "90") == "0.9"
    assert validate_setting("calendar.subdivision", "ca", {"calendar.country": "US"}) == "CA"


@pytest.mark.parametrize("key, value, words", [
    ("calendar.country", "XX", "unknown country code"),
    ("calendar.timezone", "Mars/Base", "unknown time zone"),
    ("calendar.timezone", "", "unknown time zone"),
    ("calendar.extra_holidays", "2025-02-30", "not a date"),
    ("calendar.extra_workdays", "tomorrow", "not a date"),
    ("sla.response_hours", "-1", "positive number of hours"),
    ("sla.resolution_days.high", "0", "positive number of working days"),
    ("sla.resolution_days.medium", "nan", "positive number"),
    ("sla.stale_hours", "abc", "positive number"),
    ("sla.resolution_days.low", "100000", "at most"),
    ("sla.first_response_target", "150%", "share"),
    ("calendar.subdivision", "ZZ", "subdivision"),
    ("no.such.key", "1", "unknown setting"),
])
def test_validate_setting_refuses_with_one_sentence(key: str, value: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as caught:
        validate_setting(key, value, {"calendar.country": "US"} if key == "calendar.subdivision" else None)
    assert "\n" not in str(caught.value)


def test_calendar_from_settings() -> None:
    calendar = calendar_from_settings({
        "calendar.timezone": "Asia/Shanghai", "calendar.country": "CN",
        "calendar.extra_holidays": "2025-03-03", "calendar.extra_workdays": "2025-01-29",
    })
    assert calendar.tz == TZ and calendar.country == "CN"
    assert not calendar.is_working_day(date(2025, 3, 3)) and calendar.is_working_day(date(2025, 1, 29))
    assert calendar_from_settings({}).timezone == "UTC" and calendar_from_settings({}).country is None
    with pytest.raises(InvalidInput, match="config set"):
        calendar_from_settings({"calendar.timezone": "Nowhere/Town"})


# -- stored running deadlines answer exactly as the replayed clocks -----------------------------
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["classify", "defer", "undefer", "assign", "progress", "wait", "done", "pass", "fail",
                         "close", "cancel", "reopen", "edit"]),
        st.integers(min_value=0, max_value=5 * 24 * 60),  # minutes since the previous step
        st.sampled_from([None, "high", "medium", "low"]),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    steps=_STEPS,
    submitted_priority=st.sampled_from([None, "high", "medium", "low"]),
    later_minutes=st.integers(min_value=0, max_value=40 * 24 * 60),
    within_hours=st.sampled_from([None, 0, 4, 30, 200]),
    include_stale=st.booleans(),
    china=st.booleans(),
)
def test_running_deadlines_give_the_same_reasons_as_the_replayed_clocks(
    steps: list[tuple[str, int, str | None]], submitted_priority: str | None, later_minutes: int,
    within_hours: int | None, include_stale: bool, china: bool,
) -> None:
    from reqtrack.domain import lifecycle
    from reqtrack.domain.errors import InvalidInput as Refused
    from reqtrack.domain.sla import reasons_at, running_deadlines

    calendar = CHINA if china else PLAIN
    when = datetime(2025, 1, 20, 1, 30, tzinfo=timezone.utc)
    now = when + timedelta(days=400)
    request = Request(id="202501-001", customer="ACME", description="x", submitted_at=when, priority=submitted_priority)
    lifecycle.register(request, "lead", now)
    for step, gap, priority in steps:
        when += timedelta(minutes=gap)
        try:
            lifecycle_step(request, step, when, now, priority)
        except Refused:
            pass  # refused by the lifecycle table: the request is unchanged
    running = running_deadlines(request, calendar, POLICY)
    as_of = when + timedelta(minutes=later_minutes)
    within = timedelta(hours=within_hours) if within_hours is not None else None
    expected = overdue_reasons(request, calendar, POLICY, as_of, within=within, include_stale=include_stale)
    if running is None:
        assert request.status not in ("pending", "in-progress", "verifying") and expected == []
        return
    assert running.valid_from <= as_of
    assert reasons_at(running.deadlines, calendar, as_of, within, include_stale) == expected
    # And through storage's text form (UTC, microseconds): the same instants.
    stored = {name: datetime.fromisoformat(t.astimezone(timezone.utc).isoformat()) for name, t in running.deadlines.items()}
    assert reasons_at(stored, calendar, as_of, within, include_stale) == expected
