"""The commands of the request's life: new, classify, assign, progress, verify, close, rate,
cancel, reopen, edit, attach, attachment, show and list.

Each parses its options, calls one service and renders what it returns; services and views are
imported inside the commands, so that `reqtrack --help` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    At,
    CustomerFilter,
    Json,
    OpenFilter,
    OwnerFilter,
    PriorityFilter,
    RequestId,
    SearchFilter,
    SinceFilter,
    SourceFilter,
    StatusFilter,
    TypeFilter,
    UntilFilter,
    VocabularyHelp,
    area,
    collector_paused,
    read_stdin_text,
    say,
    state,
)

if TYPE_CHECKING:
    from ..domain.record import Request

app = area()


def _done(ctx: typer.Context, request: Request, what: str, how: str | None = None, **values: object) -> None:
    """Confirm a lifecycle step: ID, what happened (the label `done.<what>` filled with `values`,
    then `how` when given) and the new status, in the chosen language."""
    from ..domain.vocab import STATUS
    from ..views.labels import label

    lang = state(ctx).lang
    said = label(f"done.{what}", lang, **values)
    if how:
        said = label("done.how", lang, what=said, how=how)
    say(label("done.line", lang, id=request.id, what=said, status=STATUS.label(request.status, lang)))


@app.command(cls=VocabularyHelp)
def new(
    ctx: typer.Context,
    description: Annotated[str, typer.Argument(help="The customer's own words; - reads them from stdin.", show_default=False)],
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer or project (required).", show_default=False)],
    source: Annotated[str | None, typer.Option(help="Where it came from")] = None,
    proposer: Annotated[str | None, typer.Option(help="The customer's contact person.")] = None,
    contact: Annotated[str | None, typer.Option(help="How to reach the proposer.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="What kind of request it is")] = None,
    priority: Annotated[str | None, typer.Option(help="high, medium or low (or 高/中/低).")] = None,
    liaison: Annotated[str | None, typer.Option(help="Internal person who follows the request.")] = None,
    attach: Annotated[list[Path] | None, typer.Option("--attach", help="A file the customer gave (repeatable).")] = None,
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
    recurrence_of: Annotated[str | None, typer.Option("--recurrence-of", help="The completed request this is the same problem again of (复现).", show_default=False)] = None,
    no_similar: Annotated[bool, typer.Option("--no-similar", help="Do not look for open requests that look like the same problem.")] = False,
    at: At = None,
    json: Json = False,
) -> None:
    """Register a new request; prints its ID (and, on stderr, open requests that look like the same problem)."""
    from .. import services

    if description == "-":
        description = read_stdin_text("the description").rstrip("\n")
    st = state(ctx)
    done = services.register_new(
        st.ctx, description, customer, source=source, proposer=proposer, contact=contact, type=type,
        priority=priority, liaison=liaison, attachments=attach, notes=notes, at=at, recurrence_of=recurrence_of,
        find_similar=not no_similar,
    )
    request = done.request
    if done.similar:
        from ..views.links import similar_lines

        for line in similar_lines(request.id, done.similar, st.lang):
            say(f"reqtrack: {line}" if not line.startswith(" ") else line, err=True)
    if json:
        from ..views.links import similar_json
        from ..views.output import dump_json
        from ..views.requests import request_to_json

        data = request_to_json(request, services.timezone_of(st.ctx))
        data["similar"] = similar_json(done.similar)
        dump_json(data)
    else:
        say(request.id)


@app.command(cls=VocabularyHelp)
def classify(
    ctx: typer.Context,
    request_id: RequestId,
    type: Annotated[str | None, typer.Option("--type", help="What kind of request it is")] = None,
    priority: Annotated[str | None, typer.Option(help="high, medium, low; wins over the scores.")] = None,
    feasibility: Annotated[str | None, typer.Option(help="now, adjust or defer (defer pauses the resolution clock).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why this priority.")] = None,
    value: Annotated[int | None, typer.Option(help="Customer value 1-10.")] = None,
    urgency: Annotated[int | None, typer.Option(help="Urgency 1-10.")] = None,
    cost: Annotated[int | None, typer.Option(help="Resource cost 1-10 (higher costs lower the priority).")] = None,
    impact: Annotated[int | None, typer.Option(help="Business impact 1-10.")] = None,
    at: At = None,
) -> None:
    """Classify and assess: type, priority, feasibility, scores."""
    from .. import services
    from ..domain.lifecycle import priority_was_scored

    st = state(ctx)
    r = services.classify(st.ctx, request_id, type=type, priority=priority, feasibility=feasibility, reason=reason,
                          value=value, urgency=urgency, cost=cost, impact=impact, at=at)
    from ..domain.vocab import PRIORITY
    from ..views.history import note_text
    from ..views.labels import label

    entry = r.history[-1]
    how = note_text(entry, st.lang) if priority_was_scored(entry) else None  # the score that set the priority
    _done(ctx, r, "reassessed" if entry.action == "reassess" else "classified", how,
          priority=PRIORITY.label(r.priority, st.lang) if r.priority else label("done.no_priority", st.lang))


@app.command()
def assign(
    ctx: typer.Context,
    request_id: RequestId,
    owner: Annotated[str, typer.Option(help="Person responsible.", show_default=False)],
    dept: Annotated[str | None, typer.Option("--dept", help="Department responsible (default: the type's default department, if it has one).")] = None,
    due: Annotated[str | None, typer.Option(help="Planned completion: 2024-05-15 (end of that day), +3wd, ...")] = None,
    reason: Annotated[str | None, typer.Option(help="Why this owner.")] = None,
    at: At = None,
) -> None:
    """Assign an owner and a planned completion; the request becomes in-progress."""
    from .. import services

    st = state(ctx)
    assigned = services.assign_routed(st.ctx, request_id, owner=owner, department=dept, due=due, reason=reason, at=at)
    r = assigned.request
    _done(ctx, r, "assigned", owner=r.owner)
    if assigned.routed_to is not None:
        from ..views.vocab import routed_line

        say(routed_line(assigned.routed_to, assigned.type_label, st.lang))


@app.command()
def progress(
    ctx: typer.Context,
    request_id: RequestId,
    note: Annotated[str, typer.Argument(help="What happened.", show_default=False)],
    done: Annotated[bool, typer.Option("--done", help="The work is finished; it goes to verification.")] = False,
    waiting: Annotated[bool, typer.Option("--waiting", help="Waiting on the customer (pauses the resolution clock).")] = False,
    at: At = None,
) -> None:
    """Record progress (on a pending request: the acknowledgement to the customer)."""
    from .. import services

    r = services.progress(state(ctx).ctx, request_id, note, done=done, waiting=waiting, at=at)
    _done(ctx, r, "complete" if done else ("waiting" if waiting else "progress"))


@app.command()
def verify(
    ctx: typer.Context,
    request_id: RequestId,
    passed: Annotated[bool | None, typer.Option("--pass/--fail", help="The customer's verdict.", show_default=False)] = None,
    satisfaction: Annotated[str | None, typer.Option(help="satisfied, neutral or dissatisfied (with --pass).")] = None,
    note: Annotated[str | None, typer.Option(help="What was checked; required with --fail.")] = None,
    at: At = None,
) -> None:
    """Record the verification: --pass (done) or --fail --note (back to in-progress)."""
    from .. import services

    if passed is None:
        raise typer.BadParameter("say --pass or --fail", param_hint="--pass/--fail")
    r = services.verify(state(ctx).ctx, request_id, passed=passed, satisfaction=satisfaction, note=note, at=at)
    _done(ctx, r, "passed" if passed else "failed")


@app.command()
def close(ctx: typer.Context, request_id: RequestId,
          note: Annotated[str | None, typer.Option(help="Closing note.")] = None, at: At = None) -> None:
    """Close (archive) a done request."""
    from .. import services

    _done(ctx, services.close(state(ctx).ctx, request_id, note=note, at=at), "closed")


@app.command()
def rate(ctx: typer.Context, request_id: RequestId,
         satisfaction: Annotated[str, typer.Argument(help="satisfied, neutral or dissatisfied (满意/一般/不满意).", show_default=False)],
         note: Annotated[str | None, typer.Option(help="What the customer said.")] = None, at: At = None) -> None:
    """Record satisfaction from the follow-up survey."""
    from .. import services

    _done(ctx, services.rate(state(ctx).ctx, request_id, satisfaction, note=note, at=at), "rated")


@app.command()
def cancel(ctx: typer.Context, request_id: RequestId,
           reason: Annotated[str | None, typer.Option(help="Why it is cancelled (required, unless --duplicate-of).", show_default=False)] = None,
           duplicate_of: Annotated[str | None, typer.Option("--duplicate-of", help="Cancel it as a duplicate of this request (the one kept), linked to it.", show_default=False)] = None,
           at: At = None) -> None:
    """Cancel an open request (--duplicate-of: as a duplicate of the one kept)."""
    from .. import services

    r = services.cancel(state(ctx).ctx, request_id, reason=reason, at=at, duplicate_of=duplicate_of)
    if duplicate_of and duplicate_of.strip():
        _done(ctx, r, "duplicate", id=duplicate_of.strip())
    else:
        _done(ctx, r, "cancelled")


@app.command()
def reopen(ctx: typer.Context, request_id: RequestId,
           reason: Annotated[str, typer.Option(help="Why it is back (required).", show_default=False)], at: At = None) -> None:
    """Reopen done or closed work (counts as a recurrence)."""
    from .. import services

    _done(ctx, services.reopen(state(ctx).ctx, request_id, reason=reason, at=at), "reopened")


@app.command(cls=VocabularyHelp)
def edit(
    ctx: typer.Context,
    request_id: RequestId,
    description: Annotated[str | None, typer.Option(help="Corrected description.")] = None,
    customer: Annotated[str | None, typer.Option(help="Corrected customer.")] = None,
    proposer: Annotated[str | None, typer.Option(help="Corrected proposer.")] = None,
    contact: Annotated[str | None, typer.Option(help="Corrected contact.")] = None,
    source: Annotated[str | None, typer.Option(help="Corrected source")] = None,
    liaison: Annotated[str | None, typer.Option(help="Corrected liaison.")] = None,
    notes: Annotated[str | None, typer.Option(help="New notes.")] = None,
    submitted_at: Annotated[str | None, typer.Option("--submitted-at", help="Corrected submission time (also repairs one a command cannot read, in any status).", show_default=False)] = None,
    at: At = None,
) -> None:
    """Correct fields; the old and new values go into the history."""
    from .. import services

    fields = dict(description=description, customer=customer, proposer=proposer, contact=contact, source=source,
                  liaison=liaison, notes=notes, submitted_at=submitted_at)
    r = services.edit(state(ctx).ctx, request_id, fields, at=at)
    from ..views.history import field_name
    from ..views.labels import label

    lang = state(ctx).lang
    _done(ctx, r, "edited", fields=label("sep.list", lang).join(field_name(name, lang) for name in r.history[-1].changes))


@app.command()
def attach(ctx: typer.Context, request_id: RequestId,
           file: Annotated[Path, typer.Argument(help="The file to store.", show_default=False)], at: At = None) -> None:
    """Store a file the customer gave inside the database."""
    from .. import services

    r = services.attach(state(ctx).ctx, request_id, file, at=at)
    _done(ctx, r, "attached", name=r.attachments[-1].name, number=r.attachments[-1].number)


@app.command()
def attachment(
    ctx: typer.Context,
    request_id: RequestId,
    number: Annotated[int, typer.Argument(help="Attachment number, as `show` lists it.", show_default=False, min=1,
                                          max=1_000_000_000)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write it (default: its own name here).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a stored attachment back out to a file."""
    from .. import services

    path = services.save_attachment(state(ctx).ctx, request_id, number, output, overwrite=force)
    say(str(path))


