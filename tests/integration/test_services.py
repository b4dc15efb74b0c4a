"""Services on a real temporary database."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpers import raw_connect
from reqtrack import services
from reqtrack.domain.errors import InvalidInput, NotFound, TransitionRefused


def table_counts(path: Path) -> tuple[int, int, int]:
    conn = raw_connect(path)
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("request", "event", "attachment"))  # type: ignore[return-value]


def test_ids_follow_the_local_month_and_continue(ctx: services.Context) -> None:
    # 2025-03-31 17:00 UTC is already April 1st in Shanghai, the zone the database was created in.
    first = services.register(ctx, "a", "ACME", at="2025-03-01 10:00")
    second = services.register(ctx, "b", "ACME", at="2025-03-02 10:00")
    assert (first.id, second.id) == ("202503-001", "202503-002")
    ctx._now = datetime(2025, 4, 2, tzinfo=timezone.utc)
    april = services.register(ctx, "c", "ACME", at="2025-03-31T17:30:00+00:00")
    assert april.id == "202504-001"


def test_whole_loop_with_backfilled_times(ctx: services.Context) -> None:
    r = services.register(ctx, "导出太慢", "ACME", source="电话", proposer="王经理", at="2025-03-10 09:00")
    services.classify(ctx, r.id, type="問題修復", priority="高", reason="核心业务", at="2025-03-10 09:30")
    services.assign(ctx, r.id, owner="张工", department="技术部", due="2025-03-12", at="2025-03-10 10:00")
    services.progress(ctx, r.id, "复现", at="2025-03-11 09:00")
    services.progress(ctx, r.id, "修复上线", done=True, at="2025-03-11 15:00")
    services.verify(ctx, r.id, passed=True, satisfaction="满意", at="2025-03-12 10:00")
    services.close(ctx, r.id, at="2025-03-13 10:00")
    got = services.get(ctx, r.id)
    assert got.status == "closed" and got.type == "bug" and got.priority == "high" and got.source == "phone"
    assert len(got.history) == 7
    assert got.due is not None and got.due_is_date
    assert got.due.astimezone(services.timezone_of(ctx)).strftime("%Y-%m-%d %H:%M") == "2025-03-12 23:59"
    assert got.completed_at == datetime(2025, 3, 11, 7, 0, tzinfo=timezone.utc)
    assert got.satisfaction == "satisfied"


def test_bad_input_changes_nothing(ctx: services.Context, db_path: Path) -> None:
    r = services.register(ctx, "x", "ACME", at="2025-03-10 09:00")
    before = table_counts(db_path)
    attempts = [
        lambda: services.classify(ctx, r.id, priority="urgent"),
        lambda: services.classify(ctx, "202503-999", priority="high"),
        lambda: services.assign(ctx, r.id, owner="A"),  # no priority yet
        lambda: services.progress(ctx, r.id, "x", at="2025-03-01 09:00"),  # before the latest event
        lambda: services.progress(ctx, r.id, "x", at="2030-01-01"),  # future
        lambda: services.progress(ctx, r.id, "x", at="not a date"),
        lambda: services.verify(ctx, r.id, passed=True),
        lambda: services.cancel(ctx, r.id, reason="  "),
        lambda: services.register(ctx, "", "ACME"),
        lambda: services.register(ctx, "x", "ACME", source="fax"),
        lambda: services.classify(ctx, r.id, value=3),
    ]
    for attempt in attempts:
        with pytest.raises((InvalidInput, NotFound, TransitionRefused)):
            attempt()
    assert table_counts(db_path) == before


def test_attachments_are_stored_and_written_back(ctx: services.Context, tmp_path: Path) -> None:
    shot = tmp_path / "截图.png"
    shot.write_bytes(b"\x89PNG fake image bytes")
    r = services.register(ctx, "x", "ACME", attachments=[shot])
    doc = tmp_path / "spec.docx"
    doc.write_bytes(b"doc")
    services.attach(ctx, r.id, doc)
    got = services.get(ctx, r.id)
    assert [(a.number, a.name, a.size) for a in got.attachments] == [(1, "截图.png", 21), (2, "spec.docx", 3)]
    out = services.save_attachment(ctx, r.id, 1, tmp_path / "out.png")
    assert out.read_bytes() == shot.read_bytes()
    with pytest.raises(InvalidInput, match="exists"):
        services.save_attachment(ctx, r.id, 1, tmp_path / "out.png")


def test_attachment_over_the_limit_is_refused(ctx: services.Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reqtrack.services.requests.MAX_ATTACHMENT_BYTES", 10)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 11)
    with pytest.raises(InvalidInput, match="limit"):
        services.register(ctx, "x", "ACME", attachments=[big])


def test_list_filters_and_search(ctx: services.Context) -> None:
    services.register(ctx, "导出太慢", "ACME", priority="high", at="2025-03-01 09:00")
    b = services.register(ctx, "登录失败", "Globex", notes="VIP 客户", at="2025-03-02 09:00")
    services.register(ctx, "100% CPU", "Initech", at="2025-03-03 09:00")
    services.cancel(ctx, b.id, reason="duplicate")
    ids = lambda **f: [r.id for r in services.list_requests(ctx, **f).requests]  # noqa: E731
    assert ids() == ["202503-003", "202503-002", "202503-001"]
    assert ids(open_only=True) == ["202503-003", "202503-001"]
    assert ids(statuses=["已取消"]) == ["202503-002"]
    assert ids(search="vip") == ["202503-002"]
    assert ids(search="100%") == ["202503-003"]
    assert ids(search="%") == ["202503-003"]
    assert ids(customer="acme") == ["202503-001"]
    assert ids(priority="高") == ["202503-001"]
    assert ids(since="2025-03-02", until="2025-03-02") == ["202503-002"]
    listing = services.list_requests(ctx, limit=1)
    assert (len(listing.requests), listing.total) == (1, 3)


def test_history_is_append_only_and_edits_keep_old_values(ctx: services.Context, db_path: Path) -> None:
    r = services.register(ctx, "x", "ACME")
    services.edit(ctx, r.id, {"customer": "ACME Ltd", "description": None})
    events = raw_connect(db_path).execute("SELECT seq, action, changes FROM event ORDER BY seq").fetchall()
    assert [e[:2] for e in events] == [(1, "new"), (2, "edit")]
    assert '"customer": ["ACME", "ACME Ltd"]' in events[1][2]
