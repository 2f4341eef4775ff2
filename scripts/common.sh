# Shared by scripts/demo.sh and scripts/test.sh: PostgreSQL, Odoo and Python dependencies.
# shellcheck shell=bash

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$REPO_DIR/.local"   # git-ignored: generated configs and logs
mkdir -p "$LOCAL_DIR"

# The Odoo series the addons claim: make test runs the whole suite on each, every one in fresh databases
# (scripts/build_wheels.py builds their wheels); STAGE_AUTOMATION_SERIES=19 runs one of them.
CLAIMED_SERIES=(18 19)
# Each series' interpreter: Odoo 18 is the machine's python3; Odoo 19 the one STAGE_AUTOMATION_ODOO19_PYTHON
# names, by default /opt/venv19/bin/python (a virtualenv where Odoo 19 is installed, or its source on the path).
DEFAULT_ODOO19_PYTHON=/opt/venv19/bin/python

ODOO_MISSING="Odoo 18 is not importable by python3: run 'ODOO_SERIES=18 make demo' once, or install Odoo 18.0"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# Runs a command as the postgres OS user.
as_postgres() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres "$@"
    fi
}

# PostgreSQL answers, and the current OS user has a superuser role (Odoo creates and drops databases).
ensure_postgres() {
    if ! pg_isready -q; then
        command -v pg_lsclusters >/dev/null || die "PostgreSQL is not running, and pg_lsclusters is missing to find a local cluster"
        local version name
        read -r version name _ < <(pg_lsclusters --no-header | head -n 1) || true
        [ -n "${version:-}" ] || die "PostgreSQL is not running and no local cluster exists (create one with pg_createcluster)"
        say "Starting PostgreSQL cluster $version/$name"
        if is_root; then
            pg_ctlcluster "$version" "$name" start
        else
            as_postgres pg_ctlcluster "$version" "$name" start
        fi
        local _try
        for _try in $(seq 1 30); do
            pg_isready -q && break
            sleep 1
        done
        pg_isready -q || die "PostgreSQL cluster $version/$name did not start within 30 s"
    fi
    if ! psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        say "Creating PostgreSQL superuser role $(id -un)"
        as_postgres createuser -s "$(id -un)"
        psql -d postgres -Atqc 'select 1' >/dev/null || die "user $(id -un) still cannot connect to PostgreSQL"
    fi
}

# The interpreter of Odoo <series>.
odoo_python() {
    case "$1" in
        18) echo python3 ;;
        19) echo "${STAGE_AUTOMATION_ODOO19_PYTHON:-$DEFAULT_ODOO19_PYTHON}" ;;
        *) die "the addons claim no Odoo $1" ;;
    esac
}

# odoo_importable [series [interpreter]]: that interpreter imports Odoo of that series (default: 18, python3).
odoo_importable() {
    local series="${1:-18}"
    local python="${2:-$(odoo_python "$series")}"
    "$python" -c "import odoo.release, sys; sys.exit(odoo.release.version_info[0] != $series)" >/dev/null 2>&1
}

# The series make test runs (STAGE_AUTOMATION_SERIES, default every claimed one), each importable by its
# interpreter, else one line says which is missing and the script fails.
test_series() {
    local series python wanted=(${STAGE_AUTOMATION_SERIES:-${CLAIMED_SERIES[*]}})
    for series in "${wanted[@]}"; do
        [[ " ${CLAIMED_SERIES[*]} " == *" $series "* ]] \
            || die "the addons claim no Odoo $series (they claim: ${CLAIMED_SERIES[*]})"
        python=$(odoo_python "$series")
        if [ "$series" = 18 ]; then
            odoo_importable 18 "$python" || die "$ODOO_MISSING"
        else
            odoo_importable "$series" "$python" || die "Odoo $series is not importable by $python: run 'ODOO_SERIES=$series make demo' once, or set STAGE_AUTOMATION_ODOO${series}_PYTHON to an interpreter that imports it"
        fi
    done
    echo "${wanted[*]}"
}

