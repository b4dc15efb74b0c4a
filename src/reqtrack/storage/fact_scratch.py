"""A scratch file of derived rows: the report facts and search documents that the import's
second process (services/fact_worker.py) writes while the import's own transaction writes
everything else, appended to the database in that transaction at the end
(`FactStore.copy_report_facts`, through `Engine.append_from`).

It is a plain SQLite file in a private temporary folder, with the tables of the report facts
and of the search documents (`SCRATCH_TABLES`: report_completion with its verdicts) and nothing
else: no constraint, index or journal, since it is only appended to and thrown away when
anything fails. Its rows are those `stored.report_fact_rows` and `SearchDoc.row` make, so what
reaches the database is what the import's own process would have written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .search_index import SEARCH_DOC_COLUMNS
from .stored import REPORT_FACT_TABLES, VERDICT_COLUMNS, entries_from_rows, request_from_row

__all__ = ["SCRATCH_TABLES", "FactScratch", "requests_from_rows"]

# The report facts' tables with the columns report_fact_rows gives them when judged, then the
# search documents (SearchDoc.row; the engine's full-text index follows them as they arrive).
SCRATCH_TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (*(
    (table, (*columns, *VERDICT_COLUMNS) if table == "report_completion" else tuple(columns))
    for table, columns in REPORT_FACT_TABLES), ("search_doc", SEARCH_DOC_COLUMNS))


class FactScratch:
    """The scratch file at `path`, made anew and open for appending (one transaction, committed
    by `close`)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        for table, columns in SCRATCH_TABLES:
            self.conn.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
        self.conn.execute("BEGIN")
        self._inserts = [f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})"
                         for table, columns in SCRATCH_TABLES]

    def put(self, rows: Sequence[Iterable[Sequence[Any]]]) -> None:
        """Append rows to each table: `rows` in SCRATCH_TABLES' order."""
        for insert, table_rows in zip(self._inserts, rows):
            self.conn.executemany(insert, table_rows)

    def close(self) -> None:
        """Commit what was appended and close the file."""
        self.conn.execute("COMMIT")
        self.conn.close()


def requests_from_rows(request_rows: Iterable[tuple[Any, ...]], event_rows: list[tuple[Any, ...]]) -> list[Any]:
    """The requests (domain.record.Request, with their histories) of the stored rows an insert
    wrote (repository.Repository.add_many's result): the request as a command reads it back."""
    from .stored import REQUEST_FIELDS

    width = len(REQUEST_FIELDS)
    requests = {row[0]: request_from_row(row[:width]) for row in request_rows}
    for request_id, entry in entries_from_rows(event_rows):
        requests[request_id].history.append(entry)
    return list(requests.values())
