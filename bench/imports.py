"""Import against openpyxl's bare read pass, alternated, in one process and on two cores.

    python bench/imports.py SHEET.xlsx                      # 3 rounds, SQLite file
    python bench/imports.py SHEET.xlsx --repeats 5 --pg postgresql://root@127.0.0.1:5432/test

On a shared machine the speed of a run drifts by a third within minutes, so every import is set
against the openpyxl read-only pass of the same sheet run just before and just after it
(bench/baseline_xlsx.py read): its ratio is its wall time over the mean of those two passes. A
round imports the sheet into a database that does not exist yet, once on two cores (the
default: a forked reader of the sheet's XML, a forked worker for the report facts) and once in
one process (REQTRACK_IMPORT_WORKER=0), with REQTRACK_NOW pinned to --now if given. Each run prints its
wall time, the CPU time of the command and its children, the peak resident memory of the
largest process (ru_maxrss of wait4) and the ratio; the end prints the median ratio of each.
With --pg the imports go into fresh schemas of that server instead (dropped after).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from run import user_environment  # noqa: E402

VARIANTS = {"two cores": {}, "one process": {"REQTRACK_IMPORT_WORKER": "0"}}


def openpyxl_pass(sheet: Path) -> float:
    """The timed part of bench/baseline_xlsx.py's read pass over `sheet`, in seconds."""
    out = subprocess.run([sys.executable, str(BENCH / "baseline_xlsx.py"), "read", str(sheet)], capture_output=True,
                         text=True, check=True)
    return float(json.loads(out.stdout)["seconds"])


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s of the process and its children, peak MB) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def target(pg: str | None, scratch: Path) -> str:
    """Where one import goes: a new file, or a new schema of the server."""
    if pg:
        return f"{pg}{'&' if '?' in pg else '?'}schema=bench_import_{uuid.uuid4().hex[:8]}"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return str(scratch)


def drop(location: str) -> None:
    if "://" not in location:
        return
    import psycopg

    base, _, schema = location.rpartition("schema=")
    with psycopg.connect(base.rstrip("?&"), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sheet", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--now", help="REQTRACK_NOW of the imports (default: the clock, which is after anything a "
                        "sheet exported earlier holds)")
    parser.add_argument("--pg", help="import into fresh schemas of this server instead of files")
    parser.add_argument("--only", choices=tuple(VARIANTS), help="run this variant alone (a round takes half the time)")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/reqtrack-bench/import-bench.db"))
    args = parser.parse_args(argv)
    args.scratch.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "reqtrack"]
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}; load {os.getloadavg()[0]:.2f}; {args.sheet}; "
          f"{'server ' + args.pg if args.pg else 'SQLite file'}", flush=True)
    variants = {args.only: VARIANTS[args.only]} if args.only else VARIANTS
    ratios: dict[str, list[float]] = {name: [] for name in variants}
    passes = [openpyxl_pass(args.sheet)]
    for _ in range(args.repeats):
        for name, extra in variants.items():
            location = target(args.pg, args.scratch)
            env = user_environment(REQTRACK_DB=location, **({"REQTRACK_NOW": args.now} if args.now else {}), **extra)
            try:
                wall, cpu, peak = timed([*command, "import", str(args.sheet)], env)
            finally:
                drop(location)
            passes.append(openpyxl_pass(args.sheet))
            ratio = wall / statistics.mean(passes[-2:])
            ratios[name].append(ratio)
            print(f"{name:12s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak {peak:4.0f} MB  "
                  f"passes {passes[-2]:.2f} / {passes[-1]:.2f} s  ratio {ratio:.2f}", flush=True)
    for name, found in ratios.items():
        print(f"{name:12s} median ratio {statistics.median(found):.2f} (of {', '.join(f'{r:.2f}' for r in found)})")
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
