"""Since 18.0.1.1.0 the data of an event is stored once and shared by its log lines: the data each log
line held is moved there (identical data shared), and its old column dropped."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'stage_automation_trigger_log' AND column_name = 'payload'
    """)
    if not cr.rowcount:
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
