from odoo import api, fields, models

INVOICE_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    stage_automation_invoice_ids = fields.One2many(
        "account.move", "stage_automation_lead_id", string="Invoices", groups=INVOICE_GROUPS)
    stage_automation_invoice_count = fields.Integer(
        compute="_compute_stage_automation_invoice_count", string="Invoice Count", groups=INVOICE_GROUPS)

    @api.depends("stage_automation_invoice_ids")
    def _compute_stage_automation_invoice_count(self):
        for lead in self:
            lead.stage_automation_invoice_count = len(lead.stage_automation_invoice_ids)

    def action_view_stage_automation_invoices(self):
        """The invoices the automation rules made of this opportunity, as the Invoices menu lists them."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("stage_automation_lead_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        if len(self.stage_automation_invoice_ids) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["res_id"] = self.stage_automation_invoice_ids.id
        return action
