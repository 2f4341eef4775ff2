#!/usr/bin/env bash
# make test: for each Odoo series the addons claim (18 and 19, scripts/common.sh), fresh databases, the
# addons' Odoo tests and the plain pytest tests of tests/, run by that series' interpreter (Odoo 18:
# python3; Odoo 19: $STAGE_AUTOMATION_ODOO19_PYTHON, by default /opt/venv19/bin/python). A claimed series
# that is not importable fails it at once, in one line; STAGE_AUTOMATION_SERIES=19 runs one series.
#
# For each series:
# 1. installs the addons into a new database (their at_install tests run there, in test mode; they
#    have none today); 2. copies it, for the pytest tests' live servers and for a second Odoo test
#    process; 3. runs, at the same time and each on its own database, the addons' Odoo tests
#    (post_install) in two processes and the pytest tests (their servers mostly wait: a retry, a
#    minute of real cron, a restart). None sees another's database. LINT=1 (make test) runs the
#    linters during 1, on the core the install leaves free.
#
# Fails when, for any series, an Odoo exits non-zero, when their logs have an ERROR or CRITICAL line, a
# WARNING from the addon or a skipped addon test, when no Odoo test ran, when
# pytest fails or collects nothing, or when a linter complains. KEEP_DB=1 keeps the databases afterwards;
# TEST_TAGS=stage_automation_timing (Odoo's --test-tags) runs one area's Odoo tests (in one process).
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

started=$(date +%s)
report_time() { say "Elapsed: $(( $(date +%s) - started )) s"; }

SERIES_TO_TEST=$(test_series) || exit 1
ensure_postgres
for series in $SERIES_TO_TEST; do
    ensure_python_deps "$series"
done
ensure_chromium
ensure_wkhtmltopdf

STAMP="$(date +%Y%m%d_%H%M%S)_$$"
LINT_LOG="$LOCAL_DIR/stage_automation_test_$STAMP.lint.log"
ADDONS="$(repo_addons)"
ODOO_TEST_TIMEOUT="${ODOO_TEST_TIMEOUT:-3000}"
lint_pid="" odoo_pids=() created_dbs=() failed=0

