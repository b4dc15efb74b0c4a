"""The one seam between the queries and the database engine underneath them.

Every statement of the repository (repository.py), the report (report_queries.py), the checks (services/admin.py,
storage/checks.py), the copy (storage/copying.py) and the migrations is written once, in the SQL both SQLite and
PostgreSQL speak, with `?` (or `:name`) placeholders. What differs between engines goes through
here and nowhere else: beginning a transaction (for reading: one snapshot; for writing: writers
queue for one lock, so IDs stay consecutive), the schema's version (SQLite's `user_version`, a
table on PostgreSQL), the wording of DDL types, JSON access, the full-text index over table
search_doc (SQLite: an FTS5 trigram index; PostgreSQL: pg_trgm GIN indexes) and how a search
term or a likely duplicate is looked up in it, and which exceptions are the driver's own. The SQLite engine is here; the PostgreSQL one (storage/server.py) subclasses it and
is imported only when a URL names a server, so the file's commands never load psycopg.

A connection of either engine offers what sqlite3's does (`execute`, `executemany`, `close`,
`in_transaction`) plus `engine` and `begin(write)`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

# The search document's fields (table search_doc, domain.search.DOC_FIELDS) and the column
# lists the index statements repeat.
SEARCH_FIELDS = ("customer", "proposer", "description", "notes", "progress")
_REBUILD_SEARCH_INDEX = "INSERT INTO search_fts (search_fts) VALUES ('rebuild')"  # FTS5's command
_FTS_COLUMNS = ", ".join(SEARCH_FIELDS)
_NEW = ", ".join(f"new.{c}" for c in SEARCH_FIELDS)
_OLD = ", ".join(f"old.{c}" for c in SEARCH_FIELDS)
MAX_EXPANSIONS = 400  # index terms a two-character search term may stand for before it is scanned for
UPSERT_CHUNK = 500  # rows a statement of `upsert_rows` (SQLite allows 32,766 placeholders, PostgreSQL 65,535)


def fts_phrase(text: str) -> str:
    """A text as one FTS5 phrase (double quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


def like_pattern(term: str) -> str:
    """`%term%` with LIKE's wildcards in the term escaped (for `LIKE ? ESCAPE '\\'`)."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Engine:
    """What the queries need to know about the engine they run on (SQLite's answers)."""

    name = "sqlite"
    placeholder = "?"  # one parameter's marker in a statement, on every engine (server.py translates)

    @property
    def error(self) -> tuple[type[Exception], ...]:
        """The base classes of the driver's errors (for `except` and `isinstance`)."""
        return (sqlite3.DatabaseError,)

    @property
    def operational_error(self) -> tuple[type[Exception], ...]:
        """Those of its errors that say the environment failed."""
        return (sqlite3.OperationalError,)

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

    def scratch_layout(self, conn: Any, tables: Sequence[str]) -> list[str]:
        """The statements that make these tables, with the indexes they have now, in a scratch
        file (storage.fact_scratch) for `append_from`: rows appended there are kept in the
        tables' key order, so that the copy appends to this database's keys in order instead of
        inserting all over them (and an empty table takes them by SQLite's transfer of whole
        records, its "xfer" optimisation): 0.6-1.0 s against 2.7-3.3 s for the report facts of
        100,000 requests."""
        rows = conn.execute("SELECT type, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') "
                            "AND sql IS NOT NULL ORDER BY type = 'index', rowid").fetchall()
        return [sql for _, table, sql in rows if table in tables]

    def append_from(self, conn: Any, scratch: Path, tables: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Append every row of these tables of a scratch SQLite file (storage.fact_scratch: the
        same tables, with at least these columns) to the same tables of this database, inside
        the current transaction: attached and copied by SQLite itself, whole records where the
        scratch table is laid out as here (`scratch_layout`), else these columns in the
        file's order."""
        name = "scratch_facts"
        conn.execute(f"ATTACH DATABASE ? AS {name}", (str(scratch),))
        for table, columns in tables:
            if _layout(conn, "main", table) == _layout(conn, name, table):
                conn.execute(f"INSERT INTO main.{table} SELECT * FROM {name}.{table}")
                continue
            listed = ", ".join(columns)
            conn.execute(f"INSERT INTO main.{table} ({listed}) SELECT {listed} FROM {name}.{table} ORDER BY rowid")
        # DETACH waits for the transaction's end: the file stays attached until the connection
        # closes (the unit of work's end), read no more.

    def set_aside(self, conn: Any, table: str, indexes: bool = True, keys: bool = True) -> list[str]:
        """Drop what keeps `table` in order row by row, for rows to be loaded into it first (in the
        current transaction): with `indexes`, its indexes that keep no key unique; with `keys`,
        its foreign keys (SQLite enforces none: nothing). The statements that make them again
        over the rows (`put_back`): building an index once is quicker than keeping it row by row.
        For search_doc, with `indexes`, the full-text index too: its triggers are dropped, and
        made again before FTS5 rebuilds the index from the rows in one pass (100,000 documents:
        2.3 s against 11.7 s through the triggers a row at a time)."""
        if not indexes:
            return []
        found = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                             "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY name", (table,)).fetchall()
        for name, _ in found:
            conn.execute(f'DROP INDEX "{name}"')
        statements = [sql for _, sql in found]
        if table == "search_doc":
            triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                                    "ORDER BY name", (table,)).fetchall()
            for name, _ in triggers:
                conn.execute(f'DROP TRIGGER "{name}"')
            if triggers:
                statements += [sql for _, sql in triggers]
                statements.append(_REBUILD_SEARCH_INDEX)
        return statements

    def put_back(self, conn: Any, statements: Sequence[str]) -> None:
        """What `set_aside` dropped, made again (its statements, in order), with SQLite's sorter
        allowed a second thread where there is a second CPU (the event table's two indexes at
        614,000 entries: 0.95 s against 1.4 s)."""
        threads = min(3, (os.cpu_count() or 1) - 1)
        if threads > 0:
            conn.execute(f"PRAGMA threads = {threads}")
        try:
            for statement in statements:
                conn.execute(statement)
        finally:
            if threads > 0:
                conn.execute("PRAGMA threads = 0")

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str], rows: int = 1) -> str:
        """INSERT of `rows` rows of `columns`, each replacing the row with the same `key`."""
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        conflict = f"ON CONFLICT ({', '.join(key)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        values = ", ".join([f"({self.marks(len(columns))})"] * rows)
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} {conflict}"

    def upsert_rows(self, conn: Any, table: str, columns: Sequence[str], key: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        """`upsert` of many rows, UPSERT_CHUNK rows a statement (of rows with the same key, the
        last one wins). One statement rather than one per row: a table with a full-text index kept by
        triggers (search_doc on SQLite) then has it updated once per statement, not once per row
        (four times quicker)."""
        at = [columns.index(name) for name in key]
        unique = list({tuple(row[i] for i in at): row for row in rows}.values())
        for start in range(0, len(unique), UPSERT_CHUNK):
            part = unique[start:start + UPSERT_CHUNK]
            conn.execute(self.upsert(table, columns, key, len(part)), [value for row in part for value in row])

    # -- transactions and the schema's version ---------------------------------------------
    def begin(self, conn: Any, write: bool) -> None:
        """Begin a transaction: a write takes the write lock at once (writers queue for it, up
        to the busy timeout); a read sees one snapshot for every query inside."""
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def export_snapshot(self, conn: Any) -> str | None:
        """The name of the read transaction's snapshot that another connection may join
        (`join_snapshot`); None where there is none to share (SQLite: storage/side_reads.py)."""
        return None

    def join_snapshot(self, conn: Any, snapshot: str) -> None:
        """Begin a read transaction on `conn` that sees exactly the exported `snapshot`."""
        raise NotImplementedError("SQLite shares no snapshot between connections")

    def schema_version(self, conn: Any) -> int:
        """The version of the schema (0: none yet)."""
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, conn: Any, version: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(version)}")

    # -- wording --------------------------------------------------------------------------
    def ddl(self, statement: str) -> str:
        """A CREATE/ALTER statement of migrations.py (written in SQLite's words) for this engine."""
        return statement

    def many_rows(self, conn: Any, columns: Sequence[str], rest: str,
                  params: Sequence[Any] | Mapping[str, Any]) -> Iterable[Sequence[Any]]:
        """The rows of `SELECT {columns} {rest}` (`columns`: the expressions, in order), a large
        result of small values (text, integers; thousands of rows of a list), read the way the
        engine's driver reads such a result fastest: here as it is."""
        cursor = conn.execute(f"SELECT {', '.join(columns)} {rest}", params)
        return (row for chunk in iter(lambda: cursor.fetchmany(1000), []) for row in chunk)

    def json_rows(self, alias: str) -> str:
        """A FROM item: the elements of the JSON array given as the next parameter, as text in
        column `value` of `alias`."""
        return f"json_each(?) AS {alias}"

    def json_item(self, column: str, key: str, index: int) -> str:
        """The text of `column`'s JSON object at `key`, item `index` (NULL when missing)."""
        return f"json_extract({column}, '$.{key}[{int(index)}]')"

    # -- the full-text index over search_doc (migration m007; storage/search_index.py) ----------
    def create_search_index(self, conn: Any) -> None:
        """Create the index over table search_doc: an FTS5 table with the trigram tokenizer over
        its five text columns (external content: the text is stored once, in search_doc; its
        `id` is the FTS rowid), kept by triggers on every write to search_doc, and the index's
        vocabulary (which trigrams it holds, in how many documents)."""
        conn.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5({_FTS_COLUMNS}, content='search_doc', "
                     "content_rowid='id', tokenize='trigram case_sensitive 1')")
        conn.execute("CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')")
        conn.execute(f"CREATE TRIGGER search_doc_insert AFTER INSERT ON search_doc BEGIN "
                     f"INSERT INTO search_fts (rowid, {_FTS_COLUMNS}) VALUES (new.id, {_NEW}); END")
        conn.execute(f"CREATE TRIGGER search_doc_delete AFTER DELETE ON search_doc BEGIN "
                     f"INSERT INTO search_fts (search_fts, rowid, {_FTS_COLUMNS}) VALUES ('delete', old.id, {_OLD}); END")
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", *SEARCH_FIELDS))
        conn.execute(f"CREATE TRIGGER search_doc_update AFTER UPDATE ON search_doc WHEN {changed} BEGIN "
                     f"INSERT INTO search_fts (search_fts, rowid, {_FTS_COLUMNS}) VALUES ('delete', old.id, {_OLD}); "
                     f"INSERT INTO search_fts (rowid, {_FTS_COLUMNS}) VALUES (new.id, {_NEW}); END")

    def _search_parts(self, conn: Any, terms: Sequence[str]) -> tuple[str | None, list[str]] | None:
        """(one FTS5 MATCH query for the terms the index can look up, or None; the terms to look
        for in every row), or None when a term cannot match at all.

        Terms of three characters or more are trigram phrases; a two-character term stands for
        the index's trigrams that begin with it (every field ends with a space, so every two
        characters of a field begin a trigram), found in the index's vocabulary; a
        one-character term (or a two-character one that stands for too many) is looked for in
        every row."""
        phrases: list[str] = []
        scans: list[str] = []
        for term in terms:
            if len(term) >= 3:
                phrases.append(fts_phrase(term))
                continue
            expansions = None
            if len(term) == 2:
                expansions = [t for (t,) in conn.execute(
                    "SELECT term FROM search_vocab WHERE term >= ? AND term < ? LIMIT ?",
                    (term, term + "\U0010ffff", MAX_EXPANSIONS + 1))]
            if expansions is not None and len(expansions) <= MAX_EXPANSIONS:
                if not expansions:
                    return None
                phrases.append("(" + " OR ".join(fts_phrase(t) for t in expansions) + ")")
            else:
                scans.append(term)
        return (" AND ".join(phrases) if phrases else None), scans

    def _scan(self, terms: Sequence[str]) -> tuple[list[str], list[str]]:
        conditions = ["(" + " OR ".join(f"instr(d.{c}, ?) > 0" for c in SEARCH_FIELDS) + ")" for _ in terms]
        return conditions, [term for term in terms for _ in SEARCH_FIELDS]

    def search_condition(self, conn: Any, terms: Sequence[str]) -> tuple[str, list[Any]]:
        """A condition on `d` (a row of search_doc) that holds when its document contains every
        term (normalised, without white space), with its parameters (`list --search`)."""
        parts = self._search_parts(conn, terms)
        if parts is None:
            return "0 = 1", []
        match, scans = parts
        conditions, params = self._scan(scans)
        if match is not None:
            conditions.insert(0, "d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)")
            params.insert(0, match)
        return " AND ".join(conditions) or "1 = 1", params

    def search_candidates(self, conn: Any, terms: Sequence[str], open_only: bool) -> tuple[str, list[Any]]:
        """A query of the `id`s of the newest documents (highest `id`) that contain every term,
        at most the number its last parameter (`?`, the caller's) says: the FTS5 index read
        newest first, stopping there."""
        parts = self._search_parts(conn, terms)
        if parts is None:
            return "SELECT id FROM search_doc WHERE 0 = 1 LIMIT ?", []
        match, scans = parts
        conditions, params = self._scan(scans)
        if open_only:
            conditions.append("d.is_open = 1")
        if match is None:
            where = " AND ".join(conditions) or "1 = 1"
            return f"SELECT d.id FROM search_doc d WHERE {where} ORDER BY d.id DESC LIMIT ?", params
        where = " AND ".join(["f.search_fts MATCH ?", *conditions])
        return (f"SELECT d.id FROM search_fts f JOIN search_doc d ON d.id = f.rowid WHERE {where} "
                "ORDER BY f.rowid DESC LIMIT ?", [match, *params])

    def search_index_size(self, conn: Any) -> int | None:
        """Bytes the index takes beyond table search_doc (None when the engine cannot say)."""
        try:
            row = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'").fetchone()
        except self.error:
            return None  # SQLite built without the dbstat table
        return int(row[0] or 0)

    def search_index_problems(self, conn: Any) -> list[str]:
        """Where the FTS5 index does not hold what search_doc says: each document must be indexed
        with one trigram per position of each field (a field of n characters: n − 2; the
        index's per-row sizes, search_fts_docsize), no other row indexed, and the vocabulary's
        instances must add up to all of them. (SQLite's own `integrity-check` command of FTS5
        writes, and `check` only reads.)"""
        expected: dict[int, tuple[str, list[int]]] = {}
        for row_id, request_id, *fields in conn.execute(
                f"SELECT id, request_id, {_FTS_COLUMNS} FROM search_doc"):
            expected[row_id] = (request_id, [max(0, len(text) - 2) for text in fields])
        indexed = {row_id: _varints(size) for row_id, size in conn.execute("SELECT id, sz FROM search_fts_docsize")}
        problems = []
        for row_id, (request_id, sizes) in expected.items():
            if indexed.get(row_id) != sizes:
                what = "lacks" if row_id not in indexed else "holds another version of"
                problems.append(f"the full-text index {what} the search document of {request_id}")
        extra = len(set(indexed) - set(expected))
        if extra:
            problems.append(f"the full-text index holds {extra} document(s) that search_doc does not")
        total = conn.execute("SELECT coalesce(sum(cnt), 0) FROM search_vocab").fetchone()[0]
        if not problems and total != sum(sum(sizes) for _, sizes in expected.values()):
            problems.append(f"the full-text index holds {total} trigrams, its documents {sum(sum(s) for _, s in expected.values())}")
        if problems:
            problems.append("`reqtrack reindex` rebuilds the search index from the records")
        return problems

    def rebuild_search_index(self, conn: Any) -> None:
        """Rebuild the engine's index from search_doc (FTS5's `rebuild` command)."""
        conn.execute(_REBUILD_SEARCH_INDEX)

    def search_index_tables(self) -> tuple[str, ...]:
        """The engine's own tables of the index (not declared in tables.py: derived data the
        schema test leaves out, docs/search.md)."""
        return ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config",
                "search_vocab")


def _varints(blob: bytes | None) -> list[int]:
    """FTS5's sizes of a row: one SQLite varint per column."""
    values: list[int] = []
    value = 0
    for byte in blob or b"":
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
    return values


SQLITE = Engine()


class SqliteConnection(sqlite3.Connection):
    """A sqlite3 connection that knows its engine (storage.db opens every one with this)."""

    engine: Engine = SQLITE

    def begin(self, write: bool) -> None:
        self.engine.begin(self, write)


def _layout(conn: Any, schema: str, table: str) -> list[tuple[Any, ...]]:
    """A table's columns (name, type, not null, default, key position) and its indexes' names."""
    columns = conn.execute("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?, ?)",
                           (table, schema)).fetchall()
    indexes = conn.execute("SELECT name, \"unique\", partial FROM pragma_index_list(?, ?) ORDER BY name",
                           (table, schema)).fetchall()
    return [*columns, *indexes]
