"""The stored JSON text of each open request (table request_json, migration m010): its
statements, once, for both engines.

`request_json` holds one row per open request (pending, in progress, verifying: the requests
people list all day, a tenth of a database in its usual shape): the request as one line of
compact JSON (domain.request_json.request_json_text), as `list --format json` prints it, in the
database's zone. It is derived data, like the running deadlines of table sla_open: every write
keeps the rows of the requests it changed in the same transaction (services/documents.py; a
request that is no longer open loses its row), and all of them are made again when what they
were made with — `derived.request_json`: REQUEST_JSON_VERSION and the zone — is not what a
writer would make them with now (a new format, `config set calendar.timezone`). Readers use them
only while that holds, and make the JSON of a request without one themselves.
Like the running deadlines, they are made with the time zone data of the machine that writes:
after an update of that data that moves the zone's offsets, `check` names the ones that
differ and `reqtrack reindex` makes them all again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.request_json import request_json_text
from ..domain.vocab import OPEN_STATUSES
from .stored import REQUEST_FIELDS, bulk_objects, request_from_row

if TYPE_CHECKING:
    from .engine import Engine
    from .repository import Repository

REQUEST_JSON_BASIS = "request_json"  # its row in `derived`
# What domain.request_json makes; a new meaning (a key added, another layout), a new version.
REQUEST_JSON_VERSION = "1"
JSON_DOC_COLUMNS = ("request_id", "body")
_CHUNK = 500  # IDs per IN (...)
_REBUILD_CHUNK = 2000  # requests loaded at a time while all are made again
_COLUMNS = ", ".join(f'"{name}"' for name in REQUEST_FIELDS)
_OPEN_MARKS = ", ".join("?" for _ in OPEN_STATUSES)


def request_json_basis(tz: ZoneInfo) -> str:
    """What stored JSON texts made now, in the database's zone `tz`, are made with."""
    return f"format={REQUEST_JSON_VERSION};zone={getattr(tz, 'key', None) or tz}"


def rebuild_json_docs(repo: Repository, tz: ZoneInfo | None) -> int:
    """Every open request's JSON text made afresh from its record (fields, history, attachments,
    links), a chunk of requests at a time, and the basis they were made with; returns how many.
    None for `tz` (the database's zone does not read), or a history that cannot be read (a
    hand's edit; `check` names it): none are stored, and readers make each request's JSON
    themselves. Run inside the caller's transaction (the migration's, or a write command's)."""
    conn, engine = repo.conn, repo.engine
    conn.execute("DELETE FROM request_json")
    conn.execute("DELETE FROM derived WHERE name = ?", (REQUEST_JSON_BASIS,))
    if tz is None:
        return 0
    total, last = 0, ""
    try:
        with bulk_objects():
            while rows := conn.execute(f"SELECT {_COLUMNS} FROM request WHERE id > ? AND status IN ({_OPEN_MARKS}) "
                                       "ORDER BY id LIMIT ?", (last, *OPEN_STATUSES, _REBUILD_CHUNK)).fetchall():
                requests = [request_from_row(row) for row in rows]
                ids = [request.id for request in requests]
                last = ids[-1]
                histories, files, links = repo.histories(ids), repo.attachments_of(ids), repo.links_of(ids)
                for request in requests:
                    request.history, request.attachments = histories[request.id], files[request.id]
                    request.links = links[request.id]
                engine.insert_rows(conn, "request_json", JSON_DOC_COLUMNS,
                                   [(request.id, request_json_text(request, tz)) for request in requests])
                total += len(requests)
    except ValueError:  # a history entry's changes that are not JSON: no stored texts at all
        conn.execute("DELETE FROM request_json")
        return 0
    conn.execute(engine.insert("derived", ("name", "basis")), (REQUEST_JSON_BASIS, request_json_basis(tz)))
    return total


class JsonDocStore:
    """The repository's statements on request_json (mixed into storage.repository.Repository,
    which gives `conn` and `engine`)."""

    conn: Any
    engine: Engine

    def json_docs_basis(self) -> str | None:
        """What the stored JSON texts were made with (None: there are none to read)."""
        row = self.conn.execute("SELECT basis FROM derived WHERE name = ?", (REQUEST_JSON_BASIS,)).fetchone()
        return row[0] if row else None

    def put_json_docs(self, rows: Sequence[tuple[str, str]]) -> None:
        """Store these (request ID, JSON text), replacing a request's previous one."""
        if rows:
            self.engine.upsert_rows(self.conn, "request_json", JSON_DOC_COLUMNS, ("request_id",), rows)

    def drop_json_docs(self, request_ids: Sequence[str]) -> None:
        """Drop the stored JSON texts of these requests (no longer open)."""
        for start in range(0, len(request_ids), _CHUNK):
            chunk = request_ids[start:start + _CHUNK]
            self.conn.execute(f"DELETE FROM request_json WHERE request_id IN ({self.engine.marks(len(chunk))})", chunk)

    def json_docs_of(self, request_ids: Sequence[str]) -> dict[str, str]:
        """The stored JSON texts of these requests (those that have one), by request ID."""
        found: dict[str, str] = {}
        for start in range(0, len(request_ids), _CHUNK):
            chunk = request_ids[start:start + _CHUNK]
            found.update(self.conn.execute(f"SELECT request_id, body FROM request_json WHERE request_id IN "
                                           f"({self.engine.marks(len(chunk))})", chunk).fetchall())
        return found

    def json_doc_ids(self) -> Iterator[str]:
        """The request IDs with a stored JSON text, in ID order, streamed."""
        cursor = self.conn.execute("SELECT request_id FROM request_json ORDER BY request_id")
        for rows in iter(lambda: cursor.fetchmany(5000), []):
            yield from (rid for (rid,) in rows)
