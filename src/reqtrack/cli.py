"""The command line: parse, call one service, render.

Heavy modules (SQLModel, openpyxl, holidays, Rich tables) are imported inside the commands that
use them, so that `reqtrack --help` starts fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from . import __version__
from .domain.errors import InvalidInput, ReqtrackError
from .views_text import has_undecodable, visible

DEBUG_ENV = "REQTRACK_DEBUG"


def say(message: Any, err: bool = False, lines: bool = False) -> None:
    """Print a line for people: user text in it (IDs, names, paths, quoted input) with its
    control characters made visible (`views_text.visible`), so the terminal obeys none of it;
    `lines` keeps newlines and tabs (a message of several lines, e.g. an import's problems)."""
    typer.echo(visible(message, multiline=lines), err=err)


def _usage_error_shown_visibly(exc: Any) -> None:
    """Typer's own usage errors quote what was typed (`No such command '…'`, `'…' is not a
    valid integer`): made visible before Typer prints them."""
    if isinstance(getattr(exc, "message", None), str):
        exc.message = visible(exc.message)


class ReqtrackGroup(TyperGroup):
    """Turns every error into one sentence on stderr and the exit codes of SPEC §6."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if ctx.parent is None:
            _refuse_undecodable(ctx, args)
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            _usage_error_shown_visibly(exc)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return self._invoke(ctx)
        finally:
            _report_migration(ctx)

    def _invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ReqtrackError as exc:
            if os.environ.get(DEBUG_ENV) == "1":
                raise
            say(f"reqtrack: {exc}", err=True, lines=True)  # an import's problems: one line each
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("reqtrack: interrupted; nothing half-written was kept", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (`| head`): not an error. Point stdout at /dev/null so that
            # Python's final flush does not complain about the closed pipe.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            # Typer's (or click's) own exits and usage errors carry their exit codes: let them through.
            if type(exc).__module__.split(".")[0] in ("typer", "click") or os.environ.get(DEBUG_ENV) == "1":
                _usage_error_shown_visibly(exc)
                raise
            say(
                f"reqtrack: internal error ({type(exc).__name__}: {exc}); please report it "
                f"(run again with {DEBUG_ENV}=1 for the traceback)",
                err=True,
            )
            ctx.exit(4)


def _refuse_undecodable(ctx: Any, args: list[str]) -> None:
    """Bytes that are not text in the locale's encoding (UTF-8) reach Python as lone surrogates,
    which no database can store: refuse them before anything runs (exit 2), naming where."""
    problem = next((f"argument {index} ({visible(arg)})" for index, arg in enumerate(args, start=1)
                    if has_undecodable(arg)), None)
    if problem is None:
        problem = next((f"the environment variable {name} ({visible(os.environ[name])})"
                        for name in ("REQTRACK_USER", "REQTRACK_LANG", "REQTRACK_NOW")
                        if has_undecodable(os.environ.get(name, ""))), None)
    if problem is not None:
        typer.echo(f"reqtrack: {problem} is not valid UTF-8 text; check the encoding of the terminal or "
                   "script that passed it (<0xFF> marks a byte that is not UTF-8)", err=True)
        ctx.exit(2)


def read_stdin_text(what: str) -> str:
    """All of stdin as text in its encoding (UTF-8), refusing bytes that are not (exit 2)."""
    stream = sys.stdin
    raw = getattr(stream, "buffer", None)
    if raw is None:
        return stream.read()
    data = raw.read()
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else f"{encoding} (the locale's encoding)"
        raise InvalidInput(f"{what} on stdin is not valid {name} text (byte 0x{data[exc.start]:02X} at offset "
                           f"{exc.start}); save it as {name} and try again") from None


app = typer.Typer(
    cls=ReqtrackGroup,
    help="Track customer requirements and complaints through a closed loop: "
    "receive, classify, assess, assign, track, verify, close — and never miss a deadline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    """Global options, shared by the commands through the click context."""

    def __init__(self, db: Optional[Path], lang: str) -> None:
        self.db = db
        self.lang_raw = lang
        self._ctx: Any = None

    @property
    def lang(self) -> str:
        from .domain.vocab import normalise_language

        return normalise_language(self.lang_raw)

    @property
    def services(self) -> Any:
        from . import services

        return services

    @property
    def ctx(self) -> Any:
        if self._ctx is None:
            from .services import Context, default_database_path

            self._ctx = Context(db_path=self.db or default_database_path())
        return self._ctx


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reqtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Optional[Path], typer.Option("--db", envvar="REQTRACK_DB", help="Database file (default: in the user's data directory).", show_default=False)] = None,
    lang: Annotated[str, typer.Option("--lang", envvar="REQTRACK_LANG", help="Language of labels: en, zh-CN or zh-TW.")] = "en",
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Track customer requirements and complaints through a closed loop."""
    ctx.obj = State(db, lang)


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def _lang(ctx: typer.Context) -> str:
    return state(ctx).lang


def _done(ctx: typer.Context, request: Any, message: str) -> None:
    """Confirm a lifecycle step: ID, new status and what happened."""
    from .domain.vocab import STATUS

    say(f"{request.id}: {message} ({STATUS.label(request.status, _lang(ctx))})")


def _report_migration(ctx: Any) -> None:
    """Whichever command opened (and so upgraded) an older database, say where the copy of the
    old file is — also when the command itself then failed."""
    st = ctx.obj
    if not isinstance(st, State) or st._ctx is None:
        return
    reported = st.__dict__.setdefault("_reported_backups", set())  # nested groups (config) invoke this too
    for db in st._ctx._databases.values():
        if db.migrated_from is not None and db.backup_path not in reported:
            reported.add(db.backup_path)
            say(f"reqtrack: upgraded {db.path} from schema {db.migrated_from}; "
                f"a copy of the old file is at {db.backup_path}", err=True)


At = Annotated[Optional[str], typer.Option("--at", help="When it happened (default now): 2024-05-01 14:30, yesterday, -2h.", show_default=False)]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
RequestId = Annotated[str, typer.Argument(help="Request ID, e.g. 202405-001.", show_default=False)]


@app.command()
def new(
    ctx: typer.Context,
    description: Annotated[str, typer.Argument(help="The customer's own words; - reads them from stdin.", show_default=False)],
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer or project (required).", show_default=False)],
    source: Annotated[Optional[str], typer.Option(help="phone, email, meeting, online-form, csm, chat, social, survey, internal, other.")] = None,
    proposer: Annotated[Optional[str], typer.Option(help="The customer's contact person.")] = None,
    contact: Annotated[Optional[str], typer.Option(help="How to reach the proposer.")] = None,
    type: Annotated[Optional[str], typer.Option("--type", help="improvement, bug, feature, support, other.")] = None,
    priority: Annotated[Optional[str], typer.Option(help="high, medium or low (or 高/中/低).")] = None,
    liaison: Annotated[Optional[str], typer.Option(help="Internal person who follows the request.")] = None,
    attach: Annotated[Optional[list[Path]], typer.Option("--attach", help="A file the customer gave (repeatable).")] = None,
    notes: Annotated[Optional[str], typer.Option(help="Free text.")] = None,
    at: At = None,
    json: Json = False,
) -> None:
    """Register a new request; prints its ID."""
    if description == "-":
        description = read_stdin_text("the description").rstrip("\n")
    st = state(ctx)
    request = st.services.register(
        st.ctx, description, customer, source=source, proposer=proposer, contact=contact, type=type,
        priority=priority, liaison=liaison, attachments=attach, notes=notes, at=at,
    )
    _print_request_or_id(ctx, request, json)


def _print_request_or_id(ctx: typer.Context, request: Any, as_json: bool) -> None:
    from .render import dump_json, request_to_json

    if as_json:
        dump_json(request_to_json(request, state(ctx).services.timezone_of(state(ctx).ctx)))
    else:
        say(request.id)


@app.command()
def classify(
    ctx: typer.Context,
    request_id: RequestId,
    type: Annotated[Optional[str], typer.Option("--type", help="improvement, bug, feature, support, other.")] = None,
    priority: Annotated[Optional[str], typer.Option(help="high, medium, low; wins over the scores.")] = None,
    feasibility: Annotated[Optional[str], typer.Option(help="now, adjust or defer (defer pauses the resolution clock).")] = None,
    reason: Annotated[Optional[str], typer.Option(help="Why this priority.")] = None,
    value: Annotated[Optional[int], typer.Option(help="Customer value 1-10.")] = None,
    urgency: Annotated[Optional[int], typer.Option(help="Urgency 1-10.")] = None,
    cost: Annotated[Optional[int], typer.Option(help="Resource cost 1-10 (higher costs lower the priority).")] = None,
    impact: Annotated[Optional[int], typer.Option(help="Business impact 1-10.")] = None,
    at: At = None,
) -> None:
    """Classify and assess: type, priority, feasibility, scores."""
    st = state(ctx)
    r = st.services.classify(st.ctx, request_id, type=type, priority=priority, feasibility=feasibility, reason=reason,
                             value=value, urgency=urgency, cost=cost, impact=impact, at=at)
    note = r.history[-1].note
    _done(ctx, r, f"{'re-assessed' if r.history[-1].action == 'reassess' else 'classified'}, priority {r.priority or 'not set'}" + (f"; {note}" if note and 'score' in note else ""))


@app.command()
def assign(
    ctx: typer.Context,
    request_id: RequestId,
    owner: Annotated[str, typer.Option(help="Person responsible.", show_default=False)],
    dept: Annotated[Optional[str], typer.Option("--dept", help="Department responsible.")] = None,
    due: Annotated[Optional[str], typer.Option(help="Planned completion: 2024-05-15 (end of that day), +3wd, ...")] = None,
    reason: Annotated[Optional[str], typer.Option(help="Why this owner.")] = None,
    at: At = None,
) -> None:
    """Assign an owner and a planned completion; the request becomes in-progress."""
    st = state(ctx)
    r = st.services.assign(st.ctx, request_id, owner=owner, department=dept, due=due, reason=reason, at=at)
    _done(ctx, r, f"assigned to {r.owner}")


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
    st = state(ctx)
    r = st.services.progress(st.ctx, request_id, note, done=done, waiting=waiting, at=at)
    _done(ctx, r, "done, waiting for verification" if done else ("waiting on the customer" if waiting else "progress recorded"))


@app.command()
def verify(
    ctx: typer.Context,
    request_id: RequestId,
    passed: Annotated[Optional[bool], typer.Option("--pass/--fail", help="The customer's verdict.", show_default=False)] = None,
    satisfaction: Annotated[Optional[str], typer.Option(help="satisfied, neutral or dissatisfied (with --pass).")] = None,
    note: Annotated[Optional[str], typer.Option(help="What was checked; required with --fail.")] = None,
    at: At = None,
) -> None:
    """Record the verification: --pass (done) or --fail --note (back to in-progress)."""
    if passed is None:
        raise typer.BadParameter("say --pass or --fail", param_hint="--pass/--fail")
    st = state(ctx)
    r = st.services.verify(st.ctx, request_id, passed=passed, satisfaction=satisfaction, note=note, at=at)
    _done(ctx, r, "verification passed" if passed else "verification failed, back to the owner")


@app.command()
def close(ctx: typer.Context, request_id: RequestId,
          note: Annotated[Optional[str], typer.Option(help="Closing note.")] = None, at: At = None) -> None:
    """Close (archive) a done request."""
    st = state(ctx)
    _done(ctx, st.services.close(st.ctx, request_id, note=note, at=at), "closed")


@app.command()
def rate(ctx: typer.Context, request_id: RequestId,
         satisfaction: Annotated[str, typer.Argument(help="satisfied, neutral or dissatisfied (满意/一般/不满意).", show_default=False)],
         note: Annotated[Optional[str], typer.Option(help="What the customer said.")] = None, at: At = None) -> None:
    """Record satisfaction from the follow-up survey."""
    st = state(ctx)
    _done(ctx, st.services.rate(st.ctx, request_id, satisfaction, note=note, at=at), "satisfaction recorded")


@app.command()
def cancel(ctx: typer.Context, request_id: RequestId,
           reason: Annotated[str, typer.Option(help="Why it is cancelled (required).", show_default=False)], at: At = None) -> None:
    """Cancel an open request."""
    st = state(ctx)
    _done(ctx, st.services.cancel(st.ctx, request_id, reason=reason, at=at), "cancelled")


@app.command()
def reopen(ctx: typer.Context, request_id: RequestId,
           reason: Annotated[str, typer.Option(help="Why it is back (required).", show_default=False)], at: At = None) -> None:
    """Reopen done or closed work (counts as a recurrence)."""
    st = state(ctx)
    _done(ctx, st.services.reopen(st.ctx, request_id, reason=reason, at=at), "reopened")


@app.command()
def edit(
    ctx: typer.Context,
    request_id: RequestId,
    description: Annotated[Optional[str], typer.Option(help="Corrected description.")] = None,
    customer: Annotated[Optional[str], typer.Option(help="Corrected customer.")] = None,
    proposer: Annotated[Optional[str], typer.Option(help="Corrected proposer.")] = None,
    contact: Annotated[Optional[str], typer.Option(help="Corrected contact.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Corrected source.")] = None,
    liaison: Annotated[Optional[str], typer.Option(help="Corrected liaison.")] = None,
    notes: Annotated[Optional[str], typer.Option(help="New notes.")] = None,
    submitted_at: Annotated[Optional[str], typer.Option("--submitted-at", help="Corrected submission time (also repairs one a command cannot read, in any status).", show_default=False)] = None,
    at: At = None,
) -> None:
    """Correct fields; the old and new values go into the history."""
    st = state(ctx)
    fields = dict(description=description, customer=customer, proposer=proposer, contact=contact, source=source,
                  liaison=liaison, notes=notes, submitted_at=submitted_at)
    r = st.services.edit(st.ctx, request_id, fields, at=at)
    _done(ctx, r, "edited " + ", ".join(r.history[-1].changes))


@app.command()
def attach(ctx: typer.Context, request_id: RequestId,
           file: Annotated[Path, typer.Argument(help="The file to store.", show_default=False)], at: At = None) -> None:
    """Store a file the customer gave inside the database."""
    st = state(ctx)
    r = st.services.attach(st.ctx, request_id, file, at=at)
    _done(ctx, r, f"attached {r.attachments[-1].name} as #{r.attachments[-1].number}")


@app.command()
def attachment(
    ctx: typer.Context,
    request_id: RequestId,
    number: Annotated[int, typer.Argument(help="Attachment number, as `show` lists it.", show_default=False, min=1,
                                          max=1_000_000_000)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Where to write it (default: its own name here).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a stored attachment back out to a file."""
    st = state(ctx)
    path = st.services.save_attachment(st.ctx, request_id, number, output, overwrite=force)
    say(str(path))


@app.command()
def show(ctx: typer.Context, request_id: RequestId, json: Json = False) -> None:
    """Show one request with its history, newest first."""
    from .render import dump_json, request_to_json, show_request

    st = state(ctx)
    request = st.services.get(st.ctx, request_id)
    tz = st.services.timezone_of(st.ctx)
    if json:
        dump_json(request_to_json(request, tz))
        return
    from .render_sla import clock_rows
    from .services import sla

    clocks, calendar, now = sla.clocks(st.ctx, request)
    show_request(request, tz, st.lang, clock_rows(clocks, calendar, now, tz))


# The filters of `list`, shared with `export` (SPEC §6: "list's filters").
StatusFilter = Annotated[Optional[list[str]], typer.Option("--status", help="Status (repeatable).")]
TypeFilter = Annotated[Optional[str], typer.Option("--type", help="Type.")]
PriorityFilter = Annotated[Optional[str], typer.Option("--priority", help="Priority.")]
CustomerFilter = Annotated[Optional[str], typer.Option("--customer", help="Customer contains this text.")]
OwnerFilter = Annotated[Optional[str], typer.Option("--owner", help="Owner or department contains this text.")]
SourceFilter = Annotated[Optional[str], typer.Option("--source", help="Source.")]
SinceFilter = Annotated[Optional[str], typer.Option("--since", help="Submitted at or after (a date means 00:00).")]
UntilFilter = Annotated[Optional[str], typer.Option("--until", help="Submitted at or before (a date means the end of that day).")]
OpenFilter = Annotated[bool, typer.Option("--open", help="Only open requests (pending, in-progress, verifying).")]
SearchFilter = Annotated[Optional[str], typer.Option("--search", help="Text in description, customer or notes.")]


@app.command("list")
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
) -> None:
    """List requests, newest first."""
    from . import render

    st = state(ctx)
    if format not in ("table", "json", "csv"):
        raise typer.BadParameter("use table, json or csv", param_hint="--format")
    table = format == "table"
    listing = st.services.list_requests(
        st.ctx, limit=None if (all_ or not table) else limit, with_history=format == "json", overdue=overdue,
        statuses=status, type=type, priority=priority, customer=customer, owner=owner, source=source,
        since=since, until=until, open_only=open_, search=search,
    )
    if format == "json":
        render.dump_json([render.request_to_json(r, listing.tz) for r in listing.requests])
    elif format == "csv":
        render.write_csv(listing.requests, listing.tz, sys.stdout)
    else:
        render.list_table(listing.requests, listing.total, listing.tz, st.lang,
                          "--all or --limit N for more, --format csv|json for every row")


# The commands of other capabilities live in their own modules (cli_*.py) and register
# themselves on `app` when imported here; each keeps its heavy imports inside its commands.
# (imports of cli_* modules go below this line)
from . import cli_sla  # noqa: E402,F401
from . import cli_report  # noqa: E402,F401
from . import cli_admin  # noqa: E402,F401
from . import cli_excel  # noqa: E402,F401


def main() -> None:
    """Entry point of the `reqtrack` command."""
    app(prog_name="reqtrack")


if __name__ == "__main__":
    # `python -m reqtrack.cli` runs this file as __main__, a second copy of the module on which
    # the cli_* modules (which import `reqtrack.cli`) would not register; run the real one.
    from reqtrack.cli import main as _real_main

    _real_main()
