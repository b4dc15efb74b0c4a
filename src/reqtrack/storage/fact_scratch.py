"""A scratch file of report-fact rows: what the import's second process (services/fact_worker.py)
writes while the import's own transaction writes everything else, appended to the database in
that transaction at the end (`FactStore.copy_report_facts`, through `Engine.append_from`).

It is a plain SQLite file in a private temporary folder, with the tables of the report facts
(`SCRATCH_TABLES`: report_completion with its verdicts) and nothing else; no journal, since it
is only appended to and thrown away when anything fails. Copied into a SQLite database, its
tables are made as that database has them (keys, and the indexes the copy keeps), so that the
copy takes their rows in key order; for the server, plain tables of the columns. Its rows are
those `stored.report_fact_rows` makes, so what reaches the database is what the import's own
process would have written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .stored import REPORT_FACT_TABLES, VERDICT_COLUMNS

__all__ = ["SCRATCH_TABLES", "FactScratch"]

# The report facts' tables with the columns report_fact_rows gives them when judged.
SCRATCH_TABLES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (table, (*columns, *VERDICT_COLUMNS) if table == "report_completion" else tuple(columns))
    for table, columns in REPORT_FACT_TABLES)


class FactScratch:
    """The scratch file at `path`, made anew and open for appending (one transaction, committed
    by `close`). `layout`: the statements that make its tables as the database has them, keys
    and indexes (Engine.scratch_layout), so that the copy takes them in key order; empty, plain
    tables of the columns."""

    def __init__(self, path: Path, layout: Sequence[str] = ()) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        for statement in layout or [f"CREATE TABLE {table} ({', '.join(columns)})" for table, columns in SCRATCH_TABLES]:
            self.conn.execute(statement)
        self.conn.execute("BEGIN")
        self._inserts = [f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                         for table, columns in SCRATCH_TABLES]

    def put(self, rows: Sequence[Iterable[Sequence[Any]]]) -> None:
        """Append rows to each table: `rows` in SCRATCH_TABLES' order."""
        for insert, table_rows in zip(self._inserts, rows):
            self.conn.executemany(insert, table_rows)

    def close(self) -> None:
        """Commit what was appended and close the file."""
        self.conn.execute("COMMIT")
        self.conn.close()
