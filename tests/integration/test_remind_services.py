"""The services behind `remind`, `people` and the templates (SPEC §8) on both engines: which
requests `remind` reads (the open ones and the recently closed ones, their histories in bulk),
and the two tables of migration m008_notice_templates_and_people."""

from __future__ import annotations

from typing import Any

import pytest

from reqtrack import services
from reqtrack.domain.errors import InvalidInput, NotFound
from reqtrack.services import notices, people
from reqtrack.services.remind import remind
from reqtrack.storage.repository import Repository


def closed(ctx: services.Context, description: str, day: str) -> str:
    """A request worked through and closed on `day` (2025), without a rating or a survey."""
    rid = services.register(ctx, description, "ACME", liaison="李娜", at=f"{day} 09:00").id
    services.classify(ctx, rid, priority="medium", at=f"{day} 09:10")
    services.assign(ctx, rid, owner="张伟", at=f"{day} 09:20")
    services.progress(ctx, rid, "done", done=True, at=f"{day} 10:00")
    services.verify(ctx, rid, passed=True, at=f"{day} 11:00")
    services.close(ctx, rid, at=f"{day} 12:00")
    return rid


def test_remind_reads_the_open_and_the_recently_closed_requests_in_bulk(ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    old = closed(ctx, "long ago", "2025-01-06")
    recent = closed(ctx, "last week", "2025-03-06")
    today = services.register(ctx, "new today", "ACME", liaison="李娜", at="2025-03-14 09:00").id
    calls: list[list[str]] = []
    original = Repository.histories

    def counting(self: Repository, request_ids: list[str]) -> Any:
        calls.append(list(request_ids))
        return original(self, request_ids)

    monkeypatch.setattr(Repository, "histories", counting)
    report = remind(ctx)
    assert calls == [[recent, today]]  # one bulk read; the request closed in January is not read at all
    assert [(r.person, r.id, r.action) for r in report.rows] == [
        ("李娜", today, "assign"), ("李娜", today, "acknowledge"), ("李娜", recent, "send-survey")]
    assert set(report.requests) == {recent, today}
    calls.clear()
    # As of the morning after the old one closed: it is read (changed since), its survey not due yet.
    past = remind(ctx, as_of="2025-01-07 09:00")
    assert old in calls[0] and [r.id for r in past.rows] == []
    assert [r.id for r in remind(ctx, as_of="2025-01-10 09:00").rows] == [old]  # closed more than 3 days before


def test_templates_and_people_are_kept_per_database(ctx) -> None:
    services.register(ctx, "x", "ACME")
    assert notices.stored_template(ctx, "ack", "zh-CN") is None
    refused: list[str] = []

    def refuse(text: str) -> None:
        refused.append(text)
        raise InvalidInput("no")

    with pytest.raises(InvalidInput):
        notices.set_template(ctx, "ack", "zh-CN", "anything", check=refuse)
    assert refused == ["anything"] and notices.stored_template(ctx, "ack", "zh-CN") is None
    notices.set_template(ctx, "ack", "zh-CN", "一\n\n二", check=lambda text: None)
    notices.set_template(ctx, "ack", "zh-CN", "【新】{{ id }}\n\n二", check=lambda text: None)  # replaces
    assert notices.stored_template(ctx, "ack", "zh-CN") == "【新】{{ id }}\n\n二"
    assert notices.stored_template(ctx, "ack", "en") is None
    assert notices.reset_template(ctx, "ack", "zh-CN") is True and notices.reset_template(ctx, "ack", "zh-CN") is False
    with pytest.raises(InvalidInput, match="unknown notice kind"):
        notices.stored_template(ctx, "hello", "en")

    people.add_person(ctx, "张伟", email="zhang@example.com")
    assert people.add_person(ctx, "张伟", department="研发部")[1] is False
    assert [(p.name, p.email, p.department) for p in people.list_people(ctx)] == [("张伟", "zhang@example.com", "研发部")]
    people.remove_person(ctx, "张伟")
    with pytest.raises(NotFound):
        people.remove_person(ctx, "张伟")


def test_a_database_of_schema_5_gets_the_two_tables_on_first_use(tmp_path) -> None:
    """Migration m008_notice_templates_and_people, appended after the report facts: an older file
    is upgraded by the first command that opens it (a read too), and keeps its request."""
    import sqlite3

    from helpers import NOW, old_database_with_one_request
    from reqtrack.storage.migrations import MIGRATIONS, SCHEMA_VERSION, m008_notice_templates_and_people

    assert m008_notice_templates_and_people in MIGRATIONS[5:]  # after the report facts (m005)
    path = tmp_path / "old.db"
    old_database_with_one_request(path, 5)
    ctx = services.Context(db_path=path, actor="lead", clock=lambda: NOW)
    assert people.list_people(ctx) == []
    assert [r.action for r in remind(ctx).rows] == ["breached", "assign", "acknowledge"]  # 202501-001, never answered
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"template", "person"} <= tables
    conn.close()
    [(_, old, copy)] = ctx.upgrades()
    assert old == 5 and copy is not None and copy.exists()  # a copy of the old file is kept
