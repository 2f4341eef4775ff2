"""What stage automation costs, against a plain stage change and Odoo's own base_automation, in one run.

    python3 benchmarks/performance.py [--db NAME] [--leads 300] [--pending 5000] [--drain 1000]
                                      [--lateness 1000] [--history 10000] [--moves 10] [--passes 5] [--port 0]
                                      [--no-update]

It creates its database (stage_automation and base_automation, no demo data),
or updates stage_automation in it, then prints one table (Markdown) and the
machine it ran on:

- in one transaction, rolled back at the end: medians of up to ``--passes``
  passes, each rolled back to a savepoint, of

  - a person moving one lead into a stage with 10 immediate activity rules
    (base_automation: 10 "Stage is set to" automations creating an activity
    each), then into a stage with 10 rules due a day later (scheduling only);
  - one write moving ``--leads`` leads into a stage with 5 immediate activity
    rules (base_automation: 5 automations), mail tracking off as in an import;
  - finding due work among ``--pending`` pending runs when nothing is due: the
    dispatcher (``_cron_dispatch``) against base_automation's time-based pass
    (``_check``) over as many leads; then dispatching 100 due runs;
  - base_automation's time-based pass running due note rules (``--drain`` of
    them, at most 200: it runs them all before it returns);
  - the history purge (the daily cron) over ``--history`` runs finished a year
    ago, on 200 leads, the last 20 of each lead kept;

- on a live server of one threaded process, as the web client does: ``--moves``
  leads moved one by one into a stage with 10 immediate activity rules, and as
  many into a stage with 10 base_automation activities: how long the save takes,
  and how long after it the job that ran our rules announced them on the bus
  (what reloads the person's open views);

- on a live server started as ``tests/conftest.py`` starts it (``tests/odoo_cli.py``,
  its cron thread, queue_job's job runner, channels
  ``root:3,root.stage_automation:2``, ``--workers`` prefork workers): ``--drain`` leads, then ``--lateness``
  leads, moved in one write into a stage whose note rule is due at one moment a
  few seconds ahead. The drain rate counts from that moment (or from the save,
  when it ends later) to the last run done; the lateness of a run is when it
  started (its done time when runs do not record a start) minus that moment. base_automation has no live
  equivalent: its cron passes every minute at best (a tenth of the shortest
  delay), so the table shows that bound plus its pass over as many leads.

Defaults take about two minutes on two cores, once the database exists.
"""

import argparse
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import namedtuple
from contextlib import closing
from datetime import timedelta, timezone
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[1]
CHANNELS = "root:3,root.stage_automation:2"  # what the README recommends
# What an import or a script writes with: no chatter messages for creations and field changes.
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
FINAL_STATES = ("done", "skipped", "cancelled", "failed")
PASS_BUDGET = 10  # seconds of passes per figure: heavy ones get fewer passes than --passes
POLL = 0.2  # seconds between two looks at the live server's progress
HISTORY_LEADS = 200
HISTORY_RULES = 5
DISPATCHED = 100
BASE_DRAIN = 200

STARTED = time.monotonic()

Figure = namedtuple("Figure", "ms queries")


def log(message):
    print(f"[{time.monotonic() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------
# DATABASE AND MACHINE
# ------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(db, port, update):
    with closing(psycopg2.connect(dbname="postgres")) as connection, connection.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        exists = cr.fetchone()
    if exists and not update:
        return
    modules = "stage_automation,base_automation"
    log(f"{'Updating stage_automation in' if exists else 'Creating'} database {db} …")
    options = ["-i", modules, *(["-u", "stage_automation"] if exists else ["--without-demo=all"])]
    subprocess.run(
        [sys.executable, "-m", "odoo", "-d", db, f"--addons-path={REPO}", *options, "--stop-after-init",
         "--log-level=warn", "--max-cron-threads=0", "--http-interface=127.0.0.1", f"--http-port={port}"],
        check=True, stdout=subprocess.DEVNULL)


def machine(cr):
    import odoo

    def first(path, prefix):
        with open(path, encoding="utf-8") as lines:
            return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), "?")

    cr.execute("SHOW server_version")
    memory = int(first("/proc/meminfo", "MemTotal").split()[0]) / 1024 ** 2
    return (f"{os.cpu_count()} CPUs ({first('/proc/cpuinfo', 'model name')}), {memory:.0f} GiB RAM, "
            f"PostgreSQL {cr.fetchone()[0]}, Odoo {odoo.release.version}, Python {platform.python_version()}; "
            f"load average {os.getloadavg()[0]:.2f} at start")


