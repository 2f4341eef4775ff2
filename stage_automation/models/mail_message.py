from odoo import api, models

from .stage_automation_run_tracking import tracked_record, tracking_token

TRACKING_SCOPE = "stage_automation-message-tracking"


class MailMessage(models.Model):
    """Open and click tracking of the e-mails people send to customers from a lead's chatter, feeding the
    "viewed" and "clicked" triggers as the rules' own e-mails do (see stage.automation.run's tracking)."""

    _inherit = "mail.message"

    def _stage_automation_tracking_token(self):
        return tracking_token(self, TRACKING_SCOPE)

    @api.model
    def _stage_automation_from_tracking_token(self, message_id, token):
        return tracked_record(self, message_id, token, TRACKING_SCOPE).filtered(
            lambda message: message.model == "crm.lead")

    def _stage_automation_tracked(self, trigger_type, payload):
        self.ensure_one()
        lead = self.env["crm.lead"].browse(self.res_id).exists()
        if not lead:
            return None
        return self.env["stage.automation.trigger"].sudo()._fire_event_safely(
            trigger_type, lead, payload=payload, event=payload)
