"""What every area of the command line shares: the global state, the one error-handling group,
`say`, and the options several commands take.

Standard library, Typer and `views.text` only: `reqtrack --help` imports this module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from ..domain.errors import ExitStatus, InvalidInput, Message, ReqtrackError
from ..domain.vocab import OPEN_STATUSES
from ..views.text import has_undecodable, visible

if TYPE_CHECKING:
    from typer._click import Context as ClickContext  # Typer 0.28 runs on its own copy of click

    from ..services import Context

DEBUG_ENV = "REQTRACK_DEBUG"


def say(message: object, err: bool = False, lines: bool = False) -> None:
    """Print a line for people: user text in it (IDs, names, paths, quoted input) with its
    control characters made visible (`views.text.visible`), so the terminal obeys none of it;
    `lines` keeps newlines and tabs (a message of several lines, e.g. an import's problems)."""
    typer.echo(visible(message, multiline=lines), err=err)


class State:
    """The global options, shared by the commands through the root click context; the services'
    Context is made when a command first needs it (`--help` opens no database)."""

    def __init__(self, db: str | None, lang: str) -> None:
        self.db = db
        self.lang_raw = lang
        self._ctx: Context | None = None

    @property
    def lang(self) -> str:
        from ..domain.vocab import normalise_language

        return normalise_language(self.lang_raw)

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            from ..services.context import Context, database_location, default_database_path

            self._ctx = Context(db_path=database_location(self.db) if self.db else default_database_path(),
                                lang=self.lang, on_notice=self._notice)
        return self._ctx

    def _notice(self, message: Message) -> None:
        """A service's word before long work, on stderr in the chosen language."""
        from ..views.messages import render

        say(f"reqtrack: {render(message, self.lang, None)}", err=True)

    @property
    def opened(self) -> Context | None:
        """The services' Context if a command made one, else None."""
        return self._ctx


def state(ctx: typer.Context) -> State:
    """The State of the command line, from any command's context."""
    root = ctx.find_root().obj
    assert isinstance(root, State)
    return root


# -- errors --------------------------------------------------------------------------------------
def _usage_error_shown_visibly(exc: BaseException, lang: str = "en") -> None:
    """Typer's own usage errors quote what was typed (`No such command '…'`, `'…' is not a
    valid integer`): made visible before Typer prints them, and (`lang`) shown in the chosen
    language (views/messages/usage.py). The help a bare group prints (`reqtrack`, `reqtrack
    config`) is reqtrack's own text, kept on its lines."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and type(exc).__name__ != "NoArgsIsHelpError":
        exc.message = visible(message)  # type: ignore[attr-defined]
        if lang != "en" and callable(getattr(exc, "format_message", None)):
            setattr(exc, "show", lambda file=None: _show_usage_error(exc, lang, file))  # noqa: B010 - over the method


def _show_usage_error(exc: Any, lang: str, file: Any = None) -> None:
    """Click's usage error as click shows it (usage line, help hint, the error), in `lang`."""
    from ..views.messages.usage import error_line, help_hint, usage_line

    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = help_hint(f"{ctx.command_path} {ctx.help_option_names[0]}", lang) + "\n"
        typer.echo(f"{usage_line(ctx.get_usage(), lang)}\n{hint}", file=file, err=file is None, color=ctx.color)
    typer.echo(error_line(exc.format_message(), lang), file=file, err=file is None,
               color=ctx.color if ctx is not None else None)


def _language(ctx: ClickContext | None = None, args: list[str] | None = None) -> str:
    """The language errors are shown in: the root's --lang (REQTRACK_LANG), or where the command
    line could not be read yet the `--lang` among `args`; English when it is not one."""
    from ..domain.vocab import normalise_language

    root = ctx.find_root() if ctx is not None else None
    given: str | None = None
    if root is not None:  # the callback made the State; before it (an unknown command) the parsed option
        given = root.obj.lang_raw if isinstance(root.obj, State) else root.params.get("lang")
    if given is None:
        given = os.environ.get("REQTRACK_LANG")
        for index, arg in enumerate(args or []):
            if arg == "--":
                break
            if arg == "--lang" and index + 1 < len(args or []):
                given = (args or [])[index + 1]
            elif arg.startswith("--lang="):
                given = arg.partition("=")[2]
    try:
        return normalise_language(given)
    except InvalidInput:
        return "en"


def error_text(exc: ReqtrackError | Message | str, ctx: ClickContext | None = None) -> str:
    """An error (or a note) in the language of the command line, its times in the database's zone
    (once the command has read it)."""
    from ..views.messages import render

    root = ctx.find_root().obj if ctx is not None else None
    opened = root.opened if isinstance(root, State) else None
    return render(exc, _language(ctx), opened.zone if opened is not None else None)


class ReqtrackGroup(TyperGroup):
    """The root group: every command runs inside its `invoke`, which turns every error into one
    sentence on stderr and an `ExitStatus`, and reports a database upgrade once."""

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        if ctx.parent is None:
            _refuse_undecodable(ctx, args)
        given = list(args)  # the parser consumes `args`
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            _usage_error_shown_visibly(exc, _language(None, given))
            raise

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return self._invoke(ctx)
        finally:
            _report_upgrades(ctx)
            st = ctx.obj
            if isinstance(st, State) and st.opened is not None:
                st.opened.close()

    def _invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except ReqtrackError as exc:
            if os.environ.get(DEBUG_ENV) == "1":
                raise
            say(f"reqtrack: {error_text(exc, ctx)}", err=True, lines=True)  # an import's problems: one line each
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            typer.echo(f"reqtrack: {error_text(Message('interrupted; nothing half-written was kept'), ctx)}", err=True)
            ctx.exit(ExitStatus.INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`| head`): not an error. Point stdout at /dev/null so that
            # Python's final flush does not complain about the closed pipe.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(ExitStatus.SUCCESS)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            # Typer's (or click's) own exits and usage errors carry their exit codes: let them through.
            if type(exc).__module__.split(".")[0] in ("typer", "click") or os.environ.get(DEBUG_ENV) == "1":
                _usage_error_shown_visibly(exc, _language(ctx))
                raise
            internal = Message("internal error ({kind}: {detail}); please report it (run again with {variable}=1 for the "
                               "traceback)", kind=type(exc).__name__, detail=str(exc), variable=DEBUG_ENV)
            say(f"reqtrack: {error_text(internal, ctx)}", err=True)
            ctx.exit(ExitStatus.INTERNAL)


def _refuse_undecodable(ctx: ClickContext, args: list[str]) -> None:
    """Bytes that are not text in the locale's encoding (UTF-8) reach Python as lone surrogates,
    which no database can store: refuse them before anything runs (exit 2), naming where."""
    problem = next((Message("argument {index} ({text})", index=index, text=visible(arg))
                    for index, arg in enumerate(args, start=1) if has_undecodable(arg)), None)
    if problem is None:
        problem = next((Message("the environment variable {name} ({text})", name=name, text=visible(os.environ[name]))
                        for name in ("REQTRACK_USER", "REQTRACK_LANG", "REQTRACK_NOW")
                        if has_undecodable(os.environ.get(name, ""))), None)
    if problem is not None:
        sentence = Message("{problem} is not valid UTF-8 text; check the encoding of the terminal or script that passed "
                           "it (<0xFF> marks a byte that is not UTF-8)", problem=problem)
        from ..views.messages import render

        typer.echo(f"reqtrack: {render(sentence, _language(None, args))}", err=True)
        ctx.exit(ExitStatus.BAD_INPUT)


def _report_upgrades(ctx: ClickContext) -> None:
    """Whichever command opened (and so upgraded) an older database, say where the copy of the
    old file is — also when the command itself then failed."""
    st = ctx.obj
    opened = st.opened if isinstance(st, State) else None
    if opened is None:
        return
    from ..views.labels import label

    lang = opened.lang
    for database, old_schema, backup_path in opened.upgrades():
        said = label("upgraded", lang, database=database, schema=old_schema)
        if backup_path is not None:
            said = label("upgraded.kept", lang, said=said, path=backup_path)
        say(f"reqtrack: {said}", err=True)


# -- input ---------------------------------------------------------------------------------------
def read_stdin_text(what: str) -> str:
    """All of stdin as text in its encoding (UTF-8), refusing bytes that are not (exit 2)."""
    stream = sys.stdin
    raw = getattr(stream, "buffer", None)
    if raw is None:
        return stream.read()
    data = raw.read()
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return str(data.decode(encoding))
    except UnicodeDecodeError as exc:
        utf8 = encoding.replace("_", "-").lower() in ("utf-8", "utf8")
        name = "UTF-8" if utf8 else Message("{encoding} (the locale's encoding)", encoding=encoding)
        raise InvalidInput("{what} on stdin is not valid {name} text (byte 0x{byte:02X} at offset {offset}); save it as "
                           "{name} and try again", what=Message(what), name=name, byte=data[exc.start],
                           offset=exc.start) from None


# -- options several commands take ---------------------------------------------------------------
At = Annotated[str | None, typer.Option("--at", help="When it happened (default now): 2024-05-01 14:30, yesterday, -2h.", show_default=False)]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Evaluate at this time instead of now.")]
def complete_request_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Request IDs for the shell's completion (bash, zsh, fish): those of the database of --db /
    REQTRACK_DB that start with what is typed, newest first; nothing when it cannot be read."""
    try:
        from ..services.context import Context, database_location, default_database_path
        from ..services.requests import request_ids

        given = ctx.find_root().params.get("db")
        location = database_location(given) if given else default_database_path()
        return request_ids(Context(db_path=location), incomplete)
    except Exception:  # noqa: BLE001 - completion must never print an error into the user's shell
        return []


RequestId = Annotated[str, typer.Argument(help="Request ID, e.g. 202405-001.", show_default=False,
                                          autocompletion=complete_request_id)]

# The filters of `list`, which `export` takes too.
StatusFilter = Annotated[list[str] | None, typer.Option("--status", help="Status (repeatable).")]
TypeFilter = Annotated[str | None, typer.Option("--type", help="Type")]
PriorityFilter = Annotated[str | None, typer.Option("--priority", help="Priority.")]
CustomerFilter = Annotated[str | None, typer.Option("--customer", help="Customer contains this text.")]
OwnerFilter = Annotated[str | None, typer.Option("--owner", help="Owner or department contains this text.")]
SourceFilter = Annotated[str | None, typer.Option("--source", help="Source")]
SinceFilter = Annotated[str | None, typer.Option("--since", help="Submitted at or after (a date means 00:00).")]
UntilFilter = Annotated[str | None, typer.Option("--until", help="Submitted at or before (a date means the end of that day).")]
OpenFilter = Annotated[bool, typer.Option("--open", help=f"Only open requests ({', '.join(OPEN_STATUSES)}).")]
SearchFilter = Annotated[str | None, typer.Option("--search", help="Words (all of them) in description, customer, proposer, notes or progress notes.")]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a read command makes its rows and prints
    them (`overdue`, `list --format json`); the caller lets go of the rows inside the block.

    The services pause it while they make their records (storage.stored.bulk_objects) and
    resume it after: with tens of thousands of acyclic records alive, the first collection
    then traversed them all (a twentieth of `overdue --json`) only to free nothing. Resumed once
    the rows are gone, it has next to nothing left to look at."""
    from ..services.context import collector_paused as paused

    with paused():
        yield


def area(help: str | None = None) -> typer.Typer:
    """The Typer app of one area of commands; the root merges its commands (`add_typer` without
    a name), so the area needs no callback and no error handling of its own."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None, add_completion=False)


# -- the --help of the commands that take a source or a type -------------------------------------
class VocabularyHelp(TyperCommand):
    """A command whose `--source` / `--type` help lists the keys it accepts: the database's own
    entries when they can be read at once (services.vocab.for_help), else the built-in ones."""

    def format_help(self, ctx: ClickContext, formatter: Any) -> None:
        from ..services.vocab import for_help
        from ..views.vocab import help_text

        root = ctx.find_root().obj
        st = root if isinstance(root, State) else None
        try:
            lang = st.lang if st is not None else "en"
        except InvalidInput:
            lang = "en"
        vocabs = for_help(st.db if st is not None else None)
        for param in self.params:
            if param.name in ("source", "type") and isinstance(param, typer.core.TyperOption):
                base = getattr(param, "_reqtrack_base_help", None)
                if base is None:
                    base = (param.help or param.name.capitalize()).rstrip(".")
                    param._reqtrack_base_help = base  # type: ignore[attr-defined]
                param.help = help_text(base, param.name, vocabs, lang)
        super().format_help(ctx, formatter)
