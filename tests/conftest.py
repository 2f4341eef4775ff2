"""Live Odoo servers for end-to-end tests: real HTTP, cron thread and queue_job runner, on 127.0.0.1 only.

``live_odoo`` serves the database named by ``STAGE_AUTOMATION_TEST_DB`` (``make
test`` exports the one it has just installed); without it, the fixtures
install stage_automation into a new database of their own and drop it at the
end. The servers neither update modules nor run the addon's tests.

One server is shared by the whole session: it starts when a test first asks
for ``live_odoo``, or with the session when a test waits for its real cron
(``real_cron``). ``odoo_servers`` starts servers of a test's own on that
database (to run several behind one address); ``live_odoo`` is stopped
meanwhile, because only one job runner per database is active (queue_job
elects it with an advisory lock), and starts again when a later test asks for
it. The tests run in an order that spares restarts (``_order``): the ones of
``odoo_servers`` last.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_TIMEOUT = 120  # seconds for the server to answer /web/login
INSTALL_TIMEOUT = 900  # seconds to install stage_automation into a database of the fixture's own
STOP_TIMEOUT = 30  # seconds between SIGTERM and SIGKILL
POLL_INTERVAL = 0.5
CHANNELS = "root:3,root.stage_automation:2"
SETTLE_SECONDS = 60
ODOO_CLI = Path(__file__).with_name("odoo_cli.py")
BUS_TIMEOUT = 60
SETTLE_POLL = 0.2

_running = []  # the LiveOdoo servers started and not stopped yet


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def stage_automation_addons_path():
    """The addons path of the scripts (scripts/common.sh): this repository, which holds stage_automation/.

    Odoo adds its own addons and the pip-installed ones (queue_job) by itself.
    """
    return os.environ.get("STAGE_AUTOMATION_ADDONS_PATH") or str(REPO)


class LiveOdoo:
    """One Odoo process serving ``db`` on its own port of 127.0.0.1, with a cron thread and the job runner.

    It can be stopped, killed and started again on the same port; each start
    appends to the same log. The runner calls ``/queue_job/runjob`` on
    ``queue_job_port`` ([queue_job] port): this server's own port unless told
    otherwise (e.g. a load balancer in front of several servers).
    """

    def __init__(self, db, addons_path, workdir, name="odoo", queue_job_port=None, channels=CHANNELS, workers=0):
        self.host = HOST
        self.port = _free_port()
        self.db = db
        self.name = name
        self.addons_path = addons_path
        self.queue_job_port = queue_job_port or self.port
        self.channels = channels
        self.workers = workers  # 0: one threaded process; more: Odoo's prefork server, the runner a process of its own
        self.websocket_port = _free_port() if workers else self.port  # prefork: the gevent worker's
        self.config_path = Path(workdir) / f"{name}.conf"
        self.log_path = Path(workdir) / f"{name}.log"
        self.process = None
        self._log_start = 0  # where the log of the current process starts

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def connect(self, login="admin", password="admin"):
        """A logged-in odoorpc client."""
        import odoorpc

        client = odoorpc.ODOO(self.host, port=self.port, timeout=60)
        client.login(self.db, login, password)
        return client

    def log(self, since_start=False):
        """The server's log; ``since_start``: only what the current process wrote."""
        with open(self.log_path, "rb") as log:
            log.seek(self._log_start if since_start else 0)
            return log.read().decode(errors="replace")

    def wait_for_log(self, text, timeout=30, since_start=False):
        """True as soon as ``text`` appears in the server log, False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log(since_start):
                return True
            time.sleep(POLL_INTERVAL)
        return text in self.log(since_start)

    def start(self):
        """Start the process; :meth:`wait_until_up` waits until it answers."""
        assert not self.running, f"{self.name} is already running"
        # The job runner reads [queue_job]; it calls back host:port to run each job.
        self.config_path.write_text(
            "[options]\n"
            f"addons_path = {self.addons_path}\n"
            f"dbfilter = ^{self.db}$\n"
            "\n[queue_job]\n"
            f"channels = {self.channels}\n"
            f"scheme = http\nhost = {HOST}\nport = {self.queue_job_port}\n"
        )
        command = [
            sys.executable, str(ODOO_CLI), "-c", str(self.config_path), "-d", self.db,
            f"--addons-path={self.addons_path}", f"--http-interface={HOST}", f"--http-port={self.port}",
            "--load=base,web,queue_job", f"--workers={self.workers}", "--max-cron-threads=1", "--log-level=info",
            *([f"--gevent-port={self.websocket_port}"] if self.workers else []),
        ]
        # ODOO_QUEUE_JOB_* variables would override [queue_job] and could point the runner elsewhere.
        env = {name: value for name, value in os.environ.items() if not name.startswith("ODOO_QUEUE_JOB_")}
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, start_new_session=True)
        _running.append(self)

    def wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"Odoo {self.name} exited with {self.process.returncode}; "
                                   f"log: {self.log_path}\n{self.log(since_start=True)[-4000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(POLL_INTERVAL)
        raise RuntimeError(f"Odoo {self.name} did not answer within {START_TIMEOUT} s; "
                           f"log: {self.log_path}\n{self.log(since_start=True)[-4000:]}")

    def stop(self):
        """SIGTERM to the server's process group, SIGKILL if it is still there after STOP_TIMEOUT seconds."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)
        self._forget()

    def kill(self):
        """SIGKILL, as a crash: no request, job or transaction gets to finish."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        self._forget()

    def _forget(self):
        if self in _running:
            _running.remove(self)


class BusTab:
    """What a logged-in browser tab has of a live server: a session for calls, and the bus notifications
    Odoo sends to its user, as they arrive on the websocket."""

    def __init__(self, server, login="admin", password="admin"):
        import requests
        import websocket

        self.url = server.url
        self.session = requests.Session()
        self._post("/web/session/authenticate", {"db": server.db, "login": login, "password": password})
        host = f"{server.host}:{server.websocket_port}"
        self.socket = websocket.create_connection(
            f"ws://{host}/websocket", origin=f"http://{host}", timeout=BUS_TIMEOUT,
            cookie=f"session_id={self.session.cookies['session_id']}")
        self.socket.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))

    def _post(self, path, params):
        answer = self.session.post(f"{self.url}{path}", json={"jsonrpc": "2.0", "method": "call", "params": params},
                                   timeout=BUS_TIMEOUT)
        answer.raise_for_status()
        body = answer.json()
        if "error" in body:
            raise RuntimeError(body["error"])
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` as the web client calls it."""
        return self._post("/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs})

    def wait_for(self, notification_type, accept=lambda payload: True, timeout=BUS_TIMEOUT):
        """The first notification of this type whose payload ``accept`` takes: ``(payload, time.monotonic())``."""
        import websocket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                notifications = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                break
            received = time.monotonic()
            for notification in notifications:
                message = notification["message"]
                if message["type"] == notification_type and accept(message["payload"]):
                    return message["payload"], received
        raise AssertionError(f"no {notification_type} notification within {timeout} s")

    def close(self):
        self.socket.close()
        self.session.close()


@dataclass
class Pipeline:
    """A sales team of a test's own, with its stages in order; ``tag`` makes names unique on a shared server."""

    tag: str
    team: int
    stages: list


def in_pipeline(env, team):
    """The values of a ``crm.stage`` of pipeline ``team``: its ``team_ids`` on Odoo 19, ``team_id`` on 18."""
    if "team_ids" in env["crm.stage"].fields_get(["team_ids"]):
        return {"team_ids": [(6, 0, [team])]}
    return {"team_id": team}


def user_groups(env, group_ids):
    """The values giving a new user these groups: ``group_ids`` on Odoo 19, ``groups_id`` on 18."""
    field = "group_ids" if "group_ids" in env["res.users"].fields_get(["group_ids"]) else "groups_id"
    return {field: [(6, 0, list(group_ids))]}


def create_pipeline(env, name, *stage_names, sequence=500):
    """A sales team and its stages, over XML-RPC, named with a tag of their own."""
    tag = uuid.uuid4().hex[:8]
    team = env["crm.team"].create({"name": f"{name} {tag}"})
    pipeline = in_pipeline(env, team)
    stages = [env["crm.stage"].create({"name": f"{stage} {tag}", **pipeline, "sequence": sequence + n})
              for n, stage in enumerate(stage_names, 1)]
    return Pipeline(tag, team, stages)


def settle(env, lead_ids, timeout=SETTLE_SECONDS):
    """Wait until the runs of these leads that are due have run: a person's stage change starts its
    immediate rules in a job just after the save; return how long that took (seconds)."""
    Run = env["stage.automation.run"]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        if not Run.search_count([("lead_id", "in", lead_ids), "|", ("state", "=", "running"),
                                 "&", ("state", "=", "pending"), ("due_at", "<=", now)]):
            return time.monotonic() - started
        time.sleep(SETTLE_POLL)
    raise AssertionError(f"the due runs of leads {lead_ids} did not run within {timeout} s")


@pytest.fixture(name="settle")
def settle_fixture():
    """``settle(env, lead_ids)``: see :func:`settle`."""
    return settle


@pytest.fixture
def new_pipeline():
    """``new_pipeline(env, "Name", "First stage", "Second stage", …, sequence=500)`` over XML-RPC."""
    return create_pipeline


@pytest.fixture(name="user_groups")
def user_groups_fixture():
    """``user_groups(env, [group ids])``: the values of a new user's groups on the server's series."""
    return user_groups


@pytest.fixture(scope="session")
def addons_path():
    return stage_automation_addons_path()


@pytest.fixture(scope="session")
def test_db(addons_path, tmp_path_factory):
    """The database the live servers serve: ``STAGE_AUTOMATION_TEST_DB``, or one installed here and dropped after."""
    db = os.environ.get("STAGE_AUTOMATION_TEST_DB")
    if db:
        yield db
        return
    db = f"stage_automation_live_{uuid.uuid4().hex[:8]}"
    try:
        _install_database(db, addons_path, tmp_path_factory.mktemp("install") / "install.log")
        yield db
    finally:
        subprocess.run(["dropdb", "--if-exists", db], check=False)


@pytest.fixture(scope="session")
def live_server(test_db, addons_path, tmp_path_factory):
    """The session's server on the test database (not started here: see :func:`live_odoo`)."""
    server = LiveOdoo(test_db, addons_path, tmp_path_factory.mktemp("live_odoo"))
    try:
        yield server
    finally:
        server.stop()
        print(f"\nlive Odoo log: {server.log_path}")


def _ensure_running(server):
    if not server.running:
        server.start()
        server.wait_until_up()
    return server


@pytest.fixture
def live_odoo(live_server):
    """Odoo serving the test database on a free port of 127.0.0.1, with its cron thread and job runner.

    The same server for every test of the session: started on first use, and again when a test stopped
    it (``odoo_servers``) or killed it without starting it again.
    """
    return _ensure_running(live_server)


_started = {}  # test id -> what the start function of its real_cron marker returned (or raised)


@pytest.fixture(scope="session", autouse=True)
def _start_real_cron_tests(request):
    """Start the tests marked ``real_cron(start)`` when the session starts, so that their minute passes
    while the other tests run; each of them runs once, after the other tests of the shared server.

    ``start(env, new_pipeline)`` sets up and moves a lead on the shared server; the test gets its result
    from the ``real_cron_start`` fixture. A failure is raised by that fixture, in that test only.
    """
    for item in request.session.items:
        marker = item.get_closest_marker("real_cron")
        if marker:
            try:
                server = _ensure_running(request.getfixturevalue("live_server"))
                _started[item.nodeid] = marker.args[0](server.connect().env, create_pipeline)
            except Exception as error:  # noqa: BLE001 - raised again by real_cron_start, for that test
                _started[item.nodeid] = error


@pytest.fixture
def real_cron_start(request, live_odoo):
    """What the start function of this test's ``real_cron`` marker returned when the session started."""
    started = _started[request.node.nodeid]
    if isinstance(started, Exception):
        raise started
    return started


class OdooServers:
    """The servers of one test on the test database; see :func:`odoo_servers`."""

    def __init__(self, db, addons_path, workdir):
        self.db = db
        self.addons_path = addons_path
        self.workdir = workdir
        self.servers = []

    def start(self, *names, **options):
        """Start one server per name (options: ``queue_job_port``, ``channels``) and wait until all answer."""
        started = [LiveOdoo(self.db, self.addons_path, self.workdir, name, **options) for name in names]
        self.servers += started
        for server in started:
            server.start()
        for server in started:
            server.wait_until_up()
        return started


@pytest.fixture
def odoo_servers(test_db, addons_path, tmp_path):
    """``odoo_servers.start("a", "b", queue_job_port=…)``: servers of this test, stopped at its end.

    The servers already serving the database (``live_odoo``) are stopped
    first: their job runner would otherwise keep the database's master lock
    and run every job on their own port. ``live_odoo`` starts it again for the
    next test that needs it.
    """
    for server in [server for server in _running if server.db == test_db]:
        server.stop()
    servers = OdooServers(test_db, addons_path, tmp_path)
    try:
        yield servers
    finally:
        for server in servers.servers:
            server.stop()
            print(f"\nOdoo {server.name} log: {server.log_path}")


def _install_database(db, addons_path, log_path):
    with open(log_path, "wb") as log:
        result = subprocess.run(
            [sys.executable, "-m", "odoo", "-d", db, f"--addons-path={addons_path}", "-i", "stage_automation",
             "--stop-after-init", "--log-level=warn", f"--http-interface={HOST}", f"--http-port={_free_port()}"],
            stdout=log, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT, check=False)
    if result.returncode:
        raise RuntimeError(f"installing stage_automation into {db} failed (exit {result.returncode}); "
                           f"log: {log_path}\n{log_path.read_text(errors='replace')[-4000:]}")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Show where the live servers' logs are, and their tails, when a test using them fails."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or not hasattr(item, "funcargs"):
        return
    servers = []
    if item.funcargs.get("live_odoo") is not None:
        servers.append(item.funcargs["live_odoo"])
    if item.funcargs.get("odoo_servers") is not None:
        servers += item.funcargs["odoo_servers"].servers
    for server in servers:
        report.sections.append((f"Odoo {server.name} log {server.log_path} (tail)", server.log()[-6000:]))


def _order(item):
    """0: no server; 1: the shared server; 2: ``real_cron``, started with the session; 3: ``server_faults``,
    which kill the shared server or hold its runs; 4: servers of their own (the shared one is stopped)."""
    fixtures = getattr(item, "fixturenames", ())
    if "odoo_servers" in fixtures:
        return 4
    if item.get_closest_marker("server_faults"):
        return 3
    if item.get_closest_marker("real_cron"):
        return 2
    return 1 if "live_odoo" in fixtures else 0


def pytest_collection_modifyitems(session, config, items):
    """Tests without a server first, then the ones of the shared server, the ones waiting for its real
    cron (their minute has passed meanwhile), the faults on it, and the tests with servers of their own
    last: the shared server starts once and is never stopped before them (stable order within a group)."""
    items.sort(key=_order)


def pytest_configure(config):
    config.addinivalue_line("markers", "live_server: starts a real Odoo server (the live_odoo fixture)")
    config.addinivalue_line("markers", "real_cron(start): waits for Odoo's real cron on the shared server; "
                                       "start(env, new_pipeline) runs when the session starts")
    config.addinivalue_line("markers", "server_faults: kills the shared server or holds its runs locked")
