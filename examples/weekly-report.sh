#!/usr/bin/env bash
# Write last week's meeting workbook (Monday–Sunday, in the database's time zone) to a file
# named after the Monday it starts on, e.g. reports/weekly-report-2025-03-03.xlsx.
#
# Run it from cron on Monday morning, before the meeting:
#   30 8 * * 1  REQTRACK_DB=/srv/reqtrack/reqtrack.db /path/to/weekly-report.sh
#
# Settings (environment):
#   REPORT_DIR     where the workbooks go (default: ./reports)
#   REPORT_LANG    en, zh-CN or zh-TW (default: REQTRACK_LANG, else en)
#   REQTRACK_DB    the database (default: reqtrack's own default)
set -euo pipefail
umask 077  # the files written hold customer data: private to their owner (and the directories made)

report_dir="${REPORT_DIR:-reports}"
lang="${REPORT_LANG:-${REQTRACK_LANG:-en}}"
mkdir -p "$report_dir"

# One run writes the workbook to a temporary name and prints the figures as JSON; the
# period's start date from that JSON names the file. The temporary file is removed on failure.
tmp="$(mktemp "$report_dir/.weekly-report.XXXXXX")"
trap 'rm -f "$tmp" "$tmp.xlsx"' EXIT
reqtrack --lang "$lang" report --period week --previous --xlsx "$tmp.xlsx" --json > "$tmp"

# "from": "2025-03-03T00:00:00+08:00"  ->  2025-03-03
monday="$(sed -n 's/^ *"from": "\([0-9-]\{10\}\)T.*/\1/p' "$tmp" | head -n 1)"
if [[ -z "$monday" ]]; then
    echo "weekly-report: could not read the period from reqtrack's output" >&2
    exit 1
fi

target="$report_dir/weekly-report-$monday.xlsx"
mv -f "$tmp.xlsx" "$target"
echo "$target"
