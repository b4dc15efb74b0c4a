"""SLA policy, settings and the clocks of one request (SPEC §4): reqtrack.domain.sla."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import examples, lifecycle_step
from reference import (
    clock_breached,
    clock_overdue,
    due_met,
    paused_working_days,
    plan_met_within,
    resolution_clock,
    resolution_met_within,
    resolution_working_days,
)
from reqtrack.domain.calendar import WorkingCalendar
from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.record import HistoryEntry, Request
from reqtrack.domain.sla import (
    SETTINGS,
    SlaPolicy,
    calendar_from_settings,
    first_response_at,
    overdue_reasons,
    reasons_at,
    request_clocks,
    resolution_clock_of,
    response_met_within,
    running_deadlines,
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
    assert response.was_late and clock_breached(response, at("2025-03-02 12:01"))
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


# The resolution deadlines of a request submitted and assigned on Monday 2025-01-20 10:00, counted
# by hand: China's Spring Festival break is 28 January - 4 February, Sunday the 26th is worked.
UNPAUSED_DEADLINE = {
    ("plain", "high"): "2025-01-22 10:00", ("plain", "medium"): "2025-01-24 10:00", ("plain", "low"): "2025-01-29 10:00",
    ("china", "high"): "2025-01-22 10:00", ("china", "medium"): "2025-01-24 10:00", ("china", "low"): "2025-02-05 10:00",
}
CALENDAR_NAMED = {"plain": PLAIN, "china": CHINA}


@settings(max_examples=examples(80), deadline=None)
@given(
    # The pause begins some minutes after the submission, or within two minutes of the unpaused
    # deadline (so that every run tries a pause beginning exactly at it).
    pause_start=st.one_of(st.tuples(st.just("submitted"), st.integers(min_value=0, max_value=4 * 24 * 60)),
                          st.tuples(st.just("deadline"), st.integers(min_value=-2, max_value=2))),
    pause_minutes=st.integers(min_value=1, max_value=6 * 24 * 60),
    calendar_name=st.sampled_from(["plain", "china"]),
    priority=st.sampled_from(["high", "medium", "low"]),
)
@example(pause_start=("deadline", 0), pause_minutes=24 * 60, calendar_name="plain", priority="high")
@example(pause_start=("deadline", -1), pause_minutes=24 * 60, calendar_name="plain", priority="high")
@example(pause_start=("deadline", 0), pause_minutes=60, calendar_name="china", priority="low")
def test_unpaused_working_time_to_the_deadline_is_the_target(pause_start: tuple[str, int], pause_minutes: int,
                                                            calendar_name: str, priority: str) -> None:
    calendar = CALENDAR_NAMED[calendar_name]
    submitted = at("2025-01-20 10:00")
    plain_deadline = at(UNPAUSED_DEADLINE[calendar_name, priority])
    request = assigned("2025-01-20 10:00", priority)
    anchor, minutes = pause_start
    begin = (submitted if anchor == "submitted" else plain_deadline) + timedelta(minutes=minutes)
    end = begin + timedelta(minutes=pause_minutes)
    event(request, begin.strftime("%Y-%m-%d %H:%M"), "progress", waiting=True)
    event(request, end.strftime("%Y-%m-%d %H:%M"), "progress", waiting=False)
    resolution = clock(request, "resolution", "2025-04-30 00:00", calendar)
    active = calendar.working_days_between(submitted, resolution.deadline) - resolution.paused_working_days
    if begin < plain_deadline:
        assert active == pytest.approx(POLICY.resolution_days[priority], abs=1e-6)
        assert resolution.deadline > plain_deadline or calendar.working_days_between(begin, end) == 0
    else:  # a pause that begins at or after the deadline does not move it (docs/sla.md)
        assert resolution.deadline == plain_deadline and resolution.paused_working_days == 0.0


# -- exactly at a deadline, worked by hand -------------------------------------------------------
ONE_MICROSECOND = timedelta(microseconds=1)


def _unanswered() -> Request:
    return new("2025-03-03 10:00", "medium")  # Monday; response due Tuesday 10:00


def _unplanned() -> Request:
    return event(new("2025-03-03 10:00", "high"), "2025-03-03 10:30", "classify", feasibility="now")  # plan: Wed 10:00


def _unresolved() -> Request:
    return assigned("2025-01-10 10:00", "high")  # Friday; resolution due Tuesday 14th 10:00


def _due() -> Request:
    return assigned("2025-03-03 09:00", "low", due=at("2025-03-05 23:59:59"), due_is_date=True)


def _quiet() -> Request:
    return assigned("2025-03-07 09:00", "low")  # in progress, no update: stale from Saturday 09:00


@pytest.mark.parametrize(("make", "reason", "deadline"), [
    (_unanswered, "response", "2025-03-04 10:00"),
    (_unplanned, "plan", "2025-03-05 10:00"),
    (_unresolved, "resolution", "2025-01-14 10:00"),
    (_due, "due", "2025-03-05 23:59:59"),
    (_quiet, "stale", "2025-03-08 09:00"),
])
def test_a_clock_is_overdue_only_once_its_deadline_instant_has_passed(make: Any, reason: str, deadline: str) -> None:
    request, moment = make(), at(deadline)

    def listed(as_of: datetime) -> list[tuple[str, datetime]]:
        return [(r.reason, r.deadline) for r in overdue_reasons(request, PLAIN, POLICY, as_of, include_stale=True)
                if r.reason == reason]

    assert listed(moment) == []  # at the deadline itself: still in time
    assert listed(moment + ONE_MICROSECOND) == [(reason, moment)]
    # The stored running deadlines answer the same at the instant and just after it.
    running = running_deadlines(request, PLAIN, POLICY)
    assert running is not None and running.deadlines[reason] == moment
    assert [r.reason for r in reasons_at(running.deadlines, PLAIN, moment, include_stale=True) if r.reason == reason] == []
    assert [r.reason for r in reasons_at(running.deadlines, PLAIN, moment + ONE_MICROSECOND, include_stale=True)
            if r.reason == reason] == [reason]
    # And the clock itself.
    [kept] = [c for c in request_clocks(request, PLAIN, POLICY, moment) if c.name == reason]
    assert kept.deadline == moment and not clock_overdue(kept, moment) and clock_overdue(kept, moment + ONE_MICROSECOND)


def test_reasons_at_on_deadlines_written_by_hand() -> None:
    """reasons_at alone, on a table of deadlines (no request, no clock): overdue strictly after a
    deadline, due soon up to and including the end of the window, stale only when asked."""
    now = at("2025-03-05 12:00")
    deadlines = {"response": at("2025-03-05 11:00"), "resolution": now, "due": at("2025-03-05 13:00"),
                 "stale": at("2025-03-05 11:59:59")}
    got = reasons_at(deadlines, PLAIN, now, within=timedelta(hours=1), include_stale=True)
    assert [(r.reason, r.clock, r.deadline, r.late_calendar) for r in got] == [
        ("response", "response", at("2025-03-05 11:00"), timedelta(hours=1)),
        ("stale", "stale", at("2025-03-05 11:59:59"), timedelta(seconds=1)),
        ("due-soon", "resolution", now, timedelta(0)),  # at its deadline: due soon, not late
        ("due-soon", "due", at("2025-03-05 13:00"), -timedelta(hours=1)),  # exactly at the end of the window
    ]
    assert got[0].late_working_days == pytest.approx(1 / 24) and got[3].late_working_days == pytest.approx(-1 / 24)
    narrower = reasons_at(deadlines, PLAIN, now, within=timedelta(hours=1) - ONE_MICROSECOND)
    assert [(r.reason, r.clock) for r in narrower] == [("response", "response"), ("due-soon", "resolution")]
    assert [r.reason for r in reasons_at(deadlines, PLAIN, now)] == ["response"]
    assert [r.reason for r in reasons_at(deadlines, PLAIN, now + ONE_MICROSECOND)] == ["response", "resolution"]
    weekend = reasons_at({"resolution": at("2025-03-07 18:00")}, PLAIN, at("2025-03-10 06:00"))  # Friday → Monday
    assert weekend[0].late_calendar == timedelta(hours=60) and weekend[0].late_working_days == pytest.approx(0.5)


def test_a_pause_that_begins_exactly_at_the_deadline_does_not_move_it() -> None:
    request = assigned("2025-01-10 10:00", "high")  # due Tuesday 14th 10:00
    event(request, "2025-01-14 10:00", "progress", waiting=True)  # waiting from the deadline's instant
    assert reasons(request, "2025-01-14 12:00") == []  # paused: not overdue meanwhile
    event(request, "2025-01-15 10:00", "progress", waiting=False)
    resolution = clock(request, "resolution", "2025-01-15 10:01")
    assert resolution.deadline == at("2025-01-14 10:00") and resolution.paused_working_days == 0.0
    late = overdue_reasons(request, PLAIN, POLICY, at("2025-01-15 10:01"))
    assert [(r.reason, r.deadline) for r in late] == [("resolution", at("2025-01-14 10:00"))]


def test_a_pause_that_begins_a_minute_before_the_deadline_moves_it_by_its_working_time() -> None:
    request = assigned("2025-01-10 10:00", "high")
    event(request, "2025-01-14 09:59", "progress", waiting=True)
    event(request, "2025-01-15 09:59", "progress", waiting=False)  # one working day paused
    resolution = clock(request, "resolution", "2025-01-15 10:01")
    assert resolution.deadline == at("2025-01-15 10:00") and resolution.paused_working_days == 1.0
    assert reasons(request, "2025-01-15 10:00") == [] and reasons(request, "2025-01-15 10:01") == ["resolution"]


def test_resolution_clock_of_pauses_written_by_hand() -> None:
    start, deadline = at("2025-01-10 10:00"), at("2025-01-14 10:00")
    as_of = at("2025-01-20 10:00")
    at_deadline = resolution_clock_of(start, None, as_of, "high", [(deadline, at("2025-01-15 10:00"))], PLAIN, POLICY)
    assert (at_deadline.deadline, at_deadline.paused_working_days) == (deadline, 0.0)
    before = resolution_clock_of(start, None, as_of, "high", [(deadline - timedelta(hours=6), at("2025-01-15 10:00"))],
                                 PLAIN, POLICY)
    assert (before.deadline, before.paused_working_days) == (at("2025-01-15 16:00"), 1.25)
    still = resolution_clock_of(start, None, as_of, "high", [(deadline, None)], PLAIN, POLICY)
    assert still.paused and still.deadline == deadline  # paused now, but the deadline stays where it was
    done = resolution_clock_of(start, deadline, as_of, "high", [], PLAIN, POLICY)
    assert done.met_at == deadline and not done.was_late  # completed at the deadline's instant: in time
    assert resolution_clock_of(start, deadline + ONE_MICROSECOND, as_of, "high", [], PLAIN, POLICY).was_late


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
    assert not clock_breached(resolution, at("2025-01-14 10:00")) and clock_breached(resolution, at("2025-01-14 10:00:01"))


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
                         "close", "cancel", "reopen", "edit", "notice"]),
        st.integers(min_value=0, max_value=5 * 24 * 60),  # minutes since the previous step
        st.sampled_from([None, "high", "medium", "low"]),
    ),
    max_size=12,
)


_OPEN = ("pending", "in-progress", "verifying")
_ORDER = ("response", "plan", "resolution", "due")


def reasons_by_the_rule(request: Request, calendar: WorkingCalendar, as_of: datetime, within: timedelta | None,
                        include_stale: bool) -> list[tuple[str, str, datetime, timedelta]]:
    """docs/sla.md's rule, applied here to the request's clocks (not through reasons_at, which
    overdue_reasons itself calls): an open request's unmet, unpaused clock is late strictly after
    its deadline, due soon up to as_of + within, stale only when asked; breaches first (most late
    first, ties in the order response, plan, resolution, due), then stale, then due soon (soonest
    first). (reason, clock, deadline, lateness) each."""
    from reqtrack.domain.sla import status_at

    if status_at(request, as_of) not in _OPEN:
        return []
    breaches, stale, soon = [], [], []
    for c in request_clocks(request, calendar, POLICY, as_of):
        if c.deadline is None or c.met_at is not None or c.paused:
            continue
        late = as_of - c.deadline
        if c.name == "stale":
            if include_stale and late > timedelta(0):
                stale.append(("stale", "stale", c.deadline, late))
        elif late > timedelta(0):
            breaches.append((c.name, c.name, c.deadline, late))
        elif within is not None and -late <= within:
            soon.append(("due-soon", c.name, c.deadline, late))
    breaches.sort(key=lambda r: (-r[3], _ORDER.index(r[0])))
    soon.sort(key=lambda r: -r[3])  # stable: clocks in their order for the same deadline
    return breaches + stale + soon


def _shown(reasons: list[Any]) -> list[tuple[str, str, datetime, timedelta]]:
    return [(r.reason, r.clock, r.deadline, r.late_calendar) for r in reasons]


@settings(max_examples=examples(300), deadline=None)
@given(
    steps=_STEPS,
    submitted_priority=st.sampled_from([None, "high", "medium", "low"]),
    later_minutes=st.integers(min_value=0, max_value=40 * 24 * 60),
    at_deadline=st.tuples(st.integers(0, 4), st.sampled_from([None, -1, 0, 1])),  # (which, microseconds off)
    within_hours=st.sampled_from([None, 0, 4, 30, 200]),
    include_stale=st.booleans(),
    china=st.booleans(),
)
@example(steps=[], submitted_priority="high", later_minutes=40 * 24 * 60, at_deadline=(0, None), within_hours=None,
         include_stale=False, china=False)  # never answered: response, plan and resolution late
@example(steps=[("assign", 10, "high"), ("progress", 30, None)], submitted_priority=None, later_minutes=0,
         at_deadline=(1, 0), within_hours=30, include_stale=True, china=True)  # exactly at a deadline
@example(steps=[("assign", 10, "high")], submitted_priority=None, later_minutes=0, at_deadline=(0, 1),
         within_hours=None, include_stale=True, china=False)  # a microsecond after one
def test_running_deadlines_give_the_same_reasons_as_the_replayed_clocks(
    steps: list[tuple[str, int, str | None]], submitted_priority: str | None, later_minutes: int,
    at_deadline: tuple[int, int | None], within_hours: int | None, include_stale: bool, china: bool,
) -> None:
    from reqtrack.domain import lifecycle
    from reqtrack.domain.errors import InvalidInput as Refused

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
    which, off = at_deadline
    if running is not None and off is not None:
        ahead = sorted(t for t in running.deadlines.values() if t - timedelta(microseconds=1) >= running.valid_from)
        if ahead:  # exactly at one of the running deadlines, or a microsecond either side
            as_of = ahead[which % len(ahead)].astimezone(timezone.utc) + timedelta(microseconds=off)
    within = timedelta(hours=within_hours) if within_hours is not None else None
    expected = reasons_by_the_rule(request, calendar, as_of, within, include_stale)
    assert _shown(overdue_reasons(request, calendar, POLICY, as_of, within=within, include_stale=include_stale)) == expected
    if running is None:
        assert request.status not in _OPEN and expected == []
        return
    assert running.valid_from <= as_of
    assert _shown(reasons_at(running.deadlines, calendar, as_of, within, include_stale)) == expected
    # And through storage's text form (UTC, microseconds): the same instants.
    stored = {name: datetime.fromisoformat(t.astimezone(timezone.utc).isoformat()) for name, t in running.deadlines.items()}
    assert _shown(reasons_at(stored, calendar, as_of, within, include_stale)) == expected


def test_the_rule_above_finds_reasons_in_the_worked_cases() -> None:
    """The model of the property is not empty-handed: on a request never answered it lists what
    docs/sla.md says, so an overdue_reasons or reasons_at that listed nothing would fail."""
    request = new("2025-03-03 09:00", "high")  # Monday, nothing done
    got = reasons_by_the_rule(request, PLAIN, at("2025-03-06 09:00"), None, False)
    assert [(r[0], r[3]) for r in got] == [("response", timedelta(hours=48)), ("plan", timedelta(hours=24)),
                                           ("resolution", timedelta(hours=24))]
    assert _shown(overdue_reasons(request, PLAIN, POLICY, at("2025-03-06 09:00"))) == got


# -- the report helpers at their boundaries, worked by hand ----------------------------------------
def test_plan_and_response_verdicts_at_the_deadline_instant() -> None:
    on_time = event(new("2025-03-03 09:00", "high"), "2025-03-05 09:00", "assign", status="in-progress", owner="Li")
    assert plan_met_within(on_time, POLICY) is True  # assigned exactly 48 h after submission
    late = event(new("2025-03-03 09:00", "high"), "2025-03-05 09:01", "assign", status="in-progress", owner="Li")
    assert plan_met_within(late, POLICY) is False
    waiting = new("2025-03-03 09:00", "high")  # never assigned
    assert plan_met_within(waiting, POLICY) is None
    assert plan_met_within(waiting, POLICY, at("2025-03-05 09:00")) is None  # at the deadline: not late yet
    assert plan_met_within(waiting, POLICY, at("2025-03-05 09:00") + ONE_MICROSECOND) is False
    answered = event(new("2025-03-03 09:00"), "2025-03-04 09:00", "progress", waiting=False)
    assert response_met_within(answered, POLICY) is True  # exactly 24 h
    assert response_met_within(event(new("2025-03-03 09:00"), "2025-03-04 09:01", "progress", waiting=False),
                               POLICY) is False
    silent = new("2025-03-03 09:00")
    assert response_met_within(silent, POLICY, at("2025-03-04 09:00")) is None
    assert response_met_within(silent, POLICY, at("2025-03-04 09:00") + ONE_MICROSECOND) is False


def test_due_met_at_the_planned_instant() -> None:
    request = assigned("2025-03-03 09:00", "low", due=at("2025-03-05 18:00"))
    assert due_met(request) is None  # not completed
    event(request, "2025-03-05 18:00", "complete", status="verifying", completed_at=at("2025-03-05 18:00"))
    assert due_met(request) is True  # completed at the planned instant: on time
    request.completed_at = at("2025-03-05 18:00:01")
    assert due_met(request) is False
    assert due_met(assigned("2025-03-03 09:00", "low")) is None  # no planned completion


def test_lateness_of_a_met_clock_is_measured_to_its_stop() -> None:
    from reqtrack.domain.sla import Clock

    deadline = at("2025-01-14 10:00")  # Tuesday
    met = Clock("resolution", at("2025-01-10 10:00"), deadline, at("2025-01-15 16:00"))
    later = at("2025-02-20 10:00")
    assert met.late_by(later) == timedelta(days=1, hours=6)  # to the completion, not to `later`
    assert met.late_working_days(later, PLAIN) == 1.25
    running = Clock("resolution", at("2025-01-10 10:00"), deadline, None)
    assert running.late_by(at("2025-01-13 10:00")) == -timedelta(days=1)
    at_deadline = running.late_working_days(deadline, PLAIN)
    assert at_deadline == 0.0 and math.copysign(1.0, at_deadline) == 1.0  # 0.0, never -0.0 in the JSON
    assert running.late_working_days(at("2025-01-11 10:00"), PLAIN) == -(1 + 10 / 24)  # Saturday: Monday and 10 h left
    without = Clock("due", at("2025-01-10 10:00"), None, None)
    with pytest.raises(ValueError, match="^the due clock has no deadline$"):
        without.late_by(later)
    with pytest.raises(ValueError, match="^the due clock has no deadline$"):
        without.late_working_days(later, PLAIN)


def test_paused_and_resolution_working_days_worked_by_hand() -> None:
    request = assigned("2025-03-03 10:00", "high")  # Monday
    event(request, "2025-03-03 12:00", "progress", waiting=True)  # still waiting
    assert paused_working_days(request, PLAIN, at("2025-03-04 12:00")) == 1.0  # to as_of: the pause goes on
    assert paused_working_days(request, PLAIN, at("2025-03-03 18:00")) == 0.25
    event(request, "2025-03-05 12:00", "progress", waiting=False)
    event(request, "2025-03-06 12:00", "complete", status="verifying", completed_at=at("2025-03-06 12:00"))
    assert paused_working_days(request, PLAIN, at("2025-03-20 12:00")) == 2.0  # to the completion
    assert resolution_working_days(request, PLAIN) == pytest.approx(3 + 2 / 24 - 2.0)
    instant = assigned("2025-03-03 10:00", "high")
    event(instant, "2025-03-03 10:00", "complete", status="verifying", completed_at=at("2025-03-03 10:00"))
    assert resolution_working_days(instant, PLAIN) == 0.0  # completed at its start: zero, not "not completed"


# -- reading the past from the history's recorded changes -------------------------------------------
@pytest.mark.parametrize(("old", "expected"), [
    ("2025-03-05T02:00:00Z", "2025-03-05 10:00"),  # stored text, UTC
    ("2025-03-05T02:00:00+00:00", "2025-03-05 10:00"),
    ("2025-03-05T02:00:00", "2025-03-05 10:00"),  # no zone: UTC, as stored times are
    ("2025-03-05T10:00:00+08:00", "2025-03-05 10:00"),
    (datetime(2025, 3, 5, 2, 0), "2025-03-05 10:00"),  # a naive datetime: UTC
    (datetime(2025, 3, 5, 10, 0, tzinfo=TZ), "2025-03-05 10:00"),
    ("not a time", "2025-03-20 18:00"),  # unreadable: the current value stands
    (12345, "2025-03-20 18:00"),
])
def test_a_past_due_is_read_from_the_old_value_of_its_later_change(old: Any, expected: str) -> None:
    request = assigned("2025-03-03 09:00", "low", due=at("2025-03-20 18:00"))  # the due as it is now
    request.history.append(HistoryEntry(len(request.history) + 1, at("2025-03-10 09:00").astimezone(timezone.utc),
                                        "assign", "lead", {"due": [old, "2025-03-20T10:00:00Z"]}))
    [due] = [c for c in request_clocks(request, PLAIN, POLICY, at("2025-03-06 09:00")) if c.name == "due"]
    assert due.deadline == at(expected)  # as it stood on the 6th: before the change of the 10th


def test_settings_are_normalised_or_refused_naming_the_key() -> None:
    for empty in ("", "none", "NONE", "-", " - "):
        assert validate_setting("calendar.country", empty) == ""
        assert validate_setting("calendar.subdivision", empty) == ""
    assert validate_setting("calendar.subdivision", "tx") == "TX"  # no country set: any country's subdivision
    assert validate_setting("calendar.subdivision", "tx", {"calendar.country": "US"}) == "TX"
    with pytest.raises(InvalidInput) as nowhere:
        validate_setting("calendar.subdivision", "Atlantis")
    assert str(nowhere.value) == "'Atlantis' is not a subdivision of any country the holidays package knows"
    with pytest.raises(InvalidInput) as unknown:
        validate_setting("sla.speed", "1")
    assert str(unknown.value) == f"unknown setting 'sla.speed'; known settings: {', '.join(SETTINGS)}"
    assert str(unknown.value).count(", ") == len(SETTINGS) - 1 and "calendar.timezone, calendar.country" in str(unknown.value)
    with pytest.raises(InvalidInput) as bad_date:
        validate_setting("calendar.extra_holidays", "2025-05-01, tomorrow")
    assert str(bad_date.value) == "calendar.extra_holidays: 'tomorrow' is not a date; write YYYY-MM-DD, separated by commas"
    with pytest.raises(InvalidInput) as bad_share:
        validate_setting("sla.first_response_target", "most")
    assert str(bad_share.value) == "sla.first_response_target must be a share such as 0.9 or 90%, not 'most'"
    with pytest.raises(InvalidInput) as bad_hours:
        validate_setting("sla.stale_hours", "0")
    assert str(bad_hours.value) == "sla.stale_hours must be a positive number of hours, not '0'"
    with pytest.raises(InvalidInput) as bad_days:
        validate_setting("sla.resolution_days.high", "4000")
    assert str(bad_days.value) == "sla.resolution_days.high must be at most 3650 working days, not '4000'"


def test_shares_policy_calendar_and_basis_from_settings_worked_by_hand() -> None:
    for text, share in (("0.9", "0.9"), ("90%", "0.9"), (" 85 % ", "0.85"), ("1", "1"), ("100%", "1"), ("1.5", "0.015"),
                        ("2", "0.02"), ("0.5%", "0.005")):
        assert validate_setting("sla.first_response_target", text) == share, text  # above 1: a percentage
    for text in ("0", "0%", "101%", "-5", "nan", "inf"):
        with pytest.raises(InvalidInput, match="sla.first_response_target must be a share"):
            validate_setting("sla.first_response_target", text)
    policy = SlaPolicy.from_settings({"sla.response_hours": "8", "sla.plan_hours.high": "12", "sla.stale_hours": "36",
                                      "sla.resolution_days.low": "10", "sla.mean_resolution_target_days": "3.5",
                                      "sla.first_response_target": "95%"})
    assert (policy.response_hours, policy.plan_hours_high, policy.stale_hours, policy.mean_resolution_target_days,
            policy.first_response_target) == (8, 12, 36, 3.5, 0.95)
    assert policy.resolution_days == {"high": 2, "medium": 4, "low": 10}
    for key, value in (("sla.plan_hours.high", "0"), ("sla.first_response_target", "lots")):
        with pytest.raises(InvalidInput) as stored:
            SlaPolicy.from_settings({key: value})
        assert str(stored.value).startswith(f"stored setting {key} must be ")
        assert str(stored.value).endswith(f"; fix it with `reqtrack config set {key} VALUE`")
    calendar = calendar_from_settings({"calendar.country": "US", "calendar.subdivision": "CA",
                                       "calendar.timezone": "America/Los_Angeles"})
    assert (calendar.country, calendar.subdivision) == ("US", "CA") and not calendar.is_working_day(date(2025, 3, 31))
    plain = calendar_from_settings({"calendar.subdivision": "CA"})  # a subdivision without a country: ignored
    assert (plain.timezone, plain.country, plain.subdivision) == ("UTC", None, None)
    kept = {2025: (frozenset({date(2025, 3, 3)}), frozenset())}
    assert not calendar_from_settings({"calendar.country": "CN"}, kept).is_working_day(date(2025, 3, 3))
    with pytest.raises(InvalidInput) as bad:
        calendar_from_settings({"calendar.extra_workdays": "2025-02-30"})
    assert str(bad.value) == ("stored setting calendar.extra_workdays: '2025-02-30' is not a date; write YYYY-MM-DD, "
                              "separated by commas (from the stored calendar settings; change them with "
                              "`reqtrack config set`)")
    from reqtrack.domain.sla import deadline_basis

    assert deadline_basis({}) == (
        "format=2;calendar.timezone=UTC;calendar.country=;calendar.subdivision=;calendar.extra_holidays=;"
        "calendar.extra_workdays=;sla.response_hours=24;sla.plan_hours.high=48;sla.resolution_days.high=2;"
        "sla.resolution_days.medium=4;sla.resolution_days.low=7;sla.stale_hours=24")
    assert "calendar.country=CN;" in deadline_basis({"calendar.country": "CN", "sla.first_response_target": "0.5"})
    assert deadline_basis({"sla.first_response_target": "0.5"}) == deadline_basis({})  # not a deadline's setting


def test_two_pauses_add_up_and_the_longest_targets_are_allowed() -> None:
    from reqtrack.domain.sla import paused_between

    pauses = [(at("2025-03-03 12:00"), at("2025-03-04 12:00")), (at("2025-03-05 06:00"), at("2025-03-05 12:00")),
              (at("2025-03-06 12:00"), None)]  # 1 day, 6 hours, and one still going
    assert paused_between(pauses, at("2025-03-03 00:00"), at("2025-03-07 00:00"), PLAIN) == 1.75
    assert paused_between(pauses, at("2025-03-04 00:00"), at("2025-03-05 09:00"), PLAIN) == 0.5 + 0.125  # clipped
    assert validate_setting("sla.resolution_days.low", "3650") == "3650"  # ten years: still taken
    assert validate_setting("sla.response_hours", "36500") == "36500"


# -- a request's timeline answers for every past moment as the replayed clocks do ----------------
@settings(max_examples=examples(250), deadline=None)
@given(
    steps=_STEPS,
    submitted_priority=st.sampled_from([None, "high", "medium", "low"]),
    moments=st.lists(st.integers(min_value=-60, max_value=45 * 24 * 60), min_size=1, max_size=6),
    within_hours=st.sampled_from([None, 0, 4, 30, 200]),
    include_stale=st.booleans(),
    china=st.booleans(),
    imported=st.sampled_from([None, "no changes", "responded later"]),
)
@example(steps=[("assign", 10, "high"), ("wait", 60, None), ("progress", 30, None), ("done", 600, None),
                ("fail", 60, None), ("reopen", 30, None)], submitted_priority="high", moments=[0, 11, 100, 3000],
         within_hours=30, include_stale=True, china=True, imported=None)
def test_a_timeline_gives_the_reasons_the_replay_gives_at_every_past_moment(
    steps: list[tuple[str, int, str | None]], submitted_priority: str | None, moments: list[int],
    within_hours: int | None, include_stale: bool, china: bool, imported: str | None,
) -> None:
    """`overdue --as-of` in the past reads the segment of each request's timeline in force then
    (domain.metrics.timeline, stored as request_state): its reasons and status are those of
    replaying the history up to that moment, at the segments' own bounds and a microsecond
    either side too; also through storage's text form of the clocks' state, and for histories
    that do not explain their fields (an import: entries without changes, a response time of
    its own)."""
    from dataclasses import replace

    from reqtrack.domain import lifecycle
    from reqtrack.domain.errors import InvalidInput as Refused
    from reqtrack.domain.metrics import timeline
    from reqtrack.domain.sla import state_reasons, status_at
    from reqtrack.storage.stored import clocks_from_text, clocks_text

    calendar = CHINA if china else PLAIN
    when = datetime(2025, 1, 20, 1, 30, tzinfo=timezone.utc)
    submitted = when
    now = when + timedelta(days=400)
    request = Request(id="202501-001", customer="ACME", description="x", submitted_at=when, priority=submitted_priority)
    lifecycle.register(request, "lead", now)
    for step, gap, priority in steps:
        when += timedelta(minutes=gap)
        try:
            lifecycle_step(request, step, when, now, priority)
        except Refused:
            pass  # refused by the lifecycle table: the request is unchanged
    if imported is not None:  # as a sheet's process log gives it back: the actions and times only
        for entry in request.history:
            entry.changes = {}
        if imported == "responded later":
            request.responded_at = submitted + timedelta(hours=30)
    segments = timeline(request)
    assert segments[0].valid_from == submitted and segments[-1].valid_until is None
    assert all(a.valid_until == b.valid_from for a, b in zip(segments, segments[1:]))
    asked = [submitted + timedelta(minutes=m) for m in moments]
    asked += [s.valid_from + timedelta(microseconds=off) for s in segments for off in (-1, 0, 1)]
    within = timedelta(hours=within_hours) if within_hours is not None else None
    for moment in asked:
        if moment < submitted:
            continue  # not submitted yet: in no list
        [segment] = [s for s in segments if s.valid_from <= moment and (s.valid_until is None or moment < s.valid_until)]
        expected = overdue_reasons(request, calendar, POLICY, moment, within=within, include_stale=include_stale)
        if segment.clocks is None:
            assert status_at(request, moment) not in _OPEN and expected == []
            continue
        state = replace(segment.clocks, as_of=moment)
        assert state.status == status_at(request, moment)
        for read in (state, clocks_from_text(clocks_text(segment.clocks), moment)):
            got = state_reasons(read, calendar, POLICY, within, include_stale)
            assert [(*shown, r.late_working_days) for shown, r in zip(_shown(got), got)] == \
                [(*shown, r.late_working_days) for shown, r in zip(_shown(expected), expected)]
