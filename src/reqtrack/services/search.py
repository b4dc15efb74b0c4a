"""Search and likely duplicates (SPEC §9, docs/search.md): `search`, `similar`, the likely
duplicates `new` warns of, and the check of the search index against the records.

The documents and the index are kept by services.upkeep on every write; these read them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidInput
from ..domain.search import SIMILAR_SHOWN, Similar, Snippet, progress_notes, query_terms, rank_similar, snippet, stored_field
from .context import Context, inputs

if TYPE_CHECKING:
    from ..storage.repository import Repository

DEFAULT_LIMIT = 20


@dataclass
class Hit:
    """One request a search found: its ID, status, customer, score and the fragment that matched."""

    id: str
    status: str
    customer: str
    score: float
    snippet: Snippet | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "customer": self.customer, "score": self.score,
                "snippet": self.snippet.text if self.snippet else ""}


def search(ctx: Context, text: str, *, open_only: bool = False, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """The requests whose customer, proposer, description, notes or progress notes contain every
    word of `text`, best first (domain.search.score), at most `limit`, each with its fragment."""
    terms = query_terms(text or "")
    if not terms:
        raise InvalidInput("search needs some text to look for")
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    with ctx.reader() as uow:
        found = uow.requests.search(terms, limit, open_only)
        requests = uow.requests.get_many([rid for rid, _ in found])
    hits = []
    for rid, score in found:
        request = requests.get(rid)
        if request is None:  # a document without its request: `check` reports it
            continue
        fields = [("description", request.description), ("notes", request.notes),
                  ("progress", progress_notes(request.history)), ("customer", request.customer),
                  ("proposer", request.proposer)]
        hits.append(Hit(rid, request.status, request.customer, score, snippet(fields, terms)))
    return hits


def likely_duplicates(repo: Repository, customer: str, description: str, exclude: str | None = None,
                      limit: int = SIMILAR_SHOWN) -> list[Similar]:
    """The open requests that look like the same problem as `description` of `customer` (the same
    customer first, then any; domain.search.rank_similar), among the newest open ones
    (storage.search_index.SIMILAR_WINDOW of the customer, and of any customer)."""
    candidates = repo.similar_candidates(stored_field(customer))
    return rank_similar(description, customer, candidates, exclude=exclude, limit=limit)


def similar(ctx: Context, request_id: str, *, limit: int = 10) -> list[Similar]:
    """The open requests that look like the same problem as an existing request."""
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    with ctx.reader() as uow:
        request = uow.requests.get(request_id.strip())
        return likely_duplicates(uow.requests, request.customer, request.description, exclude=request.id, limit=limit)


def reindex(ctx: Context) -> dict[str, int | None]:
    """Compute every search document afresh from the records and rebuild the engine's index over
    them, and make every request's stored JSON text afresh (services/documents.py) — a repair,
    after `check` found them apart; returns the index's size."""
    from ..storage.json_docs import rebuild_json_docs

    with ctx.unit_of_work(write=True) as uow:
        uow.requests.rebuild_search_docs()
        uow.engine.rebuild_search_index(uow.conn)
        rebuild_json_docs(uow.requests, inputs(uow, ctx).tz)
        size = uow.requests.search_index_size()
        uow.commit()
    return size


def index_size(ctx: Context) -> dict[str, int | None]:
    """How many documents the search index holds and the bytes of the engine's index."""
    with ctx.reader() as uow:
        return uow.requests.search_index_size()


# -- check ----------------------------------------------------------------------------------------
def search_index_problems(conn: Any) -> tuple[list[Any], str | None]:
    """What `check` finds wrong with the search index and the links, as services.admin.Problem
    (kinds `search-index` and `links`), with a note when the index has not been computed yet:
    search documents that differ from what the records give (missing, different, or of a
    request that does not exist); rows of the engine's index that do not match the documents
    (`Engine.search_index_problems`); links to or from a request that does not exist, and pairs
    whose latest recorded link change disagrees with the stored link. `conn`: the check's
    connection, inside its read transaction."""
    from ..domain.search import search_doc
    from ..storage.repository import Repository
    from ..storage.search_index import SEARCH_INDEX_VERSION
    from .admin import Problem
    from .upkeep import chunks_with_histories

    repo = Repository(conn)
    problems = [Problem("links", message, rid) for rid, message in _link_problems(repo)]
    if repo.search_index_basis() != SEARCH_INDEX_VERSION:
        return problems, "search index not computed yet: the next write command computes it"
    seen: set[str] = set()
    for chunk in chunks_with_histories(repo):
        stored = {doc.request_id: doc for doc in repo.search_docs([r.id for r in chunk])}
        for request in chunk:
            seen.add(request.id)
            if stored.get(request.id) != search_doc(request):
                what = "is missing" if request.id not in stored else "differs from its record"
                problems.append(Problem("search-index", f"{request.id}'s search document {what}; the next change "
                                        "to it (`reqtrack edit`, `progress`, ...) rewrites it", request.id))
    for doc in repo.search_docs():
        if doc.request_id not in seen:
            problems.append(Problem("search-index", f"a search document is stored for {doc.request_id}, which is "
                                    "not in the database", doc.request_id))
    problems += [Problem("search-index", message) for message in repo.engine.search_index_problems(conn)]
    return problems, None


def _link_problems(repo: Repository) -> list[tuple[str, str]]:
    """(request ID, message) for stored links naming a request that does not exist, and for
    pairs whose latest recorded change (the `link` / `unlink` entries' `{"link": [old, new]}`,
    as each side recorded it) disagrees with the stored link. A link read back from a sheet's
    process log records no change and is not judged."""
    from ..domain.links import link_from_json
    from ..domain.record import Link

    found: list[tuple[str, str]] = []
    stored: dict[tuple[str, str], Link] = {}
    for a, b, kind in repo.link_rows():
        stored[(a, b)], stored[(b, a)] = Link(b, kind, "out"), Link(a, kind, "in")
        for rid in (a, b):
            if not repo.exists(rid):
                found.append((rid, f"a link between {a} and {b} names {rid}, which is not in the database"))
    latest: dict[tuple[str, str], Link | None] = {}
    for rid, changes in repo.conn.execute("SELECT request_id, changes FROM event WHERE action IN ('link', 'unlink') "
                                          "ORDER BY request_id, seq"):
        try:
            old, new = json.loads(changes)["link"]
        except (TypeError, ValueError, KeyError):
            continue
        seen_new = link_from_json(new)
        either = seen_new or link_from_json(old)
        if either is not None:
            latest[(rid, either.id)] = seen_new
    for (rid, other), link in sorted(latest.items()):
        if stored.get((rid, other)) != link:
            said = f"as {link.kind} ({link.direction})" if link else "as removed"
            now = stored.get((rid, other))
            found.append((rid, f"{rid}'s history records its link with {other} {said}, but the stored link is "
                          + (f"{now.kind} ({now.direction})" if now else "missing")))
    return found
