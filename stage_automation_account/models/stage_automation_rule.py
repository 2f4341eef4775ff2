from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount
from odoo.tools.translate import _lt


class StageAutomationRule(models.Model):
    _inherit = "stage.automation.rule"

    convert_target = fields.Selection(selection_add=[("invoice", "Invoice")], ondelete={"invoice": "cascade"})
    convert_invoice_product_id = fields.Many2one(
        "product.product", string="Invoiced product", ondelete="set null", domain="[('sale_ok', '=', True)]",
        help="The product of the invoice's line (its account and taxes); empty for a line without product. "
             "Either way the line is named after the opportunity and costs its expected revenue.")

    @api.constrains("action", "convert_target", "lead_type")
    def _check_convert_to_invoice(self):
        for rule in self.filtered(lambda r: r.action == "convert" and r.convert_target == "invoice"):
            if rule.lead_type == "lead":
                raise ValidationError(_(
                    "Rule “%(rule)s” applies to leads: invoices are made from opportunities.", rule=rule.name))

    def _prepare_action_convert(self, run, lead):
        """The invoice's line; the customer is found or created when the rule runs."""
        plan = super()._prepare_action_convert(run, lead)
        if self.convert_target == "invoice":
            line = plan["invoice_line"] = self._prepare_invoice_line_values(lead)
            plan["details"].append((_("Invoice line"), _(
                "%(name)s: %(amount)s", name=line["name"],
                amount=format_amount(self.env, line["price_unit"], lead.company_currency))))
        return plan

    def _prepare_invoice_line_values(self, lead):
        values = {"name": lead.name, "quantity": 1, "price_unit": lead.expected_revenue}
        if self.convert_invoice_product_id:
            values["product_id"] = self.convert_invoice_product_id.id
        return values

    def _convert_to_invoice(self, run, lead):
        """A draft customer invoice of the opportunity, for its expected revenue, made by the rule's author
        (who must be allowed to invoice) in the opportunity's company and linked to it; a customer is found
        or created first, as the rule's "Related customer" says."""
        if lead.type != "opportunity":
            raise UserError(_("“%(lead)s” is a lead: invoices are made from opportunities.", lead=lead.name))
        self.env["account.move"].check_access("create")
        plan = self._prepare_action(run, lead)
        if not self._convert_customer(lead):
            raise UserError(_("The opportunity has no customer to invoice."))
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": lead.partner_id.id,
            "company_id": (lead.company_id or self.env.company).id,
            "currency_id": lead.company_currency.id,
            "invoice_user_id": lead.user_id.id,
            "invoice_origin": lead.name,
            "stage_automation_lead_id": lead.id,
            "invoice_line_ids": [Command.create(plan["invoice_line"])],
        })
        invoice.message_post_with_source(
            "mail.message_origin_link", render_values={"self": invoice, "origin": lead},
            subtype_xmlid="mail.mt_note")
        run._set_outputs({"invoice_id": invoice.id, "partner_id": lead.partner_id.id})
        return _lt("Draft invoice of %(amount)s created for %(partner)s.",
                   amount=format_amount(self.env, invoice.amount_total, invoice.currency_id),
                   partner=lead.partner_id.name)
