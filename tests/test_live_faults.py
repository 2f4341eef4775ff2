"""Faults on live servers: a server killed with -9 in the middle of a drain, a claimed run locked by another
transaction, and two servers on one database.

Each test drives servers with a cron thread and queue_job's job runner: the
session's server (``live_odoo``), killed and started again by the crash test,
or two servers of the test's own (``odoo_servers``). It moves leads into a
stage with two note rules (the second chained after the first), and counts the
notes in the database: one per lead and rule, whatever happened to the
servers. The recovery time after the restart and the share of each server are
printed (``pytest -s`` or ``-rA`` shows them); only correctness is asserted.
"""

import itertools
import re
import socket
import threading
import time
from collections import Counter
from contextlib import closing
from datetime import datetime, timezone

import psycopg2
import pytest

pytestmark = pytest.mark.live_server

HOST = "127.0.0.1"
OPEN_STATES = ("pending", "waiting", "running", "paused")
DRAIN_TIMEOUT = 90  # seconds for every run to be final
RUNNER_TIMEOUT = 30  # seconds for a job runner to be elected and ready
POLL = 0.2
DISPATCH_PASS = "Stage Automation: dispatch due runs' ("  # ir.cron logs "Job '<name>' (<id>) starting", "done"…


@pytest.fixture
def database(test_db):
    """A connection of the test's own to the servers' database (autocommit: each query sees the latest commits)."""
    connection = psycopg2.connect(dbname=test_db)
    connection.autocommit = True
    with closing(connection):
        yield connection


def query(connection, sql, *args):
    with connection.cursor() as cr:
        cr.execute(sql, args)
        return cr.fetchall()


def run_states(connection, rules):
    return dict(query(connection, "SELECT state, count(*) FROM stage_automation_run WHERE rule_id = ANY(%s) "
                                  "GROUP BY state", rules))


def open_runs(states):
    return sum(states.get(state, 0) for state in OPEN_STATES)


def notes_per_lead(connection, leads, text):
    """``{lead id: number of its messages holding text}``, leads without one included."""
    counts = dict(query(connection, "SELECT res_id, count(*) FROM mail_message WHERE model = 'crm.lead' "
                                    "AND res_id = ANY(%s) AND body LIKE %s GROUP BY res_id", leads, f"%{text}%"))
    return {lead: counts.get(lead, 0) for lead in leads}


def logged_at(log, text):
    """When the first line of ``log`` holding ``text`` was written (seconds since the epoch), or None.

    Odoo writes its log in UTC: ``2024-05-01 10:00:00,123 <pid> INFO …``.
    """
    for line in log.splitlines():
        if text in line:
            moment = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=timezone.utc)
            return moment.timestamp()
    return None


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(POLL)
    raise AssertionError(f"{what}: not within {timeout} s")


def drain_setup(server, new_pipeline, name, leads_count):
    """Two note rules on a stage of a new pipeline (the second after the first) and ``leads_count`` leads
    before it; returns (tag, stage, rule ids, lead ids)."""
    env = server.connect().env
    pipeline = new_pipeline(env, name, "Before", "Drain", sequence=800)
    tag, team, (before, drain) = pipeline.tag, pipeline.team, pipeline.stages
    Rule = env["stage.automation.rule"]
    rules = [
        Rule.create({"name": "First note", "stage_id": drain, "action": "note", "sequence": 1,
                     "body": f"First note {tag}"}),
        Rule.create({"name": "Second note", "stage_id": drain, "action": "note", "sequence": 2,
                     "after_previous": True, "body": f"Second note {tag}"}),
    ]
    leads = env["crm.lead"].create([
        {"name": f"{name} lead {tag} {n}", "type": "opportunity", "team_id": team, "stage_id": before}
        for n in range(leads_count)])
    return tag, drain, rules, leads


def assert_one_note_per_lead_and_rule(connection, tag, leads):
    for text in (f"First note {tag}", f"Second note {tag}"):
        counts = Counter(notes_per_lead(connection, leads, text).values())
        assert counts == {1: len(leads)}, f"“{text}”: {{notes on a lead: leads}} = {dict(counts)}"


# ------------------------------------------------------------
# kill -9 in the middle of a drain
# ------------------------------------------------------------

# Enough for the kill to land in the middle of the drain, with jobs running, queued and not yet queued
# (asserted below: runs still open at the kill); more leads only make the drain longer.
CRASH_LEADS = 150
KILL_AFTER = CRASH_LEADS // 3  # runs of the first rule done before the kill


