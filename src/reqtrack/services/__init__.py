"""One function per verb. Each opens a unit of work, reads the user's raw values into domain
values, applies the domain rules and commits. This is the only module that writes.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

from ..domain import lifecycle
from ..domain.errors import InvalidInput
from ..domain.record import Attachment, Request, format_request_id, validate_scores
from ..domain.timeparse import ParsedTime, parse_time
from ..domain.vocab import FEASIBILITY, PRIORITY, SATISFACTION, SOURCE, STATUS, TYPE

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # keeps the database file a manageable size


def default_database_path() -> Path:
    """REQTRACK_DB, else `reqtrack.db` in the user's data directory."""
    if os.environ.get("REQTRACK_DB"):
        return Path(os.environ["REQTRACK_DB"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("reqtrack", appauthor=False)) / "reqtrack.db"


def current_actor() -> str:
    """Who is acting: REQTRACK_USER, else the login name."""
    if os.environ.get("REQTRACK_USER"):
        return os.environ["REQTRACK_USER"]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def system_clock() -> datetime:
    """Now, in UTC, to the second (REQTRACK_NOW pins it, for demos and tests)."""
    pinned = os.environ.get("REQTRACK_NOW")
    if pinned:
        try:
            value = datetime.fromisoformat(pinned)
        except ValueError:
            raise InvalidInput(f"REQTRACK_NOW={pinned!r} is not an ISO 8601 time") from None
        if value.tzinfo is None:
            raise InvalidInput("REQTRACK_NOW needs a UTC offset, e.g. 2025-01-24T10:00:00+08:00")
        from ..domain.record import TIME_RANGE_TEXT, storable_time

        if not storable_time(value):
            raise InvalidInput(f"REQTRACK_NOW={pinned!r} is out of range: {TIME_RANGE_TEXT}")
        return value.astimezone(timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass
class Context:
    """What every service needs: where the database is, who acts, and the clock."""

    db_path: Path
    actor: str = field(default_factory=current_actor)
    clock: Callable[[], datetime] = system_clock
    _databases: dict[bool, Any] = field(default_factory=dict, repr=False)
    _now: datetime | None = field(default=None, repr=False)

    @property
    def now(self) -> datetime:
        """One instant for the whole command."""
        if self._now is None:
            self._now = self.clock()
        return self._now

    def database(self, write: bool) -> Any:
        """The open database; only writers create a missing one."""
        if write not in self._databases:
            from ..storage.db import Database

            self._databases[write] = Database.open(self.db_path, write=write)
        return self._databases[write]

    def unit_of_work(self, write: bool) -> Any:
        from ..storage.repository import UnitOfWork

        return UnitOfWork(self.database(write))

    def reader(self) -> Any:
        """A read-only unit of work over plain sqlite3 (same read methods, no SQLAlchemy import)."""
        from ..storage.reader import ReadUnitOfWork

        return ReadUnitOfWork(self.database(False))


# -- reading user values --------------------------------------------------------------------
class Inputs:
    """Reads times in the database's zone and calendar (loaded only when a value needs it)."""

    def __init__(self, settings: dict[str, str], now: datetime, requests: Any = None) -> None:
        self.settings = settings
        self.now = now
        self._requests = requests  # the repository or reader, for the country days kept
        self.tz = ZoneInfo(settings.get("calendar.timezone", "UTC"))
        self._calendar: Any = None

    @property
    def calendar(self) -> Any:
        if self._calendar is None:
            self._calendar = calendar_for(self.settings, self._requests)
        return self._calendar

    def time(self, text: str | None, role: str = "start", what: str = "--at") -> ParsedTime | None:
        if text is None:
            return None
        try:
            add = self.calendar.add_working_days if "wd" in text.lower() else None
            return parse_time(text, self.now, self.tz, role, add)  # type: ignore[arg-type]
        except InvalidInput as exc:
            raise InvalidInput(f"{what}: {exc}") from None

    def at(self, text: str | None) -> datetime:
        """`--at`, defaulting to now; seconds are dropped because storage keeps seconds."""
        parsed = self.time(text)
        return (parsed.at if parsed else self.now).astimezone(timezone.utc).replace(microsecond=0)


def _inputs(uow: Any, ctx: Context) -> Inputs:
    return Inputs(uow.requests.settings(), ctx.now, uow.requests)


def calendar_for(settings: dict[str, str], requests: Any = None) -> Any:
    """The working calendar of the settings, with the country's days the database keeps
    (`requests`: a repository or reader; without it, every year comes from the package)."""
    from ..domain.sla import calendar_from_settings

    country = settings.get("calendar.country")
    days = None
    if country and requests is not None:
        days = requests.country_days(country, settings.get("calendar.subdivision") or None)
    return calendar_from_settings(settings, days)


def keep_deadlines(uow: Any, inputs: Inputs, changed: list[Request], recompute: bool = False) -> None:
    """Keep the stored running deadlines (domain.sla.running_deadlines; read by `overdue`) in
    step with this unit of work: those of the `changed` requests (loaded with their history), or
    of every open request when the settings they were computed with changed, or `recompute`.

    Called by every service that writes a request or a setting, before it commits, so the stored
    deadlines change in the same transaction as what they are computed from. Keeps the changed
    requests' report facts too (`keep_report_facts`).
    """
    try:
        _keep_deadlines(uow, inputs, changed, recompute)
    except InvalidInput:
        # A stored setting that does not read (or a country the installed package no longer
        # knows): drop the stored deadlines rather than refuse the write; `overdue` then replays
        # the histories and names the setting to fix.
        uow.requests.replace_running_deadlines({}, None)
    keep_report_facts(uow, changed)


def keep_report_facts(uow: Any, changed: list[Request]) -> None:
    """Keep the stored report facts (domain.metrics.request_facts; read by `report`) of the
    `changed` requests (loaded with their history) in step with this unit of work; when they
    have never been computed (a database from before migration 5), compute those of every
    request. They do not depend on the settings, so a settings change leaves them as they are."""
    from ..domain.metrics import request_facts
    from ..storage.reader import REPORT_FACTS_VERSION

    if uow.requests.report_facts_basis() != REPORT_FACTS_VERSION:
        uow.requests.clear_report_facts()
        for chunk in all_report_facts(uow.requests.plain_reader()):
            uow.requests.put_report_facts(chunk)
        uow.requests.set_report_facts_basis(REPORT_FACTS_VERSION)
    elif changed:
        uow.requests.put_report_facts({r.id: (r, request_facts(r)) for r in changed})


def all_report_facts(requests: Any, chunk_size: int = 5000) -> Iterator[dict[str, Any]]:
    """Every request's report facts computed from its history, a chunk of requests at a time:
    {request ID: (request, RequestFacts)}. `requests`: a repository or reader."""
    from itertools import islice

    from ..domain.metrics import request_facts
    from ..storage.reader import RequestFilter

    everyone = requests.select(RequestFilter(), newest_first=False)  # streamed: never all at once
    while chunk := list(islice(everyone, chunk_size)):
        histories = requests.histories([r.id for r in chunk])
        result = {}
        for request in chunk:
            request.history = histories[request.id]
            result[request.id] = (request, request_facts(request))
            request.history = []  # let the chunk's entries go
        yield result


def _keep_deadlines(uow: Any, inputs: Inputs, changed: list[Request], recompute: bool) -> None:
    from ..domain.sla import SlaPolicy, deadline_basis, running_deadlines

    calendar = inputs.calendar
    policy = SlaPolicy.from_settings(inputs.settings)
    basis = deadline_basis(inputs.settings)
    if calendar.country is not None and _refresh_open_years(uow, calendar, inputs.now.year):
        recompute = True  # the package now says otherwise of this year or next: deadlines move
    if recompute or uow.requests.deadline_basis() != basis:
        uow.requests.replace_running_deadlines(open_running_deadlines(uow.requests, calendar, policy), basis)
    else:
        uow.requests.put_running_deadlines(
            {r.id: running_deadlines(r, calendar, policy) if r.is_open else None for r in changed})
    if calendar.country is not None:
        # Every year the records can touch, from the first submission (at most 50 years back)
        # to next year, is kept with what the package says of it now: what is computed with
        # those days (these deadlines, reports, show) then does not move when the package changes.
        this_year = inputs.now.year
        first = max(min(uow.requests.first_submission_year() or this_year, this_year), this_year - 50)
        for year in range(first - 1, this_year + 2):
            calendar.country_year_days(year)
    if calendar.fetched_days:
        from ..domain.calendar import holidays_version

        uow.requests.keep_country_days(calendar.country, calendar.subdivision, calendar.fetched_days,
                                       f"holidays {holidays_version()}")
        calendar.fetched_days.clear()


def open_running_deadlines(requests: Any, calendar: Any, policy: Any) -> dict[str, Any]:
    """Every open request's running deadlines (domain.sla.running_deadlines), computed from its
    history: what the services store, and what `check` compares the stored rows with.
    `requests`: a repository or reader."""
    from ..domain.sla import running_deadlines
    from ..storage.reader import RequestFilter

    everyone = list(requests.select(RequestFilter(open_only=True)))
    histories = requests.histories([r.id for r in everyone])
    result = {}
    for request in everyone:
        request.history = histories[request.id]
        result[request.id] = running_deadlines(request, calendar, policy)
    return result


def _refresh_open_years(uow: Any, calendar: Any, this_year: int) -> bool:
    """Re-read this year and next from the installed `holidays` package when they were kept from
    another version; True when their days changed.

    Years that have ended stay as kept. This year and next are not final: governments announce
    the coming year's holidays and make-up days late in the year (China in November or
    December), and the package learns them in a later release.
    """
    from ..domain.calendar import country_year, holidays_version, normalise_country

    source = f"holidays {holidays_version()}"
    kept = uow.requests.country_day_sources(calendar.country, calendar.subdivision)
    changed = False
    for year in (this_year, this_year + 1):
        if year in kept and kept[year] != source:
            normalise_country(calendar.country, calendar.subdivision)  # InvalidInput if no longer known
            fresh = country_year(calendar.country, calendar.subdivision, year)
            changed = changed or fresh != calendar.country_year_days(year)
            calendar.replace_country_year(year, fresh)
    return changed


def _text(value: str | None) -> str | None:
    """Empty text means "not given"."""
    if value is None:
        return None
    return value if value.strip() else None


def _read_attachment(path: Path) -> tuple[str, bytes]:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"attachment {path} does not exist or is not a file")
    size = path.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"attachment {path.name} is {size / 1048576:.1f} MiB; the limit is {MAX_ATTACHMENT_BYTES // 1048576} MiB, "
            "so keep it elsewhere and note where in --notes"
        )
    from ..safe_output import plain_file_name

    return plain_file_name(path.name), path.read_bytes()  # only a plain name is ever stored


