"""Summarise `mutmut results --all true` (lines `    module.function__mutmut_N: status`): per
module and for src/reqtrack/domain/ as a whole, killed / (killed + survived + no tests).

Killed counts mutmut's `killed` and `timeout` (a mutant that makes the tests hang is caught);
`no tests` (no selected test reaches the mutated function) counts against the score.

    python tools/mutation_score.py RESULTS.txt [SECONDS]
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"^\s*(?P<name>\S+?)__mutmut_\d+: (?P<status>.+?)\s*$")
KILLED = {"killed", "timeout"}


def module_of(name: str) -> str:
    # module.x_function or module.xǁClassǁmethod
    return re.sub(r"\.(x_[^.]*|xǁ.*)$", "", name)


def main() -> None:
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors: list[str] = []
    for line in open(sys.argv[1], encoding="utf-8"):
        match = LINE.match(line)
        if not match:
            continue
        status = match["status"]
        counts[module_of(match["name"])][status] += 1
        if status in ("survived", "no tests"):
            survivors.append(line.strip())

    def row(label: str, c: Counter) -> str:
        killed = sum(c[s] for s in KILLED)
        judged = killed + c["survived"] + c["no tests"]
        score = 100.0 * killed / judged if judged else 0.0
        others = {k: v for k, v in c.items() if k not in KILLED | {"survived", "no tests"}}
        extra = f"  other {dict(others)}" if others else ""
        return (f"{label:34} {sum(c.values()):5} mutants  {killed:5} killed  {c['survived']:4} survived  "
                f"{c['no tests']:3} no tests  {score:5.1f} %{extra}")

    domain = Counter()
    for module in sorted(counts):
        print(row(module, counts[module]))
        if module.startswith("reqtrack.domain."):
            domain.update(counts[module])
    print(row("domain/ (all of it)", domain))
    if len(sys.argv) > 2:
        print(f"wall time: {int(sys.argv[2]) // 60} min {int(sys.argv[2]) % 60} s")
    print(f"\n{len(survivors)} surviving mutants (mutmut show NAME in the work directory shows each):")
    for line in survivors:
        print("  " + line)


if __name__ == "__main__":
    main()
