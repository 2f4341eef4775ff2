from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        """A message a run sent was delivered, or could not be: the run says so (see stage.automation.run's
        ``message_id``)."""
        result = super().write(vals)
        if vals.get("notification_status") in ("pending", "sent", "exception", "bounce"):
            self.env["stage.automation.run"].sudo()._on_delivery(self.mail_message_id)
        return result
