"""Copying every row of a reqtrack database into another one, whichever their engines (`reqtrack
copy`, and `backup` of the team database): the tables in foreign-key order, streamed a chunk at a
time from the source's read snapshot into the target's one write transaction.

The statements are written once for both engines. What differs is here, beside storage/engine.py's
seam (which this module does not change): streaming a large result (sqlite3 steps its cursor; on
PostgreSQL a server-side cursor, so a client never holds a whole table), listing the tables, and,
on PostgreSQL, the identity sequences after explicit IDs and the deferred foreign keys, checked
before the copy is verified rather than at COMMIT.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from typing import Any

# Every table of the schema (storage/tables.py), each after the tables it refers to.
# A NEW TABLE MUST BE ADDED HERE (links, vocabularies, templates, people of later issues): `copy`
# and `backup` of the team database copy exactly these, and refuse a source holding a table this
# list does not name (tests/integration/test_copy.py checks the list against a new database).
TABLES: tuple[str, ...] = (
    "request", "event", "attachment", "setting", "import_log", "sla_open", "derived", "country_day",
    "report_fact", "report_completion", "report_event", "vocabulary", "link", "search_doc",
    "template", "person", "request_state", "request_json",
)
# Tables of the engine's own bookkeeping, never copied (the schema's version on PostgreSQL; the
# full-text index on SQLite: FTS5's tables, filled by search_doc's triggers as its rows arrive).
BOOKKEEPING = frozenset({"schema_version"})
_INDEX_TABLES = ("search_fts", "search_vocab")

CHUNK_ROWS = 1000  # rows per fetch and per executemany
CHUNK_BYTES = 32 * 1024 * 1024  # ... or fewer, once their contents reach this
# Tables whose rows may hold megabytes (an attachment is up to 20 MiB): fetched a few at a time.
_FETCH_ROWS = {"attachment": 8}


class CopyFailure(Exception):
    """A driver error while copying: which side raised it ("source" or "target"), in which table."""

    def __init__(self, side: str, table: str, error: BaseException) -> None:
        super().__init__(f"{side} {table}: {error}")
        self.side = side
        self.table = table
        self.error = error


class ColumnsMissing(Exception):
    """The source has columns the target lacks (their data would be lost)."""

    def __init__(self, table: str, columns: list[str]) -> None:
        super().__init__(f"{table}: {', '.join(columns)}")
        self.table = table
        self.columns = columns


def on_server(conn: Any) -> bool:
    """Whether `conn` is a PostgreSQL connection (storage/server.py)."""
    return getattr(getattr(conn, "engine", None), "name", "sqlite") == "postgresql"


def quote(name: str) -> str:
    """A column or table name quoted for both engines."""
    return '"' + name.replace('"', '""') + '"'


def stream_rows(conn: Any, sql: str, params: Sequence[Any] = (), size: int = CHUNK_ROWS,
                ) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of a SELECT, `size` at a time, never all at once: sqlite3 steps its cursor; on
    PostgreSQL a server-side cursor inside the caller's transaction (a client-side cursor would
    hold the whole result in memory)."""
    if on_server(conn):
        yield from conn.raw.stream(sql, tuple(params), size)
        return
    cursor = conn.execute(sql, tuple(params))
    try:
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def table_names(conn: Any) -> set[str]:
    """The data tables of the database (the engine's bookkeeping left out)."""
    if on_server(conn):
        rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                            "AND table_type = 'BASE TABLE'", (conn.engine.schema,)).fetchall()
    else:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'").fetchall()
    return {str(name) for (name,) in rows if not str(name).startswith(_INDEX_TABLES)} - BOOKKEEPING


def unknown_tables(conn: Any) -> list[str]:
    """Tables of the database that TABLES does not name (a copy would leave them behind)."""
    return sorted(table_names(conn) - set(TABLES))


def column_names(conn: Any, table: str) -> list[str]:
    """The columns of `table`, in their order."""
    cursor = conn.execute(f"SELECT * FROM {table} LIMIT 0")
    try:
        return [str(column[0]) for column in cursor.description]
    finally:
        cursor.close()


def row_counts(conn: Any) -> dict[str, int]:
    """How many rows each table holds (inside the caller's transaction)."""
    return {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in TABLES}


def empty(conn: Any) -> None:
    """Delete every row of every table (the caller's write transaction), dependents first."""
    for table in reversed(TABLES):
        conn.execute(f"DELETE FROM {table}")


def copy_tables(source: Any, target: Any) -> dict[str, int]:
    """Copy every row of every table from `source` (in a read snapshot) to `target` (in a write
    transaction, its tables empty); returns the rows copied per table. Raises CopyFailure,
    ColumnsMissing."""
    return {table: copy_table(source, target, table) for table in TABLES}


