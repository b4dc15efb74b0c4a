"""The SQLite file: creation, recognition, migrations, concurrency of IDs."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpers import database_at_schema, make_read_only
from reqtrack import services
from reqtrack.domain.errors import EnvironmentProblem
from reqtrack.storage.db import APPLICATION_ID, Database, create_database
from reqtrack.storage.migrations import MIGRATIONS, SCHEMA_VERSION, apply_migrations


def test_write_creates_a_private_database_with_its_marks(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "r.db"
    db = Database.open(path, write=True)
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM setting WHERE key='calendar.timezone'").fetchone()[0] == "Asia/Shanghai"
    assert db.migrated_from is None
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_read_on_missing_database_does_not_create_it(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem, match="reqtrack new"):
        Database.open(tmp_path / "none.db", write=False)
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("content", [b"", b"hello, this is a text file" * 10])
def test_empty_or_foreign_file_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    with pytest.raises(EnvironmentProblem, match="not a reqtrack database|empty"):
        Database.open(path, write=True)
    assert path.read_bytes() == content


def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(EnvironmentProblem, match="SQLite file but not a reqtrack"):
        Database.open(path, write=True)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    create_database(path, "UTC")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(EnvironmentProblem, match="newer reqtrack"):
        Database.open(path, write=False)


def test_create_is_atomic_second_creator_loses_quietly(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    assert create_database(path, "UTC") is True
    assert create_database(path, "UTC") is False


def _database_at_first_schema(path: Path) -> None:
    """A database as the first released schema wrote it, with one request in it."""
    conn = database_at_schema(path, 1, zone="UTC", wal=False)
    conn.execute(
        "INSERT INTO request (id, id_month, id_seq, customer, description, submitted_at, status) "
        "VALUES ('202401-007', '202401', 7, 'Old Co', 'legacy', '2024-01-05T08:00:00Z', 'pending')"
    )
    conn.execute("INSERT INTO event VALUES ('202401-007', 1, '2024-01-05T08:00:00Z', 'new', 'old', NULL, '')")
    conn.close()


def test_migrates_a_first_schema_database_forward_and_keeps_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _database_at_first_schema(path)
    db = Database.open(path, write=True)
    assert db.migrated_from == 1
    assert db.backup_path is not None and db.backup_path.name == "old.db.v1.bak"
    assert sqlite3.connect(db.backup_path).execute("PRAGMA user_version").fetchone()[0] == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT updated_at FROM request").fetchone()[0] == "2024-01-05T08:00:00Z"
    ctx = services.Context(db_path=path, actor="t")
    assert services.get(ctx, "202401-007").customer == "Old Co"
    # m010 made the JSON text of each open request (as `list --format json` prints it) from its record
    from reqtrack.domain.request_json import request_json_text
    from reqtrack.storage.json_docs import request_json_basis

    zone = ZoneInfo(conn.execute("SELECT value FROM setting WHERE key = 'calendar.timezone'").fetchone()[0])
    texts = dict(conn.execute("SELECT request_id, body FROM request_json").fetchall())
    assert texts == {"202401-007": request_json_text(services.get(ctx, "202401-007"), zone)}
    assert conn.execute("SELECT basis FROM derived WHERE name = 'request_json'").fetchone()[0] == request_json_basis(zone)


def test_failed_migration_leaves_the_version_where_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    _database_at_first_schema(path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr("reqtrack.storage.migrations.MIGRATIONS", [MIGRATIONS[0], broken])
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(RuntimeError):
        apply_migrations(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='half_done'").fetchone()[0] == 0


def product_statements(conn: sqlite3.Connection, run) -> list[str]:
    """The SQL statements the product's code runs on `conn` while `run()` runs (as executed)."""
    captured: list[str] = []
    conn.set_trace_callback(captured.append)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
    return captured


def test_list_query_for_open_requests_uses_the_status_index(tmp_path: Path) -> None:
    """The query `list --open` runs (captured from the repository, not written here) searches the
    status index."""
    from reqtrack.storage.repository import Repository
    from reqtrack.storage.stored import RequestFilter

    path = tmp_path / "r.db"
    ctx = services.Context(db_path=path, actor="t")
    for n in range(3):
        ctx._now = None
        services.register(ctx, f"request {n}", "ACME")
    conn = sqlite3.connect(path)
    statements = product_statements(conn, lambda: list(Repository(conn).select(RequestFilter(open_only=True))))
    [query] = [s for s in statements if "FROM request" in s]
    plan = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "USING INDEX request_status (status=?)" in plan, (query, plan)
    assert "SCAN request" not in plan.replace("SCAN request USING INDEX request_status", ""), plan


def test_read_only_file_refused_for_writes(tmp_path: Path) -> None:
    """Also as root (CI): the file is made immutable (chattr +i), which binds root too."""
    path = tmp_path / "r.db"
    create_database(path, "UTC")
    before = path.read_bytes()
    undo = make_read_only(path)
    try:
        with pytest.raises(EnvironmentProblem, match="read-only") as refused:
            Database.open(path, write=True)
        assert str(path) in str(refused.value)
        Database.open(path, write=False)  # reading is still allowed
        assert path.read_bytes() == before
    finally:
        undo()


