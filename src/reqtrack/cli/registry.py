"""Every top-level command and group of `reqtrack`: where it lives and what the root's `--help`
says about it, so that a start loads only the area of the command that runs (cli/root.py) and
`--version` / `--help` need no area at all (cli/fast.py).

Standard library only, and nothing imported: `reqtrack --version` reads this module before Typer
is loaded. The summaries are the commands' own: the first sentence of the command's docstring
(of the group's help for a group), as Click shortens it with no limit;
tests/cli/test_registry.py checks each one against its command, and that the registry lists every
command of the areas, in the order the root added them before the registry.
"""

from __future__ import annotations

VERSION_TEXT = "reqtrack {version}"

# The root's own words: cli/root.py declares the options with these, cli/fast.py prints them.
ROOT_HELP = ("Track customer requirements and complaints through a closed loop: receive, classify, assess, assign, "
             "track, verify, close — and never miss a deadline.")
DB_HELP = "Database: a file (default: in the user's data directory) or a postgresql://user@host/dbname URL."
LANG_HELP = "Language of labels: en, zh-CN or zh-TW."
VERSION_HELP = "Print the version and exit."
MAX_CONTENT_WIDTH = 400  # help as wide as the terminal (Click stops at 80 columns otherwise)


class Entry:
    """One top-level command: its name, the module of `reqtrack.cli` that defines it, the Typer
    app there that holds it, whether it is that app itself (a named group such as `config`)
    rather than one of its commands, and the summary the root's `--help` lists. (A plain class:
    a NamedTuple would import typing, a tenth of `--version`'s time.)"""

    __slots__ = ("name", "module", "app", "group", "summary")

    def __init__(self, name: str, module: str, app: str, group: bool, summary: str) -> None:
        self.name = name
        self.module = module
        self.app = app
        self.group = group
        self.summary = summary

    def __repr__(self) -> str:
        return f"Entry({self.name!r}, {self.module!r}, {self.app!r}, {self.group!r}, {self.summary!r})"


def _commands(module: str, *rows: tuple[str, str]) -> list[Entry]:
    return [Entry(name, module, "app", False, summary) for name, summary in rows]


COMMANDS: tuple[Entry, ...] = (
    *_commands(
        "requests",
        ("new", "Register a new request; prints its ID (and, on stderr, open requests that look like the same problem)."),
        ("classify", "Classify and assess: type, priority, feasibility, scores."),
        ("assign", "Assign an owner and a planned completion; the request becomes in-progress."),
        ("progress", "Record progress (on a pending request: the acknowledgement to the customer)."),
        ("verify", "Record the verification: --pass (done) or --fail --note (back to in-progress)."),
        ("close", "Close (archive) a done request."),
        ("rate", "Record satisfaction from the follow-up survey."),
        ("cancel", "Cancel an open request (--duplicate-of: as a duplicate of the one kept)."),
        ("reopen", "Reopen done or closed work (counts as a recurrence)."),
        ("edit", "Correct fields; the old and new values go into the history."),
        ("attach", "Store a file the customer gave inside the database."),
        ("attachment", "Write a stored attachment back out to a file."),
        ("show", "Show one request with its history, newest first."),
        ("list", "List requests, newest first."),
    ),
    *_commands(
        "links",
        ("link", "Link two requests: ID is a duplicate, recurrence, dependant or relative of OTHER."),
        ("unlink", "Remove the link between two requests (whichever way it goes)."),
        ("search", "Full-text search over description, customer, proposer, notes and progress notes, best first."),
        ("similar", "Open requests that look like the same problem as ID (the same customer first)."),
        ("reindex", "Rebuild the search index and the stored JSON texts from the records (when `check` finds them apart)."),
    ),
    *_commands("sla", ("overdue", "List open requests past a deadline; exit 1 when anything is listed (for cron).")),
    *_commands("notices", ("notice", "Print the filled customer notice: a subject line, a blank line, the body.")),
    *_commands("remind", ("remind", "List, per person, what is due now; exit 1 when anything is (for cron).")),
    *_commands("report", ("report", "Figures for a period: volumes, response and resolution against the SLA, "
                                    "satisfaction, trend.")),
    *_commands(
        "admin",
        ("backup", "Copy the database to FILE, safely while others are writing; the copy is private and verified."),
        ("check", "Check the database: integrity, schema, counts and inconsistent records; exit 1 on a problem."),
        ("copy", "Copy the whole database into TARGET (file or server, either way): all or nothing, verified."),
    ),
    *_commands(
        "files",
        ("export", "Write the template's sheet (18 columns) for the weekly meeting: xlsx, CSV or JSON."),
        ("import", "Take over a sheet: new rows become requests, changed rows update them (all or nothing)."),
    ),
    Entry("config", "sla", "config_app", True, "Shared settings: time zone, calendar, SLA targets."),
    Entry("vocab", "vocab", "vocab_app", True,
          "The team's sources and types: keys, labels in three languages, aliases, default departments."),
    Entry("template", "notices", "template_app", True, "The notice templates the whole team sends: show, set, reset."),
    Entry("people", "remind", "people_app", True,
          "The people who appear as owners and liaisons, with their e-mail addresses."),
)

BY_NAME: dict[str, Entry] = {entry.name: entry for entry in COMMANDS}


def short_help(summary: str, limit: int) -> str:
    """`summary` cut to `limit` characters as Click cuts a command's help for a list of commands
    (whole words, "..." when cut; a sentence's end stops it): the same algorithm as Click's
    `make_default_short_help`, so that the root's list reads as it did when every command was
    loaded to give it (tests/cli/test_registry.py compares the two)."""
    words = summary.split()
    if not words:
        return ""
    total = 0
    last = len(words) - 1
    index = 0
    for index, word in enumerate(words):
        total += len(word) + (index > 0)
        if total > limit:
            break
        if word[-1] == ".":
            return " ".join(words[: index + 1])
        if total == limit and index != last:
            break
    else:
        return " ".join(words)
    total += len("...")
    while index > 0:
        total -= len(words[index]) + (index > 0)
        if total <= limit:
            break
        index -= 1
    return " ".join(words[:index]) + "..."
