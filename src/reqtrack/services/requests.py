"""The verbs on requests, one function each. A write opens a unit of work, reads the user's raw
values into domain values, applies the lifecycle rule (domain.lifecycle), keeps the derived
data (services.upkeep) and commits; a read takes one snapshot.

The other writes are the settings (services.sla) and import (services.imports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from ..domain import lifecycle
from ..domain.errors import InvalidInput
from ..domain.record import Attachment, Request, format_request_id, validate_scores
from ..domain.vocab import FEASIBILITY, PRIORITY, SATISFACTION, STATUS
from ..domain.vocabularies import DEFAULT, Vocabularies
from .context import Context, Inputs, inputs, with_histories
from .upkeep import keep_deadlines

if TYPE_CHECKING:
    from ..domain.calendar import WorkingCalendar
    from ..domain.search import Similar
    from ..domain.sla import Clock
    from ..storage.repository import Repository
    from ..storage.stored import RequestFilter

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # keeps the database file a manageable size
EXPORT_CHUNK = 1000  # requests whose histories and attachments `iter_requests` loads at a time


def text(value: str | None) -> str | None:
    """Empty text means "not given"."""
    if value is None:
        return None
    return value if value.strip() else None


def read_attachment(path: Path) -> tuple[str, bytes]:
    """The plain file name (the only name ever stored) and content of a file to attach, or
    InvalidInput when it is missing or over the limit."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("attachment {path} does not exist or is not a file", path=path)
    size = path.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput("attachment {name} is {size:.1f} MiB; the limit is {limit} MiB, so keep it elsewhere and note "
                           "where in --notes", name=path.name, size=size / 1048576, limit=MAX_ATTACHMENT_BYTES // 1048576)
    from ..safe_output import plain_file_name

    return plain_file_name(path.name), path.read_bytes()


def vocabulary_value(given: Inputs, field: str, value: str | None, new_use: bool = True) -> str | None:
    """The key of a `source` or `type` value in the database's vocabularies (read only when a
    value is given); None for none. A retired key is refused for `new_use` (a new or changed
    record), read for a filter."""
    value = text(value)
    if value is None:
        return None
    return given.vocabularies.get(field).parse(value, new_use=new_use)


def refuse_unknown_early(ctx: Context, **values: str | None) -> None:
    """A `source` or `type` value that no database knows before its own entries exist (not a
    built-in name) is refused before a missing database would be created for it."""
    for field, value in values.items():
        value = text(value)
        if value is not None and DEFAULT.get(field).lookup(value) is None and not ctx.database_exists():
            DEFAULT.get(field).parse(value)


# -- writes ---------------------------------------------------------------------------------
@dataclass
class Registered:
    """A new request, and the open requests that look like the same problem (`new` warns of them)."""

    request: Request
    similar: list[Similar]


def register(ctx: Context, description: str, customer: str, **options: Any) -> Request:
    """Register a new request (pending) under the next ID of its local month (`register_new`
    without looking for likely duplicates)."""
    return register_new(ctx, description, customer, find_similar=False, **options).request


def register_new(
    ctx: Context,
    description: str,
    customer: str,
    *,
    source: str | None = None,
    proposer: str | None = None,
    contact: str | None = None,
    type: str | None = None,
    priority: str | None = None,
    liaison: str | None = None,
    attachments: list[Path] | None = None,
    notes: str | None = None,
    at: str | None = None,
    recurrence_of: str | None = None,
    find_similar: bool = True,
) -> Registered:
    """Register a new request (pending) under the next ID of its local month; `recurrence_of`
    links it as the recurrence of that (completed) request; `find_similar` also finds the open
    requests that look like the same problem (the same customer first, services.search)."""
    from ..domain import links
    from ..storage.repository import sha256_of
    from .search import likely_duplicates

    files = [read_attachment(p) for p in attachments or []]
    priority_key = PRIORITY.parse(text(priority))
    if not (description or "").strip():
        raise InvalidInput("the description is required: the customer's own words")
    if not (customer or "").strip():
        raise InvalidInput("--customer is required")
    refuse_unknown_early(ctx, source=source, type=type)
    with ctx.unit_of_work(write=True) as uow:
        given = inputs(uow, ctx)
        source_key = vocabulary_value(given, "source", source)
        type_key = vocabulary_value(given, "type", type)
        submitted = given.at(at)
        month = submitted.astimezone(given.tz).strftime("%Y%m")
        request = Request(
            id=format_request_id(month, uow.requests.next_sequence(month)), customer=customer.strip(),
            description=description, submitted_at=submitted, proposer=text(proposer), contact=text(contact),
            liaison=text(liaison), notes=text(notes), source=source_key, type=type_key, priority=priority_key,
        )
        request.attachments = [
            Attachment(name=name, size=len(content), sha256=sha256_of(content), added_at=submitted, number=i)
            for i, (name, content) in enumerate(files, start=1)
        ]
        note = ", ".join(f"{a.name} ({a.size} bytes)" for a in request.attachments)
        lifecycle.register(request, ctx.actor, ctx.now, note=f"attachments: {note}" if note else None)
        similar = likely_duplicates(uow.requests, request.customer, description) if find_similar else []
        changed = [request]
        if text(recurrence_of):
            other = uow.requests.get(str(recurrence_of).strip())
            links.link(request, other, "recurrence", submitted, ctx.now, ctx.actor, uow.requests.linked_to)
            changed.append(other)
        uow.requests.add(request, {a.number: content for a, (_, content) in zip(request.attachments, files)})
        if len(changed) > 1:
            uow.requests.save(changed[1])
        keep_deadlines(uow, given, changed)
        uow.commit()
    return Registered(request, similar)


def _change(ctx: Context, request_id: str, at: str | None, apply: Callable[[Request, datetime, Inputs], Any],
            values: Callable[[Inputs], Any] | None = None) -> Request:
    """Load a request, apply one lifecycle step at `--at`, save and commit. `values` reads the
    values that need the database (source, type) first: a bad one is named before the ID is."""
    with ctx.unit_of_work(write=True) as uow:
        given = inputs(uow, ctx)
        if values is not None:
            values(given)
        request = uow.requests.get(request_id.strip())
        apply(request, given.at(at), given)
        uow.requests.save(request)
        keep_deadlines(uow, given, [request])
        uow.commit()
    return request


def classify(
    ctx: Context, request_id: str, *, type: str | None = None, priority: str | None = None,
    feasibility: str | None = None, reason: str | None = None, value: int | None = None,
    urgency: int | None = None, cost: int | None = None, impact: int | None = None, at: str | None = None,
) -> Request:
    """Set type, priority, feasibility, rationale or the four scores (re-assessment when in progress)."""
    priority_key = PRIORITY.parse(text(priority))
    feasibility_key, why = FEASIBILITY.parse(text(feasibility)), text(reason)
    scores = validate_scores({"value": value, "urgency": urgency, "cost": cost, "impact": impact})
    refuse_unknown_early(ctx, type=type)
    keys: dict[str, str | None] = {}
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.classify(
        r, t, ctx.now, ctx.actor, type=keys["type"], priority=priority_key, feasibility=feasibility_key, reason=why,
        scores=scores), values=lambda given: keys.update(type=vocabulary_value(given, "type", type)))


