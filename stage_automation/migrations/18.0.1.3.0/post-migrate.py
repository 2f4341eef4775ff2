"""Since 18.0.1.3.0 the dispatcher's job runs on the root channel, not behind the runs it dispatches: its
job function's record is not updated by an upgrade (noupdate data). A wait for the client records how they
got in touch (a call, a form… ended no wait before): the waits their message ended say so."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    function = env.ref("stage_automation.queue_job_function_run_dispatch_due", raise_if_not_found=False)
    if function:
        function.channel_id = env.ref("queue_job.channel_root")
    cr.execute("""
        UPDATE stage_automation_run run
           SET wait_contact = CASE WHEN message.model = 'discuss.channel' THEN 'chat' ELSE message.message_type END,
               wait_contact_at = message.date
          FROM mail_message message
         WHERE message.id = run.wait_reply_message_id AND run.wait_contact IS NULL
    """)
