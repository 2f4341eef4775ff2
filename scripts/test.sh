#!/usr/bin/env bash
# make test: a fresh database, the addon's Odoo tests, then the plain pytest tests of tests/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

started=$(date +%s)
odoo_importable || die "Odoo 18 is not importable by python3: run 'make demo' once, or install Odoo 18.0 (see README)"
ensure_postgres
ensure_python_deps
ensure_chromium

DB="stage_automation_test_$(date +%s)_$$"
LOG="$LOCAL_DIR/odoo-tests.log"
cleanup() { [ "${KEEP_DB:-}" = 1 ] || dropdb --if-exists "$DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "Installing stage_automation into $DB and running its Odoo tests (log: $LOG)"
set +e
python3 -m odoo -d "$DB" --addons-path="$(addons_path)" -i stage_automation \
    --test-tags /stage_automation --stop-after-init --log-level=test \
    --http-interface=127.0.0.1 --http-port="$(free_port)" --max-cron-threads=0 2>&1 | tee "$LOG"
odoo_status=${PIPESTATUS[0]}
set -e

summary=$(grep -E '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$LOG" | tail -n 1 || true)
tests_run=$(echo "$summary" | sed -nE 's/.* of ([0-9]+) tests.*/\1/p')
problems=$(grep -E ' (ERROR|CRITICAL) ' "$LOG" || true)
addon_warnings=$(grep -E ' WARNING [^ ]+ odoo\.addons\.stage_automation' "$LOG" || true)
skipped=$(grep -E ' odoo\.addons\.stage_automation\.tests[^ ]*: skipped ' "$LOG" || true)
if [ "$odoo_status" != 0 ] || [ -n "$problems" ] || [ -n "$addon_warnings" ] || [ -n "$skipped" ] \
        || [ "${tests_run:-0}" = 0 ]; then
    echo
    echo "Odoo tests FAILED (exit $odoo_status; ${summary:-no test summary: no Odoo test ran})"
    [ -z "$problems" ] || { echo "Errors logged:"; echo "$problems" | head -n 20; }
    [ -z "$addon_warnings" ] || { echo "Warnings logged by the addon:"; echo "$addon_warnings" | head -n 20; }
    [ -z "$skipped" ] || { echo "Skipped tests (a skipped test is not a pass):"; echo "$skipped" | head -n 20; }
    exit 1
fi
say "Odoo tests: $tests_run run, 0 failed"

say "Plain pytest tests (tests/)"
STAGE_AUTOMATION_TEST_DB="$DB" STAGE_AUTOMATION_ADDONS_PATH="$(addons_path)" \
    python3 -m pytest "$REPO_DIR/tests" -q -rA -p no:cacheprovider

say "Whole suite passed in $(( $(date +%s) - started )) s"
