"""`reqtrack copy TARGET [--force]` and `backup FILE` of the team database (SPEC §7): the whole
database, file → server → file, gives the same answers to every reading command; all or nothing;
refusals; the verification and what it prints.

Each test that takes `db_path` runs with the source on both engines; the targets are the other
engine (`pg_url`, a schema of its own, or a file in `tmp_path`) and back.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import NOW, Clock, copy_sqlite, stored_state, write_xlsx
from reqtrack import services
from reqtrack.cli import app
from reqtrack.services import Context
from reqtrack.services.imports import import_file
from reqtrack.services.sla import config_set
from reqtrack.storage import copying
from reqtrack.storage.db import is_server_url, open_database


def run(location: Any, *args: str) -> Any:
    """A command in-process on `location` with the tests' clock (conftest's Cli, for any database)."""
    return CliRunner().invoke(app, ["--db", str(location), *args], env={"REQTRACK_NOW": NOW.isoformat()})


def ok(result: Any) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stdout[-2000:], result.stderr[-2000:])
    return str(result.stdout)


def one_sentence(result: Any) -> str:
    """The one sentence of an error (after --force's notice of what it drops, if any)."""
    lines = result.stderr.strip().splitlines()
    if len(lines) == 2 and "--force: " in lines[0]:
        lines = lines[1:]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return str(lines[0])


def elsewhere(db_path: Any, tmp_path: Path, pg_url: str) -> Any:
    """A target on the other engine than the source."""
    return tmp_path / "copy.db" if is_server_url(db_path) else pg_url


# -- the source: a few dozen requests of every kind ----------------------------------------------
def build_source(location: Any, tmp_path: Path, count: int = 36) -> list[str]:
    """Requests worked through the lifecycle (closed, reopened, cancelled, verified, failed,
    waiting), attachments with their contents, settings (a country: its kept days), and an
    import (its log): the same on every engine (a fixed clock)."""
    ctx = Context(db_path=location, actor="lead", clock=Clock(NOW))
    config_set(ctx, "calendar.country", "CN")
    config_set(ctx, "sla.stale_hours", "30")
    shot = tmp_path / "screen.png"
    shot.write_bytes(bytes(range(256)) * 40 + b"\x00 the end")
    start = NOW - timedelta(days=45)
    ids = []

    def at(hours: float) -> str:
        return (start + timedelta(hours=hours)).astimezone().strftime("%Y-%m-%d %H:%M")

    for n in range(count):
        t = n * 26.0
        rid = services.register(ctx, f"需求 {n}: the export is slow", ["ACME", "Globex", "科技有限公司"][n % 3],
                                priority=[None, "high", "medium", "low"][n % 4], source=["email", "phone", None][n % 3],
                                attachments=[shot] if n % 7 == 0 else None, notes="VIP" if n % 5 == 0 else None,
                                at=at(t)).id
        ids.append(rid)
        step = n % 6
        if step == 0:
            continue  # pending
        if n % 4 == 0:
            services.classify(ctx, rid, priority="medium", type="bug", at=at(t + 0.5))
        services.assign(ctx, rid, owner=["Li", "Wang", "张伟"][n % 3], department="R&D", due=at(t + 90)[:10], at=at(t + 1))
        if step == 1:
            continue  # in progress
        if step == 4:
            services.cancel(ctx, rid, reason="duplicate", at=at(t + 2))
            continue
        services.progress(ctx, rid, "waiting for the customer's data", waiting=step == 5, at=at(t + 3))
        services.progress(ctx, rid, "fixed", done=True, at=at(t + 5))
        services.verify(ctx, rid, passed=step != 5, satisfaction="satisfied" if step != 5 else None,
                        note="still fails" if step == 5 else None, at=at(t + 7))
        if step in (2, 3):
            services.close(ctx, rid, at=at(t + 8))
        if step == 3:
            services.reopen(ctx, rid, reason="came back", at=at(t + 9))
    services.attach(ctx, ids[1], shot, at=at(count * 26.0))
    sheet = write_xlsx(tmp_path / "more.xlsx", [["Customer / project", "Description", "Submitted at"],
                                                 ["Initech", "imported one", at(10)], ["Initech", "imported two", at(20)]])
    import_file(ctx, sheet)
    return ids


def answers(location: Any) -> dict[str, Any]:
    """What every reading command says about the database (the JSON of list, show, overdue,
    report and config show)."""
    listed = json.loads(ok(run(location, "list", "--format", "json")))
    return {
        "list": listed,
        "show": {row["id"]: json.loads(ok(run(location, "show", row["id"], "--json"))) for row in listed},
        "overdue": json.loads(run(location, "overdue", "--json").stdout),
        "report": json.loads(ok(run(location, "report", "--json"))),
        "report-year": json.loads(ok(run(location, "report", "--period", "year", "--json"))),
        "config": json.loads(ok(run(location, "config", "show", "--json"))),
    }


_BUILT: dict[str, Path] = {}  # the SQLite source, built once per test process


@pytest.fixture
def source(db_path: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The test's database filled by `build_source`. On SQLite a copy of one built once per test
    process (SQLite's backup; building it through the services takes seconds, and a test may
    change its copy); on the server built in the test's own schema."""
    (tmp_path / "files").mkdir()
    if is_server_url(db_path):
        build_source(db_path, tmp_path / "files")
        return db_path
    built = _BUILT.get("sqlite")
    if built is None:
        folder = tmp_path_factory.mktemp("source")
        (folder / "files").mkdir()
        built = folder / "source.db"
        build_source(built, folder / "files")
        _BUILT["sqlite"] = built
    shutil.copyfile(built.parent / "files" / "screen.png", tmp_path / "files" / "screen.png")
    return copy_sqlite(built, db_path)


# -- the tables ----------------------------------------------------------------------------------
def test_the_copy_names_every_table_of_the_schema(db_path: Any) -> None:
    """A table added to the schema must be added to storage.copying.TABLES, or copy would leave
    it behind: this fails until it is."""
    db = open_database(db_path, write=True)
    conn = db.raw_connection()
    try:
        assert copying.table_names(conn) == set(copying.TABLES)
        assert copying.unknown_tables(conn) == []
    finally:
        conn.close()


# -- file → server → file ------------------------------------------------------------------------
def test_a_copy_there_and_back_answers_every_command_the_same(source: Any, tmp_path: Path, pg_url: str,
                                                                 request: pytest.FixtureRequest) -> None:
    from conftest import new_pg_schema

    there = elsewhere(source, tmp_path, pg_url)
    back = new_pg_schema(request) if is_server_url(source) else tmp_path / "back.db"
    before = answers(source)
    assert len(before["list"]) == 38 and before["overdue"] and before["report"]
    assert sum(len(shown["attachments"]) for shown in before["show"].values()) == 7

    copied = ok(run(source, "copy", str(there)))
    assert answers(there) == before
    ok(run(there, "copy", str(back)))
    assert answers(back) == before
    assert stored_state(back) == stored_state(source) == stored_state(there)  # every row of every table
    counts = stored_state(source)
    assert counts["country_day"] and counts["import_log"] and counts["report_event"] and counts["sla_open"]
    assert "all is well" in copied
    for db in (there, back):
        assert json.loads(ok(run(db, "check", "--json")))["problems"] == []


def test_attachments_keep_their_contents_and_new_ids_follow_the_copied_ones(source: Any, tmp_path: Path,
                                                                           pg_url: str) -> None:
    """Explicit IDs went in: the server's identity sequences are moved past them, so the next
    attachment and the next import get new IDs (not a duplicate key)."""
    there = elsewhere(source, tmp_path, pg_url)
    ok(run(source, "copy", str(there)))
    out = tmp_path / "out.png"
    ok(run(there, "attachment", "202501-001", "1", "-o", str(out)))
    assert out.read_bytes() == (tmp_path / "files" / "screen.png").read_bytes()
    extra = tmp_path / "extra.txt"
    extra.write_text("one more")
    ok(run(there, "attach", "202501-001", str(extra)))
    sheet = write_xlsx(tmp_path / "again.xlsx", [["Customer / project", "Description"], ["Hooli", "a third import"]])
    ok(run(there, "import", str(sheet)))
    state = stored_state(there)
    assert len(state["attachment"]) == 8 and len({row[0] for row in state["attachment"]}) == 8
    assert len(state["import_log"]) == 2 and len({row[0] for row in state["import_log"]}) == 2


def test_the_source_settings_replace_the_new_targets_own(source: Any, tmp_path: Path, pg_url: str) -> None:
    """A new database starts with this machine's time zone: the source's setting replaces it."""
    ok(run(source, "config", "set", "calendar.timezone", "Europe/Berlin"))
    there = elsewhere(source, tmp_path, pg_url)
    ok(run(source, "copy", str(there)))
    settings = dict(row for row in stored_state(there)["setting"])
    assert settings["calendar.timezone"] == "Europe/Berlin"
    assert stored_state(there)["setting"] == stored_state(source)["setting"]


def test_a_copy_onto_the_server_vacuums_and_analyzes_its_own_tables_only(tmp_path: Path, pg_url: str) -> None:
    """The copied tables get their planner statistics and visibility map (VACUUM (ANALYZE)),
    named one by one: other schemas of the server's database are left alone."""
    import psycopg

    from conftest import PG_URL

    file = tmp_path / "lead.db"
    ok(run(file, "new", "x", "--customer", "ACME"))
    ok(run(file, "copy", pg_url))
    schema = pg_url.rsplit("schema=", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        rows = conn.execute("SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                            "WHERE schemaname = %s", (schema,)).fetchall()
    done = {name for name, vacuumed, analyzed in rows if vacuumed and analyzed}
    assert set(copying.TABLES) <= done


# -- what it prints ------------------------------------------------------------------------------
def test_the_copy_prints_what_it_copied_and_the_verification(source: Any, tmp_path: Path, pg_url: str) -> None:
    there = elsewhere(source, tmp_path, pg_url)
    expected = {table: len(rows) for table, rows in stored_state(source).items()}
    text = ok(run(source, "copy", str(there)))
    lines = text.splitlines()
    assert lines[0].startswith(f"copied {open_database(source, write=False).label} to ")
    for table, count in expected.items():
        assert any(line.split() == [table, f"{count:,}"] for line in lines), (table, count, text)
    assert "verified:   every table holds as many rows as in the source" in lines
    assert lines[-1] == "check:      all is well"

    again = tmp_path / "again.db"
    shown = json.loads(ok(run(source, "copy", str(again), "--json")))
    assert shown["tables"] == expected and shown["created"] is True and shown["dropped"] == 0
    assert shown["verified"] == {"counts": "equal", "check": "ok"} and shown["problems"] == []
    assert shown["target"] == str(again)


def test_problems_of_the_source_are_copied_as_they_were_and_said(source: Any, tmp_path: Path, pg_url: str) -> None:
    from helpers import raw_connect

    with raw_connect(source) as conn:
        conn.execute("UPDATE request SET id_seq = 9 WHERE id = '202501-001'")
    assert run(source, "check").exit_code == 1
    there = elsewhere(source, tmp_path, pg_url)
    text = ok(run(source, "copy", str(there)))
    assert "check:      1 problem, each one also in the source" in text and "202501-001 is indexed" in text
    checked = json.loads(run(there, "check", "--json").stdout)
    assert [p["kind"] for p in checked["problems"]] == ["id-index"]


# -- refusals ------------------------------------------------------------------------------------
def test_a_target_holding_requests_is_refused_unless_forced(source: Any, tmp_path: Path, pg_url: str) -> None:
    there = elsewhere(source, tmp_path, pg_url)
    for n in range(3):
        ok(run(there, "new", f"theirs {n}", "--customer", "Other"))
    before = stored_state(there)
    refused = run(source, "copy", str(there))
    assert refused.exit_code == 2
    sentence = one_sentence(refused)
    assert "holds 3 requests" in sentence and "--force" in sentence and "empty" in sentence
    assert stored_state(there) == before

    forced = run(source, "copy", str(there), "--force")
    assert forced.exit_code == 0, forced.output
    assert "holds 3 requests; dropping them" in forced.stderr and "--force" in forced.stderr
    assert "--force" not in forced.stdout and "(after dropping its 3 requests)" in forced.stdout.splitlines()[0]
    assert stored_state(there) == stored_state(source)
    assert answers(there) == answers(source)


def test_an_empty_existing_target_is_filled_without_force(source: Any, tmp_path: Path, pg_url: str) -> None:
    """Created and empty (here: its only request cancelled away is not empty; a fresh one is)."""
    there = elsewhere(source, tmp_path, pg_url)
    ok(run(there, "config", "set", "sla.stale_hours", "99"))  # a write creates it, with no request
    assert stored_state(there)["request"] == []
    ok(run(source, "copy", str(there)))
    assert stored_state(there) == stored_state(source)


def test_the_database_itself_is_refused(db_path: Any, tmp_path: Path) -> None:
    build_source(db_path, tmp_path, count=3)
    before = stored_state(db_path)
    if is_server_url(db_path):
        spellings = [db_path, db_path.replace("127.0.0.1", "localhost")]
    else:
        (tmp_path / "link.db").symlink_to(db_path)
        spellings = [db_path, tmp_path / "." / db_path.name, tmp_path / "link.db", Path(f"{db_path}-wal")]
    for target in spellings:
        for force in ([], ["--force"]):
            result = run(db_path, "copy", str(target), *force)
            assert result.exit_code == 2, (target, result.output)
            assert "the database this command copies" in one_sentence(result) or "database itself" in result.stderr
    assert stored_state(db_path) == before


def test_a_foreign_or_newer_target_is_refused_untouched(source: Any, tmp_path: Path) -> None:
    foreign = tmp_path / "notes.txt"
    foreign.write_text("my notes, not a database")
    result = run(source, "copy", str(foreign))
    assert result.exit_code == 3 and "not a reqtrack database" in one_sentence(result)
    assert foreign.read_text() == "my notes, not a database"
    directory = tmp_path / "folder"
    directory.mkdir()
    assert run(source, "copy", str(directory)).exit_code == 3
    assert list(directory.iterdir()) == []


# -- all or nothing ------------------------------------------------------------------------------
def _target_with_a_request(there: Any) -> dict[str, Any]:
    ok(run(there, "new", "theirs", "--customer", "Other"))
    return stored_state(there)


def _no_leftovers(directory: Path) -> None:
    assert not [p.name for p in directory.iterdir() if p.name.endswith((".tmp", "-wal", "-shm", "-journal"))]


def test_a_row_the_target_refuses_leaves_it_as_it_was(tmp_path: Path, pg_url: str) -> None:
    """A file holding what the server refuses (history of a request that is not there, a NUL
    in a text): the copy stops, rolls back, and says so in one sentence; nothing is written."""
    from helpers import raw_connect

    source = tmp_path / "reqtrack.db"
    build_source(source, tmp_path, count=4)
    before = _target_with_a_request(pg_url)
    with raw_connect(source) as conn:
        conn.execute("INSERT INTO event VALUES ('209901-001', 1, '2025-03-14T09:30:00Z', 'new', 't', NULL, '')")
    result = run(source, "copy", pg_url, "--force")
    assert result.exit_code == 3, result.output
    sentence = one_sentence(result)
    assert "refused" in sentence and "nothing was written" in sentence and "event" in sentence, sentence
    assert stored_state(pg_url) == before

    with raw_connect(source) as conn:
        conn.execute("DELETE FROM event WHERE request_id = '209901-001'")
        conn.execute("UPDATE request SET notes = ? WHERE id = '202501-002'", ("a\x00b",))
    result = run(source, "copy", pg_url, "--force")
    assert result.exit_code in (2, 3), result.output  # the server's sentence for a NUL says which
    sentence = one_sentence(result)
    assert "refused a row of request" in sentence and "NUL" in sentence and "nothing was written" in sentence, sentence
    assert stored_state(pg_url) == before


@pytest.mark.parametrize("step", ["copy", "settle", "counts", "check", "interrupt"])
def test_a_failure_half_way_leaves_the_target_as_it_was(source: Any, tmp_path: Path, pg_url: str,
                                                        monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """Whatever fails after rows went in — the target refusing one, the count not matching,
    check finding something new, Ctrl-C — the target keeps what it had (an existing one) or
    nothing appears under its name (a new file)."""
    from reqtrack.services import copying as copy_service
    from reqtrack.services.admin import Problem

    there = elsewhere(source, tmp_path, pg_url)
    before = _target_with_a_request(there)
    new_file = tmp_path / "new" / "copy.db"
    new_file.parent.mkdir()
    calls: list[str] = []
    real_copy_table, real_counts, real_problems = copying.copy_table, copying.row_counts, copy_service.consistency_problems

    def failing_copy_table(src: Any, dst: Any, table: str) -> int:
        count = real_copy_table(src, dst, table)
        if table == "report_fact":  # the rows of eight tables are in by now
            assert count > 0
            raise (KeyboardInterrupt() if step == "interrupt" else
                   copying.CopyFailure("target", table, dst.engine.operational_error[0]("disk I/O error")))
        return count

    def failing_settle(dst: Any) -> None:
        raise copying.CopyFailure("target", "(its keys)", dst.engine.operational_error[0]("no more room"))

    def miscounted(conn: Any) -> dict[str, int]:  # the source's count first, then the target's
        calls.append("count")
        counts = real_counts(conn)
        if len(calls) % 2 == 0:
            counts["event"] += 1
        return counts

    def something_new(conn: Any) -> tuple[list[Problem], list[str]]:  # the target is checked first
        calls.append("check")
        problems, notes = real_problems(conn)
        if len(calls) % 2 == 1:
            problems.append(Problem("history-gap", "202501-003 has 2 history entries numbered 1..3", "202501-003"))
        return problems, notes

    patches = {"copy": (copying, "copy_table", failing_copy_table), "interrupt": (copying, "copy_table", failing_copy_table),
               "settle": (copying, "settle", failing_settle), "counts": (copying, "row_counts", miscounted),
               "check": (copy_service, "consistency_problems", something_new)}
    monkeypatch.setattr(*patches[step])
    wanted = {"copy": "disk I/O error", "settle": "no more room", "counts": "does not verify: table event",
              "check": "does not verify: `check` finds"}
    for target in (there, new_file):
        calls.clear()
        result = run(source, "copy", str(target), "--force")
        if step == "interrupt":
            assert result.exit_code == 130, result.output
            assert "interrupted" in result.stderr
        else:
            assert result.exit_code == 3, result.output
            sentence = one_sentence(result)
            assert "nothing was written" in sentence and wanted[step] in sentence, sentence
            if target is new_file:
                assert str(new_file) in sentence and ".tmp" not in sentence, sentence
    assert stored_state(there) == before
    assert not new_file.exists()
    _no_leftovers(new_file.parent)
    assert os.listdir(new_file.parent) == []
    monkeypatch.undo()
    ok(run(source, "copy", str(new_file)))  # and without the fault, the same copy goes through
    assert stored_state(new_file) == stored_state(source)


def test_a_new_file_is_private_and_put_in_place_whole(source: Any, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "copy.db"
    ok(run(source, "copy", str(target)))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    _no_leftovers(target.parent)
    assert ok(run(target, "check")).splitlines()[-1] == "all is well"


# -- backup of the team database -----------------------------------------------------------------
def test_backup_on_postgresql_is_a_verified_private_sqlite_file(pg_url: str, tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    build_source(pg_url, tmp_path / "files", count=12)
    target = tmp_path / "backups" / "team.db"
    text = ok(run(pg_url, "backup", str(target)))
    assert text.startswith(f"backed up {open_database(pg_url, write=False).label} to {target} (14 requests")
    assert "integrity ok" in text
    assert target.read_bytes()[:16] == b"SQLite format 3\x00"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    _no_leftovers(target.parent)
    checked = json.loads(ok(run(target, "check", "--json")))
    assert checked["ok"] and checked["integrity"] == "ok" and checked["counts"]["requests"] == 14
    assert json.loads(ok(run(target, "list", "--format", "json"))) == json.loads(ok(run(pg_url, "list", "--format", "json")))
    assert stored_state(target) == stored_state(pg_url)

    # Again, in processes of their own (this one has opened the file as a database since, and
    # so will not write over it: safe_output.protect).
    import subprocess

    from helpers import reqtrack_command

    def backup(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*reqtrack_command(), "--db", pg_url, "backup", str(target), *args], capture_output=True,
                              text=True, env={**os.environ, "REQTRACK_NOW": NOW.isoformat()}, timeout=120)

    refused = backup()
    assert refused.returncode == 2 and "--force" in refused.stderr and len(refused.stderr.splitlines()) == 1
    ok(run(pg_url, "new", "one more", "--customer", "ACME"))
    forced = backup("--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(ok(run(target, "check", "--json")))["counts"]["requests"] == 15
    _no_leftovers(target.parent)
    assert os.listdir(target.parent) == ["team.db"]


def test_the_same_schema_is_recognised_under_another_name_of_its_server(pg_url: str) -> None:
    """Two URLs of one schema (the server seen under two names): the source's server sees the
    target's own session; another schema of the same server is another database."""
    from conftest import PG_URL
    from reqtrack.storage.server import ServerDatabase

    ok(run(pg_url, "new", "x", "--customer", "ACME"))
    other = pg_url.split("?")[0] + "?schema=" + pg_url.rsplit("schema=", 1)[1] + "_other"
    ok(run(other, "new", "y", "--customer", "ACME"))
    try:
        first, same, elsewhere_ = (ServerDatabase.open(url, write=False).raw_connection() for url in (pg_url, pg_url, other))
        try:
            assert copying.same_server_database(first, same)
            assert not copying.same_server_database(first, elsewhere_)
        finally:
            for conn in (first, same, elsewhere_):
                conn.raw.close()
    finally:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{other.rsplit("schema=", 1)[1]}" CASCADE')


def test_a_copy_between_two_schemas_of_one_server(source: Any, pg_url: str, tmp_path: Path) -> None:
    """Server to server (or file to file): the same copy, verified the same way."""
    target = pg_url if is_server_url(source) else tmp_path / "twin.db"
    ok(run(source, "copy", str(target)))
    assert stored_state(target) == stored_state(source)
