"""Since 18.0.1.2.0 a run's reason is a message and its values, shown in the reader's language: the
sentences stored before stay readable as they were written, and their old column is dropped."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'stage_automation_run' AND column_name = 'reason'
    """)
    if not cr.rowcount:
        return
    cr.execute("""
        UPDATE stage_automation_run
           SET reason_data = jsonb_build_object('text', reason)
         WHERE reason IS NOT NULL AND reason_data IS NULL
    """)
    cr.execute("ALTER TABLE stage_automation_run DROP COLUMN reason")
