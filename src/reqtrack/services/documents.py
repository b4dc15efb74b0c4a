"""The stored JSON text of each open request (table request_json, storage/json_docs.py): kept by
every write, read by `list --format json`, verified by `check`.

`list --open --format json` of thousands of requests spent most of its time making each
request's JSON object from its record and encoding it; the text of each open request is now
kept beside it, so the list reads texts. Every write keeps the texts of the requests it changed
in its own unit of work (`keep_json_docs`, from services.upkeep.keep_deadlines, which every
writer calls before it commits); a write that finds them made with another format or zone (an
upgrade, `config set calendar.timezone`) makes them all again. Closed requests have none (most
of a database, listed as JSON far less often: their JSON is made when asked). A reader uses the
stored texts only while they were made with what it would make them with, and makes the JSON of
any request without one itself: the list is the same, text for text, either way
(tests/integration/test_request_json_docs.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import Message
from ..domain.record import Request
from ..domain.request_json import request_json_text
from .context import Context, Inputs, inputs

if TYPE_CHECKING:
    from ..storage.repository import UnitOfWork

MADE_AT_ONCE = 2000  # requests whose JSON a reader makes at a time, when none is stored


def keep_json_docs(uow: UnitOfWork, given: Inputs, changed: list[Request]) -> None:
    """Keep the stored JSON texts in step with this unit of work: those of the `changed`
    requests (loaded with their history, attachments and links; one no longer open loses its
    text), or every open request's when the stored ones were made with another format or zone
    (or not at all)."""
    from ..storage.json_docs import rebuild_json_docs, request_json_basis
    from .upkeep import many_requests

    requests = uow.requests
    if requests.json_docs_basis() != request_json_basis(given.tz):
        if uow.notice is not None and many_requests(requests):
            uow.notice(Message("making the stored JSON text of every open request, once after an upgrade or a change "
                               "of the time zone; on a large database this takes a few seconds"))
        rebuild_json_docs(requests, given.tz)
    elif changed:
        requests.drop_json_docs([request.id for request in changed if not request.is_open])
        requests.put_json_docs([(request.id, request_json_text(request, given.tz)) for request in changed
                                if request.is_open])


def request_json_texts(ctx: Context, *, overdue: bool = False, **filters: Any) -> list[str]:
    """The JSON text of each request matching the filters (services.requests.build_filter),
    newest first, as domain.request_json.request_json_text makes it: the stored ones while they
    were made with the current format and zone, else (and for a request without one) made from
    the record. `overdue`: only those `overdue` lists (as `list --overdue`)."""
    from ..storage.json_docs import request_json_basis
    from .requests import build_filter, overdue_ids

    with ctx.reader() as uow:
        given = inputs(uow, ctx)
        flt = build_filter(given, **filters)
        if overdue:
            late = overdue_ids(uow, given, flt, ctx.now)
            ids = [rid for rid in uow.requests.ids(flt) if rid in late]
        else:
            ids = uow.requests.ids(flt)
        stored = uow.requests.json_docs_of(ids) if uow.requests.json_docs_basis() == request_json_basis(given.tz) else {}
        missing = [rid for rid in ids if rid not in stored]
        for start in range(0, len(missing), MADE_AT_ONCE):
            for request in uow.requests.get_many(missing[start:start + MADE_AT_ONCE]).values():
                stored[request.id] = request_json_text(request, given.tz)
        return [stored[rid] for rid in ids]


def json_doc_problems(conn: Any) -> tuple[list[Any], str | None]:
    """What `check` finds wrong with the stored JSON texts, as services.admin.Problem (kind
    `request-json`): a text that differs from what the record gives now, an open request without
    one, a text of a request that is not open or does not exist; with a note instead when they are not to be read
    (made with another format or zone, or not made: the next write makes them) or could not be
    compared (a history that cannot be read). `conn`: the check's connection, in its read
    transaction."""
    from zoneinfo import ZoneInfo

    from ..storage.json_docs import request_json_basis
    from ..storage.repository import Repository
    from .admin import Problem
    from .upkeep import chunks_with_histories

    repo = Repository(conn)
    try:
        tz = ZoneInfo(repo.settings().get("calendar.timezone", "UTC"))
    except (KeyError, ValueError, OSError):
        return [], "stored JSON texts not checked: the database's time zone does not read"
    if repo.json_docs_basis() != request_json_basis(tz):
        return [], ("stored JSON texts not made for this format and zone: `list --format json` makes each request's "
                    "until the next write command makes them")
    problems: list[Any] = []
    seen: set[str] = set()
    try:
        for chunk in chunks_with_histories(repo, attachments=True, open_only=True):
            stored = repo.json_docs_of([request.id for request in chunk])
            for request in chunk:
                seen.add(request.id)
                if stored.get(request.id) != request_json_text(request, tz):
                    what = "is missing" if request.id not in stored else "differs from its record"
                    problems.append(Problem("request-json", f"{request.id}'s stored JSON text {what}; the next change to "
                                            "it (`reqtrack edit`, `progress`, ...) rewrites it, `reqtrack reindex` "
                                            "every one", request.id))
    except ValueError:  # a history entry whose changes are not JSON (check's history-unreadable)
        return [], "stored JSON texts not checked: they are made from the histories, and one of them is unreadable"
    problems += [Problem("request-json", f"a JSON text is stored for {rid}, which is not an open request in the "
                         "database", rid) for rid in repo.json_doc_ids() if rid not in seen]
    return problems, None
