from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.stage_automation.tests.common_actions import ActionCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_actions")
class TestQuotationAction(ActionCase):
    """"Create from source" makes a draft quotation of the opportunity."""

    def quotations(self, lead):
        return self.env["sale.order"].search([("opportunity_id", "=", lead.id)])

    def test_quotation_of_the_opportunity_with_a_new_customer(self):
        tag = self.env["crm.tag"].create({"name": "Hot"})
        rule = self.rule(action="convert", convert_target="quotation", convert_partner="create",
                         lead_type="opportunity")
        lead, run = self.enter(rule, contact_name="Ann Smith", tag_ids=[tag.id])
        order = self.env["sale.order"].browse(run.outputs["sale_order_id"])
        self.assertEqual(run.state, "done")
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.opportunity_id, lead)
        self.assertEqual(order.partner_id, lead.partner_id)
        self.assertEqual(lead.partner_id.name, "Ann Smith")
        self.assertEqual((order.user_id, order.team_id, order.origin), (self.salesman, self.team, "Lead"))
        self.assertEqual(order.tag_ids.mapped("name"), ["Hot"])
        self.assertEqual(lead.quotation_count, 1)

    def test_no_customer_fails_and_makes_no_quotation(self):
        rule = self.rule(action="convert", convert_target="quotation", convert_partner="nothing")
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("no customer to address the quotation to", run.reason)
        self.assertFalse(self.quotations(lead))

    def test_a_lead_gets_no_quotation(self):
        customer = self.env["res.partner"].create({"name": "Ann Azure"})
        rule = self.rule(action="convert", convert_target="quotation")
        lead, run = self.enter(rule, type="lead", partner_id=customer.id)
        self.assertEqual(run.state, "failed")
        self.assertIn("is a lead", run.reason)
        self.assertFalse(self.quotations(lead))
        with self.assertRaisesRegex(ValidationError, "quotations are made from opportunities"):
            self.rule(action="convert", convert_target="quotation", lead_type="lead")

    def test_the_commercial_proposal_lists_the_quotation(self):
        customer = self.env["res.partner"].create({"name": "Ann Azure"})
        product = self.env["product.product"].create({"name": "Solar panel", "list_price": 420})
        lead = self.lead(partner_id=customer.id, expected_revenue=999)
        proposal = self.env.ref("stage_automation.action_report_crm_lead_proposal")
        self.assertIn("999.00", str(self.env["ir.actions.report"]._render_qweb_html(proposal, lead.ids)[0]))
        self.env["sale.order"].create({
            "partner_id": customer.id, "opportunity_id": lead.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})]})
        html = str(self.env["ir.actions.report"]._render_qweb_html(proposal, lead.ids)[0])
        self.assertIn("Solar panel", html)
        self.assertIn("840.00", html)
        self.assertNotIn("999.00", html, "the quotation's totals, not the expected revenue")
