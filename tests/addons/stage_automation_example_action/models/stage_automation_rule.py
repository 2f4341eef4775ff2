from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html
from odoo.tools.translate import _lt


class StageAutomationRule(models.Model):
    """"Add a tag": a new action, with its key, its parameter, the shared parts of the form it uses,
    its method, and its form fragment (views/stage_automation_rule_views.xml)."""

    _inherit = "stage.automation.rule"

    action = fields.Selection(selection_add=[("add_tag", "Add a tag")], ondelete={"add_tag": "cascade"})
    tag_id = fields.Many2one("crm.tag")

    @api.model
    def _action_parts(self):
        # An optional note (Body) logged with the tag.
        return {**super()._action_parts(), "add_tag": {"body"}}

    def _run_action_add_tag(self, run, lead):
        if not self.tag_id:
            raise UserError(_("Choose the tag to add."))
        lead.tag_ids |= self.tag_id
        if self.body:
            lead.message_post(body=plaintext2html(self._render("body", lead)), subtype_xmlid="mail.mt_note")
        return _lt("Tagged “%(tag)s”.", tag=self.tag_id.name)
