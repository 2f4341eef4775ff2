from odoo import models
from odoo.tools.mail import is_html_empty

from .stage_automation_run_tracking import TRACKING_PATH, tracked_html


class MailMail(models.Model):
    """The e-mails a lead's chatter sends to its customer carry tracking, as the rules' own e-mails do; the
    runs that queued e-mails of leads follow how their sending went."""

    _inherit = "mail.mail"

    def _postprocess_sent_message(self, *args, **kwargs):  # Odoo 19 added success_emails
        """Tell the runs that sent these e-mails how it went (see stage.automation.run's ``message_id``): for an
        e-mail of its own (to employees) now, before Odoo may delete it with its message; for a notification
        (to the customer) once Odoo has written the outcome on its notifications."""
        lead_mails = self.filtered(lambda mail: mail.model == "crm.lead")
        runs = self.env["stage.automation.run"].sudo()
        runs._on_delivery(lead_mails.filtered(lambda mail: not mail.is_notification).mail_message_id)
        notified = lead_mails.filtered("is_notification").mail_message_id
        result = super()._postprocess_sent_message(*args, **kwargs)
        runs._on_delivery(notified)
        return result

    def _prepare_outgoing_body(self):
        """Shorten the links through Odoo's link tracker, suffixed with the message they belong to, and add an
        open-tracking pixel; only for a comment on a lead e-mailed to customers (no employee among the
        recipients), when the lead's company tracks e-mails, and not twice for a rule's e-mail."""
        body = super()._prepare_outgoing_body()
        if is_html_empty(body) or TRACKING_PATH in body or not self._stage_automation_tracks():
            return body
        message = self.mail_message_id
        token = message._stage_automation_tracking_token()
        return tracked_html(
            self.env, body, f"/sam/{message.id}/{token}", f"{TRACKING_PATH}message/{message.id}/{token}/blank.gif")

    def _stage_automation_tracks(self):
        self.ensure_one()
        if self.model != "crm.lead" or not self.res_id or self.message_type != "comment":
            return False
        customers_only = all(partner.partner_share for partner in self.recipient_ids)
        if not (self.recipient_ids or self.email_to) or not customers_only:
            return False
        lead = self.env["crm.lead"].sudo().browse(self.res_id).exists()
        return bool(lead) and (lead.company_id or self.env.company).stage_automation_track_emails
