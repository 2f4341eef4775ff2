from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_amount

from .common import StageAutomationCase


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestDetails(StageAutomationCase):
    """"Get details" / "Modify details" of the lead's contact or company, and "Get CRM data"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium = cls.env.ref("base.be")
        cls.company = cls.env["res.partner"].create({
            "name": "Azure Interior", "is_company": True, "vat": "BE0477472701", "city": "Brussels",
            "country_id": cls.belgium.id, "street": "Rue Royale 1"})
        cls.contact = cls.env["res.partner"].create({
            "name": "Brandon Freeman", "parent_id": cls.company.id, "email": "brandon@example.com",
            "function": "Buyer"})
        cls.delivery = cls.env["res.partner"].create({
            "name": "Warehouse", "parent_id": cls.company.id, "type": "delivery", "city": "Antwerp",
            "street": "Kaai 9"})

    def partner_fields(self, *names):
        return [self.env.ref(f"base.field_res_partner__{name}").id for name in names]

    def enter(self, *rules, **lead_values):
        lead = self.lead(partner_id=self.contact.id, **lead_values)
        lead.stage_id = self.stage_new
        return lead, [self.runs(lead, rule) for rule in rules]

    # Get details

    def test_get_the_company_delivery_address_and_tell_the_courier(self):
        read = self.rule(name="Read", sequence=1, action="partner_read", body=False, partner_target="company",
                         partner_address_type="delivery", partner_field_ids=self.partner_fields("street", "city"))
        tell = self.rule(name="Tell", sequence=2, after_previous=True,
                         body="Deliver to {{ vars.partner_street }}, {{ vars.partner_city }}")
        lead, (read_run, tell_run) = self.enter(read, tell)
        self.assertEqual(read_run.state, "done")
        self.assertEqual(read_run.outputs, {"partner_street": "Kaai 9", "partner_city": "Antwerp"})
        self.assertIn("Deliver to Kaai 9, Antwerp", self.notes(lead)[0].body)
        self.assertEqual(tell_run.state, "done")

    def test_get_contact_details_printable_or_raw(self):
        fields_ = self.partner_fields("country_id", "function", "is_company", "type")
        printable = self.rule(name="Printable", sequence=1, action="partner_read", body=False,
                              partner_field_ids=fields_, variable_name="who")
        raw = self.rule(name="Raw", sequence=2, action="partner_read", body=False, partner_field_ids=fields_,
                        partner_target="company", read_printable=False)
        _lead, (printable_run, raw_run) = self.enter(printable, raw)
        self.assertEqual(printable_run.outputs, {
            "who_country_id": "Belgium", "who_function": "Buyer", "who_is_company": "No", "who_type": "Contact"})
        self.assertEqual(raw_run.outputs, {
            "partner_country_id": self.belgium.id, "partner_function": False, "partner_is_company": True,
            "partner_type": "contact"})

    def test_get_details_of_a_lead_without_contact_fails_clearly(self):
        read = self.rule(action="partner_read", body=False, partner_field_ids=self.partner_fields("city"))
        lead = self.lead()
        lead.stage_id = self.stage_new
        run = self.runs(lead, read)
        self.assertEqual(run.state, "failed")
        self.assertIn("The lead has no contact", run.reason)
        self.assertFalse(run.outputs)

    def test_get_details_needs_fields_the_author_may_read(self):
        with self.assertRaisesRegex(ValidationError, "choose the fields to read"):
            self.rule(action="partner_read", body=False)
        with self.assertRaisesRegex(ValidationError, "cannot be read by a rule"):
            self.rule(action="partner_read", body=False,
                      partner_field_ids=[self.env.ref("crm.field_crm_lead__city").id])
        # The rule reads as OdooBot: a field its author may not read stays out of reach.
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.manager).create({
                "name": "Signup", "stage_id": self.stage_new.id, "action": "partner_read",
                "partner_field_ids": self.env["ir.model.fields"]._get("res.partner", "signup_type").ids})

    # Modify details

    def test_modify_the_company_details_with_templated_values(self):
        write = self.rule(action="partner_write", body=False, partner_target="company", value_ids=[
            (0, 0, {"field_id": self.partner_fields("street")[0],
                    "value": "{{ object.street }}"}),
            (0, 0, {"field_id": self.partner_fields("country_id")[0], "value": "France"}),
        ])
        self.assertEqual(write.value_ids.mapped("model"), ["res.partner", "res.partner"])
        _lead, (run,) = self.enter(write, street="Avenue Louise 54")
        self.assertEqual(run.state, "done")
        self.assertEqual((self.company.street, self.company.country_id), ("Avenue Louise 54", self.env.ref("base.fr")))
        self.assertIn("Azure Interior", run.reason)

    def test_modify_an_invoice_address_creates_it_when_missing(self):
        write = self.rule(action="partner_write", body=False, partner_target="company",
                          partner_address_type="invoice", value_ids=[
                              (0, 0, {"field_id": self.partner_fields("email")[0],
                                      "value": "invoices@azure.example.com"})])
        _lead, (run,) = self.enter(write)
        invoice = self.company.child_ids.filtered(lambda child: child.type == "invoice")
        self.assertEqual(run.state, "done")
        self.assertEqual(invoice.email, "invoices@azure.example.com")
        self.assertFalse(self.company.email)

    def test_modify_details_with_a_bad_value_changes_nothing(self):
        write = self.rule(action="partner_write", body=False, value_ids=[
            (0, 0, {"field_id": self.partner_fields("function")[0], "value": "Director"}),
            (0, 0, {"field_id": self.partner_fields("country_id")[0], "value": "Zzyzx"}),
        ])
        _lead, (run,) = self.enter(write)
        self.assertEqual(run.state, "failed")
        self.assertIn("“Zzyzx”", run.reason)
        self.assertEqual(self.contact.function, "Buyer")

    def test_modify_details_refuses_fields_of_leads_and_empty_lists(self):
        with self.assertRaisesRegex(ValidationError, "add at least one detail"):
            self.rule(action="partner_write", body=False)
        with self.assertRaisesRegex(ValidationError, "cannot be set by rule"):
            self.rule(action="partner_write", body=False, value_ids=[
                (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__city").id,
                        "value": "x"})])

    # Get CRM data

    def test_get_crm_data_of_the_lead_and_its_team(self):
        lead_fields = [self.env.ref(f"crm.field_crm_lead__{name}").id for name in ("expected_revenue", "stage_id")]
        read_lead = self.rule(name="Lead", sequence=1, action="crm_read", body=False, variable_name="deal",
                              crm_read_field_ids=lead_fields)
        read_team = self.rule(name="Team", sequence=2, action="crm_read", body=False, crm_read_source="team",
                              crm_read_field_ids=[self.env.ref("sales_team.field_crm_team__user_id").id])
        self.team.user_id = self.manager
        lead, (lead_run, team_run) = self.enter(read_lead, read_team, expected_revenue=5000)
        self.assertEqual(lead_run.outputs, {
            "deal_id": lead.id, "deal_expected_revenue": format_amount(self.env, 5000, lead.company_currency),
            "deal_stage_id": "SA New"})
        self.assertEqual(team_run.outputs, {"crm_id": self.team.id, "crm_user_id": "Sales Manager"})

    def test_get_crm_data_of_a_record_whose_id_an_earlier_rule_published(self):
        publish = self.rule(name="Publish", sequence=1, action="crm_read", body=False, crm_read_source="partner",
                            variable_name="contact", read_printable=False,
                            crm_read_field_ids=self.partner_fields("parent_id"))
        read = self.rule(name="Read", sequence=2, after_previous=True, action="crm_read", body=False,
                         crm_read_source="variable", crm_read_model="res.partner",
                         crm_read_variable="contact_parent_id", variable_name="company",
                         crm_read_field_ids=self.partner_fields("vat"))
        self.assertIn("{{ vars.contact_parent_id }}", read.available_variables)
        _lead, (publish_run, read_run) = self.enter(publish, read)
        self.assertEqual(publish_run.outputs, {"contact_id": self.contact.id, "contact_parent_id": self.company.id})
        self.assertEqual(read_run.outputs, {"company_id": self.company.id, "company_vat": "BE0477472701"})

    def test_get_crm_data_of_a_missing_or_foreign_record_fails_clearly(self):
        read = self.rule(action="crm_read", body=False, crm_read_source="variable", crm_read_model="crm.lead",
                         crm_read_variable="lead_id", timing="delay", delay=1, delay_unit="hours",
                         crm_read_field_ids=[self.env.ref("crm.field_crm_lead__name").id])
        other_company = self.env["res.company"].create({"name": "Other company"})
        foreign = self.env["crm.lead"].create({"name": "Foreign", "company_id": other_company.id})
        for published, message in (
            (None, "The variable “lead_id” is not set"),
            ({"lead_id": "Foreign"}, "No Lead / opportunity has the id “Foreign” (variable “lead_id”)"),
            ({"lead_id": 0}, "No Lead / opportunity has the id “0”"),
            ({"lead_id": foreign.id}, "Lead / opportunity “Foreign” belongs to another company than the lead"),
        ):
            with self.subTest(published=published):
                lead = self.lead(partner_id=self.contact.id)
                with self.at("2026-03-04 10:00:00"):
                    lead.stage_id = self.stage_new
                    run = self.runs(lead, read)
                    if published:  # what an earlier rule of the entry published
                        self.Run.create({"rule_id": read.id, "lead_id": lead.id, "stage_id": self.stage_new.id,
                                         "entered_at": run.entered_at, "state": "done", "outputs": published})
                with self.at("2026-03-04 11:00:00"):
                    self.dispatch()
                self.assertEqual(run.state, "failed")
                self.assertIn(message, run.reason)
                self.assertFalse(run.outputs)

    def test_get_crm_data_refuses_fields_of_another_model(self):
        with self.assertRaisesRegex(ValidationError, "cannot be read by a rule"):
            self.rule(action="crm_read", body=False, crm_read_source="team",
                      crm_read_field_ids=[self.env.ref("crm.field_crm_lead__name").id])
        read_team = self.rule(action="crm_read", body=False, crm_read_source="team",
                              crm_read_field_ids=[self.env.ref("sales_team.field_crm_team__name").id])
        with self.assertRaisesRegex(ValidationError, "is not a PDF report of Sales Team"):
            read_team.report_id = self.env.ref("stage_automation.action_report_crm_lead_summary")
        with self.assertRaisesRegex(ValidationError, "name the variable"):
            self.rule(action="crm_read", body=False, crm_read_source="variable",
                      crm_read_field_ids=[self.env.ref("crm.field_crm_lead__name").id])
