"""The lifecycle: which command may run from which status, and what each one changes.

Every function here takes a request, checks the transition and the time, changes the request
and appends one history entry, which it also returns. Nothing here reads a clock: `now` is
passed in so that "in the future" can be refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput, Listed, Message, Moment, TransitionRefused
from .record import HistoryEntry, Request, priority_from_score, priority_score
from .timeparse import end_of_day
from .vocab import NOTICE_KIND, OPEN_STATUSES, STATUS, Term

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Transition:
    """A row of the transition table (docs/lifecycle.md): the statuses a command runs from and the
    status it leaves (None: unchanged)."""

    command: str
    allowed_from: frozenset[str]
    to: str | None


TRANSITIONS: dict[str, Transition] = {
    t.command: t
    for t in (
        Transition("classify", frozenset({"pending", "in-progress"}), None),
        Transition("assign", frozenset({"pending", "in-progress"}), "in-progress"),
        Transition("progress", frozenset({"pending", "in-progress"}), None),
        Transition("progress --done", frozenset({"in-progress"}), "verifying"),
        Transition("verify --pass", frozenset({"verifying"}), "done"),
        Transition("verify --fail", frozenset({"verifying"}), "in-progress"),
        Transition("close", frozenset({"done"}), "closed"),
        Transition("rate", frozenset({"done", "closed"}), None),
        Transition("cancel", frozenset(OPEN_STATUSES), "cancelled"),
        Transition("reopen", frozenset({"done", "closed"}), "in-progress"),
        Transition("edit", frozenset({*OPEN_STATUSES, "done"}), None),
        Transition("attach", frozenset({*OPEN_STATUSES, "done"}), None),
        Transition("notice", frozenset(STATUS.keys), None),  # a notice can reach the customer at any time
    )
}

# A history begins with the registration: `new`, or `import` for a request that came from a sheet.
FIRST_ACTIONS = ("new", "import")

# Actions that count as the first response to the customer (the response clock, docs/sla.md): the
# one rule the clocks (domain/sla/state.py), `responded_at`, the report's replay and its stored facts
# (domain/metrics) read. A `notice` is a message that reached the customer (SPEC §8).
RESPONSE_ACTIONS = frozenset({"classify", "reassess", "assign", "progress", "complete", "verify", "cancel", "notice"})


def _hint(command: str, request: Request) -> Message:
    """What to do instead, for a command that the current status refuses."""
    rid, status = request.id, request.status
    if status == "cancelled":
        return Message("a cancelled request is final; register it again with `reqtrack new` if the need is back")
    if status == "closed" and command not in ("reopen", "rate"):
        return Message("a closed request is read-only; reopen it first with `reqtrack reopen {rid} --reason ...`", rid=rid)
    if status == "done" and command in ("classify", "assign", "progress", "progress --done", "cancel"):
        return Message("its work is verified; reopen it with `reqtrack reopen {rid} --reason ...` if more is needed",
                       rid=rid)
    if command == "progress --done" and status == "pending":
        return Message("assign it first with `reqtrack assign {rid} --owner NAME`", rid=rid)
    if command in ("verify --pass", "verify --fail"):
        if status == "pending":
            return Message("assign it (`reqtrack assign {rid} --owner NAME`) and report the work done first", rid=rid)
        if status == "in-progress":
            return Message("report the work done first with `reqtrack progress {rid} NOTE --done`", rid=rid)
    if command == "close":
        if status == "verifying":
            return Message("verify it first with `reqtrack verify {rid} --pass`", rid=rid)
        if status in ("pending", "in-progress"):
            return Message("finish and verify it first, or cancel it with `reqtrack cancel {rid} --reason ...`", rid=rid)
    if command == "reopen":
        return Message("it is still open; record what happens with `reqtrack progress` instead")
    if command == "rate":
        return Message("satisfaction is recorded when the work is verified: "
                       "`reqtrack verify {rid} --pass --satisfaction S`", rid=rid)
    if status == "verifying" and command in ("classify", "assign", "progress"):
        return Message("it is waiting for verification: `reqtrack verify {rid} --pass` or `--fail --note ...`", rid=rid)
    allowed = Listed.of(Term(STATUS, key) for key in sorted(TRANSITIONS[command].allowed_from))
    return Message("`{command}` applies to requests that are {allowed}", command=command, allowed=allowed)


def check_transition(command: str, request: Request) -> Transition:
    """The transition of `command`, or TransitionRefused naming the status and what to do instead."""
    transition = TRANSITIONS[command]
    if request.status not in transition.allowed_from:
        raise TransitionRefused("request {rid} is {status}, so `{command}` cannot run; {hint}", rid=request.id,
                                status=Term(STATUS, request.status, "keyed"), command=command,
                                hint=_hint(command, request))
    return transition


def check_time(request: Request, at: datetime, now: datetime) -> None:
    """Refuse a time in the future or before the request's latest event."""
    if at > now:
        raise InvalidInput("--at {at} is in the future", at=Moment(at))
    latest = request.latest_event_at
    if latest is not None and at < latest:
        raise InvalidInput("--at {at} is before the latest event of request {rid} ({latest}); history is kept in order",
                           at=Moment(at), rid=request.id, latest=Moment(latest))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _set(request: Request, changes: dict[str, list[Any]], name: str, value: Any) -> None:
    """Set a field and record old → new when it really changes."""
    old = getattr(request, name)
    if old != value:
        changes[name] = [_jsonable(old), _jsonable(value)]
        setattr(request, name, value)