# ensure_python_deps [series]: the requirements of requirements.txt that the series' interpreter lacks (or
# has too old) get installed. Another series than 18 takes its own queue_job and not the linters (they run
# with python3 only).
ensure_python_deps() {
    local series="${1:-18}" missing python
    python=$(odoo_python "$series")
    missing=$("$python" - "$REPO_DIR/requirements.txt" "$series" <<'PY'
import importlib.metadata
import re
import sys
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:  # pip vendors it
    from pip._vendor.packaging.requirements import Requirement


def satisfied(requirement):
    try:
        version = importlib.metadata.version(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return requirement.specifier.contains(version, prereleases=True)


series = sys.argv[2]
for line in Path(sys.argv[1]).read_text().splitlines():
    if series != "18" and line.startswith("# The linters"):
        break
    line = re.sub(r"\s#.*|^#.*", "", line).strip()
    if series != "18" and line.startswith("odoo-addon-queue-job"):
        line = f"odoo-addon-queue-job>={series}.0,<{series}.1"
    if line and not satisfied(Requirement(line)):
        print(line)
PY
)
    [ -n "$missing" ] || return 0
    say "Installing Python packages for Odoo $series ($python): $(echo "$missing" | tr '\n' ' ')"
    local -a queue_job others
    mapfile -t queue_job < <(echo "$missing" | grep '^odoo-addon-queue' || true)
    mapfile -t others < <(echo "$missing" | grep -v '^odoo-addon-queue' || true)
    if [ "${#queue_job[@]}" -gt 0 ]; then
        # queue_job requires "odoo==18.0.*": where Odoo is importable without being
        # pip-installed, pip would try to fetch Odoo itself. Its other dependencies are requests (and
        # since 19.0 openupgradelib).
        "$python" -m pip install --quiet --no-deps "${queue_job[@]}"
        "$python" -m pip install --quiet requests
        [ "$series" = 18 ] || "$python" -m pip install --quiet openupgradelib
    fi
    if [ "${#others[@]}" -gt 0 ]; then
        "$python" -m pip install --quiet "${others[@]}"
    fi
}

# Odoo's browser tests (tours) need Chromium; without it Odoo skips them.
ensure_chromium() {
    local browser
    for browser in chromium chromium-browser google-chrome; do
        command -v "$browser" >/dev/null && return 0
    done
    is_root || die "Chromium is needed for the browser tests: install Debian's chromium package"
    say "Installing Chromium for Odoo's browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

# "Create a document" rules print PDFs with wkhtmltopdf, and their tests check a real PDF:
# without it Odoo cannot print any PDF report. Odoo checks for it when it starts.
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    is_root || die "wkhtmltopdf is needed to print PDF reports: install Debian's wkhtmltopdf package"
    say "Installing wkhtmltopdf for Odoo's PDF reports"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf >/dev/null
}

# Odoo finds its own addons and the pip-installed ones (queue_job) under odoo/addons
# by itself; only this repository is added: stage_automation/ and its bridge addons
# at the top, and the example addons the tests install under tests/addons/.
# addons_path [series]: with a source checkout of Odoo (addons beside its package, as /opt/odoo19/addons),
# that folder too.
addons_path() {
    local path="$REPO_DIR" odoo_addons
    [ ! -d "$REPO_DIR/tests/addons" ] || path="$path,$REPO_DIR/tests/addons"
    odoo_addons=$("$(odoo_python "${1:-18}")" - <<'PY'
import os

import odoo

for package in odoo.__path__:
    beside = os.path.join(os.path.dirname(package), "addons")
    if os.path.isfile(os.path.join(beside, "crm", "__manifest__.py")):
        print(beside)
        break
PY
)
    echo "${odoo_addons:+$odoo_addons,}$path"
}

# Every addon of this repository (comma-separated): the test suite installs and tests them all.
repo_addons() {
    local manifest names=()
    for manifest in "$REPO_DIR"/*/__manifest__.py "$REPO_DIR"/tests/addons/*/__manifest__.py; do
        [ -f "$manifest" ] && names+=("$(basename "$(dirname "$manifest")")")
    done
    (IFS=,; echo "${names[*]}")
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
