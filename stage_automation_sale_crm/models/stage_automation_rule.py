from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import _lt


class StageAutomationRule(models.Model):
    _inherit = "stage.automation.rule"

    convert_target = fields.Selection(selection_add=[("quotation", "Quotation")], ondelete={"quotation": "cascade"})

    @api.constrains("action", "convert_target", "lead_type")
    def _check_convert_to_quotation(self):
        for rule in self.filtered(lambda r: r.action == "convert" and r.convert_target == "quotation"):
            if rule.lead_type == "lead":
                raise ValidationError(_(
                    "Rule “%(rule)s” applies to leads: quotations are made from opportunities.", rule=rule.name))

    def _convert_to_quotation(self, run, lead):
        """A draft quotation of the opportunity, filled as sale_crm's "New Quotation" button
        fills it; a customer is found or created first, as the rule's "Related customer" says."""
        if lead.type != "opportunity":
            raise UserError(_("“%(lead)s” is a lead: quotations are made from opportunities.", lead=lead.name))
        if not self._convert_customer(lead):
            raise UserError(_("The opportunity has no customer to address the quotation to."))
        defaults = lead._prepare_opportunity_quotation_context()
        order = self.env["sale.order"].create({
            name.removeprefix("default_"): value for name, value in defaults.items() if name.startswith("default_")})
        run._set_outputs({"sale_order_id": order.id, "partner_id": lead.partner_id.id})
        return _lt("Quotation %(order)s created for %(partner)s.", order=order.name, partner=lead.partner_id.name)
