from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.stage_automation.tests.common_actions import ActionCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_actions")
class TestInvoiceAction(ActionCase):
    """"Create from source" makes a draft customer invoice of the opportunity, with its author's rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.biller = new_test_user(
            cls.env, login="sa_biller", name="Billing Manager", email="biller@example.com", tz="UTC",
            groups="sales_team.group_sale_manager,account.group_account_invoice")

    def invoice_rule(self, author=None, **values):
        values = {"name": "Invoice", "stage_id": self.stage_new.id, "action": "convert", "convert_target": "invoice",
                  "lead_type": "opportunity", **values}
        return self.Rule.with_user(author or self.biller).create(values)

    def invoices(self, lead):
        return self.env["account.move"].search([("stage_automation_lead_id", "=", lead.id)])

    def test_draft_invoice_of_the_expected_revenue_for_a_new_customer(self):
        rule = self.invoice_rule(convert_partner="create")
        lead, run = self.enter(rule, name="Big deal", contact_name="Ann Smith", expected_revenue=1200)
        invoice = self.invoices(lead)
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual(run.outputs, {"invoice_id": invoice.id, "partner_id": lead.partner_id.id})
        self.assertEqual((invoice.move_type, invoice.state), ("out_invoice", "draft"))
        self.assertEqual(lead.partner_id.name, "Ann Smith")
        self.assertEqual(invoice.partner_id, lead.partner_id)
        self.assertEqual((invoice.invoice_user_id, invoice.invoice_origin), (self.salesman, "Big deal"))
        self.assertEqual((invoice.company_id, invoice.currency_id), (lead.company_id, lead.company_currency))
        line = invoice.invoice_line_ids
        self.assertEqual((line.name, line.quantity, line.price_unit), ("Big deal", 1, 1200))
        self.assertFalse(line.product_id)
        self.assertEqual(invoice.amount_untaxed, 1200)
        self.assertIn("Draft invoice of", run.reason)
        self.assertIn(f'data-oe-model="crm.lead" data-oe-id="{lead.id}"', invoice.message_ids[0].body)
        self.assertEqual(lead.with_user(self.biller).stage_automation_invoice_count, 1)
        self.assertEqual(lead.action_view_stage_automation_invoices()["res_id"], invoice.id)

    def test_invoiced_product(self):
        product = self.env["product.product"].create({"name": "Consulting", "list_price": 80})
        rule = self.invoice_rule(convert_invoice_product_id=product.id)
        lead, run = self.enter(rule, name="Audit", expected_revenue=500)
        line = self.invoices(lead).invoice_line_ids
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual((line.product_id, line.name, line.price_unit), (product, "Audit", 500))

    def test_no_customer_fails_and_makes_no_invoice(self):
        rule = self.invoice_rule(convert_partner="nothing")
        lead, run = self.enter(rule, expected_revenue=100)
        self.assertEqual(run.state, "failed")
        self.assertIn("The opportunity has no customer to invoice.", run.reason)
        self.assertFalse(self.invoices(lead))

    def test_an_author_not_allowed_to_invoice_makes_no_invoice(self):
        """A sales manager may save the rule, but the rule does not invoice for them."""
        rule = self.invoice_rule(author=self.manager, convert_partner="create")
        self.assertEqual(rule.author_id, self.manager)
        lead, run = self.enter(rule, contact_name="Ann Smith", expected_revenue=100)
        self.assertEqual(run.state, "failed")
        self.assertIn("Sales Manager, whose rights the rule uses, is not allowed to do this.", run.reason)
        self.assertFalse(self.env["account.move"].sudo().search([("stage_automation_lead_id", "=", lead.id)]))
        self.assertFalse(lead.partner_id, "nothing is done before the rights are checked")

    def test_a_lead_gets_no_invoice(self):
        customer = self.env["res.partner"].create({"name": "Ann Azure"})
        rule = self.invoice_rule(lead_type="both")
        lead, run = self.enter(rule, type="lead", partner_id=customer.id)
        self.assertEqual(run.state, "failed")
        self.assertIn("is a lead", run.reason)
        self.assertFalse(self.invoices(lead))
        with self.assertRaisesRegex(ValidationError, "invoices are made from opportunities"):
            self.invoice_rule(lead_type="lead")