@dataclass
class Assigned:
    """An assigned request, and the department its type routed it to (None: `--dept` was given,
    or the type has no default department)."""

    request: Request
    routed_to: str | None
    type_label: dict[str, str]  # the type's label in each language, for saying where it came from


def assign(
    ctx: Context, request_id: str, *, owner: str, department: str | None = None, due: str | None = None,
    reason: str | None = None, at: str | None = None,
) -> Request:
    """Give the request an owner, department and planned completion; it becomes in-progress."""
    return assign_routed(ctx, request_id, owner=owner, department=department, due=due, reason=reason, at=at).request


def assign_routed(
    ctx: Context, request_id: str, *, owner: str, department: str | None = None, due: str | None = None,
    reason: str | None = None, at: str | None = None,
) -> Assigned:
    """`assign`; without a department, the request's type's default department is taken (根据需求
    类型分配至对应处理部门), and the result says so."""
    routed: list[tuple[str, dict[str, str]]] = []

    def apply(request: Request, when: datetime, given: Inputs) -> None:
        parsed_due = given.time(due, role="end", what="--due")
        dept = text(department)
        if dept is None and request.type is not None:
            types = given.vocabularies.type
            dept = types.department(request.type)
            if dept is not None:
                routed.append((dept, {lang: types.label(request.type, lang) for lang in ("en", "zh-CN", "zh-TW")}))
        lifecycle.assign(
            request, when, ctx.now, ctx.actor, owner=owner.strip(), department=dept,
            due=parsed_due.at.astimezone(timezone.utc) if parsed_due else None,
            due_is_date=bool(parsed_due and parsed_due.date_only), reason=text(reason),
        )

    request = _change(ctx, request_id, at, apply)
    return Assigned(request, routed[0][0], routed[0][1]) if routed else Assigned(request, None, {})


