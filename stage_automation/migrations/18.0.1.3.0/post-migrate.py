"""Since 18.0.1.3.0 the dispatcher's job runs on the root channel, not behind the runs it dispatches: its
job function's record is not updated by an upgrade (noupdate data)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    function = env.ref("stage_automation.queue_job_function_run_dispatch_due", raise_if_not_found=False)
    if function:
        function.channel_id = env.ref("queue_job.channel_root")
