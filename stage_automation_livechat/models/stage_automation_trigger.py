from odoo import fields, models

LIVECHAT_EVENTS = ("livechat_first_message", "livechat_message")


class StageAutomationTrigger(models.Model):
    """The events of live chat: the messages a lead's customer writes there."""

    _inherit = "stage.automation.trigger"

    trigger_type = fields.Selection(
        selection_add=[
            ("livechat_first_message", "First live-chat message"), ("livechat_message", "Live-chat message"),
            ("user_changed",),
        ],
        ondelete={event: "cascade" for event in LIVECHAT_EVENTS})
    livechat_channel_id = fields.Many2one(
        "im_livechat.channel", string="Live chat channel", ondelete="restrict",
        help="Only for the conversations of this live-chat channel; empty for every channel.")

    def _matches_event(self, lead, event):
        if self.trigger_type in LIVECHAT_EVENTS and self.livechat_channel_id:
            return event.get("livechat_channel_id") == self.livechat_channel_id.id
        return super()._matches_event(lead, event)
