import re

from werkzeug import urls

from odoo import models
from odoo.tools.mail import URL_REGEX, append_content_to_html, is_html_empty

RULE_TRACKING = "/stage_automation/track/"


class MailMail(models.Model):
    """The e-mails a lead's chatter sends to its customer carry tracking, as the rules' own e-mails do."""

    _inherit = "mail.mail"

    def _prepare_outgoing_body(self):
        """Shorten the links through Odoo's link tracker, suffixed with the message they belong to, and add an
        open-tracking pixel; only for a comment on a lead e-mailed to customers (no employee among the
        recipients), when the lead's company tracks e-mails, and not twice for a rule's e-mail."""
        body = super()._prepare_outgoing_body()
        if is_html_empty(body) or RULE_TRACKING in body or not self._stage_automation_tracks():
            return body
        message = self.mail_message_id
        token = message._stage_automation_tracking_token()
        Wrapper = body.__class__
        body = self.env["mail.render.mixin"].sudo()._shorten_links(body, {})
        for href, url in set(re.findall(URL_REGEX, body)):
            parsed = urls.url_parse(url, scheme="http")
            if parsed.scheme.startswith("http") and parsed.path.startswith("/r/"):
                body = body.replace(Wrapper(href), Wrapper(href.replace(url, f"{url}/sam/{message.id}/{token}")))
        pixel = urls.url_join(self.get_base_url(), f"{RULE_TRACKING}message/{message.id}/{token}/blank.gif")
        return append_content_to_html(
            body, f'<img src="{pixel}" alt="" width="1" height="1" style="display:none"/>', plaintext=False)

    def _stage_automation_tracks(self):
        self.ensure_one()
        if self.model != "crm.lead" or not self.res_id or self.message_type != "comment":
            return False
        customers_only = all(partner.partner_share for partner in self.recipient_ids)
        if not (self.recipient_ids or self.email_to) or not customers_only:
            return False
        lead = self.env["crm.lead"].sudo().browse(self.res_id).exists()
        return bool(lead) and (lead.company_id or self.env.company).stage_automation_track_emails
