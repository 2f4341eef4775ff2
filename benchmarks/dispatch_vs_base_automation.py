"""Finding due work: stage_automation's dispatcher against base_automation's time-based pass.

    python3 benchmarks/dispatch_vs_base_automation.py [--db NAME] [--sizes 1000,10000,30000]

For each size N (leads waiting in one stage, each with a rule due in three
days), one pass of each engine when nothing is due yet:

- baseline, Odoo's ``base_automation``: a time-based rule "3 days after the
  last stage update" on that stage; its cron pass (``_check``) searches and
  reads every candidate lead;
- ``stage_automation``: its dispatcher (``_cron_dispatch``) over N pending runs.

Then the dispatcher again with 1 % of the runs due, and the cost of the stage
change itself (N leads entering a stage with 5 rules, against the same change
with no rule). Figures are medians of 5 passes in one transaction, rolled back
at the end: nothing is left in the database.
"""

import argparse
import statistics
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPEAT = 5


def ensure_database(db):
    import odoo.sql_db

    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        exists = cr.fetchone()
    modules = "stage_automation,base_automation"
    print(f"{'Updating' if exists else 'Creating'} database {db} with {modules} …", flush=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", "-d", db, f"--addons-path={REPO}", "-i", modules,
         *(["-u", "stage_automation"] if exists else []),
         "--stop-after-init", "--log-level=warn", "--without-demo=all"],
        check=True, stdout=subprocess.DEVNULL)


def measure(env, function):
    timings, queries = [], []
    for _ in range(REPEAT):
        env.invalidate_all()
        before = env.cr.sql_log_count
        started = time.perf_counter()
        with closing(env.cr.savepoint()):  # rolled back: every pass sees the same data
            function()
            env.flush_all()
        timings.append(time.perf_counter() - started)
        queries.append(env.cr.sql_log_count - before)
    return statistics.median(timings) * 1000, int(statistics.median(queries))


def run(env, sizes):
    from odoo import fields

    quiet = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    env = env(context=dict(env.context, **quiet))
    Stage, Lead = env["crm.stage"], env["crm.lead"]
    team = env["crm.team"].create({"name": "Benchmark pipeline"})
    before = Stage.create({"name": "Bench before", "team_id": team.id, "sequence": 900})
    waiting = Stage.create({"name": "Bench waiting", "team_id": team.id, "sequence": 901})
    busy = Stage.create({"name": "Bench busy", "team_id": team.id, "sequence": 902})
    quiet_stage = Stage.create({"name": "Bench quiet", "team_id": team.id, "sequence": 903})
    Rule = env["stage.automation.rule"]
    Rule.create({"name": "Bench control", "stage_id": waiting.id, "timing": "delay", "delay": 3,
                 "delay_unit": "days", "action": "note", "body": "Still here"})
    for sequence in range(5):
        Rule.create({"name": f"Bench rule {sequence}", "stage_id": busy.id, "sequence": sequence,
                     "timing": "delay", "delay": sequence + 1, "delay_unit": "days", "action": "note", "body": "x"})
    env["base.automation"].create({
        "name": "Bench control (base_automation)",
        "model_id": env.ref("crm.model_crm_lead").id,
        "trigger": "on_time",
        "trg_date_id": env.ref("crm.field_crm_lead__date_last_stage_update").id,
        "trg_date_range": 3,
        "trg_date_range_type": "day",
        "filter_domain": repr([("stage_id", "=", waiting.id)]),
    })
    Run, Automation = env["stage.automation.run"], env["base.automation"]
    env.ref("stage_automation.ir_cron_dispatch_runs").active = False  # no wake-up noise while measuring

    print(f"{'leads':>7} | {'base_automation pass':>21} | {'dispatcher pass':>16} | {'ratio':>7} | "
          f"{'dispatch, 1% due':>17} | {'stage change, 5 rules vs none':>30}")
    created = 0
    for size in sizes:
        batch = Lead.create([{"name": f"Bench {n}", "type": "opportunity", "team_id": team.id,
                              "stage_id": before.id} for n in range(created, size)])
        created = size
        leads = Lead.search([("team_id", "=", team.id)])
        leads.with_context(stage_automation_defer=True).write({"stage_id": waiting.id})  # N pending runs
        baseline_ms, baseline_q = measure(env, Automation._check)
        dispatch_ms, dispatch_q = measure(env, Run._cron_dispatch)

        pending = Run.search([("stage_id", "=", waiting.id), ("state", "=", "pending")])
        due = pending[: max(1, size // 100)]
        due.write({"due_at": fields.Datetime.now() - timedelta(minutes=1)})
        due_ms, due_q = measure(env, Run._cron_dispatch)
        due.write({"due_at": fields.Datetime.now() + timedelta(days=3)})

        def move(stage, leads=leads):
            leads.with_context(stage_automation_defer=True).write({"stage_id": stage.id})

        quiet_ms, quiet_q = measure(env, lambda: move(quiet_stage))
        busy_ms, busy_q = measure(env, lambda: move(busy))
        print(f"{size:>7} | {baseline_ms:>9.1f} ms {baseline_q:>4} q | {dispatch_ms:>6.1f} ms {dispatch_q:>3} q | "
              f"{baseline_ms / dispatch_ms:>6.0f}x | {due_ms:>6.1f} ms ({len(due):>3} due) | "
              f"{busy_ms:>7.0f} ms vs {quiet_ms:>6.0f} ms ({busy_ms / quiet_ms:.2f}x, +{busy_q - quiet_q} q)",
              flush=True)
        del batch


def main(run_sizes=None, description=__doc__, default_sizes="1000,10000,30000"):
    """Parse ``--db`` and ``--sizes``, make sure the database has the addons, run, roll back."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--db", default="stage_automation_bench")
    parser.add_argument("--sizes", default=default_sizes)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config([f"--addons-path={REPO}", "--log-level=warn"])
    ensure_database(args.db)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        try:
            (run_sizes or run)(api.Environment(cr, SUPERUSER_ID, {}), sizes)
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
