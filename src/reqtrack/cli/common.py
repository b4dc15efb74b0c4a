"""What every area of the command line shares: the global state (cli/session.py's `State`), the
one error-handling group, `say`, and the options several commands take.

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
from .session import DEBUG_ENV, State, finish, guarded, language
from .session import error_text as _error_text

if TYPE_CHECKING:
    from typer._click import Context as ClickContext  # Typer 0.28 runs on its own copy of click


def say(message: object, err: bool = False, lines: bool = False) -> None:
    """Print a line for people: user text in it (IDs, names, paths, quoted input) with its
    control characters made visible (`views.text.visible`), so the terminal obeys none of it;
    `lines` keeps newlines and tabs (a message of several lines, e.g. an import's problems)."""
    typer.echo(visible(message, multiline=lines), err=err)


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
    return language(given)


def error_text(exc: ReqtrackError | Message | str, ctx: ClickContext | None = None) -> str:
    """An error (or a note) in the language of the command line, its times in the database's zone
    (once the command has read it)."""
    root = ctx.find_root().obj if ctx is not None else None
    return _error_text(exc, _language(ctx), root if isinstance(root, State) else None)


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
            finish(ctx.obj, say)

    def _invoke(self, ctx: ClickContext) -> Any:
        def typers_own(exc: Exception) -> bool:
            # Typer's (or click's) own exits and usage errors carry their exit codes: let them through.
            if type(exc).__module__.split(".")[0] in ("typer", "click") or os.environ.get(DEBUG_ENV) == "1":
                _usage_error_shown_visibly(exc, _language(ctx))
                return True
            return False

        result, status = guarded(lambda: super(ReqtrackGroup, self).invoke(ctx), lambda exc: error_text(exc, ctx),
                                 say, typers_own)
        if status is not None:
            ctx.exit(status)
        return result


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
