"""Links between requests (SPEC §9, docs/search.md): the four kinds, what is refused, and how
both requests' histories record every change. Pure: the services load the two requests and,
for the cycle check, pass a way to follow the stored links.

A link goes from one request to another: `ID --as KIND OTHER` reads "ID is KIND OTHER" —
`duplicate`: ID is a duplicate of OTHER (the one kept); `recurrence`: ID is the same problem
again after OTHER was completed (the seeds' 复现; counted in the recurrence rate when ID was
registered as one); `depends-on`: ID waits for OTHER; `related`: either way. Two requests have at
most one link between them; linking them again with another kind or the other way replaces it.

Each change appends one `link` or `unlink` entry to each request, with the change
`{"link": [old, new]}` (old and new: `{"id", "kind", "direction"}` as that request sees the link,
or null), so that a request's links as they stood at any moment are its current links with
the later changes undone (`links_before`) — what the report reads at its cut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from .errors import InvalidInput
from .lifecycle import check_time
from .record import HistoryEntry, Link, Request
from .vocab import LINK_KIND, STATUS, Term

KINDS = ("related", "duplicate", "recurrence", "depends-on")
DIRECTIONS = ("out", "in")
ACYCLIC_KINDS = ("duplicate", "depends-on")  # a chain of these may not come back to where it began
COMPLETED_STATUSES = ("verifying", "done", "closed")


def link_from_json(value: Any) -> Link | None:
    """A link from its JSON form (a history change's old or new value); None for anything else."""
    if isinstance(value, dict) and {"id", "kind", "direction"} <= set(value):
        return Link(str(value["id"]), str(value["kind"]), str(value["direction"]))
    return None


def parse_kind(text: str | None) -> str:
    """The kind of a `--as` value (its key, or a label of the vocabulary), or InvalidInput."""
    kind = LINK_KIND.parse(text)
    if kind is None:
        raise InvalidInput("--as is required: one of {kinds}", kinds=", ".join(KINDS))
    return kind


def between(request: Request, other_id: str) -> Link | None:
    """The link of `request` with `other_id` (either direction), if any."""
    return next((link for link in request.links if link.id == other_id), None)


def recurrence_of(request: Request) -> str | None:
    """The request `request` is a recurrence of (its outgoing `recurrence` link), if any."""
    return next((link.id for link in request.links if link.kind == "recurrence" and link.direction == "out"), None)


def registered_as_recurrence(request: Request) -> bool:
    """Whether the request is linked as the recurrence of another (counted in the recurrence rate
    of the period of its submission)."""
    return recurrence_of(request) is not None


# -- what is refused ---------------------------------------------------------------------------------
def completed_by(request: Request, moment: datetime) -> bool:
    """Whether `request` had its work completed by `moment` (a `complete` entry then, or an
    actual completion time), so that a request submitted then can be its recurrence."""
    if any(e.action == "complete" and e.at <= moment for e in request.history):
        return True
    return request.completed_at is not None and request.completed_at <= moment


def check_link(request: Request, other: Request, kind: str,
               follow: Callable[[str, str], Iterable[str]]) -> None:
    """Refuse a link of `request` to `other` as `kind` that the rules forbid (InvalidInput, exit
    2): to itself; a recurrence of a request whose work was not completed before this one was
    submitted; a duplicate or depends-on chain that would come back to `request`.

    `follow(id, kind)`: the requests `id` links to (direction out) as `kind`, as stored (the
    link being replaced between these two is not followed).
    """
    if kind not in KINDS:
        raise InvalidInput("unknown link kind {kind!r}; use one of {kinds}", kind=kind, kinds=", ".join(KINDS))
    if request.id == other.id:
        raise InvalidInput("a request cannot be linked to itself ({rid})", rid=request.id)
    if kind == "recurrence" and not completed_by(other, request.submitted_at):
        raise InvalidInput(
            "{rid} cannot be a recurrence of {other}: a recurrence is the same problem again after the work was "
            "completed, and {other} had not been completed when {rid} was submitted (it is {status}); link it as "
            "related or duplicate instead", rid=request.id, other=other.id, status=Term(STATUS, other.status))
    if kind in ACYCLIC_KINDS:
        path = _path(other.id, request.id, kind, follow, skip=(request.id, other.id))
        if path is not None:
            raise InvalidInput("linking {rid} as {kind} of {other} would make a {kind} cycle ({chain}); unlink one of "
                               "them first", rid=request.id, kind=_kind(kind), other=other.id,
                               chain=" → ".join([request.id, *path]))


def _kind(kind: str) -> Term:
    return Term(LINK_KIND, kind)


def _path(start: str, goal: str, kind: str, follow: Callable[[str, str], Iterable[str]],
          skip: tuple[str, str]) -> list[str] | None:
    """The IDs from `start` to `goal` along `kind` links (breadth first), or None."""
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            if node == goal:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])  # type: ignore[arg-type]
                return list(reversed(path))
            for nxt in follow(node, kind):
                if (node, nxt) in (skip, skip[::-1]) or nxt in previous:
                    continue
                previous[nxt] = node
                following.append(nxt)
        frontier = following
    return None