def _append(request: Request, at: datetime, action: str, actor: str, changes: dict, note: str | None) -> HistoryEntry:
    if action in RESPONSE_ACTIONS and request.responded_at is None:
        request.responded_at = at
    entry = HistoryEntry(
        seq=len(request.history) + 1, at=at, action=action, actor=actor, changes=changes, note=note or ""
    )
    request.history.append(entry)
    return entry


def _begin(command: str, request: Request, at: datetime, now: datetime) -> Transition:
    transition = check_transition(command, request)
    check_time(request, at, now)
    return transition


def _require(text: str | None, what: str | Message) -> str:
    if text is None or not text.strip():
        raise InvalidInput("{what} is required", what=what)
    return text


def register(request: Request, actor: str, now: datetime, note: str | None = None) -> HistoryEntry:
    """Record a new request (status pending) with its first history entry."""
    _require(request.customer, "--customer")
    _require(request.description, Message("the description"))
    if request.submitted_at > now:
        raise InvalidInput("--at {at} is in the future", at=Moment(request.submitted_at))
    request.status = "pending"
    fields = {k: v for k, v in (("customer", request.customer), ("source", request.source),
                                ("type", request.type), ("priority", request.priority)) if v}
    return _append(request, request.submitted_at, "new", actor, {k: [None, v] for k, v in fields.items()}, note)


def classify(
    request: Request,
    at: datetime,
    now: datetime,
    actor: str,
    *,
    type: str | None = None,
    priority: str | None = None,
    feasibility: str | None = None,
    reason: str | None = None,
    scores: dict[str, int] | None = None,
) -> HistoryEntry:
    """Set type, priority, feasibility, rationale or scores; on in-progress it is a re-assessment.

    Scores without an explicit priority compute the priority (see `priority_score`).
    """
    _begin("classify", request, at, now)
    if not any(v is not None for v in (type, priority, feasibility, reason, scores)):
        raise InvalidInput("classify needs at least one of --type, --priority, --feasibility, --reason or the scores")
    changes: dict[str, list[Any]] = {}
    note = reason or ""
    if scores is not None:
        _set(request, changes, "scores", scores)
        if priority is None:
            score = priority_score(scores)
            priority = priority_from_score(score)
            scored = _SCORED.format(score=score, priority=priority)
            note = f"{note} ({scored})".strip() if note else scored
    for name, value in (("type", type), ("priority", priority), ("feasibility", feasibility),
                        ("priority_reason", reason)):
        if value is not None:
            _set(request, changes, name, value)
    action = "reassess" if request.status == "in-progress" else "classify"
    return _append(request, at, action, actor, changes, note)


_SCORED = "score {score:.2f} → {priority}"  # the note of a priority computed from the scores
_SCORED_AT_END = re.compile(r"score \d+\.\d\d → (high|medium|low)\)?$")


def priority_was_scored(entry: HistoryEntry) -> bool:
    """Whether a classify (or re-assess) entry set a priority computed from the scores; its note
    then ends with how (`score 7.25 → high`)."""
    return entry.action in ("classify", "reassess") and _SCORED_AT_END.search(entry.note or "") is not None


def assign(
    request: Request,
    at: datetime,
    now: datetime,
    actor: str,
    *,
    owner: str,
    department: str | None = None,
    due: datetime | None = None,
    due_is_date: bool = False,
    reason: str | None = None,
) -> HistoryEntry:
    """Give the request an owner (and department, planned completion); it becomes in-progress."""
    _begin("assign", request, at, now)
    _require(owner, "--owner")
    if request.priority is None:
        raise InvalidInput("request {rid} has no priority yet; set one first with `reqtrack classify {rid} --priority P`",
                           rid=request.id)
    if due is not None and due < request.submitted_at:
        raise InvalidInput("--due is before the request was submitted")
    changes: dict[str, list[Any]] = {}
    _set(request, changes, "status", "in-progress")
    _set(request, changes, "owner", owner)
    if department is not None:
        _set(request, changes, "department", department)
    if due is not None:
        _set(request, changes, "due", due)
        _set(request, changes, "due_is_date", due_is_date)
    if reason is not None:
        _set(request, changes, "assign_reason", reason)
    return _append(request, at, "assign", actor, changes, reason)


