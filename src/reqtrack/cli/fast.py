"""`reqtrack --version`, `reqtrack --help` (`-h`) and a bare `reqtrack`, answered before Typer is
imported: importing Typer (and its copy of Click) alone costs several times a whole start of
Python, more than these answers are worth.

The help is the one the Typer app of cli/root.py prints, written here with the same layout rules
as Click's help formatter (`HelpFormatter`: usage, the help text, the definition lists of options
and commands, the terminal's width up to 400 columns); tests/cli/test_registry.py compares the two
at many widths, so a change of an option on one side fails there. Anything else (other
arguments, shell completion, text in the environment that is not UTF-8, a stream that cannot
print the help's em dash) goes the full way, through Typer.

Standard library only; `textwrap` (hence `re`, which the console script imports anyway) only
for the help.
"""

from __future__ import annotations

import os
import sys

from .. import __version__
from . import registry

TYPE_CHECKING = False  # not typing's (nor collections.abc): neither is imported on this path
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

PROG = "reqtrack"
COMPLETE_VAR = "_REQTRACK_COMPLETE"

# The root's options as Typer writes them in `--help` (name and metavar; help, env var, default).
OPTIONS: tuple[tuple[str, str], ...] = (
    ("--db <str>", f"{registry.DB_HELP}  [env var: REQTRACK_DB]"),
    ("--lang <str>", f"{registry.LANG_HELP}  [env var: REQTRACK_LANG; default: en]"),
    ("--version", registry.VERSION_HELP),
    ("--install-completion", "Install completion for the current shell."),
    ("--show-completion", "Show completion for the current shell, to copy it or customize the installation."),
    ("-h, --help", "Show this message and exit."),
)


def answer(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int | None:
    """Answer `--version`, `--help`/`-h` or no arguments at all, and return the exit status; None
    when the command line is anything else (the caller runs the Typer app)."""
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if environ is None else environ
    if len(args) > 1 or (args and args[0] not in ("--version", "--help", "-h")) or COMPLETE_VAR in env:
        return None
    if any(undecodable(value) for name, value in env.items() if name.startswith("REQTRACK_")):
        return None  # the full way refuses it, with its sentence
    if sys.stdout is None or sys.stderr is None:
        return None  # no console (pythonw): Typer's way copes
    if args == ["--version"]:
        return _write(sys.stdout, registry.VERSION_TEXT.format(version=__version__))
    stream = sys.stdout if args else sys.stderr  # a bare `reqtrack` prints the help on stderr, exit 2
    if not _utf8(stream):
        return None
    status = _write(stream, help_text(help_width(env)))
    return status if status or args else 2


def undecodable(text: str) -> bool:
    """Whether the text holds what is not UTF-8 (lone surrogates of undecodable bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _utf8(stream: object) -> bool:
    import codecs

    encoding = getattr(stream, "encoding", None)
    try:
        return encoding is not None and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _write(stream: object, text: str) -> int:
    """Print `text` and a newline; 1 when the reader has gone away (as Typer's `main` does)."""
    try:
        stream.write(text + "\n")  # type: ignore[attr-defined]
        stream.flush()  # type: ignore[attr-defined]
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)  # no second complaint at Python's final flush
        os.dup2(devnull, stream.fileno())  # type: ignore[attr-defined]
        return 1
    return 0


def help_width(env: Mapping[str, str]) -> int:
    """The width of the help: the terminal's columns (COLUMNS, else the terminal of stdout, else
    80, as `shutil.get_terminal_size` finds them), at most 400, less 2, at least 50 (Click's rule)."""
    try:
        columns = int(env["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return max(min(columns, registry.MAX_CONTENT_WIDTH) - 2, 50)


def help_text(width: int) -> str:
    """The root's `--help` at this width, as Click formats it for the Typer app."""
    names = [entry.name for entry in registry.COMMANDS]
    limit = width - 6 - max(len(name) for name in names)
    commands = [(entry.name, registry.short_help(entry.summary, limit)) for entry in registry.COMMANDS]
    prefix = f"Usage: {PROG} "
    parts = [_wrap("[OPTIONS] COMMAND [ARGS]...", width, prefix, " " * len(prefix)), "\n",
             "\n", _wrap(registry.ROOT_HELP, width, "  ", "  "), "\n",
             "\nOptions:\n", *_definitions(OPTIONS, width, 2),
             "\nCommands:\n", *_definitions(commands, width, 2)]
    return "".join(parts).rstrip("\n")


def _definitions(rows: Sequence[tuple[str, str]], width: int, indent: int) -> list[str]:
    """Click's `HelpFormatter.write_dl`: names in a column of at most 30, texts wrapped beside."""
    first_col = min(max(len(first) for first, _ in rows), 30) + 2
    text_width = max(width - first_col - 2, 10)
    out = []
    for first, second in rows:
        out.append(" " * indent + first)
        if len(first) <= first_col - 2:
            out.append(" " * (first_col - len(first)))
        else:
            out.append("\n" + " " * (first_col + indent))
        lines = _wrap(second, text_width).splitlines()
        out.append(lines[0] + "\n")
        out.extend(" " * (first_col + indent) + line + "\n" for line in lines[1:])
    return out


def _wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """Click's `wrap_text` of one paragraph: textwrap with whitespace kept, and a word longer than
    the line cut where the line ends."""
    import textwrap

    class Wrapper(textwrap.TextWrapper):
        def _handle_long_word(self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int) -> None:
            space_left = max(width - cur_len, 1)
            last = reversed_chunks[-1]
            cur_line.append(last[:space_left])
            reversed_chunks[-1] = last[space_left:]

    wrapper = Wrapper(width, initial_indent=initial_indent, subsequent_indent=subsequent_indent,
                      replace_whitespace=False)
    return wrapper.fill(text.expandtabs())
