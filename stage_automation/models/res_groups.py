from odoo import api, models

from .. import compat


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _stage_automation_classify_groups(self, groups_by_category):
        """Called by the security data: see :func:`compat.classify_groups`."""
        compat.classify_groups(self.sudo().env, groups_by_category)
