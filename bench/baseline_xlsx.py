"""openpyxl on its own, for the baselines of `bench/run.py`.

    python bench/baseline_xlsx.py write DB OUT.xlsx   # bare write-only loop over the export's rows
    python bench/baseline_xlsx.py read FILE.xlsx      # bare read-only pass over every cell

`write` first builds, untimed, the same rows an export of DB holds (the 18 template columns:
labels, the owner cell, local times as real datetimes, the process log newest first) with plain
sqlite3, then times only openpyxl: a write-only workbook, one `append` per row, `save`. `read`
times `load_workbook(read_only=True)` and one pass over every row of every sheet. Each prints one
JSON object with the timed seconds and the rows, so the harness can set reqtrack's figures
against what openpyxl alone costs on this machine, in the same run.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import sys
import time
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from reqtrack.domain.vocab import ACTION, COLUMNS, PRIORITY, SATISFACTION, SOURCE, STATUS, TYPE, VERIFICATION


def _local(text: str | None, tz: ZoneInfo) -> datetime | None:
    """Stored UTC text → naive local datetime (what a spreadsheet cell holds)."""
    if text is None:
        return None
    value = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return value.astimezone(tz).replace(tzinfo=None)


def export_rows(db: str, lang: str = "en") -> list[list[Any]]:
    """The rows of an export of `db` (newest first), computed with sqlite3 and nothing of reqtrack's storage."""
    conn = sqlite3.connect(db)
    tz = ZoneInfo(conn.execute("SELECT value FROM setting WHERE key = 'calendar.timezone'").fetchone()[0])
    logs: dict[str, list[tuple[int, str]]] = {}
    for request_id, seq, at, action, note in conn.execute("SELECT request_id, seq, at, action, note FROM event"):
        local = _local(at, tz)
        line = f"{local:%Y-%m-%d %H:%M} {ACTION.label(action, lang)}"
        logs.setdefault(request_id, []).append((seq, f"{line}: {note}" if note else line))
    attachments: dict[str, list[str]] = {}
    for request_id, name in conn.execute("SELECT request_id, name FROM attachment ORDER BY request_id, number"):
        attachments.setdefault(request_id, []).append(name)
    rows = []
    query = ("SELECT id, source, proposer, customer, type, description, submitted_at, liaison, priority, owner, "
             "department, due, completed_at, status, verification, satisfaction, notes FROM request "
             "ORDER BY submitted_at DESC, id DESC")
    for (rid, source, proposer, customer, type_, description, submitted, liaison, priority, owner, department, due,
         completed, status, verification, satisfaction, notes) in conn.execute(query):
        owner_cell = f"{department}/{owner}" if department and owner else (owner or department or "")
        log = "\n".join(line for _, line in sorted(logs.get(rid, []), reverse=True))
        rows.append([
            rid, SOURCE.label(source, lang), proposer, customer, TYPE.label(type_, lang), description,
            "; ".join(attachments.get(rid, [])), _local(submitted, tz), liaison, PRIORITY.label(priority, lang),
            owner_cell, _local(due, tz), _local(completed, tz), STATUS.label(status, lang), log,
            VERIFICATION.label(verification, lang), SATISFACTION.label(satisfaction, lang), notes,
        ])
    conn.close()
    return rows


def write(db: str, out: str) -> dict[str, Any]:
    """Time openpyxl's write-only loop over the rows of an export of `db`."""
    rows = export_rows(db)
    header = [column[1] for column in COLUMNS]
    from openpyxl import Workbook

    # The prepared rows (millions of objects at 100,000 rows) are not openpyxl's cost: without
    # this, every full collection during the loop would traverse them again, which a real
    # export (that streams its rows) never pays. Frozen objects are left out of that work.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("requests")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(out)
    return {"seconds": time.perf_counter() - started, "rows": len(rows)}


def read(path: str) -> dict[str, Any]:
    """Time openpyxl's read-only pass over every row of every sheet of `path`."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True)
    rows = 0
    for sheet in workbook.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            rows += 1
    workbook.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "write":
        result = write(argv[1], argv[2])
    elif len(argv) == 2 and argv[0] == "read":
        result = read(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
