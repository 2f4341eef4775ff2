"""Rules run with their author's rights since 18.0.1.1.0: the author of an existing rule is whoever last
changed it, as if they had saved it after the upgrade. The engine's own writes (as the superuser) do not
count: then its creator is."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE stage_automation_rule ADD COLUMN IF NOT EXISTS author_id int4")
    cr.execute("""
        UPDATE stage_automation_rule
           SET author_id = COALESCE(NULLIF(write_uid, 1), create_uid, 1)
         WHERE author_id IS NULL
    """)
