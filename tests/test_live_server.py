"""Smoke test of the live-server fixture (tests/conftest.py): a few seconds once the server is up.

It proves the end-to-end tests talk to a real Odoo where stage_automation is
installed, over XML-RPC on 127.0.0.1, with queue_job's job runner serving the
database (without the runner, queued rules would never execute).
"""

import pytest

pytestmark = pytest.mark.live_server

RUNNER_WAIT = 30  # seconds: the runner thread starts 5 s after the server, then opens the database


def test_live_server_has_stage_automation_installed_and_its_job_runner_running(live_odoo):
    odoo = live_odoo.connect("admin", "admin")
    modules = odoo.env["ir.module.module"]
    assert modules.search_count([("name", "=", "stage_automation"), ("state", "=", "installed")]) == 1

    # queue_job's runner (queue_job/jobrunner/runner.py) logs this once it listens to the database.
    ready = f"queue_job.jobrunner.runner: queue job runner ready for db {live_odoo.db}"
    assert live_odoo.wait_for_log(ready, timeout=RUNNER_WAIT), (
        f"queue_job's job runner did not start within {RUNNER_WAIT} s (log: {live_odoo.log_path})")
