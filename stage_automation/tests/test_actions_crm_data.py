from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

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
        self.assertFalse(lead.tag_ids, "a new customer: not a repeat lead")

    def returning_customer(self):
        """A customer with a lost opportunity of last year, handled by the manager."""
        customer = self.env["res.partner"].create({"name": "Ann Azure", "email": "ann@azure.example.com"})
        earlier = self.lead(name="Last year", partner_id=customer.id, email_from=customer.email,
                            user_id=self.manager.id)
        earlier.action_set_lost()
        return customer, earlier

    def test_create_the_contact_of_the_lead_marks_a_returning_customers_lead_as_a_repeat_lead(self):
        customer, earlier = self.returning_customer()
        rule = self.rule(action="create_lead_contact", repeat_user_id=self.manager.id,
                         value_ids=[self.partner_line("function", "Buyer")])
        lead, run = self.enter(rule, email_from="ann@azure.example.com")
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual(lead.partner_id, customer, "the contact with the lead's e-mail, not a new one")
        self.assertFalse(customer.function, "value lines only fill a contact the rule creates")
        self.assertEqual(run.outputs, {"contact_id": customer.id})
        self.assertEqual(lead.tag_ids, self.env.ref("stage_automation.crm_tag_repeat"))
        self.assertEqual(lead.user_id, self.manager)
        self.assertIn(f'data-oe-id="{earlier.id}"', self.notes(lead).filtered(
            lambda m: "Repeat lead of" in m.body).body)
        self.assertEqual(run.reason, "Contact “Ann Azure”, who has the lead's e-mail, linked to the lead. "
                                     "A repeat lead of “Last year”.")

    def test_a_lead_with_a_customer_is_marked_without_changing_it(self):
        customer, _earlier = self.returning_customer()
        self.env.ref("stage_automation.crm_tag_repeat").unlink()
        rule = self.rule(action="create_lead_contact")
        lead, run = self.enter(rule, partner_id=customer.id)
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual((lead.partner_id, lead.user_id), (customer, self.salesman))
        self.assertFalse(lead.tag_ids, "the tag was deleted: no tag")
        self.assertIn("A repeat lead of “Last year”", run.reason)

    def test_repeat_leads_are_found_among_the_leads_the_author_sees(self):
        """A salesperson's rule does not reveal (nor link) a lead of the customer that is not theirs."""
        _customer, earlier = self.returning_customer()
        author = new_test_user(
            self.env, login="sa_own_leads", name="Own Leads", tz="UTC",
            groups="sales_team.group_sale_salesman,stage_automation.group_stage_automation_lead_update,"
                   "stage_automation.group_stage_automation_opportunity_update")
        self.assertFalse(earlier.with_user(author).with_context(active_test=False).search_count(
            [("id", "=", earlier.id)]))
        rule = self.Rule.with_user(author).create({
            "name": "Contact", "stage_id": self.stage_new.id, "action": "create_lead_contact",
            "repeat_user_id": author.id})
        lead, run = self.enter(rule, email_from="ann@azure.example.com", user_id=author.id)
        self.assertEqual(run.state, "done", run.reason)
        self.assertFalse(lead.tag_ids)
        self.assertNotIn("Last year", " ".join(lead.message_ids.mapped("body")) + run.reason)

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
