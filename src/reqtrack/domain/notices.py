"""Customer notices (SPEC §8, docs/notices.md): the kinds, the `notice` entries of a history, and
the values a notice is filled with — taken from the request, its history, the settings and `now`.
The words are views/notices.py's; this module only says what is true. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from .calendar import WorkingCalendar
from .errors import InvalidInput
from .record import HistoryEntry, Request, mask_name
from .sla.clocks import plus_hours, resolution_of
from .sla.settings import SlaPolicy
from .sla.state import stood
from .vocab import NOTICE_KIND

KINDS: tuple[str, ...] = NOTICE_KIND.keys  # ack, plan, progress, done, survey, cancel

# The note of a `notice` entry (lifecycle.notice_note): `<kind> via <channel>[ — <note>]`.
_NOTE = re.compile(r"(" + "|".join(KINDS) + r") via ([^\n]+?)(?: — .*)?", re.DOTALL)


def check_kind(kind: str) -> str:
    """`kind` when it is a notice kind, else InvalidInput listing the kinds."""
    if kind not in KINDS:
        raise InvalidInput("unknown notice kind {kind!r}; use one of {kinds}", kind=kind, kinds=", ".join(KINDS))
    return kind


def notice_of(entry: HistoryEntry) -> tuple[str, str] | None:
    """(kind, channel) of a `notice` entry, None for any other entry. Read from the entry's
    changes, else from its note (an entry read back from an exported process log keeps only the
    note); a notice entry whose kind cannot be read counts as kind "" (a notice all the same)."""
    if entry.action != "notice":
        return None
    changes = entry.changes or {}
    kind, channel = changes.get("kind"), changes.get("channel")
    if isinstance(kind, (list, tuple)) and len(kind) == 2 and kind[1] in KINDS:
        via = channel[1] if isinstance(channel, (list, tuple)) and len(channel) == 2 and channel[1] else "email"
        return str(kind[1]), str(via)
    match = _NOTE.fullmatch(entry.note or "")
    if match:
        return match.group(1), match.group(2).strip()
    return "", ""


def ordered(history: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """The entries oldest first (by time, then sequence)."""
    return sorted(history, key=lambda e: (e.at, e.seq))


def acknowledged_at(history: Iterable[HistoryEntry]) -> datetime | None:
    """When the customer first heard back: the first notice of any kind, or the first progress
    note recorded while the request was pending (SPEC §3: that is the acknowledgement)."""
    status = "pending"
    for entry in ordered(history):
        if entry.action == "notice" or (entry.action == "progress" and status == "pending"):
            return entry.at
        change = (entry.changes or {}).get("status")
        if isinstance(change, (list, tuple)) and len(change) == 2 and isinstance(change[1], str):
            status = change[1]
    return None


def last_contact_at(history: Iterable[HistoryEntry]) -> datetime | None:
    """The latest notice, or the acknowledgement when no notice was recorded (acknowledged_at)."""
    entries = ordered(history)
    latest = max((e.at for e in entries if e.action == "notice"), default=None)
    return latest if latest is not None else acknowledged_at(entries)


@dataclass(frozen=True)
class Promise:
    """A target the team states to the customer, in the unit of its setting: `hours` (calendar
    hours: sla.response_hours, sla.plan_hours.high) or `working-days` (sla.resolution_days.*)."""

    amount: float
    unit: str  # hours | working-days


@dataclass(frozen=True)
class ProgressNote:
    """A progress note of the history (its time and text as recorded)."""

    at: datetime
    text: str


@dataclass(frozen=True)
class NoticeValues:
    """Everything a notice may say about a request (SPEC §8), true at `now`. Times are aware
    datetimes; `tz` is the database's zone they are shown in. Vocabulary fields are keys (the
    view shows their labels). None: not known or not set."""

    kind: str
    id: str
    tz: tzinfo
    description: str
    customer: str
    proposer: str | None  # masked when asked (mask_name)
    contact: str | None
    liaison: str | None
    source: str | None
    type: str | None
    status: str
    priority: str | None
    feasibility: str | None
    owner: str | None
    department: str | None
    submitted_at: datetime
    response_by: datetime  # submitted + sla.response_hours (the response clock's deadline)
    plan_by: datetime | None  # high priority: submitted + sla.plan_hours.high
    due: datetime | None  # the planned completion
    due_is_date: bool  # the planned completion was given as a date (shown without a time)
    resolution_by: datetime  # the resolution clock's deadline (pushed back by pauses)
    completed_at: datetime | None
    closed_at: datetime | None
    response_promise: Promise
    plan_promise: Promise | None  # high priority only
    resolution_promise: Promise
    progress_notes: tuple[ProgressNote, ...]  # progress entries after the latest notice, oldest first
    completion_note: str | None  # the note of the latest completion: what was done
    verification_note: str | None
    cancel_reason: str | None
    satisfaction: str | None
    last_notice_at: datetime | None
    waiting: bool  # waiting on the customer


def _latest_note(entries: list[HistoryEntry], action: str) -> str | None:
    note = next((e.note for e in reversed(entries) if e.action == action), None)
    return note if note else None


def progress_since_last_notice(history: Iterable[HistoryEntry]) -> tuple[ProgressNote, ...]:
    """The progress notes recorded after the latest notice (all of them when none was sent)."""
    entries = ordered(history)
    last = max((i for i, e in enumerate(entries) if e.action == "notice"), default=-1)
    return tuple(ProgressNote(e.at, e.note) for e in entries[last + 1:] if e.action == "progress" and e.note)


def notice_values(request: Request, kind: str, settings: Mapping[str, str], calendar: WorkingCalendar,
                  now: datetime, *, mask: bool = False) -> NoticeValues:
    """The values of a notice of `kind` about `request` (with its history) at `now`; `mask`
    hides the proposer's name as exports do (王经理 → 王**). The deadlines are those of the SLA
    clocks (domain/sla) with the settings' targets; InvalidInput for an unknown kind or a stored
    setting that does not read."""
    check_kind(kind)
    policy = SlaPolicy.from_settings(settings)
    entries = ordered(request.history)
    state = stood(request, now)
    high = state.priority == "high"
    notices = [e for e in entries if e.action == "notice"]
    return NoticeValues(
        kind=kind, id=request.id, tz=calendar.tz, description=request.description, customer=request.customer,
        proposer=mask_name(request.proposer) if mask else request.proposer, contact=request.contact,
        liaison=request.liaison, source=request.source, type=request.type, status=request.status,
        priority=request.priority, feasibility=request.feasibility, owner=request.owner, department=request.department,
        submitted_at=request.submitted_at,
        response_by=plus_hours(state.submitted, policy.response_hours, calendar),
        plan_by=plus_hours(state.submitted, policy.plan_hours_high, calendar) if high else None,
        due=request.due, due_is_date=request.due_is_date,
        resolution_by=resolution_of(state, calendar, policy).deadline or calendar.local(state.submitted),
        completed_at=request.completed_at, closed_at=request.closed_at,
        response_promise=Promise(policy.response_hours, "hours"),
        plan_promise=Promise(policy.plan_hours_high, "hours") if high else None,
        resolution_promise=Promise(policy.resolution_target(request.priority), "working-days"),
        progress_notes=progress_since_last_notice(entries),
        completion_note=_latest_note(entries, "complete"),
        verification_note=request.verification_note,
        cancel_reason=_latest_note(entries, "cancel"),
        satisfaction=request.satisfaction,
        last_notice_at=notices[-1].at if notices else None,
        waiting=request.waiting,
    )
