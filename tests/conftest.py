"""Live Odoo servers for end-to-end tests: real HTTP, cron thread and queue_job runner, on 127.0.0.1 only.

``live_odoo`` serves the database named by ``STAGE_AUTOMATION_TEST_DB`` (``make
test`` exports the one it has just installed and tested); without it, the
fixtures install stage_automation into a new database of their own and drop
it at the end. The servers neither update modules nor run the addon's tests.

``odoo_servers`` starts servers of a test's own on that database (to kill one,
or to run several); ``live_odoo`` is stopped meanwhile, because only one job
runner per database is active (queue_job elects it with an advisory lock), and
started again afterwards.
"""

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
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_TIMEOUT = 120  # seconds for the server to answer /web/login
INSTALL_TIMEOUT = 900  # seconds to install stage_automation into a database of the fixture's own
STOP_TIMEOUT = 30  # seconds between SIGTERM and SIGKILL
POLL_INTERVAL = 0.5
CHANNELS = "root:3,root.stage_automation:2"

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

    def __init__(self, db, addons_path, workdir, name="odoo", queue_job_port=None, channels=CHANNELS):
        self.host = HOST
        self.port = _free_port()
        self.db = db
        self.name = name
        self.addons_path = addons_path
        self.queue_job_port = queue_job_port or self.port
        self.channels = channels
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
            sys.executable, "-m", "odoo", "-c", str(self.config_path), "-d", self.db,
            f"--addons-path={self.addons_path}", f"--http-interface={HOST}", f"--http-port={self.port}",
            "--load=base,web,queue_job", "--workers=0", "--max-cron-threads=1", "--log-level=info",
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


@dataclass
class Pipeline:
    """A sales team of a test's own, with its stages in order; ``tag`` makes names unique on a shared server."""

    tag: str
    team: int
    stages: list


@pytest.fixture
def new_pipeline():
    """``new_pipeline(env, "Name", "First stage", "Second stage", …, sequence=500)`` over XML-RPC."""

    def create(env, name, *stage_names, sequence=500):
        tag = uuid.uuid4().hex[:8]
        team = env["crm.team"].create({"name": f"{name} {tag}"})
        stages = [env["crm.stage"].create({"name": f"{stage} {tag}", "team_id": team, "sequence": sequence + n})
                  for n, stage in enumerate(stage_names, 1)]
        return Pipeline(tag, team, stages)

    return create


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
def live_odoo(test_db, addons_path, tmp_path_factory):
    """Odoo serving the test database on a free port of 127.0.0.1, with its cron thread and job runner."""
    server = LiveOdoo(test_db, addons_path, tmp_path_factory.mktemp("live_odoo"))
    try:
        server.start()
        server.wait_until_up()
        yield server
    finally:
        server.stop()
        print(f"\nlive Odoo log: {server.log_path}")


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
    first and started again afterwards: their job runner would otherwise keep
    the database's master lock and run every job on their own port.
    """
    paused = [server for server in _running if server.db == test_db]
    for server in paused:
        server.stop()
    servers = OdooServers(test_db, addons_path, tmp_path)
    try:
        yield servers
    finally:
        for server in servers.servers:
            server.stop()
            print(f"\nOdoo {server.name} log: {server.log_path}")
        for server in paused:
            server.start()
        for server in paused:
            server.wait_until_up()


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


def pytest_configure(config):
    config.addinivalue_line("markers", "live_server: starts a real Odoo server (the live_odoo fixture)")
