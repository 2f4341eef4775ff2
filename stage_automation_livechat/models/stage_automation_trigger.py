from odoo import fields, models

LIVECHAT_EVENTS = ("livechat_first_message", "livechat_message")


class StageAutomationTrigger(models.Model):
    _inherit = "stage.automation.trigger"

    livechat_channel_id = fields.Many2one(
        "im_livechat.channel", string="Live chat channel", ondelete="restrict",
        help="Only for the conversations of this live-chat channel; empty for every channel.")

    def _matches_event(self, lead, event):
        if self.trigger_type in LIVECHAT_EVENTS and self.livechat_channel_id:
            return event.get("livechat_channel_id") == self.livechat_channel_id.id
        return super()._matches_event(lead, event)