def progress(
    ctx: Context, request_id: str, note: str, *, done: bool = False, waiting: bool = False, at: str | None = None
) -> Request:
    """Append a progress note; `done` reports the work finished; `waiting` pauses for the customer."""
    return _change(ctx, request_id, at,
                   lambda r, t, _: lifecycle.progress(r, t, ctx.now, ctx.actor, note, done=done, waiting=waiting))


def verify(
    ctx: Context, request_id: str, *, passed: bool, satisfaction: str | None = None, note: str | None = None,
    at: str | None = None,
) -> Request:
    """Record the customer's verification: pass → done, fail → back to in-progress."""
    sat = SATISFACTION.parse(text(satisfaction))
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.verify(
        r, t, ctx.now, ctx.actor, passed=passed, satisfaction=sat, note=text(note)))


def close(ctx: Context, request_id: str, *, note: str | None = None, at: str | None = None) -> Request:
    """Archive a done request."""
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.close(r, t, ctx.now, ctx.actor, text(note)))


def rate(ctx: Context, request_id: str, satisfaction: str, *, note: str | None = None, at: str | None = None) -> Request:
    """Record satisfaction from the follow-up survey."""
    sat = SATISFACTION.parse(satisfaction)
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.rate(r, t, ctx.now, ctx.actor, sat, text(note)))  # type: ignore[arg-type]


def cancel(ctx: Context, request_id: str, *, reason: str | None = None, at: str | None = None,
           duplicate_of: str | None = None) -> Request:
    """Cancel an open request; `duplicate_of` cancels it as a duplicate of that request (the one
    kept), linked to it, the reason then optional (services.links.cancel_duplicate)."""
    if text(duplicate_of):
        from .links import cancel_duplicate

        return cancel_duplicate(ctx, request_id, str(duplicate_of), reason=reason, at=at).request
    if not text(reason):
        raise InvalidInput("--reason is required (or --duplicate-of ID to cancel it as a duplicate)")
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.cancel(r, t, ctx.now, ctx.actor, str(reason)))


def reopen(ctx: Context, request_id: str, *, reason: str, at: str | None = None) -> Request:
    """Reopen done or closed work (a recurrence)."""
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.reopen(r, t, ctx.now, ctx.actor, reason))


def notice(ctx: Context, request_id: str, kind: str, *, via: str | None = None, note: str | None = None,
           at: str | None = None) -> Request:
    """Record that a notice of `kind` reached the customer via `via` (default email): a `notice`
    entry, which answers the response clock (docs/notices.md)."""
    from ..domain.notices import check_kind

    check_kind(kind)
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.notice(r, t, ctx.now, ctx.actor, kind, via, text(note)))