cleanup() {
    local pid entry db filestore
    for pid in $lint_pid "${odoo_pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    if [ "${KEEP_DB:-}" = 1 ]; then
        [ "${#created_dbs[@]}" = 0 ] || say "Kept databases ${created_dbs[*]%%:*}"
    else
        for entry in "${created_dbs[@]}"; do
            db=${entry%%:*} filestore=${entry#*:}
            if dropdb --if-exists "$db" >/dev/null 2>&1; then
                rm -rf -- "${filestore:?}/${db:?}"
            else
                echo "warning: could not drop database $db" >&2
            fi
        done
    fi
    report_time
}
trap cleanup EXIT

if [ "${LINT:-}" = 1 ]; then
    say "Linters in the background (log: $LINT_LOG)"
    bash "$REPO_DIR/scripts/lint.sh" >"$LINT_LOG" 2>&1 </dev/null &
    lint_pid=$!
fi

# Bounded: a hung test must not eat CI's 90 minutes (ODOO_TEST_TIMEOUT seconds for the installs and the
# Odoo tests of every series together, 50 minutes by default).
odoo_deadline=$(( $(date +%s) + ODOO_TEST_TIMEOUT ))

# The whole suite on Odoo <series>, in databases of its own; sets failed=1 when anything fails.
test_one_series() {
    local series="$1"
    local PY ADDONS_PATH FILESTORE DB SPLIT_DB LIVE_DB FRESH_DB LOG SPLIT_LOG ODOO_TAGS odoo_status pytest_status
    PY=$(odoo_python "$series")
    ADDONS_PATH="$(addons_path "$series")"
    # Where Odoo keeps each database's files (ir.attachment): a copy of a database needs a copy of them.
    FILESTORE="$("$PY" -c 'import os; from odoo.tools import config; config.parse_config([]); print(os.path.dirname(config.filestore("db")))')"
    DB="stage_automation_test_${STAMP}_odoo${series}"
    SPLIT_DB="${DB}_split"  # a copy for the second Odoo test process
    LIVE_DB="${DB}_live"    # a copy for the live servers of the pytest tests
    FRESH_DB="${DB}_fresh"  # an untouched copy, the "other database" of the pytest tests
    LOG="$LOCAL_DIR/$DB.log"
    SPLIT_LOG="$LOCAL_DIR/$SPLIT_DB.log"
    ODOO_TAGS=("${TEST_TAGS:-/${ADDONS//,/,/}}")  # one --test-tags per Odoo test process
    if [ -z "${TEST_TAGS:-}" ]; then
        # All the tests of the addons, in two processes on two copies of the database: the classes of these
        # feature areas (TransactionCase only, so that only the first process pregenerates the assets of
        # the HTTP cases, about 80 s), and all the others. Each test is in exactly one of them.
        local split_tags=(stage_automation_runs stage_automation_timing stage_automation_scale stage_automation_actions)
        local split_specs=() addon=""
        for addon in ${ADDONS//,/ }; do
            split_specs+=("${split_tags[@]/%//$addon}")  # "tag/addon": the tag in that addon
        done
        ODOO_TAGS=("${ODOO_TAGS[0]},${split_tags[*]/#/-}" "$(IFS=,; echo "${split_specs[*]}")")
        ODOO_TAGS[0]=${ODOO_TAGS[0]// /,}
    fi
    local db
    for db in "$DB" "$SPLIT_DB" "$LIVE_DB" "$FRESH_DB"; do
        created_dbs+=("$db:$FILESTORE")
    done

    odoo_bounded() {  # [--foreground] odoo options…
        local left=$(( odoo_deadline - $(date +%s) )) foreground=()
        [ "$1" != --foreground ] || { foreground=(--foreground); shift; }
        timeout "${foreground[@]}" --kill-after=60 "$(( left > 1 ? left : 1 ))" "$PY" -m odoo \
            --addons-path="$ADDONS_PATH" --stop-after-init --log-level=test --http-interface=127.0.0.1 \
            --http-port="$(free_port)" --max-cron-threads=0 "$@"
    }
    copy_database() {  # <source> <copy>: the database and its files, as Odoo's own duplication does
        createdb -T "$1" "$2"
        [ ! -d "$FILESTORE/$1" ] || cp -a "$FILESTORE/$1" "$FILESTORE/$2"
    }

    say "Odoo $series ($PY): installing $ADDONS into $DB (log: $LOG)"
    set +e
    # In test mode, as before the Odoo tests; the post_install ones wait for the copy (Odoo logs
    # "0 failed, 0 error(s) of 0 tests" as a warning when the addons have no at_install test).
    odoo_bounded --foreground -d "$DB" -i "$ADDONS" --test-tags "${TEST_TAGS:-/${ADDONS//,/,/}},-post_install" \
        2>&1 | tee "$LOG"
    odoo_status=${PIPESTATUS[0]}
    set -e
    if [ "$odoo_status" = 0 ]; then
        copy_database "$DB" "$LIVE_DB"
        copy_database "$DB" "$FRESH_DB"
        [ "${#ODOO_TAGS[@]}" = 1 ] || copy_database "$DB" "$SPLIT_DB"

        say "Odoo $series: Odoo tests on $DB in the background (log: $LOG${ODOO_TAGS[1]:+ and $SPLIT_LOG}), plain pytest tests (tests/) against $LIVE_DB"
        odoo_bounded -d "$DB" --test-tags "${ODOO_TAGS[0]}" >>"$LOG" 2>&1 </dev/null &
        odoo_pids=($!)
        if [ "${#ODOO_TAGS[@]}" = 2 ]; then
            odoo_bounded -d "$SPLIT_DB" --test-tags "${ODOO_TAGS[1]}" >"$SPLIT_LOG" 2>&1 </dev/null &
            odoo_pids+=($!)
        fi
        set +e
        STAGE_AUTOMATION_TEST_DB="$LIVE_DB" STAGE_AUTOMATION_FRESH_DB="$FRESH_DB" STAGE_AUTOMATION_ADDONS_PATH="$ADDONS_PATH" \
            "$PY" -m pytest "$REPO_DIR/tests" -q -rA -p no:cacheprovider
        pytest_status=$?
        odoo_status=0
        local pid
        for pid in "${odoo_pids[@]}"; do
            wait "$pid" || odoo_status=$?
        done
        odoo_pids=()
        set -e
    else
        pytest_status="not run"
    fi

    local LOGS=("$LOG")
    [ ! -f "$SPLIT_LOG" ] || LOGS+=("$SPLIT_LOG")
    # Each Odoo ends with e.g. "0 failed, 0 error(s) of 57 tests when loading database 'x'" (its total):
    # the install's (at_install tests) and the test processes' (post_install), added up.
    local summary tests_run problems addon_warnings skipped
    summary=$(grep -ohE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "${LOGS[@]}" \
        | awk '{ failed += $1; errors += $3; run += $6 } END { if (NR) printf "%d failed, %d error(s) of %d tests", failed, errors, run }' || true)
    tests_run=$(echo "$summary" | sed -nE 's/.* of ([0-9]+) tests.*/\1/p')
    # Log lines are "<date> <time> <pid> <LEVEL> <db> <logger>: <message>".
    problems=$(grep -hE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "${LOGS[@]}" || true)
    addon_warnings=$(grep -hE '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING [^ ]+ odoo\.addons\.stage_automation[a-z_]*[.:]' "${LOGS[@]}" || true)
    skipped=$(grep -hE ' odoo\.addons\.stage_automation[a-z_]*\.tests[^ ]*: skipped ' "${LOGS[@]}" || true)

    if [ "$odoo_status" != 0 ] || [ -n "$problems" ] || [ -n "$addon_warnings" ] || [ -n "$skipped" ] \
            || [ "${tests_run:-0}" = 0 ]; then
        echo
        echo "Odoo $series: Odoo tests FAILED (exit code $odoo_status; ${summary:-no test summary})"
        [ "$odoo_status" != 124 ] || echo "Odoo was stopped after ${ODOO_TEST_TIMEOUT} s."
        [ "${tests_run:-0}" != 0 ] || echo "No Odoo test ran: stage_automation/tests has no test, or they were not loaded."
        if [ -n "$problems$addon_warnings$skipped" ]; then
            # Each of these log records with the lines that follow it (a failed test's traceback).
            echo "The log's errors, the addon's warnings and the skipped tests:"
            awk '/^[0-9-]+ [0-9:,]+ [0-9]+ [A-Z]+ / {
                     keep = ($4 == "ERROR" || $4 == "CRITICAL" || ($4 == "WARNING" && $6 ~ /^odoo\.addons\.stage_automation[a-z_]*[.:]/) \
                             || ($0 ~ / odoo\.addons\.stage_automation[a-z_]*\.tests[^ ]*: skipped /))
                 }
                 keep' "${LOGS[@]}" | head -n 300
        fi
        echo "Full logs: ${LOGS[*]}"
        failed=1
    else
        grep -hE ' odoo\.(tests\.stats|service\.server): .*(tests|post-tests in) ' "${LOGS[@]}" | cut -d' ' -f6- || true
        say "Odoo $series: Odoo tests: $tests_run run, 0 failed, 0 errors"
    fi
    case "$pytest_status" in
        0) ;;
        "not run") echo "Odoo $series: pytest tests not run: the install failed"; failed=1 ;;
        5) echo "Odoo $series: pytest FAILED: it collected no test in tests/"; failed=1 ;;
        *) echo "Odoo $series: pytest FAILED (exit code $pytest_status)"; failed=1 ;;
    esac
}

for series in $SERIES_TO_TEST; do
    series_started=$(date +%s)
    test_one_series "$series"
    say "Odoo $series: done in $(( $(date +%s) - series_started )) s"
done

if [ -n "$lint_pid" ]; then
    set +e
    wait "$lint_pid"
    lint_status=$?
    lint_pid=""
    set -e
    say "Linters (exit code $lint_status)"
    cat "$LINT_LOG"
fi
if [ -n "${lint_status:-}" ] && [ "$lint_status" != 0 ]; then
    echo "Linters FAILED (exit code $lint_status): see their output above"
    failed=1
fi
[ "$failed" = 0 ] || exit 1

say "Whole suite passed on Odoo $SERIES_TO_TEST"
