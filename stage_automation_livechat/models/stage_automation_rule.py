from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from odoo.addons.stage_automation import compat


class StageAutomationRule(models.Model):
    """"Message through an open channel" may also write to the customer in their live chat."""

    _inherit = "stage.automation.rule"

    channel_target = fields.Selection(
        selection_add=[("livechat", "The customer's live chat")], ondelete={"livechat": "set default"})

    def _message_channel(self, lead):
        if self.channel_target != "livechat":
            return super()._message_channel(lead)
        # The latest live chat the customer has not left.
        going_on = [("channel_type", "=", "livechat"), *compat.LIVECHAT_GOING_ON]
        channel = self.env["discuss.channel"].search(
            compat.domain_and([going_on, self._customer_livechat_domain(lead)]), order="id desc", limit=1)
        if not channel:
            raise UserError(_("The customer has no live chat going on: nothing was posted."))
        return channel

    def _customer_livechat_domain(self, lead):
        """Which live chats are the lead's customer's: those of its contact, or of a contact with its e-mail."""
        partners = lead.partner_id
        if lead.email_normalized:
            partners |= self.env["res.partner"].search([("email_normalized", "=", lead.email_normalized)])
        return [("channel_member_ids.partner_id", "in", partners.ids)]

    def _channel_message_values(self, channel, lead):
        if self.channel_target != "livechat":
            return super()._channel_message_values(channel, lead)
        # The customer reads it: written by the operator of the conversation, without the lead's internal link.
        return {"body": plaintext2html(self._render("body", lead)), "author_id": channel.livechat_operator_id.id}