# ------------------------------------------------------------
# IN ONE TRANSACTION
# ------------------------------------------------------------

def measure(env, function, passes):
    """Median time (ms) and queries of ``function`` and of what its commit would do first (the mail tracking of
    the changes), each pass rolled back: every pass sees the same data."""
    timings, queries = [], []
    while len(timings) < passes and sum(timings) < PASS_BUDGET * 1000:
        flush(env)  # what the fixtures left to do is not the pass's
        env.invalidate_all()
        with closing(env.cr.savepoint()):
            before = env.cr.sql_log_count
            started = time.perf_counter()
            function()
            flush(env)
            timings.append((time.perf_counter() - started) * 1000)
            queries.append(env.cr.sql_log_count - before)
        env.invalidate_all()
    return Figure(statistics.median(timings), int(statistics.median(queries)))


def flush(env):
    env.flush_all()
    env.cr.precommit.run()
    env.flush_all()


def create_leads(env, count, stage, **values):
    Lead = env["crm.lead"].with_context(QUIET)
    leads = Lead.browse()
    for start in range(0, count, 2000):
        leads |= Lead.create([{"name": f"Bench {stage.name} {n}", "type": "opportunity", "team_id": stage.team_id.id,
                               "stage_id": stage.id, **values} for n in range(start, min(count, start + 2000))])
    return leads


def base_automation(env, name, trigger, actions, **values):
    from odoo import Command

    model = env.ref("crm.model_crm_lead")
    return env["base.automation"].create({
        "name": name, "model_id": model.id, "trigger": trigger, **values,
        "action_server_ids": [Command.create({"name": name, "model_id": model.id, **action}) for action in actions],
    })


def in_transaction(env, args):
    """Every figure measured in the transaction: ``{key: Figure}``, and the number of runs purged."""
    from odoo import Command, fields

    figures = {}
    quiet = env(context=dict(env.context, **QUIET))
    todo = env.ref("mail.mail_activity_data_todo")
    person = quiet["res.users"].create({
        "name": "Bench person", "login": "perf_bench_person", "tz": "UTC",
        "groups_id": [Command.set([env.ref("sales_team.group_sale_manager").id])]})
    team = quiet["crm.team"].create({"name": "Benchmark pipeline"})
    stages = {name: quiet["crm.stage"].create({"name": f"Bench {name}", "team_id": team.id, "sequence": 900 + n})
              for n, name in enumerate(("before", "plain", "ours", "delayed", "base", "mass plain", "mass ours",
                                        "mass base", "waiting", "base drain"))}
    Rule = quiet["stage.automation.rule"]
    activity = {"action": "activity", "activity_type_id": todo.id}
    for n in range(10):
        Rule.create({"name": f"Bench activity {n}", "stage_id": stages["ours"].id, "sequence": n,
                     "summary": f"Call {n}", **activity})
        Rule.create({"name": f"Bench delayed {n}", "stage_id": stages["delayed"].id, "sequence": n, "timing": "delay",
                     "delay": 1, "delay_unit": "days", "summary": f"Call {n}", **activity})
    for n in range(5):
        Rule.create({"name": f"Bench mass {n}", "stage_id": stages["mass ours"].id, "sequence": n,
                     "summary": f"Call {n}", **activity})
    waiting_rule = Rule.create({"name": "Bench control", "stage_id": stages["waiting"].id, "timing": "delay",
                                "delay": 3, "delay_unit": "days", "action": "note", "body": "Still here"})

    def move(leads, stage):
        leads.with_user(person).write({"stage_id": stages[stage].id})

    log("Measuring one lead moved by a person …")
    lead = create_leads(quiet, 1, stages["before"], user_id=person.id).with_context(env.context)
    for key, stage in (("one plain", "plain"), ("one ours", "ours"), ("one delayed", "delayed")):
        figures[key] = measure(env, lambda stage=stage: move(lead, stage), args.passes)

    log(f"Measuring {args.leads} leads moved in one write …")
    mass = create_leads(quiet, args.leads, stages["before"], user_id=person.id)
    for key, stage in (("mass plain", "mass plain"), ("mass ours", "mass ours")):
        figures[key] = measure(env, lambda stage=stage: move(mass, stage), args.passes)

    log("Measuring the history purge …")
    figures["purge"], figures["purged"] = purge(env, quiet, stages, args)

    log(f"Creating {args.pending} leads with a pending run each …")
    create_leads(quiet, args.pending, stages["waiting"], user_id=person.id)  # created in the stage: entered it
    Run = env["stage.automation.run"]
    log("Measuring the dispatcher …")
    figures["find ours"] = measure(env, Run._cron_dispatch, args.passes)
    with closing(env.cr.savepoint()):
        due = Run.search([("rule_id", "=", waiting_rule.id), ("state", "=", "pending")], limit=DISPATCHED)
        due.write({"due_at": fields.Datetime.now() - timedelta(minutes=1)})
        figures["dispatch ours"] = measure(env, Run._cron_dispatch, args.passes)
    env.invalidate_all()

    log("Measuring base_automation …")
    for n in range(10):
        base_automation(env, f"Bench base {n}", "on_stage_set", [{
            "state": "next_activity", "activity_type_id": todo.id, "activity_summary": f"Call {n}",
            "activity_user_type": "generic", "activity_user_field_name": "user_id"}],
            trg_field_ref=stages["base"].id)
    for n in range(5):
        base_automation(env, f"Bench base mass {n}", "on_stage_set", [{
            "state": "next_activity", "activity_type_id": todo.id, "activity_summary": f"Call {n}",
            "activity_user_type": "generic", "activity_user_field_name": "user_id"}],
            trg_field_ref=stages["mass base"].id)
    figures["one base"] = measure(env, lambda: move(lead, "base"), args.passes)
    figures["mass base"] = measure(env, lambda: move(mass, "mass base"), args.passes)
    last_update = env.ref("crm.field_crm_lead__date_last_stage_update")
    timed = base_automation(env, "Bench base control", "on_time", [{
        "state": "code", "code": "record.message_post(body='Still here')"}],
        trg_date_id=last_update.id, trg_date_range=3, trg_date_range_type="day",
        filter_domain=repr([("stage_id", "=", stages["waiting"].id)]))
    figures["find base"] = measure(env, env["base.automation"]._check, args.passes)
    timed.active = False

    log(f"Measuring base_automation's pass over {base_drain_size(args)} due leads …")
    base_automation(env, "Bench base drain", "on_time", [{
        "state": "code", "code": "record.message_post(body='Drain note')"}],
        trg_date_id=last_update.id, trg_date_range=1, trg_date_range_type="minutes",
        filter_domain=repr([("stage_id", "=", stages["base drain"].id)]))
    create_leads(quiet, base_drain_size(args), stages["base drain"], user_id=person.id,
                 date_last_stage_update=fields.Datetime.now() - timedelta(minutes=10))
    figures["drain base"] = measure(env, env["base.automation"]._check, args.passes)
    return figures


