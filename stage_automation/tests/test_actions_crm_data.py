from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_actions import ActionCase


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestCrmDataActions(ActionCase):
    """Companies, contacts, leads and repeat leads created by rules, with templated values."""

    def line(self, model, fname, value):
        return (0, 0, {"field_id": self.env["ir.model.fields"]._get(model, fname).id, "value": value})

    def partner_line(self, fname, value):
        return self.line("res.partner", fname, value)

    def lead_line(self, fname, value):
        return self.line("crm.lead", fname, value)

    def test_create_company_from_the_lead_then_link_it_through_the_variable(self):
        self.rule(name="Company", action="create_company", value_ids=[
            self.partner_line("website", "https://{{ object.partner_name.lower() }}.example.com"),
            self.partner_line("country_id", "Belgium"),
        ])
        link = self.rule(name="Link", sequence=20, action="write", value_ids=[
            self.lead_line("partner_id", "{{ vars['company_id'] }}")])
        lead, run = self.enter(link, phone="+32 470 12 34 56")
        company = lead.partner_id
        self.assertEqual(run.state, "done")
        self.assertTrue(company.is_company)
        self.assertEqual((company.name, company.email), ("Azure", "azure@example.com"))
        self.assertEqual(company.website, "https://azure.example.com")
        self.assertEqual(company.country_id, self.env.ref("base.be"))

    def test_create_contact_with_values(self):
        rule = self.rule(action="create_contact", value_ids=[
            self.partner_line("function", "Buyer"),
            self.partner_line("country_id", "Austria"),  # not Australia, whose code "AU" starts the name
        ])
        lead, run = self.enter(rule, contact_name="Ann Smith")
        self.assertEqual(run.state, "done", run.reason)
        contact = self.env["res.partner"].browse(run.outputs["contact_id"])
        self.assertEqual((contact.name, contact.function, contact.is_company), ("Ann Smith", "Buyer", False))
        self.assertEqual(contact.country_id.code, "AT")
        self.assertFalse(lead.partner_id, "a created contact is not the lead's customer")

    def test_create_company_without_a_name_fails(self):
        rule = self.rule(action="create_company")
        lead, run = self.enter(rule, partner_name=False)
        self.assertEqual(run.state, "failed")
        self.assertIn("The new company has no name", run.reason)

    def test_create_a_lead_and_an_opportunity(self):
        create_lead = self.rule(name="Lead", action="create_lead", value_ids=[
            self.lead_line("name", "Upsell {{ object.partner_name }}"),
            self.lead_line("expected_revenue", "900")])
        create_opportunity = self.rule(name="Opportunity", action="create_opportunity", value_ids=[
            self.lead_line("name", "Renewal {{ object.partner_name }}"),
            self.lead_line("stage_id", "SA Proposal")])
        lead = self.lead()
        lead.stage_id = self.stage_new
        new_lead = self.env["crm.lead"].browse(self.runs(lead, create_lead).outputs["new_lead_id"])
        opportunity = self.env["crm.lead"].browse(self.runs(lead, create_opportunity).outputs["new_opportunity_id"])
        self.assertEqual((new_lead.name, new_lead.type, new_lead.expected_revenue), ("Upsell Azure", "lead", 900))
        self.assertEqual((new_lead.team_id, new_lead.user_id), (self.team, self.salesman))
        self.assertEqual((opportunity.name, opportunity.type), ("Renewal Azure", "opportunity"))
        self.assertEqual(opportunity.stage_id, self.stage_proposal)

    def test_a_new_lead_that_would_run_the_same_rule_again_is_refused(self):
        rule = self.rule(action="create_opportunity", value_ids=[
            self.lead_line("name", "Again"), self.lead_line("stage_id", "SA New")])
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("run this rule again", run.reason)
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Again")]))

    def test_repeat_lead_for_the_same_customer_linked_both_ways(self):
        customer = self.env["res.partner"].create({"name": "Ann Azure", "email": "ann@azure.example.com"})
        rule = self.rule(action="repeat_lead", stage_id=self.stage_won.id, value_ids=[
            self.lead_line("user_id", "Sales Manager")])
        lead = self.lead(partner_id=customer.id)
        lead.stage_id = self.stage_won
        run = self.runs(lead, rule)
        repeat = self.env["crm.lead"].browse(run.outputs["repeat_lead_id"])
        self.assertEqual(run.state, "done")
        self.assertEqual((repeat.name, repeat.type), ("Repeat lead: Lead", "lead"))
        self.assertEqual((repeat.partner_id, repeat.email_from), (customer, lead.email_from))
        self.assertEqual(repeat.user_id, self.manager)
        self.assertFalse(repeat.expected_revenue)
        self.assertIn(lead, repeat.duplicate_lead_ids)
        self.assertIn(f"data-oe-id=\"{lead.id}\"", repeat.message_ids[0].body)
        self.assertIn(f"data-oe-id=\"{repeat.id}\"", lead.message_ids.filtered(
            lambda m: "Repeat lead" in m.body)[0].body)

    def test_repeat_lead_needs_a_customer(self):
        rule = self.rule(action="repeat_lead")
        lead, run = self.enter(rule, email_from=False, phone=False)
        self.assertEqual(run.state, "failed")
        self.assertIn("no customer", run.reason)

    def test_create_the_contact_of_the_lead_under_its_company(self):
        rule = self.rule(action="create_lead_contact", value_ids=[self.partner_line("function", "Buyer")])
        lead, run = self.enter(rule, contact_name="Ann Smith")
        contact = lead.partner_id
        self.assertEqual(run.state, "done")
        self.assertEqual((contact.name, contact.function, contact.parent_id.name), ("Ann Smith", "Buyer", "Azure"))
        self.assertEqual(run.outputs, {"contact_id": contact.id, "company_id": contact.parent_id.id})

    def test_create_the_contact_of_the_lead_with_a_bad_value_creates_nothing(self):
        rule = self.rule(action="create_lead_contact", value_ids=[self.partner_line("country_id", "Atlantis")])
        lead, run = self.enter(rule, contact_name="Ann Smith")
        self.assertEqual(run.state, "failed", run.reason)
        self.assertIn("Atlantis", run.reason)
        self.assertFalse(lead.partner_id)
        self.assertFalse(self.env["res.partner"].search([("name", "in", ("Ann Smith", "Azure"))]))

    def test_lines_must_fit_the_record_created(self):
        with self.assertRaisesRegex(ValidationError, "cannot be set by rule"):
            self.rule(action="create_contact", value_ids=[self.lead_line("expected_revenue", "1")])
        with self.assertRaisesRegex(ValidationError, "sets the name of the new lead"):
            self.rule(action="create_lead", value_ids=[self.lead_line("expected_revenue", "1")])
