from odoo import models

from .stage_automation_trigger import LIVECHAT_EVENTS


class DiscussChannel(models.Model):
    """A message of the customer in a live chat fires the live-chat triggers of their open leads, and ends
    the waits of those leads for the client's answer."""

    _inherit = "discuss.channel"

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self.channel_type == "livechat" and self._stage_automation_from_customer(message):
            self.sudo()._stage_automation_customer_message(message)
        return result

    def _stage_automation_from_customer(self, message):
        """Whether ``message`` is written by the customer: a guest, or a portal user who is not the operator.

        Operators, employees and chatbots (partners without a user) never fire.
        """
        self.ensure_one()
        author = message.author_id
        return message.message_type == "comment" and (
            bool(message.author_guest_id)
            or (author != self.livechat_operator_id and bool(author.user_ids) and author.partner_share))

    def _stage_automation_customer_message(self, message):
        self.ensure_one()
        Trigger, Run = self.env["stage.automation.trigger"], self.env["stage.automation.run"]
        fire = set(LIVECHAT_EVENTS) & Trigger._active_types()
        waits = Run._has_client_waits()
        if not (fire or waits):
            return
        leads = self._stage_automation_customer_leads(message)
        if waits and leads:
            Run._on_client_message(leads, message)
        if not fire:
            return
        event = {"livechat_channel_id": self.livechat_channel_id.id}
        payload = {"channel_id": self.id, "message_id": message.id, **event}
        if self._stage_automation_is_first(message):
            Trigger._fire_event_safely("livechat_first_message", leads, payload=payload, event=event)
        Trigger._fire_event_safely("livechat_message", leads, payload=payload, event=event)

    def _stage_automation_is_first(self, message):
        """Whether ``message`` is the first its author wrote in this conversation."""
        author = [("author_guest_id", "=", message.author_guest_id.id)] if message.author_guest_id \
            else [("author_id", "=", message.author_id.id)]
        return not self.env["mail.message"].search_count([
            ("model", "=", self._name), ("res_id", "=", self.id), ("message_type", "=", "comment"),
            ("id", "<", message.id), *author,
        ], limit=1)

    def _stage_automation_customer_leads(self, message):
        """The open leads of the customer who wrote ``message``: their own, and those with their e-mail.

        A guest names nobody here; the website bridge adds the leads of the
        website visitor who chats.
        """
        self.ensure_one()
        partner = self.env["res.partner"] if message.author_guest_id else message.author_id
        Lead = self.env["crm.lead"].sudo()
        if not partner:
            return Lead
        leads = Lead.search([("partner_id", "=", partner.id)])
        if partner.email_normalized:
            leads |= Lead._stage_automation_match(email=partner.email_normalized)
        return leads._stage_automation_open()