@pytest.mark.server_faults
def test_a_server_killed_mid_drain_resumes_every_run_once(live_odoo, database, new_pipeline):
    server = live_odoo  # killed, then started again: the later tests find it running
    tag, drain, rules, leads = drain_setup(server, new_pipeline, "Crash", CRASH_LEADS)
    total = 2 * CRASH_LEADS

    server.connect().env["crm.lead"].write(leads, {"stage_id": drain})
    moved = time.monotonic()
    wait_until(lambda: query(database, "SELECT count(*) FROM stage_automation_run WHERE rule_id = %s "
                                       "AND state = 'done'", rules[0])[0][0] >= KILL_AFTER,
               DRAIN_TIMEOUT, f"{KILL_AFTER} runs of the first rule done")
    server.kill()
    killed = time.monotonic()
    at_kill = run_states(database, rules)
    assert open_runs(at_kill), f"the drain ended before the kill, nothing to resume: {at_kill}"
    final_at_kill = total - open_runs(at_kill)

    server.start()
    server.wait_until_up()
    up, up_at = time.monotonic(), time.time()
    first_final = None
    states = run_states(database, rules)
    while open_runs(states) and time.monotonic() - up < DRAIN_TIMEOUT:
        time.sleep(POLL)
        states = run_states(database, rules)
        if first_final is None and total - open_runs(states) > final_at_kill:
            first_final = time.monotonic() - up
    all_final = time.monotonic() - up

    def after_up(text):
        moment = logged_at(server.log(since_start=True), text)
        return "never" if moment is None else f"{moment - up_at:+.1f} s"

    open_at_kill = {state: count for state, count in at_kill.items() if state in OPEN_STATES}
    print(f"\nkill -9 after {killed - moved:.1f} s of drain: {final_at_kill} of {total} runs final, open: "
          f"{open_at_kill}; "
          f"restarted server answering {up - killed:.1f} s after the kill."
          f"\nResumption, from the restarted server answering: first run final "
          f"{'never' if first_final is None else f'+{first_final:.1f} s'}, all {total} runs final "
          f"+{all_final:.1f} s (job runner ready {after_up('queue job runner ready')}, first dead job requeued "
          f"{after_up('Re-queued dead job')}, first dispatcher pass {after_up(DISPATCH_PASS)}; "
          f"{server.log(since_start=True).count('Re-queued dead job')} dead jobs requeued)")
    assert not open_runs(states), f"runs still open {DRAIN_TIMEOUT} s after the restart: {states}"
    assert states == {"done": total}
    assert_one_note_per_lead_and_rule(database, tag, leads)


# ------------------------------------------------------------
# a run locked by another transaction when its job starts
# ------------------------------------------------------------

LOCK_LEADS = 150
LOCKED_RUNS = 10  # runs of the first rule, among the last to be executed
LOCK_HELD = 8  # seconds: longer than the job's retry delay (5 s)
LOCKED = "a run is locked by another transaction"  # the result queue_job keeps for a job postponed by it


@pytest.mark.server_faults
def test_a_job_whose_run_is_locked_waits_for_it_then_runs_it_once(live_odoo, database, test_db, new_pipeline):
    """A transaction holding a claimed run (a change of its lead, the sweeper) postpones its job, without
    using up its retries; the run is executed once the lock is released, never taken for done."""
    server = live_odoo
    tag, drain, rules, leads = drain_setup(server, new_pipeline, "Lock", LOCK_LEADS)
    server.connect().env["crm.lead"].write(leads, {"stage_id": drain})
    last = [run for (run,) in query(database, "SELECT id FROM stage_automation_run WHERE rule_id = %s "
                                              "ORDER BY id DESC LIMIT %s", rules[0], LOCKED_RUNS)]
    wait_until(lambda: query(database, "SELECT count(*) FROM stage_automation_run WHERE id = ANY(%s) "
                                       "AND state <> 'pending'", last)[0][0] == len(last),
               DRAIN_TIMEOUT, "the last runs claimed")

    holder = psycopg2.connect(dbname=test_db)
    with closing(holder), holder.cursor() as cr:
        cr.execute("SET lock_timeout = '5s'")
        cr.execute("SELECT id FROM stage_automation_run WHERE id = ANY(%s) AND state = 'running' FOR UPDATE",
                   [last])
        locked = [run for (run,) in cr.fetchall()]
        assert locked, "every run was executed before the lock could be taken: raise LOCK_LEADS"
        jobs_of_locked = ("SELECT count(*) FROM queue_job job JOIN stage_automation_run run "
                          "ON run.job_uuid = job.uuid WHERE run.id = ANY(%s) AND job.result = %s")
        wait_until(lambda: query(database, jobs_of_locked, locked, LOCKED)[0][0], DRAIN_TIMEOUT,
                   "a job meeting its locked run")
        time.sleep(LOCK_HELD)
        while_locked = dict(query(database, "SELECT state, count(*) FROM stage_automation_run "
                                            "WHERE id = ANY(%s) GROUP BY state", locked))
        holder.rollback()

    wait_until(lambda: not open_runs(run_states(database, rules)), DRAIN_TIMEOUT, "every run final")
    retried = query(database, "SELECT job.state, job.retry FROM queue_job job "
                              "JOIN stage_automation_run run ON run.job_uuid = job.uuid WHERE run.id = ANY(%s)",
                    locked)
    print(f"\n{len(locked)} claimed runs locked by another transaction for {LOCK_HELD} s: "
          f"their states meanwhile {while_locked}; their jobs afterwards (state, retries) "
          f"{dict(Counter((state, retry) for state, retry in retried))}")
    assert while_locked == {"running": len(locked)}, "a locked run is neither skipped nor taken for done"
    # queue_job counts the attempt that runs (1); the ones postponed by the lock are not counted.
    assert {(state, retry) for state, retry in retried} == {("done", 1)}, "waiting uses no retry"
    assert run_states(database, rules) == {"done": 2 * LOCK_LEADS}
    assert_one_note_per_lead_and_rule(database, tag, leads)


