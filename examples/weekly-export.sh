#!/usr/bin/env bash
# Export last week's requests (submitted Monday 00:00 to Sunday 24:00 of the previous calendar
# week) to a dated workbook for the weekly meeting, e.g. requests-2025-03-03_2025-03-09.xlsx.
#
#   examples/weekly-export.sh [OUT_DIR] [extra export options...]
#
#   examples/weekly-export.sh ~/meetings                   # the 18 template columns, global --lang
#   examples/weekly-export.sh ~/meetings --lang zh-CN --mask   # Chinese headers, names hidden
#   REQTRACK_DB=/srv/reqtrack.db examples/weekly-export.sh /srv/share
#
# In cron (Monday 07:30):  30 7 * * 1  /path/to/weekly-export.sh /srv/share >>/var/log/reqtrack-weekly.log 2>&1
# Dates are this machine's calendar days; reqtrack reads them in the database's time zone.
set -euo pipefail
umask 077  # the files written hold customer data: private to their owner (and the directories made)

out_dir="${1:-.}"
if [[ $# -gt 0 ]]; then shift; fi

# N days before today as YYYY-MM-DD, with GNU date (Linux) or BSD date (macOS).
days_ago() {
    date -d "-$1 days" +%F 2>/dev/null || date -v "-$1d" +%F
}

weekday=$(date +%u)                    # 1 = Monday ... 7 = Sunday
start=$(days_ago $((weekday + 6)))     # Monday of last week
end=$(days_ago "$weekday")             # Sunday of last week (a date alone means the end of that day)
file="$out_dir/requests-${start}_${end}.xlsx"

mkdir -p "$out_dir"
reqtrack export "$file" --since "$start" --until "$end" "$@"
echo "$file"
