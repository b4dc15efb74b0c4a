"""The team database: reqtrack's tables on a PostgreSQL server (SPEC §7), through libpq (storage/driver.py).

Imported only when `--db` / `REQTRACK_DB` is a `postgresql://` or `postgres://` URL, so the file's
commands never load a PostgreSQL driver. The URL follows libpq's conventions (PGPASSWORD, ~/.pgpass, PGHOST,
`sslmode=`…); reqtrack adds `schema=NAME` (else the first entry of `options=-csearch_path=NAME`,
else `reqtrack`): its tables live in that schema, so it can share a database with others.

What differs from the file is here and in `PostgresEngine`: connecting, the schema (created by
the first writer under an advisory lock, so concurrent first writers wait and succeed; a schema
holding tables that are not reqtrack's is refused), writers queueing on one advisory lock per
schema (as SQLite's one writer: IDs stay consecutive across machines), the version table, and
the one sentence of every server problem. A password is never printed: sentences are built from
host, port, database and role only.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..domain.errors import EnvironmentProblem, InvalidInput, Message, ReqtrackError
from . import driver
from .engine import Engine
from .server_search import TrigramSearch, quote_name

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_SCHEMA = "reqtrack"
VERSION_TABLE = "schema_version"  # where PostgreSQL keeps what SQLite keeps in `user_version`
APPLICATION = "reqtrack"
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s]+)")


# -- the address --------------------------------------------------------------------------
@dataclass(frozen=True)
class ServerAddress:
    """Where the database is: what libpq is given, and what sentences name (never a password)."""

    conninfo: str
    schema: str
    host: str
    port: str
    dbname: str
    user: str
    secrets: tuple[str, ...] = field(default=(), repr=False)  # scrubbed from any text shown

    @property
    def label(self) -> str:
        return str(self.named)

    @property
    def named(self) -> Message:
        """The database as sentences name it, in their language."""
        if self.schema == DEFAULT_SCHEMA:
            return Message("database {dbname} on {host}:{port}", dbname=self.dbname, host=self.host, port=self.port)
        return self.named_with_schema

    @property
    def named_with_schema(self) -> Message:
        return Message("schema {schema} of database {dbname} on {host}:{port}", schema=self.schema, dbname=self.dbname,
                       host=self.host, port=self.port)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text


def parse_address(url: str) -> ServerAddress:
    """The address of a `postgresql://` URL, libpq's environment filling what it leaves out."""
    parts = urlsplit(url)
    schema = None
    kept: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "schema":
            schema = value
            continue
        kept.append((key, value))
        found = _SEARCH_PATH.search(value) if key == "options" else None
        if found and schema is None:
            schema = found.group(1).split(",")[0].strip('"')
    conninfo = urlunsplit(parts._replace(scheme="postgresql", query=urlencode(kept, quote_via=quote)))
    try:
        given = driver.conninfo_dict(conninfo)
    except ValueError:  # libpq could not parse it
        raise InvalidInput("--db: the PostgreSQL URL cannot be read; the form is "
                           "postgresql://[user[:password]@]host[:port]/dbname") from None
    schema = schema or DEFAULT_SCHEMA
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]{0,62}", schema):
        raise InvalidInput("--db: schema {schema!r} is not a plain name (letters, digits, _ and $, at most 63)",
                           schema=schema)
    env = os.environ
    user = str(given.get("user") or env.get("PGUSER") or _login_name())
    host = str(given.get("host") or given.get("hostaddr") or env.get("PGHOST") or "localhost")
    return ServerAddress(
        conninfo=conninfo, schema=schema,
        host=host, port=str(given.get("port") or env.get("PGPORT") or "5432"),
        dbname=str(given.get("dbname") or env.get("PGDATABASE") or user), user=user,
        secrets=tuple(s for s in (str(given.get("password") or ""), env.get("PGPASSWORD", "")) if len(s) >= 3),
    )


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "postgres"


