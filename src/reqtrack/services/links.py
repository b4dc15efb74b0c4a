"""The verbs on links (SPEC §9): link, unlink and cancel as a duplicate. Each is one unit of work
that changes both requests — each history gets its entry (domain.links) — stores the link,
and keeps the derived data of both (services.upkeep) before it commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain import lifecycle
from ..domain import links as rules
from ..domain.errors import InvalidInput
from ..domain.record import Link, Request
from .context import Context, Inputs, inputs
from .upkeep import keep_deadlines

if TYPE_CHECKING:
    from ..storage.repository import UnitOfWork


@dataclass
class Linked:
    """The two requests after a link change (both with their new history entry)."""

    request: Request
    other: Request


def _text(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def _pair(uow: UnitOfWork, request_id: str, other_id: str) -> tuple[Request, Request]:
    """Both requests, loaded (NotFound, exit 2, for an unknown ID); the same ID twice is refused."""
    first, second = request_id.strip(), other_id.strip()
    if first == second:
        raise InvalidInput("a request cannot be linked to itself ({rid})", rid=first)
    return uow.requests.get(first), uow.requests.get(second)


def store_links(uow: UnitOfWork, given: Inputs, request: Request, other: Request, when: datetime) -> None:
    """Write the link between the two as `request` now sees it (or its absence), save both with
    their new entries and keep their derived data."""
    from ..storage.stored import time_to_stored

    uow.requests.drop_link(request.id, other.id)
    mine = rules.between(request, other.id)
    if mine is not None:
        source, target = (request.id, other.id) if mine.direction == "out" else (other.id, request.id)
        uow.requests.put_link(source, target, mine.kind, time_to_stored(when))
    uow.requests.save_many([request, other])
    keep_deadlines(uow, given, [request, other])


def link(ctx: Context, request_id: str, other_id: str, kind: str, *, note: str | None = None,
         at: str | None = None) -> Linked:
    """Link `request_id` to `other_id` as `kind` (related, duplicate, recurrence, depends-on),
    replacing a link between them of another kind; both histories record it."""
    kind_key = rules.parse_kind(kind)
    with ctx.unit_of_work(write=True) as uow:
        given = inputs(uow, ctx)
        request, other = _pair(uow, request_id, other_id)
        when = given.at(at)
        rules.link(request, other, kind_key, when, ctx.now, ctx.actor, uow.requests.linked_to, note=_text(note))
        store_links(uow, given, request, other, when)
        uow.commit()
    return Linked(request, other)


def unlink(ctx: Context, request_id: str, other_id: str, *, note: str | None = None, at: str | None = None) -> Linked:
    """Remove the link between the two requests (whichever way it goes); both histories record it."""
    with ctx.unit_of_work(write=True) as uow:
        given = inputs(uow, ctx)
        request, other = _pair(uow, request_id, other_id)
        when = given.at(at)
        rules.unlink(request, other, when, ctx.now, ctx.actor, note=_text(note))
        store_links(uow, given, request, other, when)
        uow.commit()
    return Linked(request, other)


def cancel_duplicate(ctx: Context, request_id: str, other_id: str, *, reason: str | None = None,
                     at: str | None = None) -> Linked:
    """Cancel `request_id` as a duplicate of `other_id` (the one kept): linked to it as a
    duplicate, then cancelled with the reason "duplicate of OTHER" unless one is given."""
    with ctx.unit_of_work(write=True) as uow:
        given = inputs(uow, ctx)
        request, other = _pair(uow, request_id, other_id)
        lifecycle.check_transition("cancel", request)
        if other.status == "cancelled":
            raise InvalidInput("{rid} is cancelled itself; name the request that is kept with --duplicate-of", rid=other.id)
        when = given.at(at)
        if rules.between(request, other.id) != Link(other.id, "duplicate", "out"):
            rules.link(request, other, "duplicate", when, ctx.now, ctx.actor, uow.requests.linked_to)
        lifecycle.cancel(request, when, ctx.now, ctx.actor, _text(reason) or f"duplicate of {other.id}")
        store_links(uow, given, request, other, when)
        uow.commit()
    return Linked(request, other)
