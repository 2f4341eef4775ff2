from odoo import _, fields, models
from odoo.exceptions import UserError


class StageAutomationRule(models.Model):
    _inherit = "stage.automation.rule"

    action = fields.Selection(selection_add=[("add_tag", "Add a tag")], ondelete={"add_tag": "cascade"})
    tag_id = fields.Many2one("crm.tag", string="Tag")

    def _run_action_add_tag(self, run, lead):
        if not self.tag_id:
            raise UserError(_("Choose the tag to add."))
        lead.tag_ids |= self.tag_id
        return _("Tagged “%(tag)s”.", tag=self.tag_id.name)