# ------------------------------------------------------------
# two servers behind one address
# ------------------------------------------------------------

# A job per lead, handed to the servers in turn by the proxy: enough for both to run jobs at the same time
# for seconds (asserted: each executed some, none twice); more leads only make the drain longer.
SHARED_LEADS = 100
# What CONFIGURE.md ("Running several servers") shows: the runner's capacity, spread over the servers.
SHARED_CHANNELS = "root:5,root.stage_automation:4"


class RoundRobinProxy:
    """A TCP load balancer on 127.0.0.1: each connection goes to the next backend in turn.

    It counts, per backend port, the ``/queue_job/runjob`` requests it passed on.
    """

    def __init__(self):
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.backends = []
        self.runjobs = Counter()
        self._turn = itertools.count()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.listener.close()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        with self._lock:
            port = self.backends[next(self._turn) % len(self.backends)]
        with closing(client):
            try:
                backend = socket.create_connection((HOST, port))
            except OSError:
                return
            with closing(backend):
                start = client.recv(65536)
                if start.startswith(b"GET /queue_job/runjob"):
                    with self._lock:
                        self.runjobs[port] += 1
                backend.sendall(start)
                threading.Thread(target=self._pump, args=(client, backend), daemon=True).start()
                self._pump(backend, client)

    @staticmethod
    def _pump(source, target):
        """Copy until the source ends. The runner hangs up after 1 s, long before the job ends: the rest of
        the answer is read and dropped, so that the server finishes the job as it would without a proxy."""
        target_open = True
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            if target_open:
                try:
                    target.sendall(data)
                except OSError:
                    target_open = False
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def test_two_servers_behind_one_address_share_the_jobs_without_double_execution(
        odoo_servers, database, new_pipeline):
    proxy = RoundRobinProxy()
    try:
        servers = odoo_servers.start("a", "b", queue_job_port=proxy.port, channels=SHARED_CHANNELS)
        proxy.backends = [server.port for server in servers]
        ready = f"queue job runner ready for db {servers[0].db}"
        wait_until(lambda: any(ready in server.log(since_start=True) for server in servers), RUNNER_TIMEOUT,
                   "a job runner ready")
        tag, drain, rules, leads = drain_setup(servers[0], new_pipeline, "Shared", SHARED_LEADS)
        started = query(database, "SELECT now() AT TIME ZONE 'UTC'")[0][0]

        servers[1].connect().env["crm.lead"].write(leads, {"stage_id": drain})
        moved = time.monotonic()
        wait_until(lambda: not open_runs(run_states(database, rules)), DRAIN_TIMEOUT, "every run final")
        drained = time.monotonic() - moved

        runs = [run for (run,) in query(database, "SELECT id FROM stage_automation_run WHERE rule_id = ANY(%s)",
                                        rules)]
        # queue_job keeps the process id of the server that executed a job (workers=0: one process per server),
        # and the job's records as a JSON text.
        by_pid = dict(query(database, "SELECT worker_pid, count(*) FROM queue_job WHERE method_name = '_perform' "
                                      "AND model_name = 'stage.automation.run' AND state = 'done' "
                                      "AND date_created >= %s "
                                      "AND ((records #>> '{}')::jsonb->'ids'->>0)::int = ANY(%s) "
                                      "GROUP BY worker_pid", started, runs))
        executed = {server.name: by_pid.pop(server.process.pid, 0) for server in servers}
        requests = {server.name: proxy.runjobs[server.port] for server in servers}
        master = [server.name for server in servers if ready in server.log(since_start=True)]
        passes = re.compile(re.escape(DISPATCH_PASS) + r"\d+\) done")
        dispatches = {server.name: len(passes.findall(server.log(since_start=True))) for server in servers}
        print(f"\ntwo servers: {2 * SHARED_LEADS} runs final in {drained:.1f} s; jobs executed per server "
              f"{executed}, /queue_job/runjob requests per server {requests}; job runner elected on {master}; "
              f"dispatcher passes per server {dispatches}")

        assert run_states(database, rules) == {"done": 2 * SHARED_LEADS}
        assert_one_note_per_lead_and_rule(database, tag, leads)
        assert not by_pid, f"jobs executed by another process: {by_pid}"
        # The runs of one lead share a job, and a job holds several leads' runs (see _queue_jobs).
        [(jobs,)] = query(database, "SELECT count(DISTINCT job_uuid) FROM stage_automation_run "
                                    "WHERE id = ANY(%s) AND job_uuid IS NOT NULL", runs)
        assert sum(executed.values()) == jobs > 1, (executed, jobs)
        assert all(executed.values()), f"a server executed no job: {executed}"
        assert len(master) == 1, f"one job runner for the database, not {master}"
    finally:
        proxy.close()