def progress(
    request: Request, at: datetime, now: datetime, actor: str, note: str, *, done: bool = False, waiting: bool = False
) -> HistoryEntry:
    """Append a progress note; `done` reports the work finished, `waiting` pauses for the customer."""
    if done and waiting:
        raise InvalidInput("--done and --waiting exclude each other")
    _require(note, Message("the progress note"))
    changes: dict[str, list[Any]] = {}
    if done:
        _begin("progress --done", request, at, now)
        _set(request, changes, "status", "verifying")
        _set(request, changes, "completed_at", at)
        _set(request, changes, "waiting", False)
        return _append(request, at, "complete", actor, changes, note)
    _begin("progress", request, at, now)
    # Any progress without --waiting means the customer answered: the pause ends.
    _set(request, changes, "waiting", waiting)
    return _append(request, at, "progress", actor, changes, note)


def verify(
    request: Request,
    at: datetime,
    now: datetime,
    actor: str,
    *,
    passed: bool,
    satisfaction: str | None = None,
    note: str | None = None,
) -> HistoryEntry:
    """Record the verification: pass → done (with satisfaction), fail → back to in-progress."""
    changes: dict[str, list[Any]] = {}
    if passed:
        _begin("verify --pass", request, at, now)
        _set(request, changes, "status", "done")
        _set(request, changes, "verification", "pass")
        _set(request, changes, "verification_note", note)
        if satisfaction is not None:
            _set(request, changes, "satisfaction", satisfaction)
    else:
        _begin("verify --fail", request, at, now)
        if note is None or not note.strip():
            raise InvalidInput("a failed verification needs its reason: --note \"what is still wrong\"")
        if satisfaction is not None:
            raise InvalidInput("satisfaction is recorded with a pass (or later with `rate`), not with a fail")
        _set(request, changes, "status", "in-progress")
        _set(request, changes, "verification", "fail")
        _set(request, changes, "verification_note", note)
        _set(request, changes, "completed_at", None)
    return _append(request, at, "verify", actor, changes, note)


def close(request: Request, at: datetime, now: datetime, actor: str, note: str | None = None) -> HistoryEntry:
    """Archive a done request; afterwards it is read-only but for reopen and rate."""
    _begin("close", request, at, now)
    changes: dict[str, list[Any]] = {}
    _set(request, changes, "status", "closed")
    _set(request, changes, "closed_at", at)
    return _append(request, at, "close", actor, changes, note)


def rate(
    request: Request, at: datetime, now: datetime, actor: str, satisfaction: str, note: str | None = None
) -> HistoryEntry:
    """Record satisfaction from the follow-up survey."""
    _begin("rate", request, at, now)
    changes: dict[str, list[Any]] = {}
    _set(request, changes, "satisfaction", satisfaction)
    return _append(request, at, "rate", actor, changes, note)


def cancel(request: Request, at: datetime, now: datetime, actor: str, reason: str) -> HistoryEntry:
    """Cancel an open request; the reason is required."""
    _begin("cancel", request, at, now)
    _require(reason, "--reason")
    changes: dict[str, list[Any]] = {}
    _set(request, changes, "status", "cancelled")
    _set(request, changes, "waiting", False)
    return _append(request, at, "cancel", actor, changes, reason)


def reopen(request: Request, at: datetime, now: datetime, actor: str, reason: str) -> HistoryEntry:
    """Reopen done or closed work (a recurrence); completion, verification and satisfaction are cleared."""
    _begin("reopen", request, at, now)
    _require(reason, "--reason")
    changes: dict[str, list[Any]] = {}
    _set(request, changes, "status", "in-progress")
    for name in ("completed_at", "verification", "verification_note", "satisfaction", "closed_at"):
        _set(request, changes, name, None)
    return _append(request, at, "reopen", actor, changes, reason)


EDITABLE_FIELDS = ("description", "customer", "proposer", "contact", "source", "liaison", "notes", "submitted_at")


