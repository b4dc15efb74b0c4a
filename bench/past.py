"""A past moment at scale: `overdue --as-of` in the past and reports of ended periods (or at a
past `--as-of`), two trees side by side in paired, alternating runs (docs/performance.md,
"A past moment").

    git worktree add --detach /tmp/old c546d71
    cp /tmp/reqtrack-bench/reqtrack-100000.db /tmp/old.db; cp /tmp/old.db /tmp/new.db
    reqtrack --db /tmp/new.db config set sla.stale_hours 24     # this tree's upgrade, once
    python bench/past.py --old /tmp/old/src --old-db /tmp/old.db --db /tmp/new.db [--rounds 5]

Each round runs every command once per tree, the order of the trees reversed every other round
(the first round only warms the caches). REQTRACK_NOW is the data's `now` (the database's
.meta.json beside it, else --now), TZ its zone. Prints per command and tree the median wall time,
the median CPU time (user + system of the process, from wait4: steadier than wall time on a
shared machine), the new/old ratio of the CPU medians, whether both trees printed the same
bytes, the load average before and after, and two baselines run in every round (`python -c
pass`, and a fixed loop of Python: how fast the machine is just then). `--db` alone times this tree only. A database on
the server is given by its URL (postgresql://...?schema=...). `--command` (repeatable) times
other commands than the list below.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import user_environment  # noqa: E402

COMMANDS = [
    ["overdue", "--json", "--as-of", "2026-06-01"],
    ["overdue", "--json", "--as-of", "2025-11-15 10:00"],
    ["report", "--period", "year", "--previous", "--json"],
    ["report", "--from", "2025-01-01", "--to", "2025-07-01", "--json"],
    ["report", "--period", "month", "--as-of", "2026-06-15", "--json"],
    ["report", "--period", "week", "--previous", "--as-of", "2026-09-09", "--json"],
    ["report", "--period", "year", "--json"],
    ["overdue", "--json"],
]


# Run in every round beside the commands: how fast the machine is just then (a shared machine's
# speed moves by tens of percent within minutes).
BASELINES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python: 3,000,000 squares summed": [sys.executable, "-c", "sum(i * i for i in range(3_000_000))"],
}


def command_prefix() -> list[str]:
    exe = shutil.which("reqtrack", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "reqtrack"]


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds, stdout) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = process.stdout.read() if process.stdout else b""
    _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = 0
    return wall, usage.ru_utime + usage.ru_stime, out


def now_of(db: str, given: str | None) -> tuple[str, str]:
    """(REQTRACK_NOW, TZ) of the data: --now, else the build's .meta.json beside the file."""
    meta = Path(f"{db}.meta.json")
    if given:
        return given, os.environ.get("TZ", "Asia/Shanghai")
    if meta.exists():
        data = json.loads(meta.read_text())
        return data["now"], data.get("timezone", "Asia/Shanghai")
    return "2026-12-01T14:00:00+00:00", "Asia/Shanghai"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="this tree's database (upgraded by it)")
    parser.add_argument("--old", type=Path, help="the other tree's src/ directory")
    parser.add_argument("--old-db", help="the other tree's database (the same data, its schema)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up round")
    parser.add_argument("--now", help="REQTRACK_NOW (default: the build's, from DB.meta.json)")
    parser.add_argument("--meta", help="a .meta.json to read `now` from (a copied database has none)")
    parser.add_argument("--command", action="append", dest="commands", metavar="'report --period year --json'",
                        help="a command to time instead of the usual list (repeatable; split like a shell's words)")
    args = parser.parse_args()
    commands = [shlex.split(text) for text in args.commands] if args.commands else COMMANDS

    now, zone = now_of(args.meta[:-len(".meta.json")] if args.meta else args.db, args.now)
    base = user_environment(REQTRACK_NOW=now, TZ=zone)
    trees = {"new": dict(base, PYTHONPATH=str(HERE), REQTRACK_DB=args.db)}
    if args.old is not None:
        trees["old"] = dict(base, PYTHONPATH=str(args.old), REQTRACK_DB=args.old_db or args.db)
    prefix = command_prefix()
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    outputs: dict[tuple[str, str], bytes] = {}
    print(f"# {platform.node()} {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')} (local), REQTRACK_NOW={now}, load before {os.getloadavg()}")
    baselines: dict[str, list[tuple[float, float]]] = {}
    for round_ in range(args.rounds + 1):
        for label, argv in BASELINES.items():
            wall, cpu, _ = run(argv, base)
            if round_:
                baselines.setdefault(label, []).append((wall, cpu))
        names = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for argv in commands:
            label = " ".join(argv)
            for name in names:
                wall, cpu, out = run([*prefix, *argv], trees[name])
                if round_:
                    results.setdefault((label, name), []).append((wall, cpu))
                outputs[(label, name)] = out
    print(f"# load after {os.getloadavg()}; medians of {args.rounds} rounds")
    for label, runs in baselines.items():
        print(f"# baseline {label}: wall {statistics.median(w for w, _ in runs):.3f} s, "
              f"CPU {statistics.median(c for _, c in runs):.3f} s")
    print("| command | " + " | ".join(f"{n} wall s | {n} CPU s" for n in trees) + (" | new/old CPU | same output |"
                                                                                  if "old" in trees else " |"))
    print("|---|" + "---:|---:|" * len(trees) + ("---:|---|" if "old" in trees else ""))
    for argv in commands:
        label = " ".join(argv)
        cells = []
        medians = {}
        for name in trees:
            runs = results[(label, name)]
            medians[name] = statistics.median(c for _, c in runs)
            cells.append(f"{statistics.median(w for w, _ in runs):.2f} | {medians[name]:.2f}")
        line = f"| `{label}` | " + " | ".join(cells)
        if "old" in trees:
            same = outputs[(label, "new")] == outputs[(label, "old")]
            line += f" | {medians['new'] / medians['old']:.2f} | {'yes' if same else 'NO'}"
        print(line + " |")


if __name__ == "__main__":
    main()