def base_drain_size(args):
    """base_automation's pass runs every due action before it returns: its rate is measured on fewer leads."""
    return min(args.drain, BASE_DRAIN)


def purge(env, quiet, stages, args):
    """Leads led through stages until they have ``--history`` runs, finished a year ago; then the purge."""
    Rule = quiet["stage.automation.rule"]
    history = []
    for n in range(max(1, round(args.history / HISTORY_LEADS / HISTORY_RULES))):
        history.append(quiet["crm.stage"].create({"name": f"Bench history {n}", "team_id": stages["before"].team_id.id,
                                                   "sequence": 950 + n}))
        Rule.create([{"name": f"Bench history {n}.{rule}", "stage_id": history[-1].id, "sequence": rule,
                      "action": "note", "body": "History"} for rule in range(HISTORY_RULES)])
    leads = create_leads(quiet, HISTORY_LEADS, stages["before"])
    # Leaving a stage cancels its queued runs: every stage leaves HISTORY_LEADS x HISTORY_RULES finished runs.
    for stage in [*history, stages["before"]]:
        leads.write({"stage_id": stage.id})
    env.flush_all()
    env.cr.execute("UPDATE stage_automation_run SET done_at = done_at - interval '1 year' "
                   "WHERE lead_id = ANY(%s) AND done_at IS NOT NULL", [leads.ids])
    env.invalidate_all()
    env["ir.config_parameter"].set_param("stage_automation.history_months", 6)
    env["ir.config_parameter"].set_param("stage_automation.history_keep_per_lead", 20)
    History = env["stage.automation.history"]
    deleted = {}

    def purge_once():
        deleted.update(History._cron_purge())

    return measure(env, purge_once, min(args.passes, 3)), deleted.get("stage.automation.run", 0)


