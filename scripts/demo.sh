#!/usr/bin/env bash
# make demo: Odoo 18 with stage_automation and its demo data on http://localhost:8069.
set -euo pipefail
source "$(dirname "$0")/common.sh"

DB="${DB:-stage_automation_demo}"
PORT="${PORT:-8069}"
ODOO_RELEASE_URL="https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"

ensure_postgres

if ! odoo_importable; then
    say "Installing Odoo 18.0 (official release) for $(python3 --version)"
    constraint="$LOCAL_DIR/pip-constraint.txt"
    # Some of Odoo's pinned requirements are old sdists whose build imports pkg_resources.
    echo "setuptools<58" > "$constraint"
    PIP_CONSTRAINT="$constraint" python3 -m pip install "$ODOO_RELEASE_URL"
    odoo_importable || die "Odoo 18 is still not importable by python3"
fi
ensure_python_deps

config="$LOCAL_DIR/demo.conf"
cat > "$config" <<CONF
[options]
addons_path = $(addons_path)
db_name = $DB
dbfilter = ^$DB\$
http_interface = localhost
http_port = $PORT
server_wide_modules = base,web,queue_job
workers = 0
max_cron_threads = 1
log_level = info

[queue_job]
channels = root:2,root.stage_automation:2
CONF

if psql -d "$DB" -Atqc "select state from ir_module_module where name = 'stage_automation'" 2>/dev/null \
        | grep -qx installed; then
    say "Reusing database $DB"
else
    dropdb --if-exists "$DB"
    say "Creating database $DB with crm, stage_automation and demo data (about a minute)"
    python3 -m odoo -c "$config" -d "$DB" -i crm,stage_automation --stop-after-init --log-level=warn
fi

cat <<MSG

  Odoo with CRM Stage Automation: http://localhost:$PORT
  Login: admin   Password: admin
  Rules: CRM > Configuration > Stages (open New or Proposition), or CRM > Configuration > Automation.

MSG
exec python3 -m odoo -c "$config" -d "$DB"
