"""The team database on a PostgreSQL server (SPEC §7): what only the server has — its schema, its
problems, its roles, several machines writing at once. Everything else runs on both engines in
the other behavioural tests (conftest's `db_path`)."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PG_URL, require_pg
from helpers import NOW_TEXT
from reqtrack.cli import app


def run(url: str, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["--db", url, *args], env={"REQTRACK_NOW": NOW_TEXT, **(env or {})})


def admin_sql(sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def schema_of(url: str) -> str:
    return url.rsplit("schema=", 1)[1]


def tables_in(schema: str) -> set[str]:
    return {name for (name,) in admin_sql(f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}'")}


def test_the_first_write_creates_the_schema_with_every_table(pg_url: str) -> None:
    schema = schema_of(pg_url)
    assert tables_in(schema) == set()
    listed = run(pg_url, "list")
    assert listed.exit_code == 3 and "no reqtrack database in schema" in listed.stderr and "reqtrack new" in listed.stderr
    assert admin_sql(f"SELECT 1 FROM pg_namespace WHERE nspname = '{schema}'") == []  # a read creates nothing
    created = run(pg_url, "new", "希望增加批量导出功能", "--customer", "科技有限公司")
    assert created.exit_code == 0 and created.stdout.strip() == "202503-001", created.output
    assert {"request", "event", "attachment", "setting", "import_log", "sla_open", "derived", "country_day",
            "report_fact", "report_completion", "report_event", "vocabulary", "link", "search_doc",
            "template", "person", "request_state", "request_json", "schema_version"} == tables_in(schema)
    assert admin_sql(f'SELECT application, version FROM "{schema}".schema_version')[0][0] == "reqtrack"
    assert run(pg_url, "list").exit_code == 0


def test_the_schema_can_be_named_by_search_path_and_the_default_is_reqtrack(pg_url: str) -> None:
    schema = schema_of(pg_url)
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    assert run(url, "new", "x", "--customer", "A").exit_code == 0
    assert "request" in tables_in(schema)
    from reqtrack.storage.server import parse_address

    assert parse_address(PG_URL).schema == "reqtrack"
    assert parse_address(f"{PG_URL}?schema=team_a").schema == "team_a"
    assert parse_address(f"{PG_URL}?schema=team_a").conninfo == PG_URL  # libpq is not given `schema=`


def test_a_schema_holding_other_tables_is_refused_untouched(pg_url: str) -> None:
    require_pg()
    schema = schema_of(pg_url)
    admin_sql(f'CREATE SCHEMA "{schema}"; CREATE TABLE "{schema}".invoices (id int)')
    for args in (["new", "x", "--customer", "A"], ["list"]):
        result = run(pg_url, *args)
        assert result.exit_code == 3, result.output
        assert "holds tables that are not reqtrack's" in result.stderr and len(result.stderr.splitlines()) == 1
    assert tables_in(schema) == {"invoices"}


def test_concurrent_first_writers_on_several_machines_get_consecutive_ids(pg_url: str) -> None:
    """Six processes register 15 requests each at once on a schema that does not exist yet: one
    creates it, the others wait for it, and the 90 IDs are distinct and consecutive."""
    script = (
        "import sys\n"
        "from reqtrack import services\n"
        "ctx = services.Context(db_path=sys.argv[1], actor=sys.argv[2])\n"
        "for n in range(15):\n"
        "    ctx._now = None\n"
        "    services.register(ctx, f'{sys.argv[2]} {n}', 'ACME')\n"
    )
    env = {**os.environ, "REQTRACK_NOW": "2025-03-10T09:00:00+08:00"}
    workers = [subprocess.Popen([sys.executable, "-c", script, pg_url, f"machine-{n}"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(6)]
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    listed = run(pg_url, "list", "--format", "json")
    ids = sorted(item["id"] for item in json.loads(listed.stdout))
    assert ids == [f"202503-{n:03d}" for n in range(1, 91)]


def test_a_first_writer_waits_for_another_schema_creating_pg_trgm_and_gets_its_search_index() -> None:
    """Two reqtrack schemas created at once in a database without pg_trgm: the second's CREATE
    EXTENSION waits for the first's, fails on pg_extension's unique key once that commits, and
    still finds the extension (its write transaction reads committed) and makes the search index."""
    import psycopg

    require_pg()
    database = f"t_{uuid.uuid4().hex[:12]}"
    admin_sql(f'CREATE DATABASE "{database}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{database}"
    try:
        with psycopg.connect(url) as first:  # another schema's first writer, mid-transaction
            first.execute("CREATE EXTENSION pg_trgm SCHEMA public")
            second = subprocess.Popen([sys.executable, "-m", "reqtrack", "--db", f"{url}?schema=b", "new", "x",
                                       "--customer", "ACME"], env={**os.environ, "REQTRACK_NOW": NOW_TEXT},
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            with pytest.raises(subprocess.TimeoutExpired):
                second.wait(timeout=1.5)  # waiting for the first's extension
            first.commit()
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        with psycopg.connect(url) as conn:
            indexes = {name for (name,) in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'b'")}
        assert {"search_doc_description_trgm", "search_doc_other_trgm"} <= indexes
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def viewer(pg_url: str) -> Iterator[str]:
    """A URL of the test's schema for a role granted SELECT only."""
    schema = schema_of(pg_url)
    role = f"viewer_{uuid.uuid4().hex[:10]}"
    assert run(pg_url, "new", "x", "--customer", "A").exit_code == 0
    admin_sql(f'CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA "{schema}" TO {role}; '
              f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}')
    try:
        yield pg_url.replace("root@", f"{role}@")
    finally:
        admin_sql(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}; '
                  f'REVOKE ALL ON SCHEMA "{schema}" FROM {role}; DROP ROLE {role}')


