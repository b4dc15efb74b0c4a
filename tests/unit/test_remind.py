"""`remind` (SPEC §8, docs/notices.md): each row and its boundaries, who gets it, `--as-of`, the
settings; and, as properties, that its SLA rows agree with `overdue` and that the due-soon window
starts where the working time says."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import examples, lifecycle_step
from reqtrack.domain import lifecycle
from reqtrack.domain.calendar import WorkingCalendar
from reqtrack.domain.errors import InvalidInput
from reqtrack.domain.record import Request
from reqtrack.domain.remind import ACTIONS, Reminder, reminders
from reqtrack.domain.sla import SlaPolicy, overdue_reasons, validate_setting

UTC = timezone.utc
PLAIN = WorkingCalendar("UTC")  # Monday to Friday, no holidays: the arithmetic is easy to follow
CHINA = WorkingCalendar("Asia/Shanghai", country="CN")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
NOW = T0 + timedelta(days=120)
TICK = timedelta(microseconds=1)


def new_request(liaison: str | None = "李雷", priority: str | None = "medium", rid: str = "202612-001") -> Request:
    request = Request(id=rid, customer="ACME", description="导出太慢", submitted_at=T0, liaison=liaison, priority=priority)
    lifecycle.register(request, "lead", NOW)
    return request


def assigned(due: datetime | None = None, liaison: str | None = "李雷", priority: str = "medium") -> Request:
    request = new_request(liaison, priority)
    lifecycle.notice(request, T0 + timedelta(minutes=10), NOW, "lead", "ack")
    lifecycle.assign(request, T0 + timedelta(minutes=30), NOW, "lead", owner="张工", due=due)
    return request


def rows(request: Request | list[Request], as_of: datetime, **settings: str) -> list[tuple]:
    batch = request if isinstance(request, list) else [request]
    return [(r.person, r.id, r.action, r.since, r.deadline, r.clock) for r in reminders(batch, settings, PLAIN, as_of)]


def actions(request: Request, as_of: datetime, **settings: str) -> list[str]:
    return [row[2] for row in rows(request, as_of, **settings)]


# -- each row ------------------------------------------------------------------------------------
def test_a_new_request_must_be_acknowledged_from_the_start() -> None:
    request = new_request()
    assert rows(request, T0) == [("李雷", "202612-001", "acknowledge", T0, T0 + timedelta(hours=24), None)]
    assert rows(request, T0 - TICK) == []  # not submitted yet
    lifecycle.notice(request, T0 + timedelta(minutes=5), NOW, "lead", "ack", "phone")
    assert "acknowledge" not in actions(request, T0 + timedelta(minutes=5))
    assert "acknowledge" in actions(request, T0 + timedelta(minutes=5) - TICK)  # as of before the notice


def test_a_progress_note_while_pending_is_the_acknowledgement_but_not_after_assigning() -> None:
    pending = new_request()
    lifecycle.progress(pending, T0 + timedelta(minutes=5), NOW, "lead", "已收到，正在评估")
    assert "acknowledge" not in actions(pending, T0 + timedelta(minutes=6))
    later = new_request()
    lifecycle.assign(later, T0 + timedelta(minutes=5), NOW, "lead", owner="张工")
    lifecycle.progress(later, T0 + timedelta(minutes=6), NOW, "lead", "开始处理")
    assert actions(later, T0 + timedelta(minutes=7)) == ["acknowledge"]


def test_an_unassigned_request_is_reminded_after_the_assign_hours() -> None:
    request = new_request()
    allowed = T0 + timedelta(hours=1)
    assert "assign" not in actions(request, allowed)  # due strictly after its moment, as in overdue
    assert ("李雷", "202612-001", "assign", T0, allowed, None) in rows(request, allowed + TICK)
    assert "assign" not in actions(request, T0 + timedelta(hours=3), **{"remind.assign_hours": "4"})
    lifecycle.assign(request, T0 + timedelta(hours=2), NOW, "lead", owner="张工")
    assert "assign" not in actions(request, T0 + timedelta(hours=2))
    assert "assign" in actions(request, T0 + timedelta(hours=2) - TICK)  # as it stood before the assignment


def test_a_planned_completion_within_a_working_day_is_due_soon_then_breached() -> None:
    due = T0 + timedelta(days=2)  # Thursday 09:00
    request = assigned(due)
    window = T0 + timedelta(days=1)  # Wednesday 09:00: one working day before
    assert "due-soon" not in actions(request, window - TICK)
    assert ("张工", "202612-001", "due-soon", window, due, "due") in rows(request, window)
    assert "due-soon" in actions(request, due)  # at the deadline itself: still not late
    late = rows(request, due + TICK)
    assert ("张工", "202612-001", "breached", due, due, "due") in late and "due-soon" not in [r[2] for r in late]
    assert "due-soon" in actions(request, window - timedelta(hours=12), **{"remind.due_days": "1.5"})


def test_due_soon_counts_working_days_over_a_weekend_and_takes_the_earlier_deadline() -> None:
    due = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday 10:00
    request = assigned(due, priority="low")  # resolution in 7 working days: the planned completion comes first
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert "due-soon" not in actions(request, friday - TICK)
    assert ("张工", "202612-001", "due-soon", friday, due, "due") in rows(request, friday)
    # Without a planned completion: the resolution deadline (medium: 4 working days, Monday 09:00).
    bare = assigned(None)
    resolution = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert ("张工", "202612-001", "due-soon", datetime(2026, 12, 4, 9, 0, tzinfo=UTC), resolution, "resolution") \
        in rows(bare, datetime(2026, 12, 5, 12, 0, tzinfo=UTC))  # a Saturday: inside the window


def test_a_planned_completion_given_as_a_date_is_due_soon_from_the_start_of_the_day_before() -> None:
    """A date means "on that day": with remind.due_days 1 the whole working day before is in the
    window, so the morning run before it lists the row (counted from 23:59:59 it would first show
    on the day itself)."""
    due = datetime(2026, 12, 3, 23, 59, 59, tzinfo=UTC)  # Thursday, as `assign --due 2026-12-03` stores it
    request = assigned(due)
    request.due_is_date = True
    wednesday = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    assert "due-soon" not in actions(request, wednesday - TICK)
    assert ("张工", "202612-001", "due-soon", wednesday, due, "due") in rows(request, wednesday + timedelta(hours=9))
    assert "due-soon" in actions(request, due) and "due-soon" not in actions(request, due + TICK)
    monday = datetime(2026, 12, 7, 23, 59, 59, tzinfo=UTC)  # over a weekend: from Friday 00:00
    on_monday = assigned(monday, priority="low")  # resolution in 7 working days: the planned completion comes first
    on_monday.due_is_date = True
    friday = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert "due-soon" not in actions(on_monday, friday - TICK)
    assert ("张工", "202612-001", "due-soon", friday, monday, "due") in rows(on_monday, friday + timedelta(hours=9))
    # The same moment given as a time counts working time: the morning before is 1.6 days away.
    timed = assigned(due)
    assert "due-soon" not in actions(timed, wednesday + timedelta(hours=9))
    # A resolution deadline before the date: its own window, in working time (medium: Monday 09:00).
    later = assigned(datetime(2026, 12, 8, 23, 59, 59, tzinfo=UTC))
    later.due_is_date = True
    resolution = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert ("张工", "202612-001", "due-soon", datetime(2026, 12, 4, 9, 0, tzinfo=UTC), resolution, "resolution") \
        in rows(later, datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    assert "due-soon" not in actions(later, datetime(2026, 12, 4, 9, 0, tzinfo=UTC) - TICK)


def test_in_progress_without_an_entry_for_the_stale_hours_is_stale() -> None:
    request = assigned(T0 + timedelta(days=20))
    last = T0 + timedelta(hours=2)
    lifecycle.progress(request, last, NOW, "lead", "定位中")
    stale_at = last + timedelta(hours=24)
    assert "stale" not in actions(request, stale_at)
    assert ("张工", "202612-001", "stale", last, stale_at, "stale") in rows(request, stale_at + TICK)
    assert "stale" not in actions(request, stale_at + TICK, **{"sla.stale_hours": "48"})
    lifecycle.notice(request, stale_at + timedelta(hours=1), NOW, "lead", "progress")  # any entry restarts the clock
    assert "stale" not in actions(request, stale_at + timedelta(hours=2))


def test_a_breach_is_what_overdue_says_and_goes_to_the_liaison_while_unassigned() -> None:
    request = new_request(priority="high")
    late = T0 + timedelta(hours=30)
    found = rows(request, late)
    reasons = overdue_reasons(request, PLAIN, SlaPolicy(), late)
    assert found[0] == ("李雷", "202612-001", "breached", reasons[0].deadline, reasons[0].deadline, "response")
    assert [r[2] for r in found] == ["breached", "due-soon", "assign", "acknowledge"]  # resolution by Thursday 09:00
    nobody = new_request(liaison=None)
    assert {r[0] for r in rows(nobody, late)} == {None}


def test_the_customer_is_updated_every_update_days() -> None:
    request = assigned(T0 + timedelta(days=30))
    ack = T0 + timedelta(minutes=10)
    allowed = ack + timedelta(days=7)
    assert "update-customer" not in actions(request, allowed)
    assert ("李雷", "202612-001", "update-customer", ack, allowed, None) in rows(request, allowed + TICK)
    lifecycle.notice(request, allowed + timedelta(hours=1), NOW, "lead", "progress", "wechat")
    assert "update-customer" not in actions(request, allowed + timedelta(hours=1))
    assert "update-customer" in actions(request, allowed + timedelta(hours=1) - TICK)  # before that notice
    assert "update-customer" in actions(request, allowed + timedelta(days=3), **{"remind.update_days": "2"})


def test_a_completed_request_waits_for_verification_a_few_working_days() -> None:
    request = assigned(T0 + timedelta(days=30))
    done = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # Friday
    lifecycle.progress(request, done, NOW, "lead", "已上线", done=True)
    allowed = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)  # three working days later: Wednesday
    assert "chase-verification" not in actions(request, allowed)
    assert ("李雷", "202612-001", "chase-verification", done, allowed, None) in rows(request, allowed + TICK)
    lifecycle.verify(request, allowed + timedelta(hours=1), NOW, "lead", passed=True)
    assert "chase-verification" not in actions(request, allowed + timedelta(hours=1))


def closed_request(satisfaction: str | None = None, liaison: str | None = "李雷") -> tuple[Request, datetime]:
    request = assigned(T0 + timedelta(days=30), liaison)
    lifecycle.progress(request, T0 + timedelta(days=1), NOW, "lead", "已上线", done=True)
    lifecycle.verify(request, T0 + timedelta(days=2), NOW, "lead", passed=True, satisfaction=satisfaction)
    closed = T0 + timedelta(days=2, hours=1)
    lifecycle.close(request, closed, NOW, "lead")
    return request, closed


def test_the_survey_is_due_some_days_after_closing_until_it_is_sent_or_rated() -> None:
    request, closed = closed_request()
    allowed = closed + timedelta(days=3)
    assert rows(request, allowed) == []
    assert rows(request, allowed + TICK) == [("李雷", "202612-001", "send-survey", closed, allowed, None)]
    assert rows(request, closed + timedelta(days=30)) != []
    assert rows(request, closed + timedelta(days=30) + TICK) == []  # too long ago (remind.survey_until_days)
    assert rows(request, closed + timedelta(days=40), **{"remind.survey_until_days": "60"}) != []
    sent = closed + timedelta(days=4)
    lifecycle.notice(request, sent, NOW, "lead", "survey")
    assert rows(request, sent) == [] and rows(request, sent - TICK) != []
    rated, closed = closed_request()
    lifecycle.rate(rated, closed + timedelta(days=3, hours=2), NOW, "lead", "satisfied")
    assert rows(rated, closed + timedelta(days=4)) == []
    assert rows(rated, closed + timedelta(days=3, hours=1)) != []  # as of before the rating
    given_at_verify, closed = closed_request("neutral")
    assert rows(given_at_verify, closed + timedelta(days=4)) == []


def test_a_survey_from_before_a_reopen_does_not_count_for_the_next_round() -> None:
    request, closed = closed_request("satisfied")
    lifecycle.notice(request, closed + timedelta(hours=1), NOW, "lead", "survey")
    lifecycle.reopen(request, closed + timedelta(days=1), NOW, "lead", "又慢了")
    lifecycle.progress(request, closed + timedelta(days=2), NOW, "lead", "再次修复", done=True)
    lifecycle.verify(request, closed + timedelta(days=3), NOW, "lead", passed=True)
    again = closed + timedelta(days=3, hours=1)
    lifecycle.close(request, again, NOW, "lead")
    assert actions(request, again + timedelta(days=3, hours=1)) == ["send-survey"]


def test_cancelled_and_done_requests_have_nothing_to_do() -> None:
    cancelled = new_request()
    lifecycle.cancel(cancelled, T0 + timedelta(hours=1), NOW, "lead", "重复")
    done, closed = closed_request()
    assert rows(cancelled, NOW) == [] and rows(done, closed - timedelta(minutes=30)) == []  # done, not yet closed


# -- routing and order ---------------------------------------------------------------------------
def test_rows_go_to_the_owner_or_the_liaison_as_spec_says() -> None:
    due = T0 + timedelta(days=2)
    request = assigned(due, liaison=None)  # customer-facing rows fall back on the owner
    assert {r[0] for r in rows(request, due + timedelta(days=8))} == {"张工"}
    with_liaison = assigned(due)
    found = {r[2]: r[0] for r in rows(with_liaison, due + timedelta(days=8))}
    assert found == {"breached": "张工", "stale": "张工", "update-customer": "李雷"}
    survey, closed = closed_request(liaison=None)
    assert rows(survey, closed + timedelta(days=4))[0][0] == "张工"


def test_rows_are_ordered_by_person_then_action_nobody_last() -> None:
    batch = [new_request(None, rid="202612-003"), new_request("王芳", rid="202612-002"), assigned(T0 + timedelta(days=2))]
    found = reminders(batch, {}, PLAIN, T0 + timedelta(hours=2))
    assert [(r.person, r.id, r.action) for r in found] == [
        ("王芳", "202612-002", "assign"), ("王芳", "202612-002", "acknowledge"),
        (None, "202612-003", "assign"), (None, "202612-003", "acknowledge"),
    ]
    assert all(isinstance(r, Reminder) and r.action in ACTIONS for r in found)
    assert all(r.since.tzinfo is PLAIN.tz and (r.deadline is None or r.deadline.tzinfo is PLAIN.tz) for r in found)


# -- settings ------------------------------------------------------------------------------------
def test_the_remind_and_smtp_settings_are_checked_like_the_others() -> None:
    assert validate_setting("remind.update_days", " 7.0 ") == "7"
    assert validate_setting("remind.assign_hours", "0.5") == "0.5"
    for key, bad, words in (("remind.due_days", "0", "positive number of working days"),
                            ("remind.survey_days", "soon", "positive number of days"),
                            ("remind.assign_hours", "-1", "positive number of hours"),
                            ("smtp.port", "70000", "port number from 1 to 65535"),
                            ("smtp.security", "tls", "one of starttls, ssl, none"),
                            ("smtp.from", "support", "e-mail address"),
                            ("smtp.host", "smtp example.com", "host name"),
                            ("smtp.user", "a\nb", "one line")):
        with pytest.raises(InvalidInput, match=f"{key} must be .*{words}"):
            validate_setting(key, bad)
    assert validate_setting("smtp.security", "SSL") == "ssl" and validate_setting("smtp.port", "0465") == "465"
    assert validate_setting("smtp.from", "客服团队 <support@example.com>") == "客服团队 <support@example.com>"
    assert validate_setting("smtp.host", "none") == "" and validate_setting("smtp.user", "") == ""
    with pytest.raises(InvalidInput, match=r"stored setting remind.verify_days .*config set remind.verify_days"):
        reminders([new_request()], {"remind.verify_days": "x"}, PLAIN, T0)


# -- properties ----------------------------------------------------------------------------------
_STEPS = st.lists(
    st.tuples(st.sampled_from(["classify", "assign", "progress", "wait", "done", "pass", "fail", "close", "rate", "cancel",
                               "reopen", "notice", "defer", "undefer"]),
              st.integers(min_value=0, max_value=4 * 24 * 60), st.sampled_from([None, "high", "medium", "low"])),
    max_size=10)


@settings(max_examples=examples(150), deadline=None)
@given(steps=_STEPS, later_minutes=st.integers(0, 30 * 24 * 60), china=st.booleans(),
       liaison=st.sampled_from([None, "李雷"]), submitted_priority=st.sampled_from([None, "high", "low"]))
@example(steps=[], later_minutes=3000, china=False, liaison=None, submitted_priority="high")
def test_the_sla_rows_agree_with_overdue_and_go_to_the_right_person(
        steps: list[tuple[str, int, str | None]], later_minutes: int, china: bool, liaison: str | None,
        submitted_priority: str | None) -> None:
    calendar = CHINA if china else PLAIN
    request = new_request(liaison, submitted_priority)
    when = T0
    for step, gap, priority in steps:
        when += timedelta(minutes=gap)
        try:
            lifecycle_step(request, step, when, NOW, priority)
        except InvalidInput:
            pass  # refused by the lifecycle table: the request is unchanged
    as_of = when + timedelta(minutes=later_minutes)
    found = reminders([request], {}, calendar, as_of)
    reasons = overdue_reasons(request, calendar, SlaPolicy(), as_of, include_stale=True)
    breaches = [r for r in reasons if r.reason != "stale"]
    breached = [r for r in found if r.action == "breached"]
    assert [(r.clock, r.deadline) for r in breached] == [(b.clock, b.deadline) for b in breaches[:1]]
    assert any(r.action == "stale" for r in found) == any(r.reason == "stale" for r in reasons)
    owner = request.owner if request.owner and any(e.action == "assign" for e in request.history) else None
    for row in found:
        expected = (owner or liaison) if row.action in ("assign", "due-soon", "stale", "breached") else (liaison or owner)
        assert row.person == expected, row
        assert row.since <= as_of
        assert row.action in ACTIONS and row.id == request.id
    assert len({r.action for r in found}) == len(found)  # one row per thing to do


@settings(max_examples=examples(200), deadline=None)
@given(minutes=st.integers(0, 400 * 24 * 60), days=st.sampled_from([0.25, 0.5, 1, 1.5, 2, 3, 7]), china=st.booleans())
@example(minutes=0, days=1, china=False)
def test_the_due_soon_window_starts_where_the_working_time_says(minutes: int, days: float, china: bool) -> None:
    calendar = CHINA if china else PLAIN
    deadline = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    start = calendar.window_start(deadline, days)
    assert start <= deadline
    assert calendar.working_days_between(start, deadline) <= days + 1e-9
    before = start - timedelta(seconds=1)
    assert calendar.working_days_between(before, deadline) > days  # the earliest such moment
    assert calendar.add_working_time(start, days) >= calendar.local(deadline) - timedelta(microseconds=1)


def test_the_window_reaches_back_over_days_off() -> None:
    monday = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert PLAIN.window_start(monday, 1) == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # Friday 00:00: all of Friday counts
    assert PLAIN.window_start(datetime(2026, 12, 8, 0, 0, tzinfo=UTC), 1) == datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
    spring = datetime(2025, 2, 5, 10, 0, tzinfo=CHINA.tz)  # the day after China's 2025 Spring Festival break
    assert CHINA.window_start(spring, 1) == datetime(2025, 1, 27, 10, 0, tzinfo=CHINA.tz)  # Monday 27 Jan, before it
    assert CHINA.is_working_day(date(2025, 1, 26))  # a make-up Sunday: counted as a working day
