"""`reqtrack overdue`, the command cron runs every morning, answered without Typer: importing
Typer and its copy of Click and building the command cost about an eighth of `overdue --json`
(docs/performance.md), for a command line whose every option is a plain value or a flag.

A command line of the root's `--db`/`--lang` and `overdue` with its own options (`--json`,
`--stale`, `--owner`, `--within`, `--as-of`; each at most once, `--name VALUE` or
`--name=VALUE`) runs here: the same State, the same service and printing
(`print_overdue`), the same ladder from errors to sentences and exit statuses
(cli/session.py), as the Typer app runs it. Anything else — help, another command, an option
repeated or unknown, `--`, completion, text that is not UTF-8, an empty REQTRACK_DB or
REQTRACK_LANG — goes the full way, through Typer, which has its own sentences for those.
tests/cli/test_direct.py runs the same command lines both ways and compares what they print.
"""

from __future__ import annotations

import os
import sys

from .fast import COMPLETE_VAR, undecodable

TYPE_CHECKING = False  # not typing's: this path imports as little as it can
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .session import State

ROOT_VALUES = {"--db": "db", "--lang": "lang"}
ROOT_ENV = {"db": "REQTRACK_DB", "lang": "REQTRACK_LANG"}
OVERDUE_VALUES = {"--as-of": "as_of", "--within": "within", "--owner": "owner"}
OVERDUE_FLAGS = {"--json": "json", "--stale": "stale"}


class OverdueLine:
    """An `overdue` command line this module answers: the root's `db` and `lang` as Typer
    resolves them (the option, else its environment variable, else the default) and overdue's
    own options (a plain class: this path imports neither typing nor dataclasses for it)."""

    __slots__ = ("db", "lang", "as_of", "within", "owner", "json", "stale")

    def __init__(self, given: Mapping[str, str | bool]) -> None:
        self.db: str | None = _text(given.get("db"))
        self.lang: str = _text(given.get("lang")) or "en"
        self.as_of: str | None = _text(given.get("as_of"))
        self.within: str | None = _text(given.get("within"))
        self.owner: str | None = _text(given.get("owner"))
        self.json: bool = given.get("json") is True
        self.stale: bool = given.get("stale") is True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OverdueLine) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __repr__(self) -> str:
        return "OverdueLine(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__) + ")"


def _text(value: str | bool | None) -> str | None:
    return value if isinstance(value, str) else None


def parse(args: Sequence[str], env: Mapping[str, str]) -> OverdueLine | None:
    """The `overdue` command line this module answers; None for any other command line."""
    if COMPLETE_VAR in env or "--" in args or any(undecodable(arg) for arg in args):
        return None
    if any(undecodable(value) for name, value in env.items() if name.startswith("REQTRACK_")):
        return None
    if "overdue" not in args:
        return None
    given: dict[str, str | bool] = {}
    split = list(args).index("overdue")
    if not _options(args[:split], ROOT_VALUES, {}, given):
        return None
    for name, variable in ROOT_ENV.items():
        if name not in given and variable in env:
            if not env[variable]:
                return None
            given[name] = env[variable]
    found: dict[str, str | bool] = {}
    if not _options(args[split + 1:], OVERDUE_VALUES, OVERDUE_FLAGS, found):
        return None
    return OverdueLine({**given, **found})


def _options(args: Sequence[str], values: Mapping[str, str], flags: Mapping[str, str],
             into: dict[str, str | bool]) -> bool:
    """Read `args` as options of `values` (each with a value) and `flags` into `into`; False at
    anything else, or an option given twice."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in flags and flags[arg] not in into:
            into[flags[arg]] = True
            index += 1
            continue
        name, equals, value = arg.partition("=")
        if name not in values or values[name] in into:
            return False
        if not equals:
            if index + 1 >= len(args):
                return False  # a missing value: Typer's usage error says so
            value = args[index + 1]
            index += 1
        into[values[name]] = value
        index += 1
    return True


def answer(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int | None:
    """Run an `overdue` command line that `parse` reads and return its exit status; None for any
    other (the caller runs the Typer app)."""
    line = parse(list(sys.argv[1:] if argv is None else argv), os.environ if environ is None else environ)
    if line is None or sys.stdout is None or sys.stderr is None:
        return None
    from ..domain.errors import ExitStatus
    from .session import State, error_text, finish, guarded, language, write_line

    st = State(line.db, line.lang)
    lang = language(st.lang_raw)
    try:
        found, status = guarded(lambda: print_overdue(st, line.as_of, line.within, line.stale, line.owner, line.json),
                                lambda exc: error_text(exc, lang, st), write_line)
    finally:
        finish(st, write_line)
    if status is not None:
        return status
    return int(ExitStatus.FOUND if found else ExitStatus.SUCCESS)


def print_overdue(st: State, as_of: str | None, within: str | None, stale: bool, owner: str | None,
                  json: bool) -> bool:
    """Read and print the overdue list with the cyclic collector paused until its rows are let go;
    whether it had rows."""
    from ..services.context import collector_paused

    with collector_paused():
        return _print_overdue(st, as_of, within, stale, owner, json)  # its rows go with its frame, paused


def _print_overdue(st: State, as_of: str | None, within: str | None, stale: bool, owner: str | None,
                   json: bool) -> bool:
    from ..services import sla
    from ..views.output import dump_json_lines
    from ..views.sla import overdue_json_lines, overdue_table

    report = sla.overdue(st.ctx, as_of=as_of, within=within, stale=stale, owner=owner)
    if json:
        dump_json_lines(overdue_json_lines(report))
    else:
        overdue_table(report, st.lang)
    return bool(report.rows)
