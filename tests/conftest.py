"""A live Odoo server for end-to-end tests: real HTTP, cron thread and queue_job runner, on 127.0.0.1 only.

``live_odoo`` serves the database named by ``STAGE_AUTOMATION_TEST_DB`` (``make
test`` exports the one it has just installed and tested); without it, the
fixture installs stage_automation into a new database of its own and drops it
at the end. The server neither updates modules nor runs the addon's tests.
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


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def stage_automation_addons_path():
    """The addons path of the scripts (scripts/common.sh): this repository, which holds stage_automation/.

    Odoo adds its own addons and the pip-installed ones (queue_job) by itself.
    """
    return os.environ.get("STAGE_AUTOMATION_ADDONS_PATH") or str(REPO)


@dataclass
class LiveOdoo:
    host: str
    port: int
    db: str
    log_path: Path

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def connect(self, login="admin", password="admin"):
        """A logged-in odoorpc client."""
        import odoorpc

        client = odoorpc.ODOO(self.host, port=self.port, timeout=60)
        client.login(self.db, login, password)
        return client

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text, timeout=30):
        """True as soon as ``text`` appears in the server log, False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return True
            time.sleep(POLL_INTERVAL)
        return text in self.log()


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
def live_odoo(addons_path, tmp_path_factory):
    """Odoo serving the test database on a free port of 127.0.0.1, with its cron thread and job runner."""
    workdir = tmp_path_factory.mktemp("live_odoo")
    db = os.environ.get("STAGE_AUTOMATION_TEST_DB")
    own_db = not db
    if own_db:
        db = f"stage_automation_live_{uuid.uuid4().hex[:8]}"
    try:
        if own_db:
            _install_database(db, addons_path, workdir / "install.log")
        server, live = _start_server(db, addons_path, workdir)
        try:
            _wait_until_up(live, server)
            yield live
        finally:
            _stop(server)
            print(f"\nlive Odoo log: {live.log_path}")
    finally:
        if own_db:
            subprocess.run(["dropdb", "--if-exists", db], check=False)


def _install_database(db, addons_path, log_path):
    with open(log_path, "wb") as log:
        result = subprocess.run(
            [sys.executable, "-m", "odoo", "-d", db, f"--addons-path={addons_path}", "-i", "stage_automation",
             "--stop-after-init", "--log-level=warn", f"--http-interface={HOST}", f"--http-port={_free_port()}"],
            stdout=log, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT, check=False)
    if result.returncode:
        raise RuntimeError(f"installing stage_automation into {db} failed (exit {result.returncode}); "
                           f"log: {log_path}\n{log_path.read_text(errors='replace')[-4000:]}")


def _start_server(db, addons_path, workdir):
    port = _free_port()
    config = workdir / "odoo.conf"
    # The job runner reads [queue_job]; it calls back this very server on host:port.
    config.write_text(
        "[options]\n"
        f"addons_path = {addons_path}\n"
        f"dbfilter = ^{db}$\n"
        "\n[queue_job]\n"
        "channels = root:2,root.stage_automation:2\n"
        f"scheme = http\nhost = {HOST}\nport = {port}\n"
    )
    log_path = workdir / "odoo.log"
    command = [
        sys.executable, "-m", "odoo", "-c", str(config), "-d", db, f"--addons-path={addons_path}",
        f"--http-interface={HOST}", f"--http-port={port}", "--load=base,web,queue_job",
        "--workers=0", "--max-cron-threads=1", "--log-level=info",
    ]
    # ODOO_QUEUE_JOB_* variables would override [queue_job] and could point the runner elsewhere.
    env = {name: value for name, value in os.environ.items() if not name.startswith("ODOO_QUEUE_JOB_")}
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=env, start_new_session=True)
    return server, LiveOdoo(HOST, port, db, log_path)


def _wait_until_up(live, server):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Odoo exited with {server.returncode}; log: {live.log_path}\n{live.log()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{live.url}/web/login", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(POLL_INTERVAL)
    raise RuntimeError(f"Odoo did not answer within {START_TIMEOUT} s; log: {live.log_path}\n{live.log()[-4000:]}")


def _stop(server):
    """SIGTERM to the server's process group, SIGKILL if it is still there after STOP_TIMEOUT seconds."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=STOP_TIMEOUT)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Show where the live server's log is, and its tail, when a test using it fails."""
    outcome = yield
    report = outcome.get_result()
    live = item.funcargs.get("live_odoo") if hasattr(item, "funcargs") else None
    if report.failed and live is not None:
        report.sections.append((f"live Odoo log {live.log_path} (tail)", live.log()[-6000:]))


def pytest_configure(config):
    config.addinivalue_line("markers", "live_server: starts a real Odoo server (the live_odoo fixture)")
