import hmac

from odoo import api, models
from odoo.tools.misc import hmac as signed

TRACKING_SCOPE = "stage_automation-message-tracking"


class MailMessage(models.Model):
    """Open and click tracking of the e-mails people send to customers from a lead's chatter, feeding the
    "viewed" and "clicked" triggers as the rules' own e-mails do (see stage.automation.run's tracking)."""

    _inherit = "mail.message"

    def _stage_automation_tracking_token(self):
        self.ensure_one()
        return signed(self.env(su=True), TRACKING_SCOPE, self.id)

    @api.model
    def _stage_automation_from_tracking_token(self, message_id, token):
        message = self.browse(message_id).exists()
        if (message and message.model == "crm.lead"
                and hmac.compare_digest(message._stage_automation_tracking_token(), token or "")):
            return message
        return self.browse()

    def _stage_automation_tracked(self, trigger_type, payload):
        self.ensure_one()
        lead = self.env["crm.lead"].browse(self.res_id).exists()
        if not lead:
            return None
        return self.env["stage.automation.trigger"].sudo()._fire_event_safely(
            trigger_type, lead, payload=payload, event=payload)