# -- the verbs ------------------------------------------------------------------------------
def register(
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
) -> Request:
    """Register a new request (pending) under the next ID of its local month."""
    from ..storage.repository import sha256_of

    files = [_read_attachment(p) for p in attachments or []]
    values = dict(source=SOURCE.parse(_text(source)), type=TYPE.parse(_text(type)),
                  priority=PRIORITY.parse(_text(priority)))
    if not (description or "").strip():
        raise InvalidInput("the description is required: the customer's own words")
    if not (customer or "").strip():
        raise InvalidInput("--customer is required")
    with ctx.unit_of_work(write=True) as uow:
        inputs = _inputs(uow, ctx)
        submitted = inputs.at(at)
        month = submitted.astimezone(inputs.tz).strftime("%Y%m")
        request = Request(
            id=format_request_id(month, uow.requests.next_sequence(month)), customer=customer.strip(),
            description=description, submitted_at=submitted, proposer=_text(proposer), contact=_text(contact),
            liaison=_text(liaison), notes=_text(notes), **values,
        )
        request.attachments = [
            Attachment(name=name, size=len(content), sha256=sha256_of(content), added_at=submitted, number=i)
            for i, (name, content) in enumerate(files, start=1)
        ]
        note = ", ".join(f"{a.name} ({a.size} bytes)" for a in request.attachments)
        lifecycle.register(request, ctx.actor, ctx.now, note=f"attachments: {note}" if note else None)
        uow.requests.add(request, {a.number: content for a, (_, content) in zip(request.attachments, files)})
        keep_deadlines(uow, inputs, [request])
        uow.commit()
    return request