def edit(request: Request, at: datetime, now: datetime, actor: str, fields: dict[str, Any], note: str | None = None,
         *, repair: bool = False) -> HistoryEntry:
    """Correct descriptive fields and the submission time; old and new values go into the
    history. `repair`: the stored submission time cannot be read (an older version's or a hand's
    doing), so correcting it is allowed in any status, closed and cancelled too."""
    if repair:
        check_time(request, at, now)
    else:
        _begin("edit", request, at, now)
    submitted = fields.get("submitted_at")
    if submitted is not None:
        if submitted > now:
            raise InvalidInput("--submitted-at {at} is in the future", at=Moment(submitted))
        first = min((e.at for e in request.history if e.action != "import" and not repair), default=None)
        if first is not None and submitted > first:
            raise InvalidInput("--submitted-at {at} is after the request's first history entry ({first}); a request is "
                               "submitted first", at=Moment(submitted), first=Moment(first))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput("cannot edit {fields}; editable: {editable}", fields=", ".join(sorted(unknown)),
                           editable=", ".join(EDITABLE_FIELDS))
    given = {k: v for k, v in fields.items() if v is not None}
    if not given:
        raise InvalidInput("edit needs at least one field to change, e.g. --description or --customer")
    for name in ("description", "customer"):
        if name in given:
            _require(given[name], f"--{name}")
    changes: dict[str, list[Any]] = {}
    for name, value in given.items():
        _set(request, changes, name, value)
    if not changes:
        raise InvalidInput("nothing changes: request {rid} already has these values", rid=request.id)
    return _append(request, at, "edit", actor, changes, note)


def reanchor_due(request: Request, old_zone: ZoneInfo, new_zone: ZoneInfo, at: datetime, actor: str) -> HistoryEntry | None:
    """A planned completion given as a date means the end of that day in the database's zone:
    when the zone changes, keep the date (23:59:59 of the same day in the new zone) instead of
    the moment, which would fall on another day there. Recorded in the history as an `edit` of
    `due`, in any status (the date was the team's, not the old zone's); None when the request
    has no date-only due or it does not move."""
    if not request.due_is_date or request.due is None:
        return None
    moved = end_of_day(request.due.astimezone(old_zone).date(), new_zone).astimezone(request.due.tzinfo)
    changes: dict[str, list[Any]] = {}
    _set(request, changes, "due", moved)
    if not changes:
        return None
    return _append(request, at, "edit", actor, changes, None)


def attach(request: Request, at: datetime, now: datetime, actor: str, name: str, size: int, sha256: str) -> HistoryEntry:
    """Record that a file was attached (its content is stored by the repository)."""
    _begin("attach", request, at, now)
    return _append(request, at, "attach", actor, {"attachment": [None, name]}, f"{name} ({size} bytes, sha256 {sha256[:12]})")


NOTICE_CHANNEL_MAX = 40  # characters of a channel name (email, phone, wechat, 企业微信, …)


def notice_note(kind: str, channel: str, note: str | None = None) -> str:
    """The note of a `notice` entry: `<kind> via <channel>`, then ` — <note>` when one is given.
    The kind and channel are in the entry's changes too; the note carries them through an exported
    process log, whose lines keep only the action and the note (domain/notices.py `notice_of`)."""
    text = f"{kind} via {channel}"
    return f"{text} — {note.strip()}" if note and note.strip() else text


def notice(request: Request, at: datetime, now: datetime, actor: str, kind: str, channel: str | None = "email",
           note: str | None = None) -> HistoryEntry:
    """Record that a notice of `kind` (domain.vocab NOTICE_KIND: ack, plan, progress, done, survey,
    cancel) reached the customer via `channel` (free text, default email) at `at`.

    Allowed in any status (a survey follows the closing, a cancellation notice the cancel); `at`
    may be neither before the submission nor the latest entry, nor after `now`. The entry's changes
    are {kind: [None, kind], channel: [None, channel]}. A notice is a response (RESPONSE_ACTIONS):
    the first one answers the response clock.
    """
    if kind not in NOTICE_KIND.keys:
        raise InvalidInput("unknown notice kind {kind!r}; use one of {kinds}", kind=kind, kinds=", ".join(NOTICE_KIND.keys))
    channel = (channel or "").strip() or "email"
    if len(channel) > NOTICE_CHANNEL_MAX or any(not ch.isprintable() for ch in channel):
        raise InvalidInput("--via must be a channel name of at most {most} printable characters on one line (email, "
                           "phone, wechat, …), not {channel!r}", most=NOTICE_CHANNEL_MAX, channel=channel[:60])
    if at < request.submitted_at:
        raise InvalidInput("--at {at} is before request {rid} was submitted ({submitted})", at=Moment(at), rid=request.id,
                           submitted=Moment(request.submitted_at))
    _begin("notice", request, at, now)
    changes: dict[str, list[Any]] = {"kind": [None, kind], "channel": [None, channel]}
    return _append(request, at, "notice", actor, changes, notice_note(kind, channel, note))
