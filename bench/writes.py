"""Time the everyday write commands against `python -c pass`, in alternating runs.

    python bench/build_db.py 10000 --out /tmp/reqtrack-bench/w.db
    python bench/writes.py /tmp/reqtrack-bench/w.db --rounds 9

Each round runs `python -c pass`, `new`, `classify` and `progress` once each, in that order, on
a copy of the database (the original is left as built); the first round only warms the caches.
Prints the median of each and its ratio to `python -c pass` of the same run (issue 16's target:
each write within 15×). PYTHONDONTWRITEBYTECODE is cleared and the bytecode kept under a
private PYTHONPYCACHEPREFIX, as an installed reqtrack has its bytecode compiled;
`--no-bytecode-cache` measures with every module compiled at each start instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, help="a database built by bench/build_db.py (with its .meta.json)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--no-bytecode-cache", action="store_true")
    args = parser.parse_args()
    meta = json.loads(Path(f"{args.db}.meta.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="reqtrack-writes-"))
    copy = work / "writes.db"
    shutil.copy(args.db, copy)
    env = dict(os.environ, REQTRACK_DB=str(copy), REQTRACK_NOW=meta["now"], REQTRACK_USER="bench")
    if args.no_bytecode_cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    reqtrack = str(Path(sys.executable).with_name("reqtrack"))
    listing = subprocess.run([reqtrack, "list", "--status", "in-progress", "--format", "json"], env=env,
                             capture_output=True, text=True, check=True)
    request_id = json.loads(listing.stdout)[0]["id"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "new": [reqtrack, "new", "timed", "--customer", "Bench"],
        "classify": [reqtrack, "classify", request_id, "--type", "bug"],
        "progress": [reqtrack, "progress", request_id, "timed step"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(args.rounds + 1):
        for name, argv in commands.items():
            started = time.perf_counter()
            subprocess.run(argv, env=env, capture_output=True, check=True)
            if round_number:
                times[name].append(time.perf_counter() - started)
    shutil.rmtree(work)
    baseline = statistics.median(times["python -c pass"])
    cache = "off" if args.no_bytecode_cache else "on"
    print(f"{args.db} ({meta.get('n', '?')} requests), {args.rounds} rounds, bytecode cache {cache}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:16s} {median * 1000:7.1f} ms  {median / baseline:5.1f}× python -c pass")


if __name__ == "__main__":
    main()