# ------------------------------------------------------------
# ON A LIVE SERVER
# ------------------------------------------------------------

def live(registry, args):
    """``{size: (drain rate, p50, p99, what the lateness measures)}`` for the sizes of --drain and --lateness."""
    from conftest import LiveOdoo

    from odoo import SUPERUSER_ID, api

    sizes = sorted({args.drain, args.lateness})
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        team = env["crm.team"].create({"name": "Benchmark live pipeline"})
        before = env["crm.stage"].create({"name": "Live before", "team_id": team.id, "sequence": 950})
        drain = env["crm.stage"].create({"name": "Live drain", "team_id": team.id, "sequence": 951})
        rule = env["stage.automation.rule"].create({
            "name": "Live note", "stage_id": drain.id, "action": "note", "body": "Drained",
            "timing": "after_date", "delay": 0, "delay_unit": "minutes",
            "date_field_id": env.ref("crm.field_crm_lead__date_conversion").id})
        lead_ids = {size: create_leads(env, size, before).ids for size in sizes}
        cr.commit()
    server = LiveOdoo(args.db, str(REPO), tempfile.mkdtemp(prefix="perf_live_"), name="perf", channels=CHANNELS,
                      workers=args.workers)
    if args.port:
        server.port = server.queue_job_port = args.port
    results = {}
    try:
        log(f"Starting a live server on port {server.port} (log: {server.log_path}) …")
        start(server)
        for size in sizes:
            log(f"Draining {size} runs due at one moment …")
            results[size] = drain_runs(registry, args.db, rule.id, drain.id, lead_ids[size])
    finally:
        server.stop()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, QUIET)
            env["crm.lead"].browse([lead for ids in lead_ids.values() for lead in ids]).unlink()
            env["stage.automation.rule"].browse(rule.id).unlink()
            env["crm.team"].browse(team.id).unlink()
            env["crm.stage"].browse([before.id, drain.id]).unlink()
            cr.commit()
    return results


def start(server):
    """Start a live server and wait for its job runner."""
    server.start()
    server.wait_until_up()
    if not server.wait_for_log("queue job runner ready", timeout=60):
        raise RuntimeError(f"queue_job's runner did not start; log: {server.log_path}")


def interactive(registry, args):
    """A person moving ``--moves`` leads one by one, as the web client does, on a live server (threaded: its
    websocket is the one to listen to): ``{"ours": (save ms, heard s), "base": (save ms, None)}`` per move.

    Ours: into a stage of 10 immediate activity rules; the save returns, the job runs them and tells the
    person through the bus (heard: from the save's return). base_automation: 10 automations creating an
    activity each, done before the save returns.
    """
    from conftest import BusTab, LiveOdoo

    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        todo = env.ref("mail.mail_activity_data_todo")
        admin = env.ref("base.user_admin")
        team = env["crm.team"].create({"name": "Benchmark interactive pipeline"})
        stages = {name: env["crm.stage"].create({"name": f"Live {name}", "team_id": team.id, "sequence": 960 + n})
                  for n, name in enumerate(("before", "ours", "base"))}
        for n in range(10):  # the person's own rules: as with base_automation, nobody is e-mailed an activity
            env["stage.automation.rule"].with_user(admin).create({
                "name": f"Live activity {n}", "stage_id": stages["ours"].id, "sequence": n, "action": "activity",
                "activity_type_id": todo.id, "summary": f"Call {n}"})
        automations = env["base.automation"]
        for n in range(10):
            automations |= base_automation(env, f"Live base {n}", "on_stage_set", [{
                "state": "next_activity", "activity_type_id": todo.id, "activity_summary": f"Call {n}",
                "activity_user_type": "generic", "activity_user_field_name": "user_id"}],
                trg_field_ref=stages["base"].id)
        leads = create_leads(env, 2 * args.moves, stages["before"], user_id=admin.id)
        cr.commit()
    server = LiveOdoo(args.db, str(REPO), tempfile.mkdtemp(prefix="perf_tab_"), name="perf_tab", channels=CHANNELS)
    moves = {"ours": [], "base": []}
    try:
        log(f"Moving {args.moves} leads one by one on a live server (log: {server.log_path}) …")
        start(server)
        tab = BusTab(server)
        try:
            for n, lead in enumerate(leads.ids):
                key = "ours" if n % 2 == 0 else "base"
                started = time.monotonic()
                tab.call("crm.lead", "write", [lead], {"stage_id": stages[key].id})
                saved = time.monotonic()
                heard = None
                if key == "ours":
                    _payload, heard_at = tab.wait_for(
                        "stage_automation/leads_changed", lambda payload, lead=lead: lead in payload["lead_ids"])
                    heard = heard_at - saved
                moves[key].append(((saved - started) * 1000, heard))
        finally:
            tab.close()
    finally:
        server.stop()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, QUIET)
            env["crm.lead"].browse(leads.ids).unlink()
            env["stage.automation.rule"].search([("stage_id", "=", stages["ours"].id)]).unlink()
            env["base.automation"].browse(automations.ids).unlink()
            env["crm.stage"].browse([stage.id for stage in stages.values()]).unlink()
            env["crm.team"].browse(team.id).unlink()
            cr.commit()
    return moves


