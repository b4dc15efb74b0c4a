"""The same commands on the SQLite file and on the PostgreSQL server, in paired runs.

    python bench/engines.py                        # 100,000 requests, 7 pairs per command
    python bench/engines.py --n 10000 --repeats 9 --pg postgresql://root@127.0.0.1:5432/test

The database is bench/build_db.py's (the file bench/run.py uses); the server gets the same data
with `reqtrack copy` into the schema `bench_N` (kept and reused; --reload copies it again), and
the copy's time is printed. Each command then runs on the file and on the server alternately
(file, server, file, server, …, after one warm-up of each), so both see the same machine load;
the medians and their ratio are printed, with the target of issue 16 (the server within 1.5× of
the file for show, list, overdue and report). Writes (`new`, `classify`, `progress`) run on
scratch copies (a copied file, the schema `bench_N_w`), so the reused databases stay as built.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PYTHON, ensure_database, loadavg, reqtrack_command, run_once, user_environment  # noqa: E402

READS = ["show", "list", "list --open --format json", "overdue --json", "report --period year --json"]
WRITES = ["new", "classify", "progress"]
TARGET = 1.5  # the server within 1.5x of the file (issue 16), for these:
TARGETED = {"show", "list", "overdue --json", "report --period year --json"}


def schema_url(base: str, schema: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}schema={schema}"


def schema_exists(base: str, schema: str) -> bool:
    import psycopg

    with psycopg.connect(base) as conn:
        return conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'request'",
                            (schema,)).fetchone() is not None


def copy_into(env: dict[str, str], source: str, target: str) -> float:
    started = time.perf_counter()
    subprocess.run([*reqtrack_command(), "--db", source, "copy", target, "--force"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def argv_of(name: str, sample: str, pending: str, open_id: str) -> list[str]:
    return {
        "show": ["show", sample],
        "list": ["list"],
        "list --open --format json": ["list", "--open", "--format", "json"],
        "overdue --json": ["overdue", "--json"],
        "report --period year --json": ["report", "--period", "year", "--json"],
        "new": ["new", "基准测试：客户反馈导出报表很慢 / benchmark", "--customer", "Benchmark Co", "--source", "email"],
        "classify": ["classify", pending, "--feasibility", "now"],
        "progress": ["progress", open_id, "benchmark note"],
    }[name]


def paired(argv: list[str], envs: dict[str, dict[str, str]], repeats: int) -> dict[str, list[float]]:
    """Wall times of `argv` on each engine, alternating, after one warm-up each."""
    times: dict[str, list[float]] = {name: [] for name in envs}
    for round_number in range(repeats + 1):
        for name, env in envs.items():
            elapsed, _, code, _, err, _ = run_once([*reqtrack_command(), *argv], env, 600)
            if code not in (0, 1):
                raise SystemExit(f"{name}: {' '.join(argv)} exited {code}: {err.strip()}")
            if round_number:
                times[name].append(elapsed)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--pg", default=os.environ.get("REQTRACK_BENCH_PG", "postgresql://root@127.0.0.1:5432/test"))
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/reqtrack-bench"))
    parser.add_argument("--reload", action="store_true", help="copy the data to the server again")
    parser.add_argument("--out", type=Path, default=Path("bench-engines.json"))
    args = parser.parse_args(argv)
    args.db_dir.mkdir(parents=True, exist_ok=True)
    db, meta = ensure_database(args.n, args.db_dir, 2, False)
    base = user_environment(REQTRACK_NOW=meta["now"], TZ=meta["timezone"], REQTRACK_USER="bench")
    for name in ("REQTRACK_LANG", "REQTRACK_DEBUG", "REQTRACK_DB"):
        base.pop(name, None)
    server = schema_url(args.pg, f"bench_{args.n}")
    results: dict[str, Any] = {"n": args.n, "now": meta["now"], "loadavg_start": loadavg(), "commands": {}}
    if args.reload or not schema_exists(args.pg, f"bench_{args.n}"):
        results["copy to the server (s)"] = round(copy_into(base, str(db), server), 2)
        print(f"copied {args.n:,} requests to the server in {results['copy to the server (s)']} s", file=sys.stderr)
    conn = sqlite3.connect(db)
    pending = conn.execute("SELECT id FROM request WHERE status = 'pending' ORDER BY id LIMIT 1").fetchone()[0]
    open_id = conn.execute("SELECT id FROM request WHERE status = 'in-progress' ORDER BY id LIMIT 1").fetchone()[0]
    conn.close()
    sample = meta["sample_ids"].get("longest_history") or next(iter(meta["sample_ids"].values()))
    scratch_file = args.db_dir / f"engines-scratch-{args.n}.db"
    shutil.copyfile(db, scratch_file)
    scratch_server = schema_url(args.pg, f"bench_{args.n}_w")
    copy_into(base, str(db), scratch_server)
    pass_times = paired_python(args.repeats)
    results["python -c pass (s)"] = round(statistics.median(pass_times), 4)
    rows = []
    for name in READS + WRITES:
        write = name in WRITES
        envs = {"sqlite": {**base, "REQTRACK_DB": str(scratch_file if write else db)},
                "postgres": {**base, "REQTRACK_DB": scratch_server if write else server}}
        print(f"{name} ...", file=sys.stderr, flush=True)
        times = paired(argv_of(name, sample, pending, open_id), envs, args.repeats)
        file_s, server_s = statistics.median(times["sqlite"]), statistics.median(times["postgres"])
        ratio = server_s / file_s
        verdict = ("met" if ratio <= TARGET else f"NOT met ({ratio:.2f}x)") if name in TARGETED else ""
        results["commands"][name] = {"sqlite_s": round(file_s, 4), "postgres_s": round(server_s, 4),
                                     "ratio": round(ratio, 2), "target": f"<= {TARGET}x" if verdict else "",
                                     "result": verdict, "sqlite_all": times["sqlite"], "postgres_all": times["postgres"]}
        rows.append(f"| {name} | {file_s * 1000:.0f} | {server_s * 1000:.0f} | {ratio:.2f}x | {verdict} |")
    results["loadavg_end"] = loadavg()
    scratch_file.unlink(missing_ok=True)
    print(f"\n{args.n:,} requests, {args.repeats} pairs per command, load {results['loadavg_start']} → {results['loadavg_end']}; "
          f"python -c pass {results['python -c pass (s)'] * 1000:.0f} ms\n")
    print("| command | file (ms) | server (ms) | server / file | within 1.5x |\n|---|---:|---:|---:|---|")
    print("\n".join(rows))
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


def paired_python(repeats: int) -> list[float]:
    return [run_once([PYTHON, "-c", "pass"], user_environment(), 60)[0] for _ in range(repeats)]


if __name__ == "__main__":
    sys.exit(main())
