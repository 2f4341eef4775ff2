from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        """An SMS a run sent was delivered, or could not be, or an e-mail bounced: the run says so (see
        stage.automation.run's ``message_id``). How an e-mail's sending went is told by mail.mail (its
        notifications pass through a passing failure while it is sent); other e-mail and inbox notifications
        cost nothing more."""
        result = super().write(vals)
        status = vals.get("notification_status")
        if status in ("pending", "sent", "exception", "bounce"):
            followed = self.filtered(lambda notification: notification.notification_type == "sms" or (
                status == "bounce" and notification.notification_type == "email"))
            if followed:
                self.env["stage.automation.run"].sudo()._on_delivery(followed.mail_message_id)
        return result