def drain_runs(registry, db, rule_id, stage_id, lead_ids):
    """Move the leads into the stage with their date a few seconds ahead: their runs fall due together."""
    from odoo import SUPERUSER_ID, api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        leads = env["crm.lead"].browse(lead_ids)
        # A rehearsal, rolled back, tells how long the move takes: the runs fall due once it is saved.
        started = time.monotonic()
        with closing(cr.savepoint()):
            leads.write({"stage_id": stage_id, "date_conversion": fields.Datetime.now() + timedelta(days=1)})
            env.flush_all()
        env.invalidate_all()
        due = fields.Datetime.now() + timedelta(seconds=math.ceil(2 * (time.monotonic() - started)) + 3)
        leads.write({"stage_id": stage_id, "date_conversion": due})
        cr.commit()
        Run = env["stage.automation.run"]
        started_field = next((name for name in ("started_at", "date_started", "start_at") if name in Run._fields),
                             None)
    due_moment = due.replace(tzinfo=timezone.utc).timestamp()
    if time.time() > due_moment:
        # The drain counts from the save then: the runs could not start before it.
        log("  warning: the move was saved after the due moment; the lateness looks larger than it is")
        due_moment = time.time()
    size = len(lead_ids)
    progress = []  # (seconds since the due moment, runs final)
    deadline = time.monotonic() + (due_moment - time.time()) + 120 + size / 5
    query = ("SELECT count(*) FROM stage_automation_run WHERE rule_id = %s AND lead_id = ANY(%s) "
             "AND state IN %s")
    with closing(psycopg2.connect(dbname=db)) as connection:
        connection.autocommit = True
        with connection.cursor() as cr:
            while time.monotonic() < deadline:
                cr.execute(query, [rule_id, lead_ids, FINAL_STATES])
                progress.append((time.time() - due_moment, cr.fetchone()[0]))
                if progress[-1][1] >= size:
                    break
                time.sleep(POLL)
            cr.execute("SELECT state, count(*) FROM stage_automation_run WHERE rule_id = %s AND lead_id = ANY(%s) "
                       "GROUP BY state", [rule_id, lead_ids])
            states = dict(cr.fetchall())
            if started_field:
                cr.execute(f"SELECT EXTRACT(EPOCH FROM {started_field} - due_at) FROM stage_automation_run "  # noqa: S608
                           "WHERE rule_id = %s AND lead_id = ANY(%s)", [rule_id, lead_ids])
                lateness = sorted(float(late) for (late,) in cr.fetchall() if late is not None)
    if states.get("done", 0) != size:
        log(f"  warning: run states {states}")
    end = next((moment for moment, done in progress if done >= size), progress[-1][0])
    rate = states.get("done", 0) / end if end > 0 else float("inf")
    if started_field:
        p50, p99 = (lateness[min(len(lateness) - 1, int(share * len(lateness)))] for share in (0.5, 0.99))
        return rate, p50, p99, f"{started_field} - due_at"

    def when(share):
        return next((moment for moment, done in progress if done >= math.ceil(share * size)), end)

    return rate, when(0.5), when(0.99), "done - due (runs record no start time), seen every 0.2 s"


# ------------------------------------------------------------
# REPORT
# ------------------------------------------------------------