def _affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (https://sqlite.org/datatype3.html §3.1)."""
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in declared or not declared:
        return "BLOB"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def test_the_live_schema_is_the_declared_one(tmp_path: Path) -> None:
    """tables.py (SQLModel) declares every table; a freshly created database (the migrations)
    has exactly those tables, columns in order, type affinities, NOT NULL and primary keys.

    The full-text index over search_doc is the engine's own derived data and is not declared
    (docs/search.md): SQLite's FTS5 table `search_fts` with its shadow tables and the vocabulary
    table `search_vocab` (`Engine.search_index_tables`) are left out here — and must be exactly
    those, virtual tables of FTS5 — as PostgreSQL's GIN indexes are (indexes are not compared)."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlmodel import SQLModel

    from reqtrack.storage import tables  # noqa: F401 - registers the models
    from reqtrack.storage.engine import SQLITE

    path = tmp_path / "schema.db"
    create_database(path, "UTC")
    conn = sqlite3.connect(path)
    live_tables = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    index_tables = set(SQLITE.search_index_tables())
    assert index_tables <= live_tables
    virtual = {name for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
               if sql.upper().startswith("CREATE VIRTUAL TABLE")}
    assert virtual == {"search_fts", "search_vocab"}
    live_tables -= index_tables
    declared = SQLModel.metadata.tables
    assert live_tables == set(declared)
    dialect = sqlite_dialect.dialect()
    for name, table in declared.items():
        live = [(column, _affinity(kind), bool(notnull) and not pk, pk)
                for _, column, kind, notnull, _, pk in conn.execute(f"PRAGMA table_info({name})")]
        keys = [column.name for column in table.primary_key.columns]
        wanted = [(column.name, _affinity(column.type.compile(dialect=dialect)),
                   not column.nullable and not column.primary_key,
                   keys.index(column.name) + 1 if column.primary_key else 0)
                  for column in table.columns]
        assert live == wanted, name
        live_refs = {(row[3], row[2], row[4]) for row in conn.execute(f"PRAGMA foreign_key_list({name})")}
        wanted_refs = {(fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys}
        assert live_refs == wanted_refs, name
    conn.close()


def test_the_everyday_path_does_not_import_the_schema_declaration() -> None:
    """Only the schema test imports tables.py (and SQLModel with it): no module of the product."""
    source = Path(__file__).resolve().parents[1] / "src" / "reqtrack"
    importers = [str(p.relative_to(source)) for p in source.rglob("*.py")
                 if p.name != "tables.py" and any(word in p.read_text(encoding="utf-8")
                                                  for word in ("import tables", ".tables import", "sqlmodel", "sqlalchemy"))]
    assert importers == []


def test_the_live_schema_on_postgresql_is_the_declared_one(pg_url: str) -> None:
    """The same declaration holds on the server: a schema the first write created has exactly
    the declared tables (and the version table), columns in order, their types (text, integer as
    bigint, bytes as bytea), NOT NULL, primary and foreign keys, and text compared byte-wise."""
    import psycopg
    from sqlmodel import SQLModel

    from reqtrack import services
    from reqtrack.storage import tables  # noqa: F401 - registers the models

    services.register(services.Context(db_path=pg_url, actor="t"), "x", "ACME")
    schema = pg_url.rsplit("schema=", 1)[1]
    def kind(column) -> str:
        name = type(column.type).__name__
        return "bytea" if "Binary" in name else "bigint" if "Integer" in name else "text" if "String" in name else name
    with psycopg.connect(pg_url.rsplit("?", 1)[0]) as conn:
        def rows(sql: str) -> list[tuple]:
            return conn.execute(sql, (schema,)).fetchall()

        live_tables = {name for (name,) in rows("SELECT tablename FROM pg_tables WHERE schemaname = %s")}
        declared = SQLModel.metadata.tables
        assert live_tables == set(declared) | {"schema_version"}
        columns = rows("SELECT table_name, column_name, data_type, is_nullable, collation_name FROM information_schema.columns "
                       "WHERE table_schema = %s ORDER BY table_name, ordinal_position")
        keys = rows("SELECT k.table_name, k.column_name, k.ordinal_position FROM information_schema.key_column_usage k "
                    "JOIN information_schema.table_constraints c ON c.constraint_name = k.constraint_name "
                    "AND c.table_schema = k.table_schema WHERE k.table_schema = %s AND c.constraint_type = 'PRIMARY KEY'")
        references = rows(
            "SELECT cl.relname, a.attname, rt.relname, ra.attname FROM pg_constraint c "
            "JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_class rt ON rt.oid = c.confrelid JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] "
            "WHERE n.nspname = %s AND c.contype = 'f'")
    for name, table in declared.items():
        live = [(column, kind, nullable == "NO", collation) for t, column, kind, nullable, collation in columns if t == name]
        wanted = [(c.name, kind(c), not c.nullable or c.primary_key, "C" if kind(c) == "text" else None)
                  for c in table.columns]
        assert live == wanted, name
        primary = [column for t, column, _ in sorted(keys, key=lambda k: k[2]) if t == name]
        assert primary == [c.name for c in table.primary_key.columns], name
        live_refs = {(column, target, target_column) for t, column, target, target_column in references if t == name}
        assert live_refs == {(fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys}, name
