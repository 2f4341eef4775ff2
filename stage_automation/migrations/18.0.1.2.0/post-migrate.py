"""Since 18.0.1.2.0 a run's reason is a message and its values, shown in the reader's language: the
sentences stored before stay readable as they were written, and their old column is dropped."""

from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not version:
        return
    if not column_exists(cr, "stage_automation_run", "reason"):
        return
    cr.execute("""
        UPDATE stage_automation_run
           SET reason_data = jsonb_build_object('text', reason)
         WHERE reason IS NOT NULL AND reason_data IS NULL
    """)
    cr.execute("ALTER TABLE stage_automation_run DROP COLUMN reason")
