"""The lifecycle table, unit by unit and as a Hypothesis state machine."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from helpers import examples, lifecycle_step
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
    assert priority_from_score(4.0) == "medium"  # the boundaries belong to the upper band
    assert priority_from_score(3.99) == "low"
    assert priority_score({"value": 8, "urgency": 7, "cost": 3, "impact": 8}) == 7.7  # docs/lifecycle.md's example
    assert priority_score({"value": 5, "urgency": 4, "cost": 6, "impact": 3}) == 4.1  # 1.5 + 1.2 + 0.9 + 0.5
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


# SPEC §3, restated by hand (never read from lifecycle.TRANSITIONS: the expectations must not
# share a mistake with the table they check): step → (statuses it runs from, status it leaves;
# None = unchanged).
SPEC_TABLE: dict[str, tuple[frozenset[str], str | None]] = {
    "classify": (frozenset({"pending", "in-progress"}), None),
    "assign": (frozenset({"pending", "in-progress"}), "in-progress"),
    "progress": (frozenset({"pending", "in-progress"}), None),
    "done": (frozenset({"in-progress"}), "verifying"),
    "pass": (frozenset({"verifying"}), "done"),
    "fail": (frozenset({"verifying"}), "in-progress"),
    "close": (frozenset({"done"}), "closed"),
    "rate": (frozenset({"done", "closed"}), None),
    "cancel": (frozenset({"pending", "in-progress", "verifying"}), "cancelled"),
    "reopen": (frozenset({"done", "closed"}), "in-progress"),
    "edit": (frozenset({"pending", "in-progress", "verifying", "done"}), None),  # any but closed, cancelled
}
STATUSES = ("pending", "in-progress", "verifying", "done", "closed", "cancelled")
# How to bring a new request (medium priority) to each status.
ROUTES = {"pending": (), "in-progress": ("assign",), "verifying": ("assign", "done"),
          "done": ("assign", "done", "pass"), "closed": ("assign", "done", "pass", "close"), "cancelled": ("cancel",)}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_step_from_every_status_follows_spec_section_3(command: str, status: str) -> None:
    r = new_request()
    t = T0
    for step in ROUTES[status]:
        t += timedelta(minutes=5)
        _run(step, r, t)
    assert r.status == status
    before = (r.status, len(r.history), r.completed_at)
    allowed_from, to = SPEC_TABLE[command]
    if status in allowed_from:
        _run(command, r, t + timedelta(minutes=5))
        assert r.status == (to or status) and len(r.history) == before[1] + 1
    else:
        with pytest.raises(TransitionRefused) as refused:
            _run(command, r, t + timedelta(minutes=5))
        assert (r.status, len(r.history), r.completed_at) == before  # nothing changed
        assert status in str(refused.value) and "202501-001" in str(refused.value)


def test_the_code_table_says_what_spec_section_3_says() -> None:
    """lifecycle.TRANSITIONS (which the CLI's refusals quote) row by row against the hand table."""
    key = {"done": "progress --done", "pass": "verify --pass", "fail": "verify --fail"}
    for command, (allowed_from, to) in SPEC_TABLE.items():
        row = lifecycle.TRANSITIONS[key.get(command, command)]
        assert (row.allowed_from, row.to) == (allowed_from, to), command
    assert lifecycle.TRANSITIONS["attach"].allowed_from == SPEC_TABLE["edit"][0]  # as edit: any but closed, cancelled


class LifecycleMachine(RuleBasedStateMachine):
    """Random command sequences: a request only ever moves along SPEC §3's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.request = new_request()
        self.t = T0

    @rule(command=st.sampled_from(COMMANDS))
    def run(self, command: str) -> None:
        self.t += timedelta(minutes=7)
        before = (self.request.status, len(self.request.history))
        allowed_from, to = SPEC_TABLE[command]
        try:
            _run(command, self.request, self.t)
        except TransitionRefused:
            assert before[0] not in allowed_from, (command, before)
            assert (self.request.status, len(self.request.history)) == before
            return
        assert before[0] in allowed_from, (command, before)
        assert self.request.status == (to or before[0])
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
TestLifecycleMachine.settings = settings(max_examples=examples(150), stateful_step_count=30, deadline=None)


# -- edit and attach, entry by entry ------------------------------------------------------------
def test_edit_records_the_entry_and_refuses_with_its_sentence() -> None:
    r = new_request()
    at = T0 + timedelta(hours=1)
    entry = lifecycle.edit(r, at, NOW, "lead", {"description": "导出很慢", "notes": None}, note="typo")
    assert (entry.action, entry.actor, entry.at, entry.note, entry.seq) == ("edit", "lead", at, "typo", 2)
    assert entry.changes == {"description": ["导出太慢", "导出很慢"]} and r.history[-1] is entry
    with pytest.raises(InvalidInput) as unknown:
        lifecycle.edit(r, at, NOW, "lead", {"bogus": "x", "status": "done"})
    assert str(unknown.value).startswith("cannot edit bogus, status; editable: description, customer, proposer, ")
    with pytest.raises(InvalidInput) as empty:
        lifecycle.edit(r, at, NOW, "lead", {"notes": None})
    assert str(empty.value) == "edit needs at least one field to change, e.g. --description or --customer"
    for name in ("description", "customer"):
        with pytest.raises(InvalidInput) as blank:
            lifecycle.edit(r, at, NOW, "lead", {name: "  "})
        assert str(blank.value) == f"--{name} is required"
    with pytest.raises(InvalidInput) as same:
        lifecycle.edit(r, at, NOW, "lead", {"customer": "ACME"})
    assert str(same.value) == "nothing changes: request 202501-001 already has these values"
    assert len(r.history) == 2  # the refusals added nothing


def test_edit_of_the_submission_time() -> None:
    r = new_request()  # submitted and registered at T0 (2025-01-06 09:00 UTC)
    earlier = T0 - timedelta(days=1)
    entry = lifecycle.edit(r, T0 + timedelta(hours=1), NOW, "lead", {"submitted_at": earlier})
    assert r.submitted_at == earlier and set(entry.changes) == {"submitted_at"}
    with pytest.raises(InvalidInput) as future:
        lifecycle.edit(r, T0 + timedelta(hours=2), NOW, "lead", {"submitted_at": NOW + timedelta(minutes=1)})
    assert str(future.value) == "--submitted-at 2025-02-05T09:01+00:00 is in the future"
    with pytest.raises(InvalidInput) as after:
        lifecycle.edit(r, T0 + timedelta(hours=2), NOW, "lead", {"submitted_at": T0 + timedelta(minutes=1)})
    assert str(after.value) == ("--submitted-at 2025-01-06T09:01+00:00 is after the request's first history entry "
                                "(2025-01-06T09:00+00:00); a request is submitted first")
    lifecycle.edit(r, T0 + timedelta(hours=2), NOW, "lead", {"submitted_at": T0})  # exactly the first entry: allowed
    assert r.submitted_at == T0


def test_a_repair_edit_corrects_a_closed_requests_submission_time() -> None:
    r = new_request()
    for step in ("assign", "done", "pass", "close"):
        _run(step, r, T0 + timedelta(hours=1))
    with pytest.raises(TransitionRefused):
        lifecycle.edit(r, T0 + timedelta(hours=2), NOW, "lead", {"submitted_at": T0 - timedelta(days=1)})
    later = T0 + timedelta(hours=3)  # a repair may even move it past the first entry
    entry = lifecycle.edit(r, T0 + timedelta(hours=2), NOW, "lead", {"submitted_at": later}, repair=True)
    assert r.submitted_at == later and entry.action == "edit" and r.status == "closed"
    with pytest.raises(InvalidInput, match="before the latest event"):
        lifecycle.edit(r, T0, NOW, "lead", {"submitted_at": T0}, repair=True)  # the time rule still holds


def test_attach_records_the_file_in_the_history() -> None:
    r = new_request()
    at = T0 + timedelta(hours=1)
    entry = lifecycle.attach(r, at, NOW, "lead", "扫描件.pdf", 2048, "0123456789abcdef" * 4)
    assert (entry.action, entry.actor, entry.at, r.status) == ("attach", "lead", at, "pending")
    assert entry.changes == {"attachment": [None, "扫描件.pdf"]}
    assert entry.note == "扫描件.pdf (2048 bytes, sha256 0123456789ab)" and r.history[-1] is entry
    with pytest.raises(InvalidInput, match="in the future"):
        lifecycle.attach(r, NOW + timedelta(minutes=1), NOW, "lead", "late.pdf", 1, "0" * 64)
    lifecycle.cancel(r, at, NOW, "lead", "dup")
    with pytest.raises(TransitionRefused, match="cancelled"):
        lifecycle.attach(r, at, NOW, "lead", "after.pdf", 1, "0" * 64)
    assert [e.action for e in r.history] == ["new", "attach", "cancel"]


def test_scores_from_1_to_10_are_taken() -> None:
    validate_scores({"value": 1, "urgency": 10, "cost": 1, "impact": 10})
    for bad in (0, 11):
        with pytest.raises(InvalidInput, match="between 1 and 10"):
            validate_scores({"value": bad, "urgency": 5, "cost": 5, "impact": 5})


# -- what a refused command tells the user to do instead (docs/lifecycle.md) ----------------------
# Each sentence read and checked by hand against docs/lifecycle.md: it names a way forward that the
# table allows (or the step that has to come first).
HINTS = {
    ("classify", "verifying"): "it is waiting for verification: `reqtrack verify 202501-001 --pass` or `--fail --note ...`",
    ("classify", "done"): "its work is verified; reopen it with `reqtrack reopen 202501-001 --reason ...` if more is needed",
    ("assign", "verifying"): "it is waiting for verification: `reqtrack verify 202501-001 --pass` or `--fail --note ...`",
    ("progress", "done"): "its work is verified; reopen it with `reqtrack reopen 202501-001 --reason ...` if more is needed",
    ("done", "pending"): "assign it first with `reqtrack assign 202501-001 --owner NAME`",
    ("done", "verifying"): "`progress --done` applies to requests that are in-progress",
    ("pass", "pending"): "assign it (`reqtrack assign 202501-001 --owner NAME`) and report the work done first",
    ("pass", "in-progress"): "report the work done first with `reqtrack progress 202501-001 NOTE --done`",
    ("pass", "done"): "`verify --pass` applies to requests that are verifying",
    ("fail", "in-progress"): "report the work done first with `reqtrack progress 202501-001 NOTE --done`",
    ("fail", "done"): "`verify --fail` applies to requests that are verifying",
    ("close", "pending"): "finish and verify it first, or cancel it with `reqtrack cancel 202501-001 --reason ...`",
    ("close", "in-progress"): "finish and verify it first, or cancel it with `reqtrack cancel 202501-001 --reason ...`",
    ("close", "verifying"): "verify it first with `reqtrack verify 202501-001 --pass`",
    ("rate", "pending"): "satisfaction is recorded when the work is verified: `reqtrack verify 202501-001 --pass --satisfaction S`",
    ("rate", "verifying"): "satisfaction is recorded when the work is verified: `reqtrack verify 202501-001 --pass --satisfaction S`",
    ("cancel", "done"): "its work is verified; reopen it with `reqtrack reopen 202501-001 --reason ...` if more is needed",
    ("reopen", "pending"): "it is still open; record what happens with `reqtrack progress` instead",
    ("reopen", "verifying"): "it is still open; record what happens with `reqtrack progress` instead",
    ("reopen", "in-progress"): "it is still open; record what happens with `reqtrack progress` instead",
    ("assign", "done"): "its work is verified; reopen it with `reqtrack reopen 202501-001 --reason ...` if more is needed",
    ("done", "done"): "its work is verified; reopen it with `reqtrack reopen 202501-001 --reason ...` if more is needed",
    ("progress", "verifying"): "it is waiting for verification: `reqtrack verify 202501-001 --pass` or `--fail --note ...`",
    ("fail", "pending"): "assign it (`reqtrack assign 202501-001 --owner NAME`) and report the work done first",
    ("rate", "in-progress"): "satisfaction is recorded when the work is verified: `reqtrack verify 202501-001 --pass --satisfaction S`",
}
CLOSED_HINT = "a closed request is read-only; reopen it first with `reqtrack reopen 202501-001 --reason ...`"
CANCELLED_HINT = "a cancelled request is final; register it again with `reqtrack new` if the need is back"
TABLE_NAME = {"done": "progress --done", "pass": "verify --pass", "fail": "verify --fail"}
LABEL = {"pending": "Pending", "in-progress": "In progress", "verifying": "Verifying", "done": "Done",
         "closed": "Closed", "cancelled": "Cancelled"}


REFUSED = [(c, s) for c in COMMANDS for s in STATUSES if s not in SPEC_TABLE[c][0]]


@pytest.mark.parametrize(("command", "status"), REFUSED)
def test_a_refusal_says_what_to_do_instead(command: str, status: str) -> None:
    r = new_request()
    for step in ROUTES[status]:
        _run(step, r, T0 + timedelta(minutes=5))
    with pytest.raises(TransitionRefused) as refused:
        _run(command, r, T0 + timedelta(minutes=10))
    hint = HINTS.get((command, status)) or (CLOSED_HINT if status == "closed" else CANCELLED_HINT)
    name = TABLE_NAME.get(command, command)
    assert str(refused.value) == f"request 202501-001 is {LABEL[status]} ({status}), so `{name}` cannot run; {hint}"


# -- each command's entry, worked by hand --------------------------------------------------------
def test_each_commands_entry_and_its_refusals() -> None:
    r = Request(id="202501-001", customer="ACME", description="导出太慢", submitted_at=T0, source="phone", type="bug")
    first = lifecycle.register(r, "lead", T0, note="called in")  # submitted at `now` itself: allowed
    assert (first.action, first.actor, first.at, first.note) == ("new", "lead", T0, "called in")
    assert first.changes == {"customer": [None, "ACME"], "source": [None, "phone"], "type": [None, "bug"]}
    for field, value, message in (("customer", " ", "--customer is required"),
                                  ("description", "", "the description is required")):
        blank = Request(id="202501-002", customer="ACME", description="x", submitted_at=T0)
        setattr(blank, field, value)
        with pytest.raises(InvalidInput) as refused:
            lifecycle.register(blank, "lead", NOW)
        assert str(refused.value) == message
    with pytest.raises(InvalidInput) as future:
        lifecycle.register(Request(id="202501-003", customer="A", description="x", submitted_at=NOW + timedelta(minutes=1)),
                           "lead", NOW)
    assert str(future.value) == "--at 2025-02-05T09:01+00:00 is in the future"

    t = T0 + timedelta(hours=1)
    with pytest.raises(InvalidInput) as nothing:
        lifecycle.classify(r, t, NOW, "lead")
    assert str(nothing.value) == "classify needs at least one of --type, --priority, --feasibility, --reason or the scores"
    scored = lifecycle.classify(r, t, NOW, "lead", scores={"value": 8, "urgency": 7, "cost": 3, "impact": 8},
                                reason="VIP")
    assert scored.note == "VIP (score 7.70 → high)" and r.priority == "high" and r.priority_reason == "VIP"
    assert lifecycle.priority_was_scored(scored)
    with pytest.raises(InvalidInput) as ownerless:
        lifecycle.assign(r, t, NOW, "lead", owner=" ")
    assert str(ownerless.value) == "--owner is required"
    with pytest.raises(InvalidInput) as early:
        lifecycle.assign(r, t, NOW, "lead", owner="Li", due=T0 - timedelta(minutes=1))
    assert str(early.value) == "--due is before the request was submitted"
    assigned = lifecycle.assign(r, t, NOW, "lead", owner="Li", department="R&D", due=T0, reason="knows the code")
    assert assigned.note == "knows the code" and (r.department, r.assign_reason, r.due) == ("R&D", "knows the code", T0)
    assert assigned.changes["department"] == [None, "R&D"] and assigned.changes["due"][1] == T0.isoformat()
    again = lifecycle.assign(r, t, NOW, "lead", owner="Wang")  # no department given: the one set stays
    assert r.department == "R&D" and "department" not in again.changes and again.note == ""  # no reason: ""

    with pytest.raises(InvalidInput) as both:
        lifecycle.progress(r, t, NOW, "lead", "x", done=True, waiting=True)
    assert str(both.value) == "--done and --waiting exclude each other"
    with pytest.raises(InvalidInput) as silent:
        lifecycle.progress(r, t, NOW, "lead", "  ")
    assert str(silent.value) == "the progress note is required"
    lifecycle.progress(r, t, NOW, "lead", "asked for logs", waiting=True)
    done = lifecycle.progress(r, t, NOW, "lead", "fixed", done=True)
    assert (done.action, done.note, r.waiting, r.completed_at) == ("complete", "fixed", False, t)
    with pytest.raises(InvalidInput) as reasonless:
        lifecycle.verify(r, t, NOW, "lead", passed=False, note=" ")
    assert str(reasonless.value) == 'a failed verification needs its reason: --note "what is still wrong"'
    with pytest.raises(InvalidInput) as unhappy:
        lifecycle.verify(r, t, NOW, "lead", passed=False, note="slow", satisfaction="dissatisfied")
    assert str(unhappy.value) == "satisfaction is recorded with a pass (or later with `rate`), not with a fail"
    failed = lifecycle.verify(r, t, NOW, "lead", passed=False, note="still slow")
    assert (failed.note, r.verification_note, r.completed_at) == ("still slow", "still slow", None)
    lifecycle.progress(r, t, NOW, "lead", "fixed again", done=True)
    passed = lifecycle.verify(r, t, NOW, "lead", passed=True, satisfaction="satisfied")
    assert r.verification_note is None and passed.changes["verification_note"] == ["still slow", None]
    rated = lifecycle.rate(r, t, NOW, "lead", "neutral", note="survey")
    assert (rated.action, rated.note, rated.changes) == ("rate", "survey", {"satisfaction": ["satisfied", "neutral"]})
    closed = lifecycle.close(r, t, NOW, "lead", note="archived")
    assert (closed.action, closed.note, r.closed_at) == ("close", "archived", t)
    with pytest.raises(InvalidInput) as why:
        lifecycle.reopen(r, t, NOW, "lead", "")
    assert str(why.value) == "--reason is required"

    waiting = new_request()
    lifecycle.progress(waiting, t, NOW, "lead", "asked", waiting=True)
    with pytest.raises(InvalidInput) as unreasoned:
        lifecycle.cancel(waiting, t, NOW, "lead", " ")
    assert str(unreasoned.value) == "--reason is required"
    cancelled = lifecycle.cancel(waiting, t, NOW, "lead", "withdrawn")
    assert (cancelled.note, waiting.waiting, waiting.status) == ("withdrawn", False, "cancelled")
    assert lifecycle.check_time(waiting, NOW, NOW) is None  # `now` itself is not the future