def _change(ctx: Context, request_id: str, at: str | None, apply: Callable[[Request, datetime, Inputs], Any]) -> Request:
    """Load a request, apply one lifecycle step at `--at`, save and commit."""
    with ctx.unit_of_work(write=True) as uow:
        inputs = _inputs(uow, ctx)
        request = uow.requests.get(request_id.strip())
        apply(request, inputs.at(at), inputs)
        uow.requests.save(request)
        keep_deadlines(uow, inputs, [request])
        uow.commit()
    return request


def classify(
    ctx: Context, request_id: str, *, type: str | None = None, priority: str | None = None,
    feasibility: str | None = None, reason: str | None = None, value: int | None = None,
    urgency: int | None = None, cost: int | None = None, impact: int | None = None, at: str | None = None,
) -> Request:
    """Set type, priority, feasibility, rationale or the four scores (re-assessment when in progress)."""
    parsed = dict(type=TYPE.parse(_text(type)), priority=PRIORITY.parse(_text(priority)),
                  feasibility=FEASIBILITY.parse(_text(feasibility)), reason=_text(reason),
                  scores=validate_scores({"value": value, "urgency": urgency, "cost": cost, "impact": impact}))
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.classify(r, t, ctx.now, ctx.actor, **parsed))


def assign(
    ctx: Context, request_id: str, *, owner: str, department: str | None = None, due: str | None = None,
    reason: str | None = None, at: str | None = None,
) -> Request:
    """Give the request an owner, department and planned completion; it becomes in-progress."""

    def apply(request: Request, when: datetime, inputs: Inputs) -> None:
        parsed_due = inputs.time(due, role="end", what="--due")
        lifecycle.assign(
            request, when, ctx.now, ctx.actor, owner=owner.strip(), department=_text(department),
            due=parsed_due.at.astimezone(timezone.utc) if parsed_due else None,
            due_is_date=bool(parsed_due and parsed_due.date_only), reason=_text(reason),
        )

    return _change(ctx, request_id, at, apply)


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
    sat = SATISFACTION.parse(_text(satisfaction))
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.verify(
        r, t, ctx.now, ctx.actor, passed=passed, satisfaction=sat, note=_text(note)))


