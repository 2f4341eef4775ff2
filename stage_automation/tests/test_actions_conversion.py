from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_actions import ActionCase
from .series import in_pipelines


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestConversionActions(ActionCase):
    """Create from source: a lead converted into an opportunity, its customer, its activities."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = cls.env["crm.team"].create({"name": "Field sales", "use_opportunities": True})
        Stage = cls.env["crm.stage"]
        cls.sales_first = Stage.create({"name": "FS Discovery", "sequence": 0, **in_pipelines(cls.sales)})
        Stage.create({"name": "FS Offer", "sequence": 2, **in_pipelines(cls.sales)})

    def convert_rule(self, **values):
        return self.rule(action="convert", lead_type="lead", **values)

    def test_lead_becomes_an_opportunity_of_another_pipeline_with_a_new_customer(self):
        rule = self.convert_rule(convert_team_id=self.sales.id, convert_partner="create")
        lead = self.lead(type="lead", contact_name="Ann Smith")
        lead.activity_schedule("mail.mail_activity_data_call", summary="First call")
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done")
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual((lead.team_id, lead.stage_id), (self.sales, self.sales_first))
        self.assertEqual(lead.partner_id.name, "Ann Smith")
        self.assertEqual(lead.partner_id.parent_id.name, "Azure")
        self.assertTrue(lead.partner_id.parent_id.is_company)
        self.assertEqual(run.outputs, {"partner_id": lead.partner_id.id})
        self.assertFalse(lead.activity_ids, "the lead's activities are closed on conversion")
        self.assertTrue(lead.date_conversion)

    def test_conversion_can_keep_the_activities_open(self):
        rule = self.convert_rule(convert_keep_activities=True, convert_partner="nothing")
        lead = self.lead(type="lead")
        lead.activity_schedule("mail.mail_activity_data_call", summary="First call")
        lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).state, "done")
        self.assertEqual((lead.type, lead.team_id, lead.stage_id), ("opportunity", self.team, self.stage_new))
        self.assertEqual(lead.activity_ids.summary, "First call")
        self.assertFalse(lead.partner_id)

    def test_link_to_the_existing_customer_with_the_leads_email(self):
        customer = self.env["res.partner"].create({"name": "Azure Ltd", "email": "azure@example.com"})
        rule = self.convert_rule(convert_partner="exist")
        lead, run = self.enter(rule, type="lead")
        self.assertEqual(run.state, "done")
        self.assertEqual(lead.partner_id, customer)

    def test_no_existing_customer_fails_and_leaves_the_lead_a_lead(self):
        rule = self.convert_rule(convert_partner="exist")
        lead = self.lead(type="lead", email_from="nobody@example.com")
        lead.activity_schedule("mail.mail_activity_data_call", summary="First call")
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("No contact has the lead's e-mail address “nobody@example.com”", run.reason)
        self.assertEqual((lead.type, lead.partner_id.id), ("lead", False))
        self.assertEqual(lead.activity_ids.summary, "First call", "nothing half-done: the activity is still open")

    def test_an_opportunity_is_not_converted_again(self):
        rule = self.rule(action="convert")
        lead, run = self.enter(rule, type="opportunity")
        self.assertEqual(run.state, "failed")
        self.assertIn("already an opportunity", run.reason)
        with self.assertRaisesRegex(ValidationError, "only leads are converted"):
            self.rule(action="convert", lead_type="opportunity")

    def test_the_customer_as_a_contact_under_its_company(self):
        rule = self.convert_rule(convert_target="contact")
        lead = self.lead(type="lead", contact_name="Ann Smith", partner_name="Azure Interior", phone="+32 2 555 01 01")
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual((lead.partner_id.name, lead.partner_id.parent_id.name), ("Ann Smith", "Azure Interior"))
        self.assertEqual((lead.type, lead.partner_id.phone), ("lead", "+32 2 555 01 01"), "still a lead")
        self.assertEqual(run.outputs, {"partner_id": lead.partner_id.id})

    def test_the_company_the_lead_names_or_a_clear_failure(self):
        rule = self.convert_rule(convert_target="company")
        lead = self.lead(type="lead", partner_name="Azure Interior", street="Rue de la Loi 1")
        lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).state, "done")
        self.assertTrue(lead.partner_id.is_company)
        self.assertEqual((lead.partner_id.name, lead.partner_id.street), ("Azure Interior", "Rue de la Loi 1"))
        contacts = self.env["res.partner"].search_count([])
        nameless = self.lead(type="lead", name="No company", partner_name=False)
        nameless.stage_id = self.stage_new
        self.assertEqual(self.runs(nameless, rule).reason,
                         "Failed: The lead names no company (Company Name is empty): nothing was created.")
        self.assertEqual(self.env["res.partner"].search_count([]), contacts)
