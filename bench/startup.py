"""Start-up of the everyday commands, two source trees side by side: paired, alternating runs of
`python -m reqtrack …` with PYTHONPATH pointing at each tree, `python -c pass` in the same rounds;
prints the medians and the ratio (docs/performance.md, "Start-up after the restructure").

    git worktree add /tmp/old 037c8c0
    python bench/startup.py --db some.db --old /tmp/old/src --show 202611-001 [--rounds 11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="an existing reqtrack database")
    parser.add_argument("--old", required=True, help="the src/ folder of the other tree")
    parser.add_argument("--new", default=str(Path(__file__).resolve().parent.parent / "src"), help="this tree's src/")
    parser.add_argument("--show", required=True, help="a request ID in the database")
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    commands = [["--help"], ["--version"], ["show", args.show], ["show", args.show, "--json"], ["list"],
                ["overdue", "--json"], ["list", "--format", "json"]]
    trees = {"old": args.old, "new": args.new}
    envs = {name: dict(os.environ, PYTHONPATH=src, REQTRACK_DB=args.db) for name, src in trees.items()}
    times: dict[str, dict[int, list[float]]] = {name: {i: [] for i in range(len(commands))} for name in trees}
    baseline = []
    for round_number in range(args.rounds):
        baseline.append(timed([sys.executable, "-c", "pass"], dict(os.environ)))
        order = ["old", "new"] if round_number % 2 else ["new", "old"]
        for i, command in enumerate(commands):
            for name in order:
                times[name][i].append(timed([sys.executable, "-m", "reqtrack", *command], envs[name]))
    print(f"python -c pass: {statistics.median(baseline) * 1000:.0f} ms")
    for i, command in enumerate(commands):
        old, new = statistics.median(times["old"][i]), statistics.median(times["new"][i])
        print(f"{' '.join(command):28s} old {old * 1000:6.0f} ms  new {new * 1000:6.0f} ms  ratio {new / old:.2f}")


if __name__ == "__main__":
    main()
