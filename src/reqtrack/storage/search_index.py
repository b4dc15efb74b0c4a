"""The search documents and links of requests (tables search_doc and link, migration m007): their
statements, once, for both engines; what is particular to an engine (the full-text index over
search_doc, how a term is looked up in it) is storage/engine.py's `Engine.search_condition`,
`search_candidates` and `create_search_index`.

`search_doc` holds one row per request: its search document (domain.search.search_doc, the same
text on both engines) and whether it is open. The index over it is derived data: SQLite's FTS5
table is kept by triggers on search_doc, PostgreSQL's GIN indexes by the server; the services
keep search_doc in the same transaction as every write (services/upkeep.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..domain.record import Link, Request
from ..domain.search import DOC_FIELDS, SCORE_PAD, SCORE_WEIGHTS, SearchDoc, document
from ..domain.vocab import OPEN_STATUSES
from .engine import SQLITE, Engine

SEARCH_INDEX_BASIS = "search_index"  # its row in `derived`
SEARCH_INDEX_VERSION = "1"  # what domain.search.search_doc computes; a new meaning, a new version
SEARCH_DOC_COLUMNS = ("request_id", "is_open", *DOC_FIELDS)
RANKED = 500  # a search ranks at most the newest this many documents that contain every term
SIMILAR_WINDOW = 1000  # likely duplicates: the newest this many open requests (of the customer, and of any)
LINK_COLUMNS = ("request_id", "other_id", "kind", "at")
_CHUNK = 500
_REBUILD_CHUNK = 2000


def _engine(conn: Any) -> Engine:
    return getattr(conn, "engine", SQLITE)


def score_sql(terms: Sequence[str]) -> tuple[str, list[str]]:
    """domain.search.score in SQL over `d` (a search_doc row), the same on both engines, with
    its parameters."""
    parts: list[str] = []
    params: list[str] = []
    for name in DOC_FIELDS:
        covered = " + ".join(f"(length(d.{name}) - length(replace(d.{name}, ?, '')))" for _ in terms)
        parts.append(f"{SCORE_WEIGHTS[name]} * CAST({covered} AS DOUBLE PRECISION) / (length(d.{name}) + {SCORE_PAD})")
        params.extend(terms)
    return " + ".join(parts), params


def rebuild_search_docs(conn: Any) -> int:
    """Every request's search document computed afresh from the records (the request's fields
    and the notes of its progress entries), a chunk of requests at a time; returns how many.
    The index over search_doc follows (SQLite's triggers, PostgreSQL's GIN indexes). Run inside
    the caller's transaction (the migration's, or a write command's)."""
    engine = _engine(conn)
    conn.execute("DELETE FROM search_doc")
    conn.execute("DELETE FROM derived WHERE name = ?", (SEARCH_INDEX_BASIS,))
    insert = engine.insert("search_doc", SEARCH_DOC_COLUMNS)
    total = 0
    last = ""
    while True:
        rows = conn.execute("SELECT id, status, customer, proposer, description, notes FROM request WHERE id > ? "
                            "ORDER BY id LIMIT ?", (last, _REBUILD_CHUNK)).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        ids = [row[0] for row in rows]
        notes: dict[str, list[str]] = {rid: [] for rid in ids}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            for rid, note in conn.execute(
                    f"SELECT request_id, note FROM event WHERE request_id IN ({engine.marks(len(chunk))}) "
                    "AND action IN ('progress', 'complete') ORDER BY request_id, seq", chunk):
                if note:
                    notes[rid].append(note)
        conn.executemany(insert, [document(rid, status in OPEN_STATUSES, customer, proposer,
                                           description, note, "\n".join(notes[rid])).row()
                                  for rid, status, customer, proposer, description, note in rows])
        total += len(rows)
    conn.execute(engine.insert("derived", ("name", "basis")), (SEARCH_INDEX_BASIS, SEARCH_INDEX_VERSION))
    return total


