"""The one seam between the queries and the database engine underneath them.

Every statement of the repository (repository.py), the report (report_queries.py), the checks (services/admin.py,
storage/checks.py), the copy (storage/copying.py) and the migrations is written once, in the SQL both SQLite and
PostgreSQL speak, with `?` (or `:name`) placeholders. What differs between engines goes through
here and nowhere else: beginning a transaction (for reading: one snapshot; for writing: writers
queue for one lock, so IDs stay consecutive), the schema's version (SQLite's `user_version`, a
table on PostgreSQL), the wording of DDL types, JSON access, and which exceptions are the
driver's own. The SQLite engine is here; the PostgreSQL one (storage/server.py) subclasses it and
is imported only when a URL names a server, so the file's commands never load psycopg.

A connection of either engine offers what sqlite3's does (`execute`, `executemany`, `close`,
`in_transaction`) plus `engine` and `begin(write)`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any


class Engine:
    """What the queries need to know about the engine they run on (SQLite's answers)."""

    name = "sqlite"
    placeholder = "?"  # one parameter's marker in a statement, on every engine (server.py translates)
    error: type[Exception] = sqlite3.DatabaseError  # the base class of the driver's errors
    operational_error: type[Exception] = sqlite3.OperationalError  # "the environment failed"

    def marks(self, count: int) -> str:
        """`count` placeholders separated by commas, for VALUES (...) and IN (...)."""
        return ", ".join([self.placeholder] * count)

    def insert(self, table: str, columns: Sequence[str]) -> str:
        """INSERT of one row of `columns`."""
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({self.marks(len(columns))})"

    def insert_rows(self, conn: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows of `columns` at once (the engine's fastest way)."""
        if rows:
            conn.executemany(self.insert(table, columns), rows)

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        """INSERT of one row of `columns` that replaces the row with the same `key`."""
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        conflict = f"ON CONFLICT ({', '.join(key)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        return f"{self.insert(table, columns)} {conflict}"

    # -- transactions and the schema's version ---------------------------------------------
    def begin(self, conn: Any, write: bool) -> None:
        """Begin a transaction: a write takes the write lock at once (writers queue for it, up
        to the busy timeout); a read sees one snapshot for every query inside."""
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def schema_version(self, conn: Any) -> int:
        """The version of the schema (0: none yet)."""
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, conn: Any, version: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(version)}")

    # -- wording --------------------------------------------------------------------------
    def ddl(self, statement: str) -> str:
        """A CREATE/ALTER statement of migrations.py (written in SQLite's words) for this engine."""
        return statement

    def json_rows(self, alias: str) -> str:
        """A FROM item: the elements of the JSON array given as the next parameter, as text in
        column `value` of `alias`."""
        return f"json_each(?) AS {alias}"

    def json_item(self, column: str, key: str, index: int) -> str:
        """The text of `column`'s JSON object at `key`, item `index` (NULL when missing)."""
        return f"json_extract({column}, '$.{key}[{int(index)}]')"


SQLITE = Engine()


class SqliteConnection(sqlite3.Connection):
    """A sqlite3 connection that knows its engine (storage.db opens every one with this)."""

    engine: Engine = SQLITE

    def begin(self, write: bool) -> None:
        self.engine.begin(self, write)
