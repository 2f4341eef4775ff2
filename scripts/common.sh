# Shared by scripts/demo.sh and scripts/test.sh: PostgreSQL, Odoo and Python dependencies.
# shellcheck shell=bash

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$REPO_DIR/.local"
mkdir -p "$LOCAL_DIR"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres "$@"
    fi
}

# PostgreSQL answers, and the current OS user has a role that may create databases.
ensure_postgres() {
    if ! pg_isready -q; then
        command -v pg_lsclusters >/dev/null || die "PostgreSQL is not running and no local cluster was found"
        local version name
        read -r version name _ < <(pg_lsclusters --no-header | head -n 1)
        [ -n "${version:-}" ] || die "PostgreSQL is not running and no local cluster exists (pg_createcluster)"
        say "Starting PostgreSQL cluster $version/$name"
        if [ "$(id -u)" = 0 ]; then pg_ctlcluster "$version" "$name" start; else sudo pg_ctlcluster "$version" "$name" start; fi
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL did not start"
    fi
    if ! psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        say "Creating PostgreSQL role $(id -un)"
        as_postgres createuser -s "$(id -un)"
    fi
}

odoo_importable() {
    python3 -c 'import odoo.release, sys; sys.exit(odoo.release.version_info[0] != 18)' >/dev/null 2>&1
}

# Python packages of requirements.txt that are missing get installed.
ensure_python_deps() {
    local missing
    missing=$(python3 - <<'PY'
import importlib.util
modules = {
    "odoo.addons.queue_job": "odoo-addon-queue-job>=18.0,<18.1",
    "requests": "requests", "phonenumbers": "phonenumbers", "odoorpc": "odoorpc", "pytest": "pytest",
    "pytest_odoo": "pytest-odoo", "freezegun": "freezegun", "websocket": "websocket-client",
}
def found(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False
print("\n".join(spec for module, spec in modules.items() if not found(module)))
PY
)
    [ -n "$missing" ] || return 0
    say "Installing Python packages: $(echo "$missing" | tr '\n' ' ')"
    local queue_job others
    queue_job=$(echo "$missing" | grep '^odoo-addon-queue-job' || true)
    others=$(echo "$missing" | grep -v '^odoo-addon-queue-job' || true)
    if [ -n "$queue_job" ]; then
        python3 -m pip install --quiet --no-deps "$queue_job"
    fi
    if [ -n "$others" ]; then
        # shellcheck disable=SC2086
        python3 -m pip install --quiet $others
    fi
}

# Odoo's browser tests (tours) need Chromium; without it Odoo skips them.
ensure_chromium() {
    local browser
    for browser in chromium chromium-browser google-chrome; do
        command -v "$browser" >/dev/null && return 0
    done
    [ "$(id -u)" = 0 ] || die "Chromium is needed for the browser tests: install Debian's chromium package"
    say "Installing Chromium for Odoo's browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

addons_path() {
    echo "$REPO_DIR"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
