"""The tally: what the figures are made of, per request, and mergeable (two tallies of
disjoint sets of requests add up). Both ways to the figures produce one: replaying full
requests (metrics.replay) and reading the stored facts (metrics.facts). Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from ..record import HistoryEntry
from .history import verification_failed
from .period import SATISFACTIONS, Period
from .verdicts import Completion


class NewRequest(NamedTuple):
    """One of the period's new requests as it stood at the cut: its fields, how far it got
    (the funnel), its first-response verdict (None: unanswered and not yet late) and whether it
    was linked as the recurrence of another request (domain.links.registered_as_recurrence)."""

    type: str | None
    source: str | None
    priority: str | None
    customer: str | None
    owner: str | None
    assigned: bool
    completed: bool
    verified: bool
    closed: bool
    response_met: bool | None
    recurrence: bool = False


DISTRIBUTED = ("type", "source", "priority", "customer", "owner")  # the fields of the distributions
_STAGES = ("assessed", "assigned", "completed", "verified", "closed")  # the funnel after `received`


@dataclass
class NewCounts:
    """The period's new requests, counted as the figures read them: how many, per value of each
    distributed field (None for none), answered in time or late, linked as recurrences, and
    how many reached each stage of the funnel. Counts of disjoint sets of requests add up."""

    received: int = 0
    by: dict[str, Counter] = field(default_factory=lambda: {name: Counter() for name in DISTRIBUTED})
    in_time: int = 0
    late: int = 0
    recurrences: int = 0
    funnel: Counter = field(default_factory=Counter)  # the stages of _STAGES

    def append(self, r: NewRequest) -> None:
        """Count one new request."""
        self.received += 1
        for name, value in zip(DISTRIBUTED, (r.type, r.source, r.priority, r.customer, r.owner)):
            self.by[name][value] += 1
        self.in_time += r.response_met is True
        self.late += r.response_met is False
        self.recurrences += r.recurrence
        for stage, reached in zip(_STAGES, (r.priority is not None, r.assigned, r.completed, r.verified, r.closed)):
            if reached:
                self.funnel[stage] += 1

    def add(self, other: NewCounts) -> None:
        """Add `other`'s counts (of other requests) to these."""
        self.received += other.received
        for name in DISTRIBUTED:
            self.by[name].update(other.by[name])
        self.in_time += other.in_time
        self.late += other.late
        self.recurrences += other.recurrences
        self.funnel.update(other.funnel)


class OpenRequest(NamedTuple):
    """A request open at the cut (the backlog)."""

    status: str
    owner: str | None
    department: str | None


@dataclass
class EventCounts:
    """The figures that count history entries in the period (the same whichever state the
    request is in at the cut, since every entry in the period happened before the cut)."""

    closed: int = 0
    cancelled: int = 0
    reopened: int = 0
    first_verifications: int = 0
    first_passed: int = 0
    satisfaction: Counter = field(default_factory=Counter)  # per request, its latest rating in the period

    def add(self, other: EventCounts) -> None:
        """Add `other`'s counts to these."""
        self.closed += other.closed
        self.cancelled += other.cancelled
        self.reopened += other.reopened
        self.first_verifications += other.first_verifications
        self.first_passed += other.first_passed
        self.satisfaction.update(other.satisfaction)


@dataclass
class Tally:
    """The per-request records of a period: new requests, the backlog, completions, and the
    event counts. Two tallies of disjoint sets of requests add up (`add`)."""

    new: NewCounts = field(default_factory=NewCounts)
    backlog: list[OpenRequest] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    events: EventCounts = field(default_factory=EventCounts)

    def add(self, other: Tally) -> None:
        """Add `other` (a tally of other requests) to this one."""
        self.new.add(other.new)
        self.backlog.extend(other.backlog)
        self.completions.extend(other.completions)
        self.events.add(other.events)


class EventFact(NamedTuple):
    """A history entry the event counts read: `close`, `cancel`, `reopen`, `first-verify` (the
    first verification of a cycle; value `pass` or `fail`) or `rating` (a satisfaction given;
    value the rating). `seq` orders a request's ratings; `later`: the time of the request's next
    rating (None: none), so that in a history in time order the latest rating in a period is the
    one whose next is not in it."""

    kind: str
    at: datetime
    seq: int
    value: str | None = None
    later: datetime | None = None


def event_facts(history: Sequence[HistoryEntry]) -> list[EventFact]:
    """The entries of a history (in seq order) that the event counts read."""
    facts: list[EventFact] = []
    cycle_verified = False
    for entry in history:
        action = entry.action
        if action == "reopen":
            cycle_verified = False  # a cycle starts at submission and at each reopen
            facts.append(EventFact("reopen", entry.at, entry.seq))
        elif action == "verify":
            if not cycle_verified:
                cycle_verified = True
                facts.append(EventFact("first-verify", entry.at, entry.seq,
                                       "fail" if verification_failed(entry) else "pass"))
        elif action in ("close", "cancel"):
            facts.append(EventFact(action, entry.at, entry.seq))
        given = entry.changes.get("satisfaction")
        if isinstance(given, (list, tuple)) and len(given) == 2 and given[1] in SATISFACTIONS:
            facts.append(EventFact("rating", entry.at, entry.seq, given[1]))
    ratings = [index for index, fact in enumerate(facts) if fact.kind == "rating"]
    for index, following in zip(ratings, ratings[1:]):
        facts[index] = facts[index]._replace(later=facts[following].at)
    return facts


def count_events(facts: Iterable[tuple[str, EventFact]], period: Period) -> EventCounts:
    """The event counts of the period from (request ID, fact) pairs: entries in the period (and
    not after as_of), and per request only its latest rating in the period."""
    counts = EventCounts()
    latest: dict[str, tuple[int, str]] = {}
    for request_id, fact in facts:
        if not period.contains(fact.at):
            continue
        kind = fact.kind
        if kind == "rating":
            if request_id not in latest or latest[request_id][0] < fact.seq:
                latest[request_id] = (fact.seq, fact.value)  # type: ignore[assignment]
        elif kind == "first-verify":
            counts.first_verifications += 1
            counts.first_passed += fact.value == "pass"
        elif kind == "close":
            counts.closed += 1
        elif kind == "cancel":
            counts.cancelled += 1
        elif kind == "reopen":
            counts.reopened += 1
    counts.satisfaction.update(value for _, value in latest.values())
    return counts


def funnel_flags(history: Sequence[HistoryEntry]) -> tuple[bool, bool, bool]:
    """(assigned, verified, closed): an `assign` entry, a passing verification, a `close` entry."""
    assigned = verified = closed = False
    for entry in history:
        action = entry.action
        if action == "assign":
            assigned = True
        elif action == "verify":
            verified = verified or not verification_failed(entry)
        elif action == "close":
            closed = True
    return assigned, verified, closed