def close(ctx: Context, request_id: str, *, note: str | None = None, at: str | None = None) -> Request:
    """Archive a done request."""
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.close(r, t, ctx.now, ctx.actor, _text(note)))


def rate(ctx: Context, request_id: str, satisfaction: str, *, note: str | None = None, at: str | None = None) -> Request:
    """Record satisfaction from the follow-up survey."""
    sat = SATISFACTION.parse(satisfaction)
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.rate(r, t, ctx.now, ctx.actor, sat, _text(note)))  # type: ignore[arg-type]


def cancel(ctx: Context, request_id: str, *, reason: str, at: str | None = None) -> Request:
    """Cancel an open request."""
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.cancel(r, t, ctx.now, ctx.actor, reason))


def reopen(ctx: Context, request_id: str, *, reason: str, at: str | None = None) -> Request:
    """Reopen done or closed work (a recurrence)."""
    return _change(ctx, request_id, at, lambda r, t, _: lifecycle.reopen(r, t, ctx.now, ctx.actor, reason))


def edit(ctx: Context, request_id: str, fields: dict[str, str | None], *, at: str | None = None) -> Request:
    """Correct descriptive fields; old and new values go to the history."""
    values: dict[str, Any] = dict(fields)
    if values.get("source") is not None:
        values["source"] = SOURCE.parse(values["source"])
    submitted_text = values.pop("submitted_at", None)

    def apply(request: Request, when: datetime, inputs: Inputs) -> None:
        repair = None
        if submitted_text is not None:
            from ..domain.record import TIME_RANGE_TEXT, year_in_range

            parsed = inputs.time(submitted_text, what="--submitted-at")
            submitted = parsed.at.astimezone(timezone.utc).replace(second=0, microsecond=0)  # type: ignore[union-attr]
            if not year_in_range(submitted.astimezone(inputs.tz).year):
                raise InvalidInput(f"--submitted-at {submitted_text}: {TIME_RANGE_TEXT}")
            values["submitted_at"] = submitted
            # A stored time that cannot be read as it is (see storage.reader.UNREADABLE_TIME):
            # the history keeps the text as it was stored, and the repair is allowed in any status.
            repair = inputs._requests.stored_time_problem(request.id, "submitted_at")
        entry = lifecycle.edit(request, when, ctx.now, ctx.actor, values, repair=repair is not None)
        if repair is not None and "submitted_at" in entry.changes:
            entry.changes["submitted_at"][0] = repair[0]

    return _change(ctx, request_id, at, apply)


def attach(ctx: Context, request_id: str, file: Path, *, at: str | None = None) -> Request:
    """Store a file inside the database, attached to the request."""
    from ..storage.repository import sha256_of

    name, content = _read_attachment(file)
    with ctx.unit_of_work(write=True) as uow:
        inputs = _inputs(uow, ctx)
        request = uow.requests.get(request_id.strip())
        when = inputs.at(at)
        digest = sha256_of(content)
        lifecycle.attach(request, when, ctx.now, ctx.actor, name, len(content), digest)
        attachment = Attachment(name=name, size=len(content), sha256=digest, added_at=when,
                                number=max((a.number for a in request.attachments), default=0) + 1)
        request.attachments.append(attachment)
        uow.requests.add_attachment(request.id, attachment, content)
        uow.requests.save(request)
        keep_deadlines(uow, inputs, [request])
        uow.commit()
    return request


