"""The one seam between the queries and the database engine underneath them.

Every statement of the repository (repository.py) and of the report (report_queries.py) is
written once, in the SQL both SQLite and PostgreSQL speak, with `?` placeholders. What differs
between engines goes through here and nowhere else: opening a connection, the placeholder style,
how a transaction begins (for reading; for writing, so that writers queue rather than fail),
the wording of "insert or replace", and which exceptions are the engine's own. Only SQLite is
here today; a PostgreSQL engine is another instance of `Engine` beside it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Engine:
    """What the queries need to know about the engine they run on."""

    name: str
    placeholder: str  # one parameter's marker in a statement
    begin_read: str  # a read transaction: one snapshot for every query inside
    begin_write: str  # a write transaction that takes the write lock at once (writers queue)
    error: type[Exception]  # the base class of the driver's errors
    operational_error: type[Exception]  # the driver's "the environment failed" errors

    def marks(self, count: int) -> str:
        """`count` placeholders separated by commas, for VALUES (...) and IN (...)."""
        return ", ".join([self.placeholder] * count)

    def insert(self, table: str, columns: Sequence[str]) -> str:
        """INSERT of one row of `columns`."""
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({self.marks(len(columns))})"

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        """INSERT of one row of `columns` that replaces the row with the same `key`."""
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        conflict = f"ON CONFLICT ({', '.join(key)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        return f"{self.insert(table, columns)} {conflict}"


SQLITE = Engine(
    name="sqlite", placeholder="?", begin_read="BEGIN", begin_write="BEGIN IMMEDIATE",
    error=sqlite3.DatabaseError, operational_error=sqlite3.OperationalError,
)
