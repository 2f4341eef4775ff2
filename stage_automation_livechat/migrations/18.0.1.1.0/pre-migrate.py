"""Until 18.0.1.1.0 the extensions of the trigger and rule forms had the core views' XML ids, and
changed parts of the core that are gone (a note; the live-chat choice, now in the channels action's
fragment): they are removed before the new extensions, with their own ids, are loaded, as the combined
forms would not validate with them."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in ("stage_automation_livechat.stage_automation_trigger_view_form",
                  "stage_automation_livechat.stage_automation_rule_view_form"):
        view = env.ref(xmlid, raise_if_not_found=False)
        if view:
            view.unlink()