def save_attachment(ctx: Context, request_id: str, number: int, target: Path | None, overwrite: bool = False) -> Path:
    """Write attachment `number` of a request back out to a file (its own name in the current
    directory by default, or in the directory `target`); an existing file (or a link) is kept
    unless `overwrite`. The stored name is used only as a plain file name (safe_output), so it
    never leads out of that directory; the file is private (0600) and written whole or not at all."""
    from ..safe_output import atomic_output, plain_file_name

    with ctx.unit_of_work(write=False) as uow:
        attachment, content = uow.requests.attachment_content(request_id.strip(), number)
    if content is None:
        raise InvalidInput(f"attachment {number} of {request_id} ({attachment.name}) was imported by name only; no content is stored")
    name = plain_file_name(attachment.name)
    path = Path(target).expanduser() if target else Path(name)
    if target and path.is_dir():
        path = path / name
    with atomic_output(path, protected=[ctx.database(False).path], overwrite=overwrite) as handle:
        handle.write(content)
    return path


def get(ctx: Context, request_id: str) -> Request:
    """One request with its history and attachments."""
    with ctx.reader() as uow:
        return uow.requests.get(request_id.strip())


def timezone_of(ctx: Context) -> ZoneInfo:
    """The database's display zone."""
    with ctx.reader() as uow:
        return ZoneInfo(uow.requests.settings().get("calendar.timezone", "UTC"))


@dataclass
class Listing:
    """The rows a list selects, how many match in all, and the zone to show times in."""

    requests: list[Request]
    total: int
    tz: ZoneInfo


def build_filter(inputs: Inputs, *, statuses: list[str] | None = None, type: str | None = None,
                 priority: str | None = None, customer: str | None = None, owner: str | None = None,
                 source: str | None = None, since: str | None = None, until: str | None = None,
                 open_only: bool = False, search: str | None = None) -> Any:
    """The user's list filters, read and validated."""
    from ..storage.reader import RequestFilter

    since_t = inputs.time(since, "start", "--since")
    until_t = inputs.time(until, "end", "--until")
    return RequestFilter(
        statuses=tuple(STATUS.parse(s) for s in statuses or ()),  # type: ignore[misc]
        type=TYPE.parse(_text(type)), priority=PRIORITY.parse(_text(priority)), customer=_text(customer),
        owner=_text(owner), source=SOURCE.parse(_text(source)),
        since=since_t.at if since_t else None, until=until_t.at if until_t else None,
        open_only=open_only, search=_text(search),
    )


def list_requests(ctx: Context, *, limit: int | None = None, with_history: bool = False,
                  overdue: bool = False, **filters: Any) -> Listing:
    """Requests matching the filters, newest first; `limit` caps the rows, `total` counts all."""
    with ctx.reader() as uow:
        inputs = _inputs(uow, ctx)
        flt = build_filter(inputs, **filters)
        if overdue:
            from .sla import overdue_rows

            flt.open_only = True
            late = {row.request.id for row in overdue_rows(uow, inputs, flt, ctx.now)}
            rows = [r for r in uow.requests.select(flt) if r.id in late]  # newest first, as list shows
            total = len(rows)
            rows = rows[:limit] if limit is not None else rows
        else:
            total = uow.requests.count(flt)
            rows = list(uow.requests.select(flt, limit=limit))
        if with_history and rows:
            histories = uow.requests.histories([r.id for r in rows])
            attachments = uow.requests.attachments_of([r.id for r in rows])
            for request in rows:
                request.history = histories[request.id]
                request.attachments = attachments[request.id]
        return Listing(rows, total, inputs.tz)


def iter_requests(ctx: Context, **filters: Any) -> Iterator[Request]:
    """Every matching request with history and attachments, streamed in chunks (for exports)."""
    with ctx.reader() as uow:
        flt = build_filter(_inputs(uow, ctx), **filters)
        chunk: list[Request] = []
        for request in uow.requests.select(flt):
            chunk.append(request)
            if len(chunk) == 1000:
                yield from _complete(uow, chunk)
                chunk = []
        if chunk:
            yield from _complete(uow, chunk)


def _complete(uow: Any, chunk: list[Request]) -> list[Request]:
    ids = [r.id for r in chunk]
    histories = uow.requests.histories(ids)
    attachments = uow.requests.attachments_of(ids)
    for request in chunk:
        request.history = histories[request.id]
        request.attachments = attachments[request.id]
    return chunk
