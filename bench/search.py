"""Search, likely duplicates and the search index at scale (issue 18; docs/search.md,
docs/performance.md).

    python bench/build_db.py 100000 --out /tmp/b/100k.db         # a database to measure
    python bench/search.py /tmp/b/100k.db                         # search, similar, index size
    python bench/search.py /tmp/b/100k.db --new 20                # + `new` with and without the warning (on a copy)
    python bench/search.py --load-pg postgresql://root@127.0.0.1/test?schema=bench100k /tmp/b/100k.db
    python bench/search.py postgresql://root@127.0.0.1/test?schema=bench100k

Times are the best and the median of `--repeat` runs of the service (in-process, warm), and of
the whole command (`reqtrack search TEXT --json` in a fresh process) for the first query.
`--load-pg URL FILE` puts a SQLite bench file's requests and histories into an empty schema on a
server (COPY), then computes the derived data there with reqtrack's own services.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import user_environment  # noqa: E402

QUERIES = ["批量导入", "EXCEL", "登录", "导出", "系统繁忙", "报表中心 慢", "the monthly report", "Excel export mobile",
           "华信", "慢", "a"]
SIMILAR = [("客户门户页面加载很慢，打开月度报表需要12秒以上，影响日常使用。", "北京华信科技有限公司"),
           ("系统报错无法登录，提示密码错误", "ACME"),
           ("Exporting the order list fails with 'Service unavailable' since the last update", "Contoso Bank")]


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best, median) milliseconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times), result


def context(location: str, now: datetime) -> Any:
    from reqtrack import services
    from reqtrack.services.context import database_location

    return services.Context(db_path=database_location(location), actor="bench", clock=lambda: now)


def bench_search(location: str, now: datetime, repeat: int) -> dict[str, Any]:
    from reqtrack import services
    from reqtrack.services.search import index_size, likely_duplicates

    ctx = context(location, now)
    out: dict[str, Any] = {"size": index_size(ctx), "search": {}, "similar": {}}
    for query in QUERIES:
        best, median, hits = timed(lambda q=query: services.search(ctx, q), repeat)
        out["search"][query] = {"best_ms": round(best, 1), "median_ms": round(median, 1), "hits": len(hits),
                                "top": hits[0].id if hits else None}
    with ctx.reader() as uow:
        for description, customer in SIMILAR:
            best, median, found = timed(lambda d=description, c=customer: likely_duplicates(uow.requests, c, d), repeat)
            out["similar"][description[:16]] = {"best_ms": round(best, 1), "median_ms": round(median, 1),
                                                "found": [s.id for s in found]}
    command = [sys.executable, "-m", "reqtrack", "search", QUERIES[0], "--json"]
    env = user_environment(REQTRACK_DB=location, REQTRACK_NOW=now.isoformat())
    walls = []
    for _ in range(max(3, repeat // 2)):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        walls.append((time.perf_counter() - started) * 1000)
    out["command_ms"] = {"query": QUERIES[0], "best": round(min(walls), 1), "median": round(statistics.median(walls), 1)}
    return out


def bench_new(location: str, now: datetime, count: int) -> dict[str, Any]:
    """`reqtrack new` in fresh processes, alternately with and without the likely-duplicate
    lookup (`--no-similar`), on a copy of a file (or on the server's schema itself)."""
    work = location
    folder = None
    if "://" not in location:
        folder = tempfile.mkdtemp(prefix="reqtrack-bench-new-")
        work = str(Path(folder) / "copy.db")
        shutil.copyfile(location, work)
    env = user_environment(REQTRACK_DB=work, REQTRACK_NOW=now.isoformat())
    times: dict[str, list[float]] = {"with": [], "without": []}
    try:
        for index in range(count):
            for mode in ("with", "without") if index % 2 else ("without", "with"):
                args = [sys.executable, "-m", "reqtrack", "new", f"系统报错无法登录，第{index}次", "--customer",
                        "北京华信科技有限公司"] + (["--no-similar"] if mode == "without" else [])
                started = time.perf_counter()
                subprocess.run(args, env=env, check=True, capture_output=True)
                times[mode].append((time.perf_counter() - started) * 1000)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    return {"runs": count, "with_ms": round(medians["with"], 1), "without_ms": round(medians["without"], 1),
            "overhead_ms": round(medians["with"] - medians["without"], 1)}


def load_pg(url: str, source: Path, now: datetime, search_only: bool = False) -> dict[str, Any]:
    """The requests and histories of a SQLite bench file into the schema of `url` (created by
    reqtrack, empty), then the derived data computed there by reqtrack's services (`search_only`:
    the search documents only, not the running deadlines and report facts)."""
    import sqlite3

    import psycopg

    from reqtrack.services import inputs
    from reqtrack.storage.server import parse_address, quote_name

    started = time.perf_counter()
    ctx = context(url, now)
    with ctx.unit_of_work(write=True) as uow:  # creates the schema
        if uow.conn.execute("SELECT count(*) FROM request").fetchone()[0]:
            raise SystemExit(f"{url} holds requests already")
        uow.commit()
    address = parse_address(url)
    lite = sqlite3.connect(source)
    with psycopg.connect(address.conninfo) as conn:
        conn.execute(f"SET search_path TO {quote_name(address.schema)}")
        timezone_name = lite.execute("SELECT value FROM setting WHERE key = 'calendar.timezone'").fetchone()[0]
        conn.execute("UPDATE setting SET value = %s WHERE key = 'calendar.timezone'", (timezone_name,))
        for table in ("request", "event"):
            columns = [row[1] for row in lite.execute(f"PRAGMA table_info({table})")]
            with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in lite.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                    copy.write_row(row)
        conn.commit()
    loaded = time.perf_counter()
    with ctx.unit_of_work(write=True) as uow:
        from reqtrack.services.upkeep import keep_deadlines

        if not search_only:
            keep_deadlines(uow, inputs(uow, ctx), [], recompute=True)
        uow.requests.rebuild_search_docs()
        uow.commit()
    return {"copied_s": round(loaded - started, 1), "derived_s": round(time.perf_counter() - loaded, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("location", help="a database file or a postgresql:// URL")
    parser.add_argument("source", nargs="?", type=Path, help="with --load-pg: the SQLite bench file to load")
    parser.add_argument("--load-pg", action="store_true", help="load SOURCE into the (empty) schema LOCATION")
    parser.add_argument("--search-only", action="store_true", help="with --load-pg: compute the search documents only")
    parser.add_argument("--now", help="ISO time with offset (default: the bench file's meta, else now)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--new", type=int, default=0, help="also time `new` this many times each way")
    args = parser.parse_args(argv)
    meta = Path(str(args.source or args.location) + ".meta.json")
    now_text = args.now or (json.loads(meta.read_text())["now"] if meta.exists() else None)
    now = datetime.fromisoformat(now_text) if now_text else datetime.now(timezone.utc)
    if args.load_pg:
        if args.source is None:
            parser.error("--load-pg needs the SQLite bench file to load")
        print(json.dumps(load_pg(args.location, args.source, now, args.search_only)))
        return 0
    result = bench_search(args.location, now, args.repeat)
    if args.new:
        result["new"] = bench_new(args.location, now, args.new)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
