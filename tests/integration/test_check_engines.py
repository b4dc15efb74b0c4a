"""`reqtrack check` on both engines (SPEC §7): the same consistency checks on PostgreSQL as on the
file (not SQLite's page check, which has no file to read there), finding the same problems in the
same words; errors of the server in one sentence (exit 3)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import NOW, Clock, raw_connect
from reqtrack import services
from reqtrack.services import Context, admin
from reqtrack.storage.db import is_server_url, open_database


def raw_sql(location: Any, statements: list[tuple[str, tuple]]) -> None:
    """Run statements (with `?` placeholders) in one transaction on the database, as a hand or
    a buggy version might: through the engine's own connection (sqlite3, or psycopg via
    storage/server.py), so the same text runs on both engines."""
    db = open_database(location, write=True)
    conn = db.raw_connection()
    try:
        conn.begin(write=True)
        for sql, params in statements:
            conn.execute(sql, params)
        conn.execute("COMMIT")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def three_requests(location: Any, tmp_path: Path) -> list[str]:
    """A closed request with an attachment and two pending ones, the same on every engine
    (a fixed clock, so the same IDs and times)."""
    ctx = Context(db_path=location, actor="setup", clock=Clock(NOW))
    attachment = tmp_path / "screen.png"
    attachment.write_bytes(b"\x89PNG fake screenshot")
    at = (NOW - timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    first = services.register(ctx, "first", "ACME", priority="high", attachments=[attachment], at=at)
    services.assign(ctx, first.id, owner="Li", at=at)
    services.progress(ctx, first.id, "fixed", done=True, at=at)
    services.verify(ctx, first.id, passed=True, at=at)
    services.close(ctx, first.id, at=at)
    return [first.id, services.register(ctx, "second", "ACME", at=at).id, services.register(ctx, "third", "ACME").id]


def check(location: Any) -> admin.CheckReport:
    return admin.check(Context(db_path=location, clock=Clock(NOW)))


# What each breakage is, in SQL both engines speak ({0} {1} {2}: the three IDs). The orphans
# (history or report facts of a request that does not exist) are not here: PostgreSQL refuses
# them (its foreign keys; see test_the_server_refuses_orphans); the file's tests have them.
BREAKAGES: dict[str, list[tuple[str, tuple]]] = {
    "no-completion-time": [("UPDATE request SET completed_at = NULL WHERE id = '{0}'", ())],
    "no-closing-time": [("UPDATE request SET closed_at = NULL WHERE id = '{0}'", ())],
    "stray-completion-time": [("UPDATE request SET completed_at = '2025-03-14T09:00:00Z' WHERE id = '{1}'", ())],
    "history-gap": [("DELETE FROM event WHERE request_id = '{0}' AND seq = 2", ())],
    "no-history": [("DELETE FROM event WHERE request_id = '{2}'", ())],
    "no-registration": [("DELETE FROM event WHERE request_id = '{1}'", ()),
                        ("INSERT INTO event VALUES ('{1}', 1, '2025-03-10T09:30:00Z', 'progress', 't', NULL, 'x')", ())],
    "status-disagrees": [("UPDATE request SET status = 'in-progress' WHERE id = '{2}'", ())],
    "unknown-value": [("UPDATE request SET priority = 'urgent' WHERE id = '{1}'", ())],
    "unknown-action": [("UPDATE event SET action = 'frobnicate' WHERE request_id = '{0}' AND seq = 3", ())],
    "attachment-damaged": [("UPDATE attachment SET content = ?", (b"\x00",))],
    "attachment-size": [("UPDATE attachment SET size = 3", ())],
    "id-index": [("UPDATE request SET id_seq = 1 WHERE id = '{2}'", ())],
    "id-unusable": [("INSERT INTO request (id, customer, description, submitted_at, status) "
                     "VALUES (?, 'ACME', 'x', '2025-03-01T01:00:00Z', 'pending')", ("A\u200bB",)),
                    ("INSERT INTO event VALUES (?, 1, '2025-03-01T01:00:00Z', 'new', 't', NULL, '')", ("A\u200bB",))],
    "history-order": [("UPDATE event SET at = '2020-01-01T00:00:00Z' WHERE request_id = '{0}' AND seq = 4", ())],
    "history-unreadable": [("UPDATE event SET changes = '{{\"status\": oops' WHERE request_id = '{0}' AND seq = 2", ())],
    "unreadable-time": [("UPDATE request SET submitted_at = 'garbage', due = '24-05-01T14:30:00Z' WHERE id = '{1}'", ()),
                        ("UPDATE event SET at = '2025-13-01T00:00:00Z' WHERE request_id = '{2}'", ())],
    "setting": [("UPDATE setting SET value = 'Mars/Olympus' WHERE key = 'calendar.timezone'", ()),
                ("INSERT INTO setting VALUES ('sla.stale_hours', 'soon')", ())],
    "stored-deadlines": [("UPDATE sla_open SET resolution_by = '2000-01-01T00:00:00.000000Z' WHERE request_id = '{1}'", ())],
    "report-facts": [("UPDATE report_completion SET start = '2000-01-01T00:00:00Z' WHERE request_id = '{0}'", ())],
}


def broken(location: Any, tmp_path: Path, kinds: list[str]) -> list[str]:
    ids = three_requests(location, tmp_path)
    assert check(location).ok
    raw_sql(location, [(sql.format(*ids), params) for kind in kinds for sql, params in BREAKAGES[kind]])
    return ids


def test_a_clean_database_passes(db_path: Any, tmp_path: Path, engine: str) -> None:
    ids = three_requests(db_path, tmp_path)
    report = check(db_path)
    assert report.ok, [p.message for p in report.problems]
    assert report.problems == [] and report.integrity == []
    assert report.counts == {"requests": 3, "by_status": {"closed": 1, "pending": 2}, "events": 7, "attachments": 1,
                             "imports": 0}
    assert report.engine == ("postgresql" if engine == "postgres" else "sqlite")
    assert report.path == open_database(db_path, write=False).label
    shown = report.to_json()
    if engine == "postgres":
        assert shown["integrity"] == "not applicable" and not report.file_checked
        assert any("page check" in note and "does not apply" in note for note in report.notes)
        assert "schema t_" in shown["path"] and "127.0.0.1:5432" in shown["path"]
    else:
        assert shown["integrity"] == "ok" and report.file_checked
        assert not any("page check" in note for note in report.notes)
    assert ids == ["202503-001", "202503-002", "202503-003"]


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_each_kind_of_inconsistency_is_found(db_path: Any, tmp_path: Path, kind: str) -> None:
    broken(db_path, tmp_path, [kind])
    report = check(db_path)
    assert not report.ok
    assert kind in {p.kind for p in report.problems}, [p.message for p in report.problems]
    assert report.integrity == []


# Breakages applied together, in groups where none hides another (a damaged attachment is not
# also measured; a request without history has no status to disagree with; unreadable settings
# or histories leave the stored deadlines unchecked).
_TOGETHER = ["attachment-size", "status-disagrees", "stored-deadlines"]
_ALONE = ["history-unreadable", "no-registration"]
GROUPS = [sorted(set(BREAKAGES) - set(_TOGETHER) - set(_ALONE)), _TOGETHER, _ALONE]


@pytest.mark.parametrize("kinds", GROUPS, ids=["most", "together", "alone"])
def test_both_engines_find_the_same_problems_in_the_same_words(tmp_path: Path, pg_url: str, kinds: list[str]) -> None:
    """The same records broken the same ways: the same problems, in the same words and order."""
    file = tmp_path / "reqtrack.db"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert broken(file, tmp_path / "a", kinds) == broken(pg_url, tmp_path / "b", kinds)
    on_file, on_server = check(file), check(pg_url)
    found = [(p.kind, p.request_id, p.message) for p in on_file.problems]
    assert [(p.kind, p.request_id, p.message) for p in on_server.problems] == found
    # computed from the records the breakages change
    derived = {"report-facts", "stored-deadlines", "search-index", "request-json"}
    assert set(kinds) <= {kind for kind, _, _ in found} <= {*kinds, *derived}
    assert on_file.counts == on_server.counts
    assert on_server.notes == [admin.NO_PAGE_CHECK, *on_file.notes]


def test_the_server_refuses_orphans(pg_url: str, tmp_path: Path) -> None:
    """What the file's check reports as orphans cannot exist on the server: its foreign keys
    refuse them (so `copy` of a file holding some is refused whole: tests/integration/test_copy.py)."""
    three_requests(pg_url, tmp_path)
    for sql in ("INSERT INTO event VALUES ('209901-001', 1, '2025-03-14T09:30:00Z', 'new', 't', NULL, '')",
                "INSERT INTO attachment (request_id, number, name) VALUES ('209901-001', 1, 'a.txt')",
                "INSERT INTO report_event (kind, at, request_id, seq, value, submitted) "
                "VALUES ('close', '2025-01-07T01:00:00Z', '209901-001', 2, NULL, '2025-01-07T00:00:00Z')"):
        with pytest.raises(Exception) as refused:
            raw_sql(pg_url, [(sql, ())])
        assert getattr(refused.value, "sqlstate", None) == "23503"  # foreign_key_violation
    assert check(pg_url).ok


def test_the_orphan_facts_check_stays_an_anti_join_on_the_server(pg_url: str, tmp_path: Path) -> None:
    """The check for facts of a request not in the database is planned as an anti-join even
    when the request IDs do not fit the server's work_mem (as at 1,000,000 requests): a NOT IN
    over the subquery then became a scan of every request ID per fact row."""
    from reqtrack.storage.checks import orphan_facts_query
    from reqtrack.storage.stored import REPORT_FACT_TABLES

    three_requests(pg_url, tmp_path)
    with raw_connect(pg_url) as conn:  # the statement admin.check runs, over the tables it checks
        conn.execute("SET LOCAL work_mem = '64kB'")
        conn.execute("SET LOCAL enable_hashjoin = off")  # as when the hash would not fit
        plan = "\n".join(row[0] for row in conn.execute(
            "EXPLAIN " + orphan_facts_query([table for table, _ in REPORT_FACT_TABLES])).fetchall())
    assert "Anti Join" in plan and "SubPlan" not in plan, plan


def test_check_through_the_command_line_on_both_engines(cli: Any, db_path: Any, tmp_path: Path, engine: str) -> None:
    three_requests(db_path, tmp_path)
    text = cli("check")
    assert text.exit_code == 0, text.output
    assert "all is well" in text.stdout
    lines = {line.split(":", 1)[0]: line for line in text.stdout.splitlines() if ":" in line}
    if engine == "postgres":
        assert "not applicable" in lines["integrity"] and "ok" not in lines["integrity"].split(":", 1)[1]
    else:
        assert lines["integrity"].split() == ["integrity:", "ok"]
    raw_sql(db_path, [("UPDATE request SET id_seq = 7 WHERE status = 'closed'", ())])
    found = cli("check", "--json")
    assert found.exit_code == 1, found.output
    report = json.loads(found.stdout)
    assert report["ok"] is False and [p["kind"] for p in report["problems"]] == ["id-index"]
    assert report["engine"] == ("postgresql" if engine == "postgres" else "sqlite")


def test_a_password_in_the_url_is_never_shown(pg_url: str, tmp_path: Path) -> None:
    three_requests(pg_url, tmp_path)
    url = pg_url.replace("root@", "root:pa55w0rd-never-shown@")  # the test server trusts, and ignores it
    report = check(url)
    assert report.ok and "pa55w0rd" not in json.dumps(report.to_json())


def test_a_lost_connection_during_check_is_one_sentence(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server problem inside the snapshot (here: the session killed) is the environment's: one
    sentence naming host and port, exit 3, no traceback."""
    from typer.testing import CliRunner

    from reqtrack.cli import app

    three_requests(pg_url, tmp_path)
    real = admin._counts

    def killed(conn: Any) -> dict[str, Any]:
        real(conn)
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return {}

    monkeypatch.setattr(admin, "_counts", killed)
    result = CliRunner().invoke(app, ["--db", pg_url, "check"])
    assert result.exit_code == 3, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "127.0.0.1:5432" in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_the_file_is_still_page_checked(tmp_path: Path) -> None:
    """SQLite keeps its page check (a damaged page is DAMAGED, exit 1: tests/reliability)."""
    path = tmp_path / "r.db"
    three_requests(path, tmp_path)
    assert is_server_url(path) is False
    report = check(path)
    assert report.file_checked and report.to_json()["integrity"] == "ok"
