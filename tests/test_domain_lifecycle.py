"""The lifecycle table, unit by unit and as a Hypothesis state machine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from helpers import lifecycle_step
from reqtrack.domain import lifecycle
from reqtrack.domain.errors import InvalidInput, TransitionRefused
from reqtrack.domain.record import Request, mask_name, priority_from_score, priority_score, validate_scores

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=30)


def new_request(priority: str | None = "medium") -> Request:
    request = Request(id="202501-001", customer="ACME", description="导出太慢", submitted_at=T0, priority=priority)
    lifecycle.register(request, "lead", NOW)
    return request


def test_full_loop_records_every_step_in_order() -> None:
    r = new_request()
    t = T0
    steps = [
        lambda at: lifecycle.classify(r, at, NOW, "lead", type="bug", priority="high"),
        lambda at: lifecycle.assign(r, at, NOW, "lead", owner="张工", department="技术部"),
        lambda at: lifecycle.progress(r, at, NOW, "lead", "复现了"),
        lambda at: lifecycle.progress(r, at, NOW, "lead", "修好了", done=True),
        lambda at: lifecycle.verify(r, at, NOW, "lead", passed=True, satisfaction="satisfied"),
        lambda at: lifecycle.close(r, at, NOW, "lead"),
    ]
    for step in steps:
        t += timedelta(hours=1)
        step(t)
    assert r.status == "closed"
    assert [e.action for e in r.history] == ["new", "classify", "assign", "progress", "complete", "verify", "close"]
    assert [e.seq for e in r.history] == list(range(1, 8))
    assert r.completed_at == T0 + timedelta(hours=4)
    assert r.responded_at == T0 + timedelta(hours=1)
    assert r.closed_at == T0 + timedelta(hours=6)


def test_failed_verification_goes_back_and_clears_completion() -> None:
    r = new_request()
    lifecycle.assign(r, T0 + timedelta(hours=1), NOW, "lead", owner="A")
    lifecycle.progress(r, T0 + timedelta(hours=2), NOW, "lead", "done", done=True)
    with pytest.raises(InvalidInput, match="--note"):
        lifecycle.verify(r, T0 + timedelta(hours=3), NOW, "lead", passed=False)
    lifecycle.verify(r, T0 + timedelta(hours=3), NOW, "lead", passed=False, note="still slow")
    assert (r.status, r.completed_at, r.verification, r.verification_note) == ("in-progress", None, "fail", "still slow")


def test_refusal_names_status_and_what_to_do() -> None:
    r = new_request()
    with pytest.raises(TransitionRefused, match=r"pending.*assign it first"):
        lifecycle.progress(r, T0 + timedelta(hours=1), NOW, "lead", "x", done=True)


def test_times_before_latest_event_or_in_future_are_refused() -> None:
    r = new_request()
    lifecycle.classify(r, T0 + timedelta(hours=2), NOW, "lead", priority="low")
    with pytest.raises(InvalidInput, match="before the latest event"):
        lifecycle.progress(r, T0 + timedelta(hours=1), NOW, "lead", "late note")
    with pytest.raises(InvalidInput, match="future"):
        lifecycle.progress(r, NOW + timedelta(minutes=1), NOW, "lead", "tomorrow's note")
    assert len(r.history) == 2


def test_assign_needs_priority() -> None:
    r = new_request(priority=None)
    with pytest.raises(InvalidInput, match="no priority"):
        lifecycle.assign(r, T0, NOW, "lead", owner="A")


def test_reopen_clears_outcome() -> None:
    r = new_request()
    lifecycle.assign(r, T0, NOW, "lead", owner="A")
    lifecycle.progress(r, T0, NOW, "lead", "ok", done=True)
    lifecycle.verify(r, T0, NOW, "lead", passed=True, satisfaction="neutral")
    lifecycle.close(r, T0, NOW, "lead")
    lifecycle.reopen(r, T0 + timedelta(days=1), NOW, "lead", "came back")
    assert (r.status, r.completed_at, r.verification, r.satisfaction, r.closed_at) == ("in-progress", None, None, None, None)


def test_edit_records_old_and_new() -> None:
    r = new_request()
    entry = lifecycle.edit(r, T0, NOW, "lead", {"customer": "ACME Ltd", "notes": "vip"})
    assert entry.changes == {"customer": ["ACME", "ACME Ltd"], "notes": [None, "vip"]}
    with pytest.raises(InvalidInput, match="nothing changes"):
        lifecycle.edit(r, T0, NOW, "lead", {"customer": "ACME Ltd"})


def test_classify_on_in_progress_is_a_reassessment() -> None:
    r = new_request()
    lifecycle.assign(r, T0, NOW, "lead", owner="A")
    entry = lifecycle.classify(r, T0, NOW, "lead", priority="high", reason="客户升级投诉")
    assert entry.action == "reassess"


def test_priority_formula() -> None:
    assert priority_score({"value": 10, "urgency": 10, "impact": 10, "cost": 1}) == 10.0
    assert priority_score({"value": 1, "urgency": 1, "impact": 1, "cost": 10}) == 1.0
    assert priority_from_score(7.0) == "high"
    assert priority_from_score(6.99) == "medium"
    assert priority_from_score(3.99) == "low"
    with pytest.raises(InvalidInput, match="set of four"):
        validate_scores({"value": 3, "urgency": None, "cost": None, "impact": None})
    with pytest.raises(InvalidInput, match="between 1 and 10"):
        validate_scores({"value": 11, "urgency": 1, "cost": 1, "impact": 1})


def test_scores_without_priority_compute_it() -> None:
    r = new_request(priority=None)
    lifecycle.classify(r, T0, NOW, "lead", scores={"value": 8, "urgency": 7, "cost": 3, "impact": 8})
    assert r.priority == "high"
    assert "7.70" in r.history[-1].note


def test_mask_name() -> None:
    assert mask_name("王经理") == "王**"
    assert mask_name("A") == "A"
    assert mask_name(None) is None


COMMANDS = ["classify", "assign", "progress", "done", "pass", "fail", "close", "rate", "cancel", "reopen", "edit"]


def _run(command: str, r: Request, at: datetime) -> None:
    lifecycle_step(r, command, at, NOW, priority="high")


TABLE_KEY = {"classify": "classify", "assign": "assign", "progress": "progress", "done": "progress --done",
             "pass": "verify --pass", "fail": "verify --fail", "close": "close", "rate": "rate", "cancel": "cancel",
             "reopen": "reopen", "edit": "edit"}


class LifecycleMachine(RuleBasedStateMachine):
    """Random command sequences: a request only ever moves along the table's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.request = new_request()
        self.t = T0

    @rule(command=st.sampled_from(COMMANDS))
    def run(self, command: str) -> None:
        self.t += timedelta(minutes=7)
        before = (self.request.status, len(self.request.history))
        transition = lifecycle.TRANSITIONS[TABLE_KEY[command]]
        try:
            _run(command, self.request, self.t)
        except TransitionRefused:
            assert before[0] not in transition.allowed_from
            assert (self.request.status, len(self.request.history)) == before
            return
        assert before[0] in transition.allowed_from
        assert self.request.status == (transition.to or before[0])
        assert len(self.request.history) == before[1] + 1

    @invariant()
    def consistent(self) -> None:
        r = self.request
        assert r.status in {"pending", "in-progress", "verifying", "done", "closed", "cancelled"}
        assert [e.seq for e in r.history] == list(range(1, len(r.history) + 1))
        assert all(a.at <= b.at for a, b in zip(r.history, r.history[1:]))
        if r.status in ("verifying", "done", "closed"):
            assert r.completed_at is not None
        if r.status in ("pending",):
            assert r.completed_at is None
        if r.status in ("done", "closed"):
            assert r.verification == "pass"


TestLifecycleMachine = LifecycleMachine.TestCase
TestLifecycleMachine.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