def table(figures, moves, live_results, args):
    def cell(figure, plain=None):
        text = f"{figure.ms:,.0f} ms, {figure.queries} q" if figure.ms >= 10 else \
            f"{figure.ms:.1f} ms, {figure.queries} q"
        return f"{text} ({figure.ms / plain.ms:.1f}×)" if plain else text

    one, mass = figures["one plain"], figures["mass plain"]
    drain_rate, *_rest = live_results[args.drain]
    _rate, p50, p99, lateness_source = live_results[args.lateness]
    base_drain = figures["drain base"]
    base_rate = base_drain_size(args) / (base_drain.ms / 1000)
    base_pass = args.lateness / base_rate
    purge_figure, purged = figures["purge"], figures["purged"]
    rows = [
        ("one lead moved by a person into a stage with 10 immediate activity rules",
         cell(one) + " (1×)", cell(figures["one ours"], one), cell(figures["one base"], one)),
        (f"the same move on a live server, as the web client saves it: the save returns (median of {args.moves})",
         "—", f"{_median(moves['ours'], 0):,.0f} ms (the rules run just after)",
         f"{_median(moves['base'], 0):,.0f} ms (its activities made before it returns)"),
        ("… the 10 activities done and announced to the person's open views (bus), after the save returns",
         "—", f"{_median(moves['ours'], 1):.2f} s median, {max(heard for _ms, heard in moves['ours']):.2f} s max",
         "when the save returns"),
        ("same with 10 delayed rules (scheduling only)",
         cell(one) + " (1×)", cell(figures["one delayed"], one), "—"),
        (f"{args.leads:,} leads moved in one write (no mail tracking), 5 rules",
         cell(mass) + " (1×)", cell(figures["mass ours"], mass), cell(figures["mass base"], mass)),
        (f"finding due work among {args.pending:,} pending runs, nothing due",
         "—", cell(figures["find ours"]), cell(figures["find base"])),
        (f"dispatching {DISPATCHED} due runs", "—", cell(figures["dispatch ours"]), "—"),
        (f"drain: {args.drain:,} due note runs, live server ({args.workers} workers), channels {CHANNELS}",
         "—", f"{drain_rate:,.0f} runs/s",
         f"{base_rate:,.0f} runs/s (a cron pass over {base_drain_size(args)} due leads, in a transaction)"),
        (f"lateness p50 / p99: {args.lateness:,} runs due at the same moment",
         "—", f"{p50:.1f} s / {p99:.1f} s",
         f"up to 60 s + {base_pass:.1f} s (cron every minute at best, then its pass)"),
        (f"purge: {args.history:,} runs finished a year ago on {HISTORY_LEADS} leads, the last 20 of each kept",
         "—", f"{purged / (purge_figure.ms / 1000):,.0f} rows/s ({purged:,} deleted in {purge_figure.ms / 1000:.1f} s)",
         "—"),
    ]
    lines = ["| path | plain | this addon | base_automation |", "| --- | --- | --- | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    lines.append("")
    lines.append(f"q: SQL queries. Lateness: {lateness_source}.")
    return "\n".join(lines)


def _median(moves, index):
    return statistics.median(move[index] for move in moves)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="stage_automation_perf")
    parser.add_argument("--leads", type=int, default=300, help="leads moved in one write")
    parser.add_argument("--pending", type=int, default=5000, help="pending runs the dispatcher looks through")
    parser.add_argument("--drain", type=int, default=1000, help="due runs drained by the live server")
    parser.add_argument("--lateness", type=int, default=1000, help="runs falling due at the same moment")
    parser.add_argument("--history", type=int, default=10000, help="old runs given to the purge")
    parser.add_argument("--passes", type=int, default=5, help="passes per in-transaction figure (median)")
    parser.add_argument("--moves", type=int, default=10, help="leads moved one by one on the live server, each way")
    parser.add_argument("--workers", type=int, default=2,
                        help="HTTP workers of the live server (prefork, as in production; 0: one threaded process)")
    parser.add_argument("--port", type=int, default=0, help="HTTP port of the servers started (default: a free one)")
    parser.add_argument("--no-update", dest="update", action="store_false",
                        help="use the database as it is, without updating stage_automation")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api

    sys.path.insert(0, str(REPO / "tests"))  # conftest.py: the live server of the end-to-end tests
    odoo.tools.config.parse_config([f"--addons-path={REPO}", "--log-level=warn"])
    ensure_database(args.db, args.port or free_port(), args.update)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        about = machine(cr)
        try:
            figures = in_transaction(api.Environment(cr, SUPERUSER_ID, {}), args)
        finally:
            cr.rollback()
    moves = interactive(registry, args)
    live_results = live(registry, args)
    print(f"Machine: {about}\n")
    print(table(figures, moves, live_results, args))
    print(f"\nMedians of up to {args.passes} passes in one transaction (rolled back); "
          f"{time.monotonic() - STARTED:.0f} s in all.")


if __name__ == "__main__":
    main()
