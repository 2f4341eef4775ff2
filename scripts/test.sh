#!/usr/bin/env bash
# make test: a fresh database, the addon's Odoo tests, then the plain pytest tests of tests/.
#
# Fails when Odoo exits non-zero, when the log has an ERROR or CRITICAL line, a
# WARNING from the addon or a skipped addon test, when no Odoo test ran, or when
# pytest fails or collects nothing. KEEP_DB=1 keeps the database afterwards;
# TEST_TAGS=stage_automation_timing (Odoo's --test-tags) runs one area's Odoo tests.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

started=$(date +%s)
report_time() { say "Elapsed: $(( $(date +%s) - started )) s"; }

ensure_postgres
ensure_odoo
ensure_python_deps
ensure_chromium
ensure_wkhtmltopdf

DB="stage_automation_test_$(date +%Y%m%d_%H%M%S)_$$"
LOG="$LOCAL_DIR/$DB.log"
ADDONS_PATH="$(addons_path)"
ADDONS="$(repo_addons)"
TEST_TAGS="${TEST_TAGS:-/${ADDONS//,/,/}}"

cleanup() {
    if [ "${KEEP_DB:-}" = 1 ]; then
        say "Kept database $DB"
    else
        dropdb --if-exists "$DB" >/dev/null 2>&1 || echo "warning: could not drop database $DB" >&2
    fi
    report_time
}
trap cleanup EXIT

say "Installing $ADDONS into $DB and running their Odoo tests (log: $LOG)"
set +e
# Bounded: a hung test must not eat CI's 90 minutes (ODOO_TEST_TIMEOUT seconds, 50 minutes by default).
timeout --foreground --kill-after=60 "${ODOO_TEST_TIMEOUT:-3000}" \
    python3 -m odoo -d "$DB" --addons-path="$ADDONS_PATH" -i "$ADDONS" \
        --test-tags "$TEST_TAGS" --stop-after-init --log-level=test \
        --http-interface=127.0.0.1 --http-port="$(free_port)" --max-cron-threads=0 2>&1 | tee "$LOG"
odoo_status=${PIPESTATUS[0]}
set -e

# Odoo 18 ends with e.g. "0 failed, 0 error(s) of 57 tests when loading database 'x'" (a running total).
summary=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$LOG" | tail -n 1 || true)
tests_run=$(echo "$summary" | sed -nE 's/.* of ([0-9]+) tests.*/\1/p')
# Log lines are "<date> <time> <pid> <LEVEL> <db> <logger>: <message>".
problems=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$LOG" || true)
addon_warnings=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING [^ ]+ odoo\.addons\.stage_automation[a-z_]*[.:]' "$LOG" || true)
skipped=$(grep -E ' odoo\.addons\.stage_automation[a-z_]*\.tests[^ ]*: skipped ' "$LOG" || true)

if [ "$odoo_status" != 0 ] || [ -n "$problems" ] || [ -n "$addon_warnings" ] || [ -n "$skipped" ] \
        || [ "${tests_run:-0}" = 0 ]; then
    echo
    echo "Odoo tests FAILED (exit code $odoo_status; ${summary:-no test summary})"
    [ "$odoo_status" != 124 ] || echo "Odoo was stopped after ${ODOO_TEST_TIMEOUT:-3000} s."
    [ "${tests_run:-0}" != 0 ] || echo "No Odoo test ran: stage_automation/tests has no test, or they were not loaded."
    [ -z "$problems" ] || { echo "Errors logged:"; echo "$problems" | head -n 20; }
    [ -z "$addon_warnings" ] || { echo "Warnings logged by the addon:"; echo "$addon_warnings" | head -n 20; }
    [ -z "$skipped" ] || { echo "Skipped tests (a skipped test is not a pass):"; echo "$skipped" | head -n 20; }
    echo "Full log: $LOG"
    exit 1
fi
say "Odoo tests: $tests_run run, 0 failed, 0 errors"

say "Plain pytest tests (tests/) against $DB"
set +e
STAGE_AUTOMATION_TEST_DB="$DB" STAGE_AUTOMATION_ADDONS_PATH="$ADDONS_PATH" \
    python3 -m pytest "$REPO_DIR/tests" -q -rA -p no:cacheprovider
pytest_status=$?
set -e
case "$pytest_status" in
    0) ;;
    5) echo "pytest FAILED: it collected no test in tests/"; exit 1 ;;
    *) echo "pytest FAILED (exit code $pytest_status)"; exit 1 ;;
esac

say "Whole suite passed"
