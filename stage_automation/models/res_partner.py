from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _stage_automation_is_employee(self):
        """Whether these partners belong to an employee: one of their users, archived ones included (OdooBot's
        is), is internal. What an employee writes is never the client's e-mail, answer or message."""
        return any(not user.share for user in self.with_context(active_test=False).user_ids)
