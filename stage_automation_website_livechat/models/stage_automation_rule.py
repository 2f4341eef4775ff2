from odoo import models

from odoo.addons.stage_automation import compat


class StageAutomationRule(models.Model):
    _inherit = "stage.automation.rule"

    def _customer_livechat_domain(self, lead):
        """Also the live chats of the lead's website visitors: anonymous visitors are known by them."""
        domain = super()._customer_livechat_domain(lead)
        visitors = lead.sudo().visitor_ids
        return compat.domain_or([domain, [("livechat_visitor_id", "in", visitors.ids)]]) if visitors else domain
