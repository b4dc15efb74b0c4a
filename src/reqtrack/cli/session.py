"""What a command's run needs besides Typer: the global state, the one ladder that turns every
error into a sentence and an exit status, and the word on an upgraded database.

Standard library, `domain.errors` and `views.text` only, so that a command answered without
Typer (cli/direct.py) runs exactly as the Typer app runs it (cli/common.py's `ReqtrackGroup`
uses the same functions).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..domain.errors import ExitStatus, Message, ReqtrackError
from ..views.text import visible

if TYPE_CHECKING:
    from ..services import Context

DEBUG_ENV = "REQTRACK_DEBUG"
T = TypeVar("T")


def write_line(message: object, err: bool = False, lines: bool = False) -> None:
    """A line for people on stdout (stderr: `err`), user text in it made visible
    (`views.text.visible`; `lines` keeps newlines and tabs): what `typer.echo` writes of it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{visible(message, multiline=lines)}\n")
    stream.flush()


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

        write_line(f"reqtrack: {render(message, self.lang, None)}", err=True)

    @property
    def opened(self) -> Context | None:
        """The services' Context if a command made one, else None."""
        return self._ctx


def guarded(call: Callable[[], T], text_of: Callable[[ReqtrackError | Message], str], say: Callable[..., None],
            passes: Callable[[Exception], bool] = lambda exc: False) -> tuple[T | None, int | None]:
    """(what `call` returned, None), or (None, the exit status) once its error is said in one
    sentence on stderr (`text_of` renders it): a ReqtrackError its own status, Ctrl-C 130, a
    reader gone away (`| head`) success, anything else an internal error. `passes`: exceptions
    to raise as they are (Typer's exits and usage errors); REQTRACK_DEBUG=1 raises every one."""
    try:
        result = call()
        sys.stdout.flush()  # what waits in the buffer: a reader gone away is met here, not at Python's exit (120)
        return result, None
    except ReqtrackError as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        say(f"reqtrack: {text_of(exc)}", err=True, lines=True)  # an import's problems: one line each
        return None, int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write(f"reqtrack: {text_of(Message('interrupted; nothing half-written was kept'))}\n")
        return None, int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # Point stdout at /dev/null so that Python's final flush does not complain about the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return None, int(ExitStatus.SUCCESS)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if passes(exc) or os.environ.get(DEBUG_ENV) == "1":
            raise
        internal = Message("internal error ({kind}: {detail}); please report it (run again with {variable}=1 for the "
                           "traceback)", kind=type(exc).__name__, detail=str(exc), variable=DEBUG_ENV)
        say(f"reqtrack: {text_of(internal)}", err=True)
        return None, int(ExitStatus.INTERNAL)


def error_text(exc: ReqtrackError | Message | str, lang: str, st: State | None) -> str:
    """An error (or a note) in `lang`, its times in the database's zone once the command has read it."""
    from ..views.messages import render

    opened = st.opened if st is not None else None
    return render(exc, lang, opened.zone if opened is not None else None)


def language(given: str | None) -> str:
    """The language errors are shown in: `given` (the root's --lang or REQTRACK_LANG) when it is
    one, else English."""
    from ..domain.errors import InvalidInput
    from ..domain.vocab import normalise_language

    try:
        return normalise_language(given)
    except InvalidInput:
        return "en"


def finish(st: Any, say: Callable[..., None]) -> None:
    """After any command that opened (and so upgraded) an older database: say where the copy of
    the old file is — also when the command itself then failed — and close the database."""
    opened = st.opened if isinstance(st, State) else None
    if opened is None:
        return
    try:
        from ..views.labels import label

        lang = opened.lang
        for database, old_schema, backup_path in opened.upgrades():
            said = label("upgraded", lang, database=database, schema=old_schema)
            if backup_path is not None:
                said = label("upgraded.kept", lang, said=said, path=backup_path)
            say(f"reqtrack: {said}", err=True)
    finally:
        opened.close()