@app.command()
def show(ctx: typer.Context, request_id: RequestId, json: Json = False) -> None:
    """Show one request with its history, newest first."""
    from .. import services

    st = state(ctx)
    shown = services.show(st.ctx, request_id, clocks=not json)
    if json:
        from ..views.output import dump_json
        from ..views.requests import request_to_json

        dump_json(request_to_json(shown.request, shown.tz))
        return
    from ..views.requests import show_request
    from ..views.sla import clock_rows

    clocks = clock_rows(shown.clocks, shown.calendar, shown.now, shown.tz, st.lang, shown.request.due_is_date)
    show_request(shown.request, shown.tz, st.lang, clocks, shown.vocabularies)


@app.command("list", cls=VocabularyHelp)
def list_(
    ctx: typer.Context,
    status: StatusFilter = None,
    type: TypeFilter = None,
    priority: PriorityFilter = None,
    customer: CustomerFilter = None,
    owner: OwnerFilter = None,
    source: SourceFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    open_: OpenFilter = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue requests (as `reqtrack overdue`).")] = False,
    search: SearchFilter = None,
    format: Annotated[str, typer.Option("--format", help="table, json or csv (json and csv print every row).")] = "table",
    limit: Annotated[int, typer.Option(help="Rows on the table's first page.", min=0, max=1_000_000_000)] = 50,
    all_: Annotated[bool, typer.Option("--all", help="Show every row in the table.")] = False,
    count: Annotated[bool, typer.Option("--count", help="Print only how many requests match (for scripts).")] = False,
) -> None:
    """List requests, newest first."""
    from .. import services
    from ..views import requests as views

    st = state(ctx)
    if format not in ("table", "json", "csv"):
        raise typer.BadParameter("use table, json or csv", param_hint="--format")
    table = format == "table"
    if count:
        limit, all_, table, format = 0, False, True, "count"
    elif format == "json":
        from ..views.output import dump_json_lines

        # Each request's JSON text as stored beside it (services/documents.py): a read of text.
        with collector_paused():
            dump_json_lines(services.request_json_texts(
                st.ctx, overdue=overdue, statuses=status, type=type, priority=priority, customer=customer, owner=owner,
                source=source, since=since, until=until, open_only=open_, search=search))
        return
    listing = services.list_requests(
        st.ctx, limit=None if (all_ or not table) else limit, overdue=overdue,
        statuses=status, type=type, priority=priority, customer=customer, owner=owner, source=source,
        since=since, until=until, open_only=open_, search=search,
    )
    if format == "count":
        say(str(listing.total))
    elif format == "csv":
        views.write_csv(listing.requests, listing.tz, sys.stdout)
    else:
        views.list_table(listing.requests, listing.total, listing.tz, st.lang)