def copy_table(source: Any, target: Any, table: str) -> int:
    """Copy the rows of one table, by column name as the target has them."""
    try:
        wanted = column_names(target, table)
    except target.engine.error as exc:
        raise CopyFailure("target", table, exc) from exc
    try:
        present = column_names(source, table)
    except source.engine.error as exc:
        raise CopyFailure("source", table, exc) from exc
    lost = [column for column in present if column not in wanted]
    if lost:
        raise ColumnsMissing(table, lost)
    columns = [column for column in wanted if column in present]
    names = [quote(column) for column in columns]
    rows = stream_rows(source, f"SELECT {', '.join(names)} FROM {table}", size=_FETCH_ROWS.get(table, CHUNK_ROWS))
    with closing(rows):
        return _copy_rows(source, target, table, names, rows)


def _chunks(source: Any, table: str, rows: Iterator[list[tuple[Any, ...]]]) -> Iterator[list[tuple[Any, ...]]]:
    """The source's rows in batches of about CHUNK_ROWS rows (fewer, of large rows: at most
    about CHUNK_BYTES of contents), its errors as CopyFailure."""
    batch: list[tuple[Any, ...]] = []
    weight = 0
    large = table in _FETCH_ROWS
    while True:
        try:
            chunk = next(rows, None)
        except source.engine.error as exc:
            raise CopyFailure("source", table, exc) from exc
        if chunk is None:
            break
        batch.extend(chunk)
        if large:
            weight += sum(len(value) for row in chunk for value in row if isinstance(value, (bytes, bytearray, memoryview)))
        if len(batch) >= CHUNK_ROWS or weight >= CHUNK_BYTES:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


def _copy_rows(source: Any, target: Any, table: str, names: list[str], rows: Iterator[list[tuple[Any, ...]]]) -> int:
    """Write the rows into the target's table: PostgreSQL's COPY (one statement streaming every
    row: several times faster than INSERTs, even pipelined), else executemany per batch."""
    copied = 0
    try:
        if on_server(target):
            textual = _not_binary(target, table, names)

            def checked() -> Iterator[tuple[Any, ...]]:
                nonlocal copied
                for batch in _chunks(source, table, rows):
                    for row in batch:
                        if any(type(row[index]) is bytes for index in textual):
                            raise CopyFailure("target", table, ValueError(
                                f"bytes in a column that is not binary ({_row_key(names, row)})"))
                        yield row
                    copied += len(batch)

            target.raw.copy_in(table, names, checked())
            return copied
        insert = target.engine.insert(table, names)
        for batch in _chunks(source, table, rows):
            target.executemany(insert, batch)
            copied += len(batch)
    except target.engine.error as exc:
        raise CopyFailure("target", table, exc) from exc
    return copied


def _not_binary(target: Any, table: str, names: list[str]) -> list[int]:
    """The positions of the columns that are not bytea (COPY would write bytes there as their
    hex text: SQLite keeps a blob in any column, PostgreSQL's INSERT would refuse it)."""
    binary = {str(name) for (name,) in target.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "AND data_type = 'bytea'", (target.engine.schema, table)).fetchall()}
    return [index for index, name in enumerate(names) if name.strip('"') not in binary]


def _row_key(names: list[str], row: tuple[Any, ...]) -> str:
    return f"{names[0].strip(chr(34))} {row[0]!r}"[:80]


def tidy(target: Any) -> None:
    """After the copy's COMMIT, on PostgreSQL: VACUUM (ANALYZE) the copied tables — the
    planner's statistics of the new rows (without them the first queries crawl) and the
    visibility map an index-only scan needs (`list` counts the requests through one: 7 ms at
    100,000 instead of 15). Named tables only: the server's database may hold other schemas,
    whose tables are not this command's to touch. SQLite needs neither."""
    if on_server(target):
        target.execute("VACUUM (ANALYZE) " + ", ".join(quote(name) for name in TABLES))


def settle(target: Any) -> None:
    """After explicit rows went in: on PostgreSQL, check the deferred foreign keys now (so that
    the verification, not the COMMIT, finds a row the target refuses) and move each identity
    sequence past the highest ID copied (the next attachment or import gets a new one). SQLite
    needs neither: its next rowid follows the largest, and it does not enforce the keys."""
    if not on_server(target):
        return
    try:
        target.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema = target.engine.schema
        identities = target.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND is_identity = 'YES' ORDER BY table_name, column_name", (schema,)).fetchall()
        for table, column in identities:
            target.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max({quote(column)}), 0) + 1, false) "
                           f"FROM {quote(table)}", (f"{quote(schema)}.{quote(table)}", column))
    except target.engine.error as exc:
        raise CopyFailure("target", "(its keys)", exc) from exc


def same_server_database(source: Any, target: Any) -> bool:
    """Whether two PostgreSQL connections reach the same schema of the same database on the same
    server, whatever names their URLs used for it (localhost or 127.0.0.1, say): the source's
    server sees the target's own session (same process ID, same start) in its database."""
    if not (on_server(source) and on_server(target)) or source.engine.schema != target.engine.schema:
        return False
    pid, started = target.execute("SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()").fetchone()
    seen = source.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND backend_start = ? "
                          "AND datname = current_database()", (pid, started)).fetchone()[0]
    return int(seen) > 0
