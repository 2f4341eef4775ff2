"""A live Odoo server for end-to-end tests: real HTTP, cron thread and queue_job runner on loopback."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 180


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _odoo(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "odoo", *args], check=True, **kwargs)


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
        import odoorpc

        client = odoorpc.ODOO(self.host, port=self.port, timeout=60)
        client.login(self.db, login, password)
        return client

    def log(self):
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def addons_path():
    return os.environ.get("STAGE_AUTOMATION_ADDONS_PATH") or str(REPO)


@pytest.fixture(scope="session")
def live_odoo(addons_path, tmp_path_factory):
    """Odoo serving the test database (``STAGE_AUTOMATION_TEST_DB``, else a new one installed here)."""
    workdir = tmp_path_factory.mktemp("live_odoo")
    db = os.environ.get("STAGE_AUTOMATION_TEST_DB")
    own_db = not db
    if own_db:
        db = f"stage_automation_live_{uuid.uuid4().hex[:8]}"
        _odoo("-d", db, f"--addons-path={addons_path}", "-i", "stage_automation", "--stop-after-init",
              "--log-level=warn", "--http-port", str(_free_port()), stdout=subprocess.DEVNULL)
    port = _free_port()
    config = workdir / "odoo.conf"
    config.write_text(
        "[options]\n"
        f"addons_path = {addons_path}\n"
        f"http_interface = 127.0.0.1\nhttp_port = {port}\n"
        f"dbfilter = ^{db}$\n"
        "server_wide_modules = base,web,queue_job\n"
        "workers = 0\nmax_cron_threads = 1\n"
        "[queue_job]\n"
        "channels = root:2,root.stage_automation:2\n"
    )
    log_path = workdir / "odoo.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "odoo", "-c", str(config), "-d", db, "--log-level=info"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    live = LiveOdoo("127.0.0.1", port, db, log_path)
    try:
        _wait_until_up(live, server)
        yield live
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if own_db:
            subprocess.run(["dropdb", "--if-exists", db], check=False)


def _wait_until_up(live, server):
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Odoo exited with {server.returncode}; log:\n{live.log()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{live.url}/web/login", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise RuntimeError(f"Odoo did not answer within {START_TIMEOUT} s; log:\n{live.log()[-4000:]}")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Show the live server's log tail when an end-to-end test fails."""
    outcome = yield
    report = outcome.get_result()
    live = item.funcargs.get("live_odoo") if hasattr(item, "funcargs") else None
    if report.failed and live is not None:
        report.sections.append(("live Odoo log (tail)", live.log()[-6000:]))
