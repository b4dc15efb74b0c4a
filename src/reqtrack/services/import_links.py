"""Import, the Links column (docs/excel.md): after the rows are created and updated, in the same
transaction, the links the sheet names that the database lacks are made.

Each line of a row's cell names a link from or to the row's request (excel.validator.parse_links);
a link appears on both of its rows, once each way, and is made once. Between two requests new
to the database only the link is stored: their process logs already hold the history entries
(read back from the cells). A link that involves a request the database had is made as
`reqtrack link` makes it, with a `link` entry on both requests ("imported from FILE, row N").
A link to an ID neither in the sheet nor in the database, to the row itself, a duplicate cycle,
or two kinds for one pair refuse the whole file (exit 2). Links the database holds that the
sheet does not name are left as they are: a sheet never removes a link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..domain import links as rules
from ..domain.errors import InvalidInput, Message
from ..domain.record import Link, Request
from ..domain.vocab import LINK_KIND, Term
from .import_rows import ImportProblem, ImportRefused, ParsedRow

if TYPE_CHECKING:
    from pathlib import Path

    from ..excel.columns import Column
    from ..storage.repository import UnitOfWork
    from .context import Context, Inputs

Pair = tuple[str, str]  # (from, to)


def wanted_links(rows: list[ParsedRow], column: Column | None, known: set[str], exists: Callable[[str], bool],
                 problems: list[ImportProblem]) -> dict[Pair, tuple[str, ParsedRow]]:
    """The links the sheet's cells name: (from, to) → (kind, the first row naming it). `known`:
    the IDs of the sheet's rows; `exists(id)`: whether the database holds it."""
    wanted: dict[Pair, tuple[str, ParsedRow]] = {}
    name = column.name if column is not None else ""
    for row in rows:
        own = row.id or row.target
        for kind, direction, other in row.values.get("links") or []:
            if own is None:
                continue
            if other == own:
                problems.append(ImportProblem(row.number, name, other, Message("links the request to itself")))
                continue
            if other not in known and not exists(other):
                problems.append(ImportProblem(row.number, name, other, Message(
                    "is neither a row of this sheet nor a request in the database; a link must name a request that "
                    "exists")))
                continue
            pair = (own, other) if direction == "out" else (other, own)
            seen = wanted.get(pair) or wanted.get((pair[1], pair[0]))
            if seen is not None and (seen[0] != kind or (pair not in wanted and kind != "related")):
                problems.append(ImportProblem(row.number, name, other, Message(
                    "is linked as {kind} on row {row}; two requests have one link between them",
                    kind=Term(LINK_KIND, seen[0]), row=seen[1].number)))
                continue
            if seen is None:
                wanted[pair] = (kind, row)
    return wanted


def apply_links(ctx: Context, uow: UnitOfWork, settings: Inputs, rows: list[ParsedRow], column: Column | None,
                created: set[str], path: Path, dry_run: bool, known: set[str]) -> int:
    """Make the links the sheet names that the database lacks (after the rows are written);
    returns how many. `rows`: those with a Links cell; `known`: the IDs of every row of the sheet
    (its own or the one it took); `created`: those new to the database. ImportRefused (nothing
    written) for a link that cannot be made."""
    from ..storage.stored import time_to_stored
    from .links import store_links
    from .upkeep import keep_deadlines

    repo = uow.requests
    problems: list[ImportProblem] = []
    wanted = wanted_links(rows, column, known, repo.exists, problems)
    if problems:
        raise ImportRefused(path, problems)
    if not wanted or dry_run:
        return len(wanted) if dry_run else 0
    loaded = repo.get_many(sorted({rid for pair in wanted for rid in pair}))
    touched: dict[str, Request] = {}
    made = 0
    for (source, target), (kind, row) in wanted.items():
        request, other = loaded[source], loaded[target]
        if rules.between(request, target) == Link(target, kind, "out"):
            continue
        try:
            if source in created and target in created:
                rules.check_link(request, other, kind, repo.linked_to)
                _set(request, Link(target, kind, "out"))
                _set(other, Link(source, kind, "in"))
                repo.put_link(source, target, kind, time_to_stored(ctx.now))
            else:
                rules.link(request, other, kind, ctx.now, ctx.now, ctx.actor, repo.linked_to,
                           note=f"imported from {path.name}, row {row.number}")
                store_links(uow, settings, request, other, ctx.now)
        except InvalidInput as exc:
            problems.append(ImportProblem(row.number, column.name if column else "", target, exc.message))
            continue
        touched[source], touched[target] = request, other
        made += 1
    if problems:
        raise ImportRefused(path, problems)
    keep_deadlines(uow, settings, list(touched.values()))  # the recurrence facts, the documents
    return made


def _set(request: Request, link: Link) -> None:
    request.links = sorted([item for item in request.links if item.id != link.id] + [link], key=lambda item: item.id)