# -- the changes, recorded on both sides ------------------------------------------------------------
def _record(request: Request, at: datetime, actor: str, action: str, old: Link | None, new: Link | None,
            note: str | None) -> HistoryEntry:
    """Append the entry of a link change to `request` and apply it to its links. The entry's note
    says the change in words (what the process-log cell of an export shows), then the user's."""
    said = describe(new) if new is not None else f"no longer {describe(old)}" if old is not None else ""
    entry = HistoryEntry(seq=len(request.history) + 1, at=at, action=action, actor=actor,
                         changes={"link": [old.to_json() if old else None, new.to_json() if new else None]},
                         note=f"{said} — {note}" if note else said)
    request.history.append(entry)
    kept = [link for link in request.links if link.id != (old or new).id]  # type: ignore[union-attr]
    request.links = sorted(kept + ([new] if new else []), key=lambda link: link.id)
    return entry


def link(request: Request, other: Request, kind: str, at: datetime, now: datetime, actor: str,
         follow: Callable[[str, str], Iterable[str]], note: str | None = None) -> tuple[HistoryEntry, HistoryEntry]:
    """Link `request` to `other` as `kind` (replacing a link between them of another kind or
    direction): one `link` entry on each. Refused (exit 2) as `check_link` says, when nothing
    would change, or at a time before either's latest entry or in the future."""
    check_link(request, other, kind, follow)
    check_time(request, at, now)
    check_time(other, at, now)
    mine, theirs = between(request, other.id), between(other, request.id)
    wanted = Link(other.id, kind, "out")
    if mine == wanted or (kind == "related" and mine is not None and mine.kind == "related"):
        raise InvalidInput("nothing changes: {rid} is already linked to {other} as {kind}", rid=request.id,
                           other=other.id, kind=_kind(kind))
    if kind in ACYCLIC_KINDS and mine == Link(other.id, kind, "in"):
        raise InvalidInput("linking {rid} as {kind} of {other} would make a {kind} cycle: {other} is already linked as "
                           "{kind} of {rid}; unlink them first to turn it round", rid=request.id, kind=_kind(kind),
                           other=other.id)
    return (_record(request, at, actor, "link", mine, wanted, note),
            _record(other, at, actor, "link", theirs, Link(request.id, kind, "in"), note))


def unlink(request: Request, other: Request, at: datetime, now: datetime, actor: str,
           note: str | None = None) -> tuple[HistoryEntry, HistoryEntry]:
    """Remove the link between the two (whichever way it goes): one `unlink` entry on each."""
    mine, theirs = between(request, other.id), between(other, request.id)
    if mine is None or theirs is None:
        raise InvalidInput("{rid} and {other} are not linked; `reqtrack show {rid}` lists its links", rid=request.id,
                           other=other.id)
    check_time(request, at, now)
    check_time(other, at, now)
    return (_record(request, at, actor, "unlink", mine, None, note),
            _record(other, at, actor, "unlink", theirs, None, note))


def links_before(links: Sequence[Link], undone: Sequence[HistoryEntry]) -> list[Link]:
    """The links as they stood before the entries `undone` (the newest entries of the request's
    history, oldest first): the `link` changes undone, newest first."""
    current = {link.id: link for link in links}
    for entry in reversed(undone):
        change = entry.changes.get("link") if entry.changes else None
        if not (isinstance(change, (list, tuple)) and len(change) == 2):
            continue
        old, new = link_from_json(change[0]), link_from_json(change[1])
        if new is not None:
            current.pop(new.id, None)
        if old is not None:
            current[old.id] = old
    return sorted(current.values(), key=lambda link: link.id)


def describe(link: Link) -> str:
    """A link in words, as the request sees it (English; views translate)."""
    if link.kind == "related":
        return f"related to {link.id}"
    phrases = {"duplicate": ("duplicate of", "has duplicate"), "recurrence": ("recurrence of", "recurred as"),
               "depends-on": ("depends on", "needed by")}
    words = phrases[link.kind][0 if link.direction == "out" else 1]
    return f"{words} {link.id}"
