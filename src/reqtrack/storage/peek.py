"""A quick look at a database without opening it as a command does: what `--help` lists.

`vocabulary_entries_quickly(location)` reads the database's own `source` and `type` entries if it
can at once — a reqtrack file that exists (read-only, no waiting for a lock), or a server that
answers within two seconds — and returns None otherwise. It never creates, upgrades or locks a
database, and never raises: a help text does not fail for the database's sake.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ..domain.vocabularies import Entry
from .stored import VOCABULARY_COLUMNS, vocabulary_entry

_SELECT = f"SELECT {', '.join(VOCABULARY_COLUMNS)} FROM vocabulary"
VOCABULARY_SCHEMA = 6  # the migration that made the table (migrations.m006_vocabulary)


def vocabulary_entries_quickly(location: Path | str) -> list[Entry] | None:
    """The database's vocabulary entries, or None when they cannot be read at once."""
    from .db import is_server_url

    try:
        rows = _server_rows(str(location)) if is_server_url(location) else _file_rows(Path(location).expanduser())
    except Exception:  # noqa: BLE001 - any failure means: list the built-in entries
        return None
    return None if rows is None else [vocabulary_entry(row) for row in rows]


def _file_rows(path: Path) -> list[Any] | None:
    from .db import APPLICATION_ID

    if not path.is_file():
        return None
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=0.1)
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if application_id != APPLICATION_ID or version < VOCABULARY_SCHEMA:
            return None
        return conn.execute(_SELECT).fetchall()
    finally:
        conn.close()


def _server_rows(url: str) -> list[Any] | None:
    from . import driver
    from .server import parse_address, quote_name

    address = parse_address(url)
    extra = {} if "connect_timeout" in address.conninfo else {"connect_timeout": 2}
    raw = driver.connect(address.conninfo, application_name="reqtrack", **extra)
    try:
        raw.execute("SET statement_timeout = 1000")
        found = raw.execute("SELECT to_regclass(?) IS NOT NULL",
                            (f"{quote_name(address.schema)}.vocabulary",)).fetchone()[0]
        if not found:
            return None
        return list(raw.execute(_SELECT.replace("FROM vocabulary", f"FROM {quote_name(address.schema)}.vocabulary"))
                    .fetchall())
    finally:
        raw.close()
