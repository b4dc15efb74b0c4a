#!/usr/bin/env bash
# The morning reminders, for cron: every person in `reqtrack people` with an e-mail address gets
# one digest of what is theirs to do today (`reqtrack remind --send`: unassigned requests, deadlines
# near or passed, customers waiting for an answer, surveys to send), and every message is one line
# in the log. Exits 0 when every digest went out, 1 when someone could not be reached (no
# address, or not in the people list: the log names them), 2/3 when reqtrack itself failed
# (3: the mail server; what was sent before the failure stays sent, the log says the rest).
#
# crontab line (09:00 Monday to Friday; cron has a bare environment, so say where things are):
#   0 9 * * 1-5  REQTRACK_DB=$HOME/reqtrack/team.db REQTRACK_LANG=zh-CN REQTRACK_SMTP_PASSWORD_FILE=$HOME/.config/reqtrack/smtp-password LOG=$HOME/reqtrack/reminders.log /path/to/daily-reminders.sh
# (cron's 1-5 is Monday to Friday; on a public holiday the digest still goes out, and a make-up
# working day on a weekend gets none unless you add its date to the crontab.)
#
# Set up e-mail once (docs/notices.md): reqtrack config set smtp.host / smtp.port / smtp.security /
# smtp.user / smtp.from. The password is never stored: the script reads it from
# REQTRACK_SMTP_PASSWORD_FILE (a file only the cron user can read), or takes REQTRACK_SMTP_PASSWORD
# as it is.
#
# Environment: REQTRACK_DB (the database), REQTRACK_LANG (the digests' language: en, zh-CN, zh-TW),
# LOG (the log file; default ./reminders.log), REQTRACK_SMTP_PASSWORD_FILE, REQTRACK_BIN (the
# reqtrack command; default: reqtrack on PATH).
set -euo pipefail
umask 077  # the log names people and addresses: private to its owner

reqtrack=${REQTRACK_BIN:-reqtrack}
log=${LOG:-./reminders.log}
if [ -n "${REQTRACK_SMTP_PASSWORD_FILE:-}" ]; then
    REQTRACK_SMTP_PASSWORD=$(<"$REQTRACK_SMTP_PASSWORD_FILE")
    export REQTRACK_SMTP_PASSWORD
fi

# `remind` exits 1 when it listed something: that is the usual morning, not a failure.
status=0
output=$("$reqtrack" remind --send 2>&1) || status=$?

# One line per message (and per person not reached, and the error if any), each with the time.
stamp=$(date '+%F %T')
if [ -n "$output" ]; then
    while IFS= read -r line; do
        printf '%s %s\n' "$stamp" "$line"
    done <<<"$output" >>"$log"
fi

# The lines are in REQTRACK_LANG (the log is for people): count them in any of the three languages.
sent=$(grep -cE '^(sent to |已发送给 |已寄給 )' <<<"$output" || true)
unreached=$(grep -cE '^(not reached: |无法送达：|無法送達：)' <<<"$output" || true)
if [ "$status" -ge 2 ]; then
    echo "daily-reminders: reqtrack failed with exit $status after $sent digest(s) sent — see $log" >&2
    exit "$status"
fi
echo "daily-reminders: $sent digest(s) sent, $unreached person(s) not reached — see $log"

# Alert (cron's MAILTO, a monitoring wrapper) only when someone did not get their digest.
[ "$unreached" -eq 0 ]
