"""Until 18.0.1.1.0 the extension of the trigger form had the core view's XML id, and removed a note of
the core that is gone: it is removed before the new extension, with its own id, is loaded, as the
combined form would not validate with it."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    view = api.Environment(cr, SUPERUSER_ID, {}).ref(
        "stage_automation_website_crm.stage_automation_trigger_view_form", raise_if_not_found=False)
    if view:
        view.unlink()