@pytest.mark.parametrize("driver", ["libpq", "psycopg"])
def test_a_server_that_takes_no_more_connections_is_one_sentence(pg_url: str, driver: str) -> None:
    """A role at its connection limit (as a server at max_connections): exit 3, the sentence says
    so — not "cannot reach", which would send the user to check host and port."""
    role = f"limited_{uuid.uuid4().hex[:10]}"
    admin_sql(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")
    try:
        result = run(pg_url.replace("root@", f"{role}@"), "list", env={"REQTRACK_PG_DRIVER": driver})
        assert result.exit_code == 3, result.output
        [sentence] = result.stderr.strip().splitlines()
        assert "127.0.0.1:5432 takes no more connections" in sentence, sentence
    finally:
        admin_sql(f"DROP ROLE {role}")


def test_a_select_only_role_reads_everything_and_may_not_write(viewer: str) -> None:
    role = viewer.split("://", 1)[1].split("@", 1)[0]
    for args in (["list"], ["show", "202503-001"], ["show", "202503-001", "--json"], ["overdue", "--json"],
                 ["report", "--json"], ["list", "--format", "csv"]):
        result = run(viewer, *args)
        assert result.exit_code in (0, 1), (args, result.output)
    for args in (["new", "y", "--customer", "B"], ["progress", "202503-001", "note"], ["config", "set", "sla.response_hours", "8"]):
        result = run(viewer, *args)
        assert result.exit_code == 3, (args, result.output)
        [sentence] = result.stderr.strip().splitlines()
        assert f"role {role} may not write" in sentence and "127.0.0.1:5432" in sentence
    assert len(json.loads(run(viewer, "list", "--format", "json").stdout)) == 1  # nothing was written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def password_refusing_server() -> Iterator[int]:
    """A server on localhost that speaks PostgreSQL's protocol as far as asking for a password
    and refusing it (28P01), as a server with password authentication does: the test machines'
    own server trusts every local connection, so a wrong password cannot be tried on it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def message(kind: bytes, body: bytes) -> bytes:
        return kind + struct.pack("!i", len(body) + 4) + body

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                length = struct.unpack("!i", conn.recv(4))[0]
                packet = conn.recv(length - 4)
                if struct.unpack("!i", packet[:4])[0] in (80877103, 80877104):  # SSLRequest, GSSENCRequest
                    conn.sendall(b"N")
                    length = struct.unpack("!i", conn.recv(4))[0]
                    conn.recv(length - 4)
                conn.sendall(message(b"R", struct.pack("!i", 3)))  # AuthenticationCleartextPassword
                conn.recv(4096)  # the password message
                fields = b"SFATAL\x00VFATAL\x00C28P01\x00Mpassword authentication failed for user \"lead\"\x00\x00"
                conn.sendall(message(b"E", fields))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    listener.close()


def test_server_problems_are_one_sentence_with_exit_3_and_no_password(password_refusing_server: int,
                                                                      tmp_path: Path) -> None:
    require_pg()
    secret = "s3cret-Passw0rd"
    cases = {
        f"postgresql://lead:{secret}@127.0.0.1:{_free_port()}/team": ("cannot reach the PostgreSQL server at 127.0.0.1:",
                                                                     "database team"),
        f"postgresql://lead:{secret}@127.0.0.1:{password_refusing_server}/team": (
            "authentication failed for role lead on the server at 127.0.0.1:", "it is never shown"),
        f"postgresql://root:{secret}@127.0.0.1:5432/no_such_db_{uuid.uuid4().hex[:6]}": (
            "there is no database no_such_db_", "on the server at 127.0.0.1:5432"),
        f"postgresql://nobody_{uuid.uuid4().hex[:6]}:{secret}@127.0.0.1:5432/test": ("there is no role nobody_",
                                                                                  "127.0.0.1:5432"),
    }
    for url, words in cases.items():
        for args in (["list"], ["new", "x", "--customer", "A"]):
            result = run(url, *args, env={"PGCONNECT_TIMEOUT": "5"})
            assert result.exit_code == 3, (url, result.output)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and all(word in lines[0] for word in words), lines
            assert secret not in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_lock_held_past_the_timeout_is_exit_3_naming_the_server(pg_url: str) -> None:
    import psycopg

    from reqtrack.storage.server import PostgresEngine

    assert run(pg_url, "new", "x", "--customer", "A").exit_code == 0
    key = PostgresEngine(schema_of(pg_url)).lock_key
    with psycopg.connect(PG_URL) as holder:  # another writer holding the schema's write lock
        holder.execute(f"SELECT pg_advisory_xact_lock({key})")
        result = run(pg_url, "progress", "202503-001", "note", env={"REQTRACK_BUSY_TIMEOUT": "0.5"})
        holder.rollback()
    assert result.exit_code == 3 and "is locked by another writer for more than 0.5 s" in result.stderr
    assert "127.0.0.1:5432" in result.stderr
    assert run(pg_url, "progress", "202503-001", "note").exit_code == 0  # once it is free


def test_the_write_lock_key_is_the_same_in_every_version() -> None:
    """Writers of two versions must queue on the same advisory lock: the first eight bytes of the
    SHA-256 of `reqtrack:<schema>`, whichever module computes it."""
    import hashlib

    from reqtrack.storage.server import PostgresEngine

    for schema in ("public", "team_b", "客服"):
        digest = hashlib.sha256(f"reqtrack:{schema}".encode()).digest()
        assert PostgresEngine(schema).lock_key == int.from_bytes(digest[:8], "big", signed=True)
    assert PostgresEngine("public").lock_key == -8013313034684984273  # as every release since the server came


def test_without_psycopg_a_url_names_the_extra_to_install(pg_url: str) -> None:
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from typer.testing import CliRunner\nfrom reqtrack.cli import app\n"
            f"r = CliRunner().invoke(app, ['--db', {pg_url!r}, 'list'])\n"
            "print(r.exit_code); print(r.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("3\n") and "pip install 'reqtrack[postgres]'" in out


def test_the_file_commands_never_load_psycopg(tmp_path: Path) -> None:
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom reqtrack.cli import app\n"
            f"db = {str(tmp_path / 'r.db')!r}\n"
            "for args in (['new', 'x', '--customer', 'A'], ['list'], ['show', '202503-001'], ['check']):\n"
            "    assert CliRunner().invoke(app, ['--db', db, *args]).exit_code == 0\n"
            "print('psycopg' in sys.modules)")
    env = {**os.environ, "REQTRACK_NOW": NOW_TEXT}
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True).stdout.strip() == "False"


def test_a_server_command_loads_no_importlib_metadata_and_psycopg_knows_its_version(pg_url: str) -> None:
    """On the psycopg driver (the fallback), psycopg's version modules are answered from the
    .dist-info names (storage.driver.known_versions): the same versions importlib.metadata
    gives, without its import. (The libpq driver imports neither: tests/integration/test_libpq.py.)"""
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom reqtrack.cli import app\n"
            f"url = {pg_url!r}\n"
            "for args in (['new', 'x', '--customer', 'A'], ['show', '202503-001'], ['list']):\n"
            "    assert CliRunner().invoke(app, ['--db', url, *args]).exit_code == 0\n"
            "loaded = 'importlib.metadata' in sys.modules\n"
            "import psycopg, psycopg_binary, importlib.metadata as m\n"
            "print(loaded, psycopg.__version__ == m.version('psycopg'), psycopg_binary.__version__ == m.version('psycopg-binary'))")
    env = {**os.environ, "REQTRACK_NOW": NOW_TEXT, "REQTRACK_PG_DRIVER": "psycopg"}
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True).stdout.split() == ["False", "True", "True"]


@pytest.mark.parametrize("driver", ["libpq", "psycopg"])
def test_the_same_scripted_loop_on_both_engines_gives_the_same_outputs(tmp_path: Path, pg_url: str, driver: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Sixty commands of a team working requests through the loop (helpers.populate_workload), once
    on the file and once on the server, through each of the server's drivers (storage/driver.py):
    every script output is the same."""
    from helpers import populate_workload

    monkeypatch.setenv("REQTRACK_PG_DRIVER", driver)
    seed = 20261201
    clock = populate_workload(tmp_path / "r.db", seed, count=80)
    assert populate_workload(pg_url, seed, count=80).now == clock.now
    now = {"REQTRACK_NOW": clock.now.isoformat()}

    def outputs(location: str) -> dict[str, str]:
        runner = CliRunner()

        def out(*args: str) -> str:
            result = runner.invoke(app, ["--db", location, *args], env={**now, "REQTRACK_PG_DRIVER": driver})
            assert result.exit_code in (0, 1), (args, result.output)
            return result.stdout

        listed = out("list", "--format", "json")
        shown = {item["id"]: out("show", item["id"], "--json") for item in json.loads(listed)}
        return {"list": listed, "csv": out("list", "--format", "csv"), **shown,
                "overdue": out("overdue", "--json"), "overdue --stale": out("overdue", "--json", "--stale"),
                "report": out("report", "--json"), "report year": out("report", "--period", "year", "--json"),
                "report from-to": out("report", "--from", "2025-01-01", "--to", "2025-12-31", "--json"),
                "config": out("config", "show")}

    on_file, on_server = outputs(str(tmp_path / "r.db")), outputs(pg_url)
    assert len(on_file) > 20
    for key in on_file:
        assert on_server[key] == on_file[key], key


def test_a_context_let_go_closes_the_connection_it_kept(pg_url: str) -> None:
    """A command keeps one server connection for its units of work; a Context dropped without
    closing anything (a library caller, a test) leaves no connection open for psycopg to warn
    about when the garbage collector takes it."""
    import gc

    from reqtrack import services

    ctx = services.Context(db_path=pg_url)
    services.register(ctx, "x", "ACME")
    assert services.list_requests(ctx).total == 1
    kept = [db._idle.raw for db in ctx._databases.values() if db._idle is not None]
    assert kept and not any(raw.closed for raw in kept)  # parked for the command's next unit of work
    del ctx
    gc.collect()
    assert all(raw.closed for raw in kept)
