#!/usr/bin/env bash
# Mutation testing of src/reqtrack/domain/ and the services' SLA rules (services/sla.py) with mutmut
# (configured in pyproject.toml, [tool.mutmut]; docs/testing.md). Not part of CI: it takes tens of
# minutes. Runs on a scratch copy of the working tree, so the tree is never touched (mutmut writes
# mutated copies beside the code it mutates), then prints the score of domain/ and of each file.
#
#   pip install -e '.[mutation]'
#   tools/mutation.sh                 # domain/; results and score in .mutation/ (git-ignored)
#   tools/mutation.sh src/reqtrack/domain/calendar.py    # only the mutants of one file
#   tools/mutation.sh --services      # services/sla.py, against the tests of the services' rules
#
# Environment: MUTMUT_CHILDREN (parallel workers, default 2), REQTRACK_TEST_SEED (the Hypothesis
# seed of the run, default 1: the same examples for every mutant, and run to run),
# REQTRACK_HYPOTHESIS_SCALE (examples per property, default 0.2 of the CI run's), MUTATION_DIR.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${MUTATION_DIR:-$repo/.mutation}"
rm -rf "$work"
mkdir -p "$work/repo"
cp -r "$repo/src" "$repo/tests" "$repo/examples" "$repo/pyproject.toml" "$work/repo/"
[ -d "$repo/../shared" ] && ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
find "$work/repo" -name __pycache__ -prune -exec rm -rf {} +
cd "$work/repo"
if [ "${1:-}" = "--services" ]; then
    shift
    python - <<'PY'
from pathlib import Path
p = Path("pyproject.toml")
t = p.read_text()
t = t.replace('only_mutate = ["src/reqtrack/domain/*"]', 'only_mutate = ["src/reqtrack/services/sla.py"]')
t = t.replace('"tests/unit/test_metrics.py",\n]', '"tests/integration/test_running_deadlines.py", "tests/cli/test_overdue_cli.py",\n]')
p.write_text(t)
PY
fi
export CI=true
export REQTRACK_TEST_SEED="${REQTRACK_TEST_SEED:-1}"
export REQTRACK_HYPOTHESIS_SCALE="${REQTRACK_HYPOTHESIS_SCALE:-0.2}"
only=()
if [ $# -gt 0 ]; then
    # mutant names are module.function__mutmut_N; a file's mutants start with its module path
    for file in "$@"; do
        module="${file#src/}"; module="${module%.py}"; only+=("${module//\//.}.*")
    done
fi
started=$(date +%s)
mutmut run --max-children "${MUTMUT_CHILDREN:-2}" "${only[@]}" > "$work/run.log" 2>&1 || {
    echo "mutmut run failed; see $work/run.log" >&2; tail -30 "$work/run.log" >&2; exit 1; }
mutmut results --all true > "$work/results.txt" 2>&1 || mutmut results > "$work/results.txt" 2>&1
python "$repo/tools/mutation_score.py" "$work/results.txt" "$(( $(date +%s) - started ))" | tee "$work/score.txt"
