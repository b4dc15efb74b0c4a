"""Start-up of reqtrack: `--version`, `--help` and the everyday commands against `python -c pass`,
in paired, alternating runs; optionally two source trees side by side (docs/performance.md,
"Start-up").

    python bench/startup.py [--rounds 21]                      # this tree, a scratch database
    git worktree add /tmp/old 2593035
    python bench/startup.py --old /tmp/old/src [--db some.db --show 202611-001]

Each round runs `python -c pass` and then every command once for each tree, the order of the
trees and of the commands reversed every other round; the first round only warms the caches.
The command is the `reqtrack` console script beside this Python (what people run; PYTHONPATH
picks the tree), else `python -m reqtrack`. Prints, per command and tree, the median wall time
and the median of the per-round ratios to `python -c pass` of the same round (steadier than the
ratio of the medians on a shared machine), the new/old ratio, and the load average before and
after. The bytecode is kept under a private PYTHONPYCACHEPREFIX, as an installed reqtrack has its
bytecode compiled (`--no-bytecode-cache`: every module compiled at each start instead). `new`
runs on a copy of the database per tree. Without `--db`, a scratch database of a few requests is
made with this tree.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "src"


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def command_prefix() -> list[str]:
    exe = shutil.which("reqtrack", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "reqtrack"]


def scratch_database(work: Path, env: dict[str, str]) -> tuple[Path, str]:
    db = work / "startup.db"
    made = dict(env, REQTRACK_DB=str(db), PYTHONPATH=str(HERE))
    ids = [subprocess.run([*command_prefix(), "new", f"export is slow {n}", "--customer", f"Customer {n}"], env=made,
                          capture_output=True, text=True, check=True).stdout.strip() for n in range(5)]
    return db, ids[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="an existing reqtrack database (default: a scratch one)")
    parser.add_argument("--show", help="a request ID in --db (default: the scratch database's first)")
    parser.add_argument("--old", help="the src/ folder of another tree, timed beside this one")
    parser.add_argument("--new", default=str(HERE), help="this tree's src/")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--only", help="comma-separated first words of the commands to time (default: all)")
    parser.add_argument("--no-bytecode-cache", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reqtrack-startup-"))
    base = dict(os.environ, REQTRACK_USER="bench")
    if args.no_bytecode_cache:
        base["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    if args.db is None:
        db, show = scratch_database(work, base)
    else:
        db, show = args.db, args.show
        if not show:
            parser.error("--db needs --show ID")
    commands = [["--version"], ["--help"], ["show", show], ["show", show, "--json"], ["list"], ["overdue", "--json"],
                ["config", "show"], ["new", "timed", "--customer", "Bench"]]
    if args.only:
        commands = [c for c in commands if c[0].lstrip("-") in args.only.split(",")]
    trees = {"new": args.new, **({"old": args.old} if args.old else {})}
    envs = {}
    for name, src in trees.items():
        copy = work / f"{name}.db"
        shutil.copy(db, copy)  # `new` writes; the other commands read the same rows
        envs[name] = dict(base, PYTHONPATH=src, REQTRACK_DB=str(copy))
    prefix = command_prefix()
    pass_argv = [sys.executable, "-c", "pass"]
    times: dict[tuple[str, int], list[float]] = {(t, i): [] for t in trees for i in range(len(commands))}
    ratios: dict[tuple[str, int], list[float]] = {key: [] for key in times}
    baseline: list[float] = []
    load_before = os.getloadavg()
    for round_number in range(args.rounds + 1):
        flip = round_number % 2 == 1
        order = list(trees)[::-1] if flip else list(trees)
        indexes = list(range(len(commands)))[::-1] if flip else list(range(len(commands)))
        floor = timed(pass_argv, base)
        for i in indexes:
            for name in order:
                seconds = timed([*prefix, *commands[i]], envs[name])
                if round_number:
                    times[(name, i)].append(seconds)
                    ratios[(name, i)].append(seconds / floor)
        if round_number:
            baseline.append(floor)
    load_after = os.getloadavg()
    shutil.rmtree(work)
    print(f"{datetime.datetime.now().isoformat(timespec='minutes')}, {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds, bytecode cache {'off' if args.no_bytecode_cache else 'on'}, "
          f"command: {' '.join(prefix)}")
    print(f"load average before {load_before[0]:.2f} / after {load_after[0]:.2f} (1 min)")
    print(f"python -c pass: {statistics.median(baseline) * 1000:.1f} ms")
    for i, command in enumerate(commands):
        cells = [f"{name} {statistics.median(times[(name, i)]) * 1000:6.1f} ms "
                 f"({statistics.median(ratios[(name, i)]):4.1f}× pass)" for name in trees]
        if "old" in trees:
            cells.append(f"new/old {statistics.median(times[('new', i)]) / statistics.median(times[('old', i)]):.2f}")
        print(f"{' '.join(command[:2]) if command[0] != 'show' else 'show ID' + (' --json' if '--json' in command else ''):22s}"
              + "  ".join(cells))


if __name__ == "__main__":
    main()
