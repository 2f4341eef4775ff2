from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        """An SMS a run sent was delivered, or could not be: the run says so (see stage.automation.run's
        ``message_id``). Other notifications (e-mails, inbox) cost nothing more."""
        result = super().write(vals)
        if vals.get("notification_status") in ("pending", "sent", "exception", "bounce"):
            sms = self.filtered(lambda notification: notification.notification_type == "sms")
            if sms:
                self.env["stage.automation.run"].sudo()._on_delivery(sms.mail_message_id)
        return result
