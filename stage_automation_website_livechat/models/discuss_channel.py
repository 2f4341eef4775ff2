from odoo import models


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    def _stage_automation_customer_leads(self, message):
        """Also the open leads of the website visitor who chats: anonymous visitors are known by them."""
        leads = super()._stage_automation_customer_leads(message)
        return leads | self.livechat_visitor_id.sudo().lead_ids._stage_automation_open()
