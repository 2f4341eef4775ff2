"""Since 18.0.1.2.0 the address, secret and timeout of outgoing calls are named for their family
(``outgoing_*``): robot calls use them as much as webhooks. Renamed before the module loads, as
OpenUpgrade's ``rename_fields`` does, so that the values stay."""

from odoo.tools.sql import column_exists, rename_column

RENAMED_FIELDS = [
    ("stage.automation.rule", "webhook_url", "outgoing_url"),
    ("stage.automation.rule", "webhook_secret", "outgoing_secret"),
    ("stage.automation.rule", "webhook_timeout", "outgoing_timeout"),
]


def migrate(cr, version):
    if not version:
        return
    for model, old, new in RENAMED_FIELDS:
        table = model.replace(".", "_")
        if column_exists(cr, table, old) and not column_exists(cr, table, new):
            rename_column(cr, table, old, new)
        cr.execute("UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s", (new, model, old))
        cr.execute(
            "UPDATE ir_model_data SET name = %s WHERE model = 'ir.model.fields' AND module = 'stage_automation' "
            "AND name = %s", (f"field_{table}__{new}", f"field_{table}__{old}"))
