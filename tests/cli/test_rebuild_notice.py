"""A write that has to compute every request's report facts again (the first after an upgrade)
says so first, on stderr, in the chosen language; an everyday write says nothing."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import raw_connect
from reqtrack.services import upkeep
from reqtrack.storage.stored import REPORT_FACTS_BASIS


def test_the_first_write_after_the_facts_went_stale_says_it_computes_them_once(cli: Any, db_path: Any,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upkeep, "NOTICE_AT", 2)
    for n in range(2):
        first = cli("new", f"request {n}", "--customer", "ACME")
        assert first.exit_code == 0 and "report's stored facts" not in first.stderr
    conn = raw_connect(db_path)
    conn.execute("DELETE FROM derived WHERE name = ?", (REPORT_FACTS_BASIS,))  # as an upgrade leaves them
    conn.commit()
    conn.close()
    told = cli("--lang", "zh-CN", "new", "request 3", "--customer", "ACME")
    assert told.exit_code == 0 and "升级后首次计算全部需求的报表统计数据" in told.stderr
    again = cli("new", "request 4", "--customer", "ACME")
    assert again.exit_code == 0 and "report's stored facts" not in again.stderr