class SearchStore:
    """The repository's statements on search_doc and link (mixed into storage.repository.Repository,
    which gives `conn` and `engine`)."""

    conn: Any
    engine: Engine

    def _ids_chunks(self, request_ids: Sequence[str]) -> Iterator[list[str]]:
        for start in range(0, len(request_ids), _CHUNK):
            yield list(request_ids[start:start + _CHUNK])

    # -- search documents -----------------------------------------------------------------------------
    def search_index_basis(self) -> str | None:
        row = self.conn.execute("SELECT basis FROM derived WHERE name = ?", (SEARCH_INDEX_BASIS,)).fetchone()
        return row[0] if row else None

    def put_search_docs(self, docs: Iterable[SearchDoc]) -> None:
        """Store these search documents (replacing a request's previous one)."""
        rows = [doc.row() for doc in docs]
        if rows:
            self.engine.upsert_rows(self.conn, "search_doc", SEARCH_DOC_COLUMNS, ("request_id",), rows)

    def rebuild_search_docs(self) -> int:
        return rebuild_search_docs(self.conn)

    def search_docs(self, request_ids: Sequence[str] | None = None) -> Iterator[SearchDoc]:
        """The stored search documents (of these requests, or all in request ID order)."""
        columns = ", ".join(SEARCH_DOC_COLUMNS)
        if request_ids is None:
            cursor = self.conn.execute(f"SELECT {columns} FROM search_doc ORDER BY request_id")
            for rows in iter(lambda: cursor.fetchmany(1000), []):
                for row in rows:
                    yield SearchDoc(row[0], bool(row[1]), *row[2:])
            return
        for chunk in self._ids_chunks(request_ids):
            for row in self.conn.execute(f"SELECT {columns} FROM search_doc WHERE request_id IN "
                                         f"({self.engine.marks(len(chunk))})", chunk).fetchall():
                yield SearchDoc(row[0], bool(row[1]), *row[2:])

    def search(self, terms: Sequence[str], limit: int, open_only: bool = False) -> list[tuple[str, float]]:
        """(request ID, score) of the requests whose document contains every term, best first
        (then the higher ID first), at most `limit`. The newest RANKED documents that contain
        every term are scored (the engine's index finds them newest first and stops there), so
        a term found in many thousands of requests costs what a rarer one does."""
        candidates, params = self.engine.search_candidates(self.conn, terms, open_only)
        score, score_params = score_sql(terms)
        rows = self.conn.execute(
            f"SELECT d.request_id, {score} AS score FROM search_doc d WHERE d.id IN ({candidates}) "
            "ORDER BY score DESC, d.request_id DESC LIMIT ?",
            [*score_params, *params, max(RANKED, limit), limit]).fetchall()
        return [(rid, round(float(value), 4)) for rid, value in rows]

    def search_filter(self, terms: Sequence[str]) -> tuple[str, list[Any]]:
        """`request.id IN (...)` for the requests whose document contains every term (for the
        WHERE of `list --search`, storage.stored.where_clause)."""
        condition, params = self.engine.search_condition(self.conn, terms)
        return f"id IN (SELECT d.request_id FROM search_doc d WHERE {condition})", params

    def similar_candidates(self, customer: str) -> list[tuple[str, str, str]]:
        """(request ID, stored customer, stored description) of the open requests a new one of
        `customer` (stored form) may repeat: the newest SIMILAR_WINDOW open requests of that
        customer, then the newest SIMILAR_WINDOW open requests of any (two index ranges; the
        same rows on both engines)."""
        columns = "request_id, customer, description FROM search_doc WHERE is_open = 1"
        same = self.conn.execute(f"SELECT {columns} AND customer = ? ORDER BY id DESC LIMIT ?",
                                 (customer, SIMILAR_WINDOW)).fetchall()
        recent = self.conn.execute(f"SELECT {columns} ORDER BY id DESC LIMIT ?", (SIMILAR_WINDOW,)).fetchall()
        return [*same, *recent]

    def search_index_size(self) -> dict[str, int | None]:
        """Bytes of the index beyond search_doc, and the rows of search_doc."""
        count = self.conn.execute("SELECT count(*) FROM search_doc").fetchone()[0]
        return {"documents": int(count), "index_bytes": self.engine.search_index_size(self.conn)}

    # -- links ---------------------------------------------------------------------------------------
    def links_of(self, request_ids: Sequence[str]) -> dict[str, list[Link]]:
        """Each request's links, both ways, by the other's ID."""
        result: dict[str, list[Link]] = {rid: [] for rid in request_ids}
        for chunk in self._ids_chunks(request_ids):
            marks = self.engine.marks(len(chunk))
            for rid, other, kind in self.conn.execute(
                    f"SELECT request_id, other_id, kind FROM link WHERE request_id IN ({marks})", chunk).fetchall():
                result[rid].append(Link(other, kind, "out"))
            for rid, other, kind in self.conn.execute(
                    f"SELECT other_id, request_id, kind FROM link WHERE other_id IN ({marks})", chunk).fetchall():
                result[rid].append(Link(other, kind, "in"))
        for links in result.values():
            links.sort(key=lambda link: link.id)
        return result

    def linked_to(self, request_id: str, kind: str) -> list[str]:
        """The requests `request_id` links to (direction out) as `kind`."""
        return [other for (other,) in self.conn.execute(
            "SELECT other_id FROM link WHERE request_id = ? AND kind = ? ORDER BY other_id", (request_id, kind))]

    def put_link(self, request_id: str, other_id: str, kind: str, at: str) -> None:
        """Store the link from `request_id` to `other_id` (replacing any between the two)."""
        self.drop_link(request_id, other_id)
        self.conn.execute(self.engine.insert("link", LINK_COLUMNS), (request_id, other_id, kind, at))

    def drop_link(self, request_id: str, other_id: str) -> None:
        """Remove the link between the two, whichever way it goes."""
        self.conn.execute("DELETE FROM link WHERE (request_id = ? AND other_id = ?) OR (request_id = ? AND other_id = ?)",
                          (request_id, other_id, other_id, request_id))

    def add_links(self, requests: Sequence[Request], at: dict[str, str]) -> None:
        """Store the outgoing links of new requests (import, bulk creation); `at`: request ID →
        the stored time to record for its links."""
        rows = [(r.id, link.id, link.kind, at[r.id]) for r in requests for link in r.links if link.direction == "out"]
        if rows:
            self.conn.executemany(self.engine.upsert("link", LINK_COLUMNS, ("request_id", "other_id")), rows)

    def link_rows(self) -> list[tuple[str, str, str]]:
        """Every stored link (from, to, kind), in key order (for `check`)."""
        return [tuple(row) for row in self.conn.execute(
            "SELECT request_id, other_id, kind FROM link ORDER BY request_id, other_id").fetchall()]

    def any_links(self) -> bool:
        return self.conn.execute("SELECT 1 FROM link LIMIT 1").fetchone() is not None