# -- the engine ---------------------------------------------------------------------------
_DDL = [
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    # Text compares byte by byte, as in SQLite: stored times sort as text, and lower() and LIKE
    # treat letters the same on both engines.
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
    (re.compile(r"\bREFERENCES request \(id\)"), "REFERENCES request (id) DEFERRABLE INITIALLY DEFERRED"),
    (re.compile(r"\)\s*WITHOUT ROWID\s*$"), ")"),
]


_COPY_FROM = 50  # rows: from here on a COPY is quicker than INSERTs
SCRATCH_CHUNK = 20_000  # rows of a scratch file read and copied at a time (Engine.append_from)


class PostgresEngine(TrigramSearch, Engine):
    """PostgreSQL's answers to the seam's questions (storage/engine.py)."""

    name = "postgresql"

    def __init__(self, schema: str) -> None:
        self.schema = schema

    @cached_property
    def lock_key(self) -> int:
        """The advisory lock writers of this schema queue on: from the schema's name, the same in
        every version (writers of two versions must exclude each other). Made when first written
        with, by Python's own SHA-256 where it has one: hashlib loads OpenSSL's library first (4 ms
        of every write, a tenth of a read command's own start); the digest is the same."""
        try:  # the module of 3.12 on, then of 3.11
            from _sha2 import sha256  # type: ignore[import-not-found]
        except ImportError:
            try:
                from _sha256 import sha256  # type: ignore[import-not-found]
            except ImportError:  # a Python built without them
                from hashlib import sha256
        digest = sha256(f"reqtrack:{self.schema}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    @property
    def error(self) -> tuple[type[Exception], ...]:
        """The drivers' error classes (storage.driver.error_classes)."""
        return driver.error_classes()[0]

    @property
    def operational_error(self) -> tuple[type[Exception], ...]:
        return driver.error_classes()[1]

    def begin(self, conn: Any, write: bool) -> None:
        if write:  # one round trip: writers of this schema queue here, as on SQLite's file
            conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({self.lock_key})")
        else:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def export_snapshot(self, conn: Any) -> str | None:
        return str(conn.execute("SELECT pg_export_snapshot()").fetchone()[0])

    def join_snapshot(self, conn: Any, snapshot: str) -> None:
        if not re.fullmatch(r"[0-9A-Fa-f-]+", snapshot):  # the server's name, as a literal
            raise ValueError(f"not a snapshot's name: {snapshot!r}")
        conn.execute(f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'")

    def _version_table(self) -> str:
        return f"{quote_name(self.schema)}.{VERSION_TABLE}"

    def schema_version(self, conn: Any) -> int:
        exists = conn.execute("SELECT to_regclass(?) IS NOT NULL", (self._version_table(),)).fetchone()[0]
        if not exists:
            return 0
        row = conn.execute(f"SELECT version FROM {VERSION_TABLE}").fetchone()
        return int(row[0]) if row else 0

    def set_schema_version(self, conn: Any, version: int) -> None:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (application TEXT NOT NULL, version INTEGER NOT NULL)")
        conn.execute(f"DELETE FROM {VERSION_TABLE}")
        conn.execute(f"INSERT INTO {VERSION_TABLE} (application, version) VALUES (?, ?)", (APPLICATION, int(version)))

    def insert_rows(self, conn: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Many rows by COPY (one stream, no statement per row): ten times an executemany of
        INSERTs on an import or a copy; a few rows as INSERTs."""
        if len(rows) < _COPY_FROM:
            super().insert_rows(conn, table, columns, rows)
            return
        conn.raw.copy_in(table, columns, rows)

    def scratch_layout(self, conn: Any, tables: Sequence[str]) -> list[str]:
        """Nothing: the scratch file keeps its plain tables (the server's DDL is not SQLite's)."""
        return []

    def append_from(self, conn: Any, scratch: Path, tables: Sequence[tuple[str, Sequence[str]]]) -> None:
        """The rows of the scratch file read with sqlite3, SCRATCH_CHUNK at a time, and copied in
        (`insert_rows`: COPY)."""
        import sqlite3

        source = sqlite3.connect(scratch)
        try:
            for table, columns in tables:
                cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
                while rows := cursor.fetchmany(SCRATCH_CHUNK):
                    self.insert_rows(conn, table, columns, rows)
        finally:
            source.close()

    def set_aside(self, conn: Any, table: str, indexes: bool = True, keys: bool = True) -> list[str]:
        """Drop, with `indexes`, the indexes of `table` that keep no key unique (those stay: the
        rows are checked against them), and with `keys` its foreign keys, for rows to be loaded
        first; the statements that make them again as the server writes them (schema and operator
        classes named), for `put_back`. Used only in a schema made in the same transaction,
        which no other session sees until the commit, so no one waits on the DROPs' locks.
        Kept row by row, the 100,000 requests of a sheet cost the server 6.6 s of foreign-key
        checks (a query per row) and its GIN indexes of trigrams more than built once
        (docs/performance.md); a key added over the rows is checked by one query."""
        schema = quote_name(self.schema)
        statements: list[str] = []
        if indexes:
            found = conn.execute(
                "SELECT c.relname, pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index AS i "
                "JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid "
                "JOIN pg_catalog.pg_class AS t ON t.oid = i.indrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace "
                "WHERE n.nspname = ? AND t.relname = ? AND NOT i.indisunique ORDER BY c.relname",
                (self.schema, table)).fetchall()
            for name, _ in found:
                conn.execute(f"DROP INDEX {schema}.{quote_name(name)}")
            statements += [statement for _, statement in found]
        if keys:
            found = conn.execute(
                "SELECT k.conname, pg_catalog.pg_get_constraintdef(k.oid) FROM pg_catalog.pg_constraint AS k "
                "JOIN pg_catalog.pg_class AS t ON t.oid = k.conrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace "
                "WHERE n.nspname = ? AND t.relname = ? AND k.contype = 'f' ORDER BY k.conname",
                (self.schema, table)).fetchall()
            qualified = f"{schema}.{quote_name(table)}"
            for name, _ in found:
                conn.execute(f"ALTER TABLE {qualified} DROP CONSTRAINT {quote_name(name)}")
            statements += [f"ALTER TABLE {qualified} ADD CONSTRAINT {quote_name(name)} {definition}"
                           for name, definition in found]
        return statements

    def put_back(self, conn: Any, statements: Sequence[str]) -> None:
        """What `set_aside` dropped, made again: first the checks still pending are run (CREATE
        INDEX and ALTER TABLE refuse a table with checks pending), then the keys are deferred to
        the commit again, as every one of reqtrack's is declared."""
        if not statements:
            return
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            conn.execute(statement)
        conn.execute("SET CONSTRAINTS ALL DEFERRED")

    def ddl(self, statement: str) -> str:
        for pattern, replacement in _DDL:
            statement = pattern.sub(replacement, statement)
        return statement

    def many_rows(self, conn: Any, columns: Sequence[str], rest: str,
                  params: Sequence[Any] | Mapping[str, Any]) -> Iterable[Sequence[Any]]:
        """On the server, each column of the result as one JSON text (the array of its values,
        all made in the one pass of the aggregate, so in the same order), parsed by json's C
        decoder and zipped into rows: through libpq every value is a C call (~275 ns, with NULL's
        second one), which was most of what `overdue --json` paid over the file. A column's array
        costs the server less than an array per row (26-32 against 31-50 ms for overdue's 6,221
        rows of 15 columns). Text, integers and NULL come back as the plain SELECT gives them."""
        import json

        aggregates = ", ".join(f"CAST(json_agg({column}) AS text)" for column in columns)
        found = conn.execute(f"SELECT {aggregates} {rest}", params).fetchone()
        if found is None or found[0] is None:  # no row: every aggregate is NULL
            return []
        return zip(*map(json.loads, found))

    def json_rows(self, alias: str) -> str:
        return f"json_array_elements_text(CAST(? AS json)) AS {alias}(value)"

    def json_item(self, column: str, key: str, index: int) -> str:
        return f"(CAST({column} AS json) -> '{key}' ->> {int(index)})"


class PgConnection:
    """A driver's connection (storage/driver.py) with sqlite3's surface and the seam's `begin`."""

    def __init__(self, raw: Any, engine: PostgresEngine, home: ServerDatabase | None = None, bulk: bool = False) -> None:
        self.raw = raw
        self.bulk = bulk  # made inside storage.driver.bulk_work
        self.engine = engine
        # Weakly: the database keeps this connection when it is idle, and a cycle would keep the
        # connection open until the garbage collector came by (a process running many commands).
        self._home = weakref.ref(home) if home is not None else None

    def execute(self, sql: str, params: Any = None) -> Any:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> None:
        self.raw.executemany(sql, rows)

    def begin(self, write: bool) -> None:
        self.engine.begin(self, write)

    @property
    def in_transaction(self) -> bool:
        return int(self.raw.transaction_status) != 0  # libpq's PQTRANS_IDLE

    def close(self) -> None:
        """Give the connection back to its database for the next unit of work of this command
        (one connection per command, not one per transaction), else close it."""
        home = self._home() if self._home is not None else None
        if home is not None and not self.raw.closed and not self.in_transaction and home._idle is None:
            home._idle = self
            return
        self.raw.close()


# -- the database -------------------------------------------------------------------------
@dataclass
class ServerDatabase:
    """An open, recognised, up-to-date reqtrack schema on a PostgreSQL server."""

    address: ServerAddress
    write: bool
    engine: PostgresEngine
    migrated_from: int | None = None
    backup_path: None = None  # no copy is kept before an upgrade: the server's migrations are one transaction each
    pending: bool = False  # the schema is to be made by the first unit of work (`open`'s `new`)
    _idle: PgConnection | None = field(default=None, repr=False)

    def release(self) -> None:
        """Close the connection kept for the command's next unit of work (the command is over)."""
        idle, self._idle = self._idle, None
        if idle is not None and not idle.raw.closed:
            idle.raw.close()

    def __del__(self) -> None:
        # A caller that never released the database (a library caller, a test) lets it go: the
        # connection it kept is closed now, not left open until the process ends.
        self.release()

    path = None  # not a file

    @property
    def label(self) -> str:
        return self.address.label

    @property
    def named(self) -> Message:
        """The database as sentences name it, in their language."""
        return self.address.named

    @property
    def protected_paths(self) -> list[Any]:
        return []

    @classmethod
    def open(cls, url: str, write: bool, new: bool = False) -> ServerDatabase:
        """Connect, recognise the schema (creating it first when `write` and it is missing; with `new`
        in the first unit of work: `make_in`), upgrade an older one; else EnvironmentProblem (exit 3)."""
        address = parse_address(url)
        db = cls(address=address, write=write, engine=PostgresEngine(address.schema))
        conn = db.raw_connection()
        try:
            db._recognise(conn, create=not (new and write))
        except db.engine.error as exc:
            raise db.problem(exc) or db._unexpected(exc) from None
        finally:
            conn.close()
        return db

    @classmethod
    def exists(cls, url: str) -> bool:
        """Whether the URL's schema holds a reqtrack database (a foreign one is refused, exit 3)."""
        address = parse_address(url)
        db = cls(address=address, write=False, engine=PostgresEngine(address.schema))
        conn = db.raw_connection()
        try:
            return db._stored_version(conn) is not None
        except db.engine.error as exc:
            raise db.problem(exc) or db._unexpected(exc) from None
        finally:
            conn.close()

    def _recognise(self, conn: PgConnection, create: bool = True) -> None:
        from .db import NEWER
        from .migrations import SCHEMA_VERSION, apply_migrations

        version = self._stored_version(conn)
        if version is None:
            if not self.write:
                raise EnvironmentProblem("no reqtrack database in {database}; register a first request with `reqtrack "
                                         "new` to create it (or `reqtrack copy` one there)",
                                         database=self.address.named_with_schema)
            self.pending = not create
            if create:
                self._create(conn)
            return
        if version > SCHEMA_VERSION:
            raise EnvironmentProblem(NEWER, database=self.address.named_with_schema, version=version, known=SCHEMA_VERSION)
        if version < SCHEMA_VERSION and apply_migrations(conn):
            self.migrated_from = version

    def _stored_version(self, conn: PgConnection) -> int | None:
        """The schema's version; None when the schema is missing or empty (ours to create)."""
        row = self._version_row(conn)
        if row is not None and row[0] == APPLICATION:
            return int(row[1])
        tables = conn.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = ?",
                              (self.address.schema,)).fetchone()[0]
        if tables and row is None:
            # Each statement sees its own moment: a first writer may have committed the schema
            # (every table and the version row, one transaction) between the two reads.
            row = self._version_row(conn)
            if row is not None and row[0] == APPLICATION:
                return int(row[1])
        if tables:
            raise EnvironmentProblem(
                "{database} holds tables that are not reqtrack's; name another schema with ?schema=NAME in the URL "
                "(reqtrack keeps its tables in a schema of their own)", database=self.address.named_with_schema)
        return None

    def _version_row(self, conn: PgConnection) -> tuple[Any, ...] | None:
        """(application, version) of the schema's version table; None when it has none."""
        try:
            return conn.execute(f"SELECT application, version FROM {VERSION_TABLE}").fetchone()
        except self.engine.error as exc:
            if getattr(exc, "sqlstate", None) != "42P01":  # undefined_table
                raise
            return None

    def _create(self, conn: PgConnection) -> None:
        """Create the schema with every table in one transaction. Concurrent first writers queue
        on the schema's lock; those that come after the first find it made and use it."""
        conn.begin(write=True)
        try:
            self._make_schema(conn)
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def _make_schema(self, conn: PgConnection) -> bool:
        """The schema with every table, in `conn`'s write transaction; False: another writer made it."""
        from .db import local_timezone_name
        from .migrations import MIGRATIONS, SCHEMA_VERSION, run_migration

        if self.engine.schema_version(conn) != 0:
            return False
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_name(self.address.schema)}")
        for migration in MIGRATIONS:
            run_migration(conn, migration)
        self.engine.set_schema_version(conn, SCHEMA_VERSION)
        conn.execute("INSERT INTO setting (key, value) VALUES ('calendar.timezone', ?)", (local_timezone_name(),))
        return True

    def make_in(self, conn: PgConnection) -> None:
        """After a unit of work's BEGIN: a new schema (`open`'s `new`) is made in its transaction."""
        if self.pending and not self._make_schema(conn):  # another writer made it since `open`
            from .db import CREATED_MEANWHILE

            raise EnvironmentProblem(CREATED_MEANWHILE, database=self.address.named_with_schema)

    def settle(self, committed: bool) -> None:  # a schema made in a rollback is gone with it
        self.pending = self.pending and not committed

    def raw_connection(self) -> PgConnection:
        """A connection in autocommit mode (the unit of work begins its transactions), with the
        schema as its search path and the lock timeout set; one per command where it can."""
        if self._idle is not None:
            conn, self._idle = self._idle, None
            if conn.bulk == driver.in_bulk_work():
                return conn
            conn.raw.close()  # made for the other kind of work (storage.driver.bulk_work)
        return self._connection(home=self)

    def side_connection(self) -> PgConnection:
        """A connection of its own, closed when done with (storage/side_reads.py's thread)."""
        return self._connection(home=None)

    def _connection(self, home: ServerDatabase | None) -> PgConnection:
        from .db import busy_timeout

        extra: dict[str, Any] = {}
        if "connect_timeout" not in self.address.conninfo:
            extra["connect_timeout"] = 10
        if "application_name" not in self.address.conninfo:
            extra["application_name"] = "reqtrack"
        try:
            raw = driver.connect(self.address.conninfo, **extra)
        except self.engine.error as exc:
            raise self.problem(exc) or self._unexpected(exc) from None
        try:
            raw.execute("SELECT set_config('search_path', ?, false), set_config('lock_timeout', ?, false)",
                        (quote_name(self.address.schema), f"{int(busy_timeout() * 1000)}ms"))
        except self.engine.error as exc:
            raw.close()
            raise self.problem(exc) or self._unexpected(exc) from None
        return PgConnection(raw, self.engine, home=home, bulk=driver.in_bulk_work())

    def _unexpected(self, exc: Exception) -> EnvironmentProblem:
        first = self.address.scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return EnvironmentProblem(_CANNOT_USE, database=self.address.named, detail=first)

    def problem(self, exc: Exception) -> ReqtrackError | None:
        """The environment problem behind a driver error, in one sentence (exit 3); None when it
        is not one (a constraint violation is a bug and stays an internal error)."""
        return server_problem(exc, self.address, self.write)


def server_problem(exc: Exception, address: ServerAddress, write: bool) -> ReqtrackError | None:
    """One sentence naming host, port and database for what the server or libpq said; a text
    PostgreSQL cannot store (a NUL character) is bad input (exit 2)."""
    where, named, user, dbname = f"{address.host}:{address.port}", address.named, address.user, address.dbname
    text = str(exc)
    lowered = text.lower()
    if driver.is_kind(exc, "DataError") and "nul" in lowered:
        return InvalidInput("a text holds a NUL character (U+0000), which PostgreSQL cannot store; remove it and try again")
    sqlstate = getattr(exc, "sqlstate", None) or ""
    if sqlstate == "55P03":  # lock_not_available
        from .db import busy_timeout

        return EnvironmentProblem("the {database} is locked by another writer for more than {seconds:g} s; try again "
                                  "shortly, or raise REQTRACK_BUSY_TIMEOUT", database=named, seconds=busy_timeout())
    if sqlstate == "42501" or "permission denied" in lowered:
        if write:
            return EnvironmentProblem("role {user} may not write to the {database} (permission denied); this command "
                                      "writes: use a role that may (docs/team.md)", user=user, database=named)
        return EnvironmentProblem("role {user} may not read the {database} (permission denied); ask for SELECT on its "
                                  "tables and USAGE on the schema (docs/team.md)", user=user, database=named)
    if sqlstate == "25006":
        return EnvironmentProblem("the server at {where} takes no writes (a standby?); the {database} can only be read "
                                  "there", where=where, database=named)
    if sqlstate == "53100" or "no space left" in lowered:
        return EnvironmentProblem("the server at {where} is out of disk space; nothing was written", where=where)
    if "password authentication failed" in lowered or "no password supplied" in lowered \
            or "authentication failed" in lowered or sqlstate == "28P01" or sqlstate == "28000":
        return EnvironmentProblem(
            "authentication failed for role {user} on the server at {where} (database {dbname}); check the password "
            "(PGPASSWORD, ~/.pgpass or the URL); it is never shown", user=user, where=where, dbname=dbname)
    if re.search(r'role ".*" does not exist', text):
        return EnvironmentProblem("there is no role {user} on the server at {where} (database {dbname}); create it or "
                                  "name another user in --db", user=user, where=where, dbname=dbname)
    if re.search(r'database ".*" does not exist', text) or sqlstate == "3D000":
        return EnvironmentProblem("there is no database {dbname} on the server at {where}; create it (createdb "
                                  "{dbname}) or name another in --db", dbname=dbname, where=where)
    if sqlstate == "53300" or any(words in lowered for words in ("too many clients", "too many connections",
                                                                 "connection slots are reserved")):
        return EnvironmentProblem("the server at {where} takes no more connections (too many clients); try again "
                                  "shortly, or ask its administrator to raise max_connections", where=where)
    if driver.is_kind(exc, "OperationalError"):
        if any(word in lowered for word in ("connection refused", "could not connect", "timeout expired",
                                            "could not translate host", "no route to host", "network is unreachable",
                                            "connection to server")):
            return EnvironmentProblem("cannot reach the PostgreSQL server at {where} (database {dbname}); is it "
                                      "running, and are host and port right?", where=where, dbname=dbname)
        if "terminat" in lowered or "closed" in lowered or "lost" in lowered:
            return EnvironmentProblem("the connection to the server at {where} (database {dbname}) was lost; nothing "
                                      "of this command was written; try again", where=where, dbname=dbname)
        first = address.scrub(text.strip().splitlines()[0]) if text.strip() else Message("the connection failed")
        return EnvironmentProblem(_CANNOT_USE, database=named, detail=first)
    return None


_CANNOT_USE = "cannot use the {database}: {detail}"
