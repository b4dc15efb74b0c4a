#!/usr/bin/env bash
# Nightly backup of the reqtrack database: a dated, consistent copy (taken safely while others
# may be writing), checked with `reqtrack check`, keeping the newest KEEP copies.
#
#   REQTRACK_DB   the database to back up (default: reqtrack's own default location)
#   BACKUP_DIR    where the copies go (default: ~/reqtrack-backups; created private if missing)
#   KEEP          how many copies to keep (default: 14)
#   REQTRACK      the reqtrack command (default: reqtrack on PATH)
#
# Cron (daily at 02:15; cron mails any output, and the script prints only on failure unless -v):
#   15 2 * * * REQTRACK_DB=/srv/reqtrack/reqtrack.db BACKUP_DIR=/srv/backups/reqtrack /usr/local/bin/nightly-backup.sh
#
# Exit status: 0 when the new copy is whole; non-zero (and old copies untouched) otherwise.
set -euo pipefail

BACKUP_DIR="${BACKUP_DIR:-$HOME/reqtrack-backups}"
KEEP="${KEEP:-14}"
REQTRACK="${REQTRACK:-reqtrack}"
VERBOSE=0
if [[ "${1:-}" == "-v" ]]; then VERBOSE=1; fi

say() { if [[ "$VERBOSE" == 1 ]]; then echo "$@"; fi; }

if ! [[ "$KEEP" =~ ^[1-9][0-9]*$ ]]; then
    echo "nightly-backup: KEEP must be a positive number, not '$KEEP'" >&2
    exit 2
fi

umask 077  # the copies hold customer data: private to their owner
mkdir -p -- "$BACKUP_DIR"

stamp="$(date +%Y-%m-%d_%H%M%S)"
copy="$BACKUP_DIR/reqtrack-$stamp.db"
# A second run within the same second (a retry) waits for a new name rather than fail on the first.
while [[ -e "$copy" || -e "$copy.suspect" ]]; do
    sleep 1
    stamp="$(date +%Y-%m-%d_%H%M%S)"
    copy="$BACKUP_DIR/reqtrack-$stamp.db"
done

# 1. A consistent copy (SQLite online backup under one snapshot); refuses to overwrite.
backup_out="$("$REQTRACK" backup "$copy" 2>&1)" || {
    echo "nightly-backup: backup to $copy failed: $backup_out" >&2
    exit 1
}
say "$backup_out"

# 2. Check the copy itself: integrity, schema and consistency. A copy that fails is kept
#    (renamed .suspect) for inspection, and no older copy is removed.
if ! check_out="$("$REQTRACK" --db "$copy" check 2>&1)"; then
    mv -- "$copy" "$copy.suspect"
    echo "nightly-backup: the new copy fails reqtrack check; kept as $copy.suspect, older copies untouched:" >&2
    echo "$check_out" >&2
    exit 1
fi
say "$check_out"

# 3. Keep the newest KEEP copies (the names sort by date).
shopt -s nullglob
copies=("$BACKUP_DIR"/reqtrack-*.db)
shopt -u nullglob
if (( ${#copies[@]} > KEEP )); then
    for old in "${copies[@]:0:${#copies[@]}-KEEP}"; do
        say "removing old copy $old"
        rm -f -- "$old"
    done
fi
say "kept $(( ${#copies[@]} < KEEP ? ${#copies[@]} : KEEP )) copies in $BACKUP_DIR"