def edit(ctx: Context, request_id: str, fields: dict[str, str | None], *, at: str | None = None) -> Request:
    """Correct descriptive fields; old and new values go to the history."""
    values: dict[str, Any] = dict(fields)
    submitted_text = values.pop("submitted_at", None)
    refuse_unknown_early(ctx, source=values.get("source"))

    def source(given: Inputs) -> None:
        if values.get("source") is not None:
            values["source"] = vocabulary_value(given, "source", values["source"])

    def apply(request: Request, when: datetime, given: Inputs) -> None:
        repair = None
        if submitted_text is not None:
            from ..domain.record import TIME_RANGE, year_in_range

            parsed = given.time(submitted_text, what="--submitted-at")
            submitted = parsed.at.astimezone(timezone.utc).replace(second=0, microsecond=0)  # type: ignore[union-attr]
            if not year_in_range(submitted.astimezone(given.tz).year):
                raise InvalidInput("--submitted-at {text}: {range}", text=submitted_text, range=TIME_RANGE)
            values["submitted_at"] = submitted
            # A stored time that cannot be read as it is (see storage.stored.UNREADABLE_TIME):
            # the history keeps the text as it was stored, and the repair is allowed in any status.
            store = cast("Repository", given.requests)  # the store of `_change`'s write unit of work
            repair = store.stored_time_problem(request.id, "submitted_at")
        entry = lifecycle.edit(request, when, ctx.now, ctx.actor, values, repair=repair is not None)
        if repair is not None and "submitted_at" in entry.changes:
            entry.changes["submitted_at"][0] = repair[0]

    return _change(ctx, request_id, at, apply, values=source)


def attach(ctx: Context, request_id: str, file: Path, *, at: str | None = None) -> Request:
    """Store a file inside the database, attached to the request."""
    from ..storage.repository import sha256_of

    name, content = read_attachment(file)
    with ctx.unit_of_work(write=True) as uow:
        given = inputs(uow, ctx)
        request = uow.requests.get(request_id.strip())
        when = given.at(at)
        digest = sha256_of(content)
        lifecycle.attach(request, when, ctx.now, ctx.actor, name, len(content), digest)
        attachment = Attachment(name=name, size=len(content), sha256=digest, added_at=when,
                                number=max((a.number for a in request.attachments), default=0) + 1)
        request.attachments.append(attachment)
        uow.requests.add_attachment(request.id, attachment, content)
        uow.requests.save(request)
        keep_deadlines(uow, given, [request])
        uow.commit()
    return request


# -- reads ----------------------------------------------------------------------------------
def save_attachment(ctx: Context, request_id: str, number: int, target: Path | None, overwrite: bool = False) -> Path:
    """Write attachment `number` of a request back out to a file (its own name in the current
    directory by default, or in the directory `target`); an existing file (or a link) is kept
    unless `overwrite`. The stored name is used only as a plain file name (safe_output), so it
    never leads out of that directory; the file is private (0600) and written whole or not at all."""
    from ..safe_output import atomic_output, plain_file_name

    with ctx.unit_of_work(write=False) as uow:
        attachment, content = uow.requests.attachment_content(request_id.strip(), number)
    if content is None:
        raise InvalidInput("attachment {number} of {rid} ({name}) was imported by name only; no content is stored",
                           number=number, rid=request_id, name=attachment.name)
    name = plain_file_name(attachment.name)
    path = Path(target).expanduser() if target else Path(name)
    if target and path.is_dir():
        path = path / name
    with atomic_output(path, protected=ctx.database(False).protected_paths, overwrite=overwrite) as handle:
        handle.write(content)
    return path


def get(ctx: Context, request_id: str) -> Request:
    """One request with its history and attachments."""
    with ctx.reader() as uow:
        return uow.requests.get(request_id.strip())


def timezone_of(ctx: Context) -> ZoneInfo:
    """The database's display zone."""
    with ctx.reader() as uow:
        ctx.zone = ZoneInfo(uow.requests.settings().get("calendar.timezone", "UTC"))
        return ctx.zone


@dataclass
class Shown:
    """What `show` presents, from one snapshot: the request (history and attachments), its SLA
    clocks at `now` with the calendar to express them in working days, and the display zone.
    Without clocks (`show(..., clocks=False)`) `clocks` is empty and `calendar` None."""

    request: Request
    clocks: list[Clock]
    calendar: WorkingCalendar | None
    now: datetime
    tz: ZoneInfo
    vocabularies: Vocabularies = DEFAULT  # source and type as the database has them (their labels)


