"""The two PostgreSQL drivers (storage/driver.py): libpq through ctypes (storage/libpq.py, the
everyday one) and psycopg 3 (the fallback) give the same rows, the same errors and the same
effects for the statements reqtrack runs — both on a real server, side by side."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PG_URL, require_pg
from reqtrack.storage import driver, libpq
from reqtrack.storage.placeholders import dollar_statement, pg_statement


def connect(which: str) -> Any:
    if which == "libpq":
        return libpq.LibpqConnection.connect(PG_URL, application_name="reqtrack-test")
    return driver.PsycopgConnection(driver.psycopg_module().connect(PG_URL, autocommit=True))


@pytest.fixture(scope="module")
def both() -> Iterator[dict[str, Any]]:
    require_pg()
    conns = {which: connect(which) for which in ("libpq", "psycopg")}
    yield conns
    for conn in conns.values():
        conn.close()


# -- placeholders ----------------------------------------------------------------------------
def test_placeholders_are_numbered_outside_quotes_and_casts() -> None:
    assert dollar_statement("SELECT ?, '?', \"a?\", x::text, ? WHERE y LIKE '%a%'") == (
        "SELECT $1, '?', \"a?\", x::text, $2 WHERE y LIKE '%a%'", None)
    assert dollar_statement("UPDATE t SET a = :a, b = :b WHERE a = :a") == ("UPDATE t SET a = $1, b = $2 WHERE a = $1",
                                                                             ("a", "b"))
    assert pg_statement("SELECT ?, :a, '%', 5 % 2") == "SELECT %s, %(a)s, '%', 5 %% 2"
    with pytest.raises(ValueError):
        dollar_statement("SELECT ?, :a")


# -- values in and out -------------------------------------------------------------------------
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_VALUES = st.one_of(st.none(), _TEXT, st.booleans(), st.integers(-2**63, 2**63 - 1),
                    st.floats(allow_nan=False), st.binary(max_size=40))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_VALUES, min_size=1, max_size=6))
def test_parameters_come_back_as_psycopg_gives_them(both: dict[str, Any], values: list[Any]) -> None:
    """Each value sent as a parameter and read back, typed by the statement: the same Python
    value and type through both drivers."""
    casts = {str: "text", bool: "boolean", int: "numeric", float: "float8", bytes: "bytea", type(None): "text"}
    sql = "SELECT " + ", ".join(f"CAST(? AS {casts[type(v)]})" for v in values)
    got = {which: conn.execute(sql, values).fetchall() for which, conn in both.items()}
    assert got["libpq"] == got["psycopg"]
    assert [type(v) for v in got["libpq"][0]] == [type(v) for v in got["psycopg"][0]]
    for sent, back in zip(values, got["libpq"][0], strict=True):
        assert back == (Decimal(sent) if type(sent) is int else sent)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), _TEXT), st.one_of(st.none(), _TEXT),
                               st.one_of(st.none(), st.integers(-2**63, 2**63 - 1))), max_size=8))
def test_many_rows_on_the_server_are_the_rows_of_the_plain_select(both: dict[str, Any],
                                                                   rows: list[tuple[Any, Any, int | None]]) -> None:
    """`PostgresEngine.many_rows` reads a result as one JSON text a column: the same rows (NULLs, empty
    texts, quotes, backslashes, control characters, any Unicode) as the plain SELECT, through
    both drivers."""
    from reqtrack.storage.server import PostgresEngine

    values = ", ".join("(?, ?, CAST(? AS bigint))" for _ in rows) or "(NULL, NULL, CAST(NULL AS bigint))"
    rest = f"FROM (VALUES {values}) AS v(a, b, n)" + ("" if rows else " WHERE false")
    params = [value for row in rows for value in row]
    for conn in both.values():
        plain = [tuple(row) for row in conn.execute(f"SELECT CAST(a AS text), CAST(b AS text), n {rest}",
                                                     params).fetchall()]
        packed = [tuple(row) for row in PostgresEngine("public").many_rows(
            conn, ["CAST(a AS text)", "CAST(b AS text)", "n"], rest, params)]
        assert packed == plain == [tuple(row) for row in rows]


def test_the_types_reqtrack_reads_are_read_alike(both: dict[str, Any]) -> None:
    sql = ("SELECT 1::int2, 2::int4, 3::int8, 1.5::float4, 2.5::float8, 10.25::numeric, sum(x), count(*), "
           "true, false, NULL, '', 'текст 文字', '\\x00ff'::bytea, '{\"a\": [1, 2]}'::json, '[3]'::jsonb, "
           "'2026-12-01'::date, '2026-12-01 10:00:00'::timestamp, 'pg_class'::regclass, 'x'::name, "
           "'c'::char(3), 'v'::varchar FROM (VALUES (1::bigint), (2)) v(x)")
    rows = {which: conn.execute(sql).fetchall() for which, conn in both.items()}
    assert rows["libpq"] == rows["psycopg"]
    assert [type(v) for v in rows["libpq"][0]] == [type(v) for v in rows["psycopg"][0]]


def test_named_parameters_and_one_used_twice(both: dict[str, Any]) -> None:
    for conn in both.values():
        assert conn.execute("SELECT CAST(:a AS int) + CAST(:b AS int), CAST(:a AS int)", {"a": 2, "b": 3}).fetchone() == (5, 2)


def test_descriptions_rowcounts_and_batches(both: dict[str, Any]) -> None:
    for conn in both.values():
        cursor = conn.execute("SELECT g AS n, g * 2 AS twice FROM generate_series(1, 5) g")
        assert [column[0] for column in cursor.description] == ["n", "twice"]
        assert cursor.fetchone() == (1, 2)
        assert cursor.fetchmany(2) == [(2, 4), (3, 6)]
        assert cursor.fetchall() == [(4, 8), (5, 10)] and cursor.fetchone() is None
        conn.execute("BEGIN")
        try:
            conn.execute("CREATE TEMP TABLE tmp_rows (n int) ON COMMIT DROP")
            assert conn.execute("INSERT INTO tmp_rows SELECT generate_series(1, 7)").rowcount == 7
            assert conn.execute("UPDATE tmp_rows SET n = n WHERE n > ?", (4,)).rowcount == 3
            streamed = list(conn.stream("SELECT n FROM tmp_rows WHERE n > ? ORDER BY n", (1,), 4))
            assert streamed == [[(2,), (3,), (4,), (5,)], [(6,), (7,)]]
        finally:
            conn.execute("ROLLBACK")


def test_copy_in_takes_every_kind_of_value_or_nothing(both: dict[str, Any]) -> None:
    awkward = ["tab\there", "new\nline", "back\\slash", "\\N", "", "返回\r", None]
    rows = [(n, text, n % 2 == 0, n * 0.5, bytes([n, 0, 255])) for n, text in enumerate(awkward)]
    for which, conn in both.items():
        conn.execute("BEGIN")
        try:
            conn.execute("CREATE TEMP TABLE tmp_copy (n int, t text, b boolean, f float8, raw bytea) ON COMMIT DROP")
            conn.copy_in("tmp_copy", ["n", "t", "b", "f", "raw"], iter(rows))
            assert conn.execute("SELECT * FROM tmp_copy ORDER BY n").fetchall() == rows, which
            conn.execute("SAVEPOINT before")

            def failing() -> Iterator[tuple[Any, ...]]:
                yield (100, "kept?", True, 1.0, b"")
                raise RuntimeError("the source failed")

            with pytest.raises(RuntimeError):
                conn.copy_in("tmp_copy", ["n", "t", "b", "f", "raw"], failing())
            conn.execute("ROLLBACK TO SAVEPOINT before")
            assert conn.execute("SELECT count(*) FROM tmp_copy").fetchone() == (len(rows),)
        finally:
            conn.execute("ROLLBACK")


# -- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sql", "params", "kind", "sqlstate"), [
    ("SELECT * FROM no_such_table_here", None, "ProgrammingError", "42P01"),
    ("SELECT 1/0", None, "DataError", "22012"),
    ("SELECT CAST(? AS int)", ("x",), "DataError", "22P02"),
    ("SELECT CAST(? AS text)", ("a\x00b",), "DataError", None),
    ("SELEC 1", None, "ProgrammingError", "42601"),
])
def test_errors_have_the_same_class_and_sqlstate(both: dict[str, Any], sql: str, params: Any, kind: str,
                                                 sqlstate: str | None) -> None:
    for which, conn in both.items():
        with pytest.raises(Exception) as raised:
            conn.execute(sql, params)
        assert driver.is_kind(raised.value, kind), (which, raised.value)
        assert getattr(raised.value, "sqlstate", None) == sqlstate, which
        assert conn.transaction_status == 0  # autocommit: nothing left open


def test_a_constraint_in_a_transaction_and_the_state_after(both: dict[str, Any]) -> None:
    for which, conn in both.items():
        conn.execute("BEGIN")
        conn.execute("CREATE TEMP TABLE tmp_keys (k int PRIMARY KEY)")
        conn.execute("INSERT INTO tmp_keys VALUES (?)", (1,))
        with pytest.raises(Exception) as raised:
            conn.execute("INSERT INTO tmp_keys VALUES (?)", (1,))
        assert driver.is_kind(raised.value, "IntegrityError") and raised.value.sqlstate == "23505", which
        assert conn.transaction_status == 3  # in a failed transaction
        conn.execute("ROLLBACK")
        assert conn.transaction_status == 0


def test_connection_failures_say_what_libpq_says() -> None:
    require_pg()
    for conninfo in ("postgresql://root@127.0.0.1:1/test?connect_timeout=2",
                     "postgresql://root@127.0.0.1:5432/no_such_database_here",
                     "postgresql://no_such_role_here@127.0.0.1:5432/test"):
        messages = []
        for which in ("libpq", "psycopg"):
            with pytest.raises(Exception) as raised:
                if which == "libpq":
                    libpq.LibpqConnection.connect(conninfo)
                else:
                    driver.psycopg_module().connect(conninfo)
            assert driver.is_kind(raised.value, "OperationalError"), which
            messages.append(str(raised.value).strip())
        assert messages[1].removeprefix("connection failed: ") == messages[0]  # psycopg's prefix aside


def test_the_conninfo_is_read_as_libpq_reads_it() -> None:
    require_pg()
    from psycopg.conninfo import conninfo_to_dict

    for conninfo in ("postgresql://u:secret@db.example:6543/team?sslmode=require&application_name=x",
                     "host=/run/postgresql dbname=test user=a", "postgresql:///test"):
        assert libpq.conninfo_dict(conninfo) == {k: str(v) for k, v in conninfo_to_dict(conninfo).items()}
    with pytest.raises(ValueError):
        libpq.conninfo_dict("postgresql://[::1")


def test_notices_are_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    require_pg()
    conn = libpq.LibpqConnection.connect(PG_URL)
    try:
        conn.execute("DROP TABLE IF EXISTS no_such_table_for_a_notice")
    finally:
        conn.close()
    assert "NOTICE" not in capfd.readouterr().err


def test_a_server_command_loads_libpq_not_psycopg(pg_url: str) -> None:
    """The everyday driver: a `list` on the server imports ctypes, not psycopg (nor asyncio)."""
    env = {**os.environ, "REQTRACK_NOW": "2026-12-01T10:00:00+08:00"}
    env.pop("REQTRACK_PG_DRIVER", None)
    subprocess.run([sys.executable, "-m", "reqtrack", "--db", pg_url, "new", "x", "--customer", "A"], env=env,
                   check=True, capture_output=True)
    code = ("import sys, runpy\nsys.argv = ['reqtrack', '--db', sys.argv[1], 'list']\n"
            "try:\n    runpy.run_module('reqtrack', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('psycopg', 'asyncio', 'ctypes') if m in sys.modules), file=sys.stderr)")
    shown = subprocess.run([sys.executable, "-c", code, pg_url], env=env, capture_output=True, text=True)
    assert shown.stderr.strip().splitlines()[-1] == "['ctypes']", shown.stderr
    forced = subprocess.run([sys.executable, "-c", code, pg_url], env={**env, "REQTRACK_PG_DRIVER": "psycopg"},
                            capture_output=True, text=True)
    assert "'psycopg'" in forced.stderr.strip().splitlines()[-1] and forced.stdout == shown.stdout


def test_bulk_work_goes_through_psycopg_and_a_kept_connection_of_the_other_kind_is_not_reused(pg_url: str) -> None:
    """import, export, copy and backup run inside storage.driver.bulk_work: their connections are
    psycopg's (rows made as fetched, executemany pipelined); the everyday ones stay libpq's."""
    from reqtrack import services
    from reqtrack.storage.server import ServerDatabase

    ctx = services.Context(db_path=pg_url)
    try:
        services.register(ctx, "x", "A")
        db = ctx.database(write=False)
        assert isinstance(db, ServerDatabase)
        with _conn(db) as everyday:
            assert isinstance(everyday.raw, libpq.LibpqConnection)
        with driver.bulk_work():
            with _conn(db) as bulk:
                assert isinstance(bulk.raw, driver.PsycopgConnection) and bulk.bulk
        with _conn(db) as again:
            assert isinstance(again.raw, libpq.LibpqConnection)
    finally:
        ctx.close()


@contextlib.contextmanager
def _conn(db: Any) -> Iterator[Any]:
    """A connection of the database, given back (kept for the next) when the block ends."""
    conn = db.raw_connection()
    try:
        yield conn
    finally:
        conn.close()
