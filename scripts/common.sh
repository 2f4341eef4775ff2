# Shared by scripts/demo.sh and scripts/test.sh: PostgreSQL, Odoo and Python dependencies.
# shellcheck shell=bash

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$REPO_DIR/.local"   # git-ignored: generated configs and logs
mkdir -p "$LOCAL_DIR"

ODOO_MISSING="Odoo 18 is not importable by python3: run 'make demo' once, or install Odoo 18.0"

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

odoo_importable() {
    python3 -c 'import odoo.release, sys; sys.exit(odoo.release.version_info[0] != 18)' >/dev/null 2>&1
}

# Odoo 18 is importable by python3, else one line says what to do and the script fails.
ensure_odoo() {
    odoo_importable || die "$ODOO_MISSING"
}

# The requirements of requirements.txt that are not installed (or too old) get installed.
ensure_python_deps() {
    local missing
    missing=$(python3 - "$REPO_DIR/requirements.txt" <<'PY'
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


for line in Path(sys.argv[1]).read_text().splitlines():
    line = re.sub(r"\s#.*|^#.*", "", line).strip()
    if line and not satisfied(Requirement(line)):
        print(line)
PY
)
    [ -n "$missing" ] || return 0
    say "Installing Python packages: $(echo "$missing" | tr '\n' ' ')"
    local -a queue_job others
    mapfile -t queue_job < <(echo "$missing" | grep '^odoo-addon-queue' || true)
    mapfile -t others < <(echo "$missing" | grep -v '^odoo-addon-queue' || true)
    if [ "${#queue_job[@]}" -gt 0 ]; then
        # queue_job requires "odoo==18.0.*": where Odoo is importable without being
        # pip-installed, pip would try to fetch Odoo itself. Its other dependency is requests.
        python3 -m pip install --quiet --no-deps "${queue_job[@]}"
        python3 -m pip install --quiet requests
    fi
    if [ "${#others[@]}" -gt 0 ]; then
        python3 -m pip install --quiet "${others[@]}"
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
addons_path() {
    if [ -d "$REPO_DIR/tests/addons" ]; then
        echo "$REPO_DIR,$REPO_DIR/tests/addons"
    else
        echo "$REPO_DIR"
    fi
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
