#!/usr/bin/env bash
# The morning overdue check, for cron. Writes today's overdue list as JSON and as a readable
# summary into a dated file, and exits 1 when anything is late so the alerting system (cron's
# MAILTO, a monitoring wrapper) notices. Exit 2/3 mean reqtrack itself could not run.
#
# crontab line (08:30 on working days; cron has a bare environment, so say where things are):
#   30 8 * * 1-5  REQTRACK_DB=$HOME/reqtrack/team.db OUT_DIR=$HOME/reqtrack/overdue /path/to/daily-overdue-check.sh
#
# Environment: REQTRACK_DB (the database; default: reqtrack's usual location), OUT_DIR (where the
# dated files go; default ./overdue), WITHIN (also list what comes due within this window; default 1d),
# REQTRACK_BIN (the reqtrack command; default: reqtrack on PATH).
set -euo pipefail
umask 077  # the files written hold customer data: private to their owner (and the directories made)

reqtrack=${REQTRACK_BIN:-reqtrack}
out_dir=${OUT_DIR:-./overdue}
within=${WITHIN:-1d}
today=$(date +%F)
mkdir -p "$out_dir"
json="$out_dir/overdue-$today.json"
summary="$out_dir/overdue-$today.txt"

# `overdue` exits 1 when it lists something: that is news, not failure, so keep the code.
status=0
"$reqtrack" overdue --within "$within" --stale --json >"$json.tmp" || status=$?
if [ "$status" -ge 2 ]; then
    rm -f "$json.tmp"
    echo "daily-overdue-check: reqtrack failed with exit $status (see the message above)" >&2
    exit "$status"
fi
mv "$json.tmp" "$json"

# The readable summary: the same check as a table (plain text, no colours, since it goes to a file).
"$reqtrack" overdue --within "$within" --stale >"$summary" 2>&1 || true

late=$(python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); print(sum(1 for r in rows if r["reason"] != "due-soon"))' "$json")
soon=$(python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); print(sum(1 for r in rows if r["reason"] == "due-soon"))' "$json")
echo "$today: $late overdue, $soon coming due within $within — $summary"

# Alert only on what is late; requests merely coming due are in the files for the lead.
[ "$late" -eq 0 ]