def show(ctx: Context, request_id: str, *, clocks: bool = True) -> Shown:
    """One request with its history, attachments and (unless `clocks` is False) its SLA clocks
    now, read in one unit of work. The clocks need the calendar settings to read: without them
    a request still shows where the settings are broken (`show --json`)."""
    with ctx.reader() as uow:
        given = inputs(uow, ctx)
        request = uow.requests.get(request_id.strip())
        vocabularies = given.vocabularies if (request.source or request.type) else DEFAULT
        if not clocks:
            return Shown(request, [], None, ctx.now, given.tz, vocabularies)
        from ..domain.sla import SlaPolicy, request_clocks

        calendar = given.calendar
        policy = SlaPolicy.from_settings(given.settings)
        return Shown(request, request_clocks(request, calendar, policy, ctx.now), calendar, ctx.now, given.tz,
                     vocabularies)


@dataclass
class Listing:
    """The rows a list selects, how many match in all, and the zone to show times in."""

    requests: list[Request]
    total: int
    tz: ZoneInfo


def build_filter(given: Inputs, *, statuses: list[str] | None = None, type: str | None = None,
                 priority: str | None = None, customer: str | None = None, owner: str | None = None,
                 source: str | None = None, since: str | None = None, until: str | None = None,
                 open_only: bool = False, search: str | None = None) -> RequestFilter:
    """The user's list filters, read and validated."""
    from ..storage.stored import RequestFilter

    since_t = given.time(since, "start", "--since")
    until_t = given.time(until, "end", "--until")
    return RequestFilter(
        statuses=tuple(STATUS.parse(s) for s in statuses or ()),  # type: ignore[misc]
        type=vocabulary_value(given, "type", type, new_use=False), priority=PRIORITY.parse(text(priority)),
        customer=text(customer), owner=text(owner), source=vocabulary_value(given, "source", source, new_use=False),
        since=since_t.at if since_t else None, until=until_t.at if until_t else None,
        open_only=open_only, search=text(search),
    )


def overdue_ids(uow: Any, given: Any, flt: Any, now: datetime) -> set[str]:
    """The IDs `overdue` lists with the filter `flt` (made open-only here), for `list --overdue`."""
    from .sla import overdue_rows

    flt.open_only = True
    return {row.request.id for row in overdue_rows(uow, given, flt, now)}


def list_requests(ctx: Context, *, limit: int | None = None, with_history: bool = False,
                  overdue: bool = False, **filters: Any) -> Listing:
    """Requests matching the filters, newest first; `limit` caps the rows, `total` counts all."""
    with ctx.reader() as uow:
        given = inputs(uow, ctx)
        flt = build_filter(given, **filters)
        if overdue:
            late = overdue_ids(uow, given, flt, ctx.now)
            rows = [r for r in uow.requests.select(flt) if r.id in late]  # newest first, as list shows
            total = len(rows)
            rows = rows[:limit] if limit is not None else rows
        else:
            total = uow.requests.count(flt)
            rows = list(uow.requests.select(flt, limit=limit))
        if with_history and rows:
            with_histories(uow.requests, rows, attachments=True)
        return Listing(rows, total, given.tz)


def iter_requests(ctx: Context, **filters: Any) -> Iterator[Request]:
    """Every matching request with history and attachments, streamed in chunks (for exports)."""
    with ctx.reader() as uow:
        flt = build_filter(inputs(uow, ctx), **filters)
        chunk: list[Request] = []
        for request in uow.requests.select(flt):
            chunk.append(request)
            if len(chunk) == EXPORT_CHUNK:
                yield from with_histories(uow.requests, chunk, attachments=True)
                chunk = []
        if chunk:
            yield from with_histories(uow.requests, chunk, attachments=True)


def request_ids(ctx: Context, prefix: str = "", limit: int = 200) -> list[str]:
    """Up to `limit` request IDs starting with `prefix`, newest first (for shell completion)."""
    with ctx.reader() as uow:
        return uow.requests.ids_starting(prefix, limit)
