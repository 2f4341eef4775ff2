"""Since 18.0.1.1.0 the data of an event is stored once and shared by its log lines: the data each log
line held is moved there (identical data shared), and its old column dropped."""

from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not version:
        return
    if not column_exists(cr, "stage_automation_trigger_log", "payload"):
        return
    cr.execute("""
        INSERT INTO stage_automation_trigger_payload (payload, create_uid, create_date, write_uid, write_date)
        SELECT DISTINCT payload, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM stage_automation_trigger_log
         WHERE payload IS NOT NULL
    """)
    cr.execute("""
        UPDATE stage_automation_trigger_log log
           SET payload_id = data.id
          FROM stage_automation_trigger_payload data
         WHERE log.payload = data.payload
    """)
    cr.execute("ALTER TABLE stage_automation_trigger_log DROP COLUMN payload")
