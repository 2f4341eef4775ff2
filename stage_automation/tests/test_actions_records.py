from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_actions import ENTRY, ActionCase
from .series import by_series


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestRecordActions(ActionCase):
    """Deleting the lead, and adding its contact details to the exception lists."""

    def test_delete_after_the_change_is_saved_keeping_its_own_run_as_the_trace(self):
        before = self.rule(name="Before", sequence=1)
        delete = self.rule(name="Delete junk", sequence=2, action="unlink")
        chained = self.rule(name="Chained", sequence=3, after_previous=True)
        later = self.rule(name="Later", sequence=4, timing="delay", delay=1)
        lead = self.lead(name="Junk")
        lead_id, company = lead.id, lead.company_id
        with self.at(ENTRY):
            lead.stage_id = self.stage_new
            self.assertTrue(lead.web_read({"name": {}}), "the person's change is saved and read back")
            self.assertEqual(self.runs(lead, delete).state, "pending")
            self.dispatch()
        self.assertFalse(lead.exists())
        trace = self.Run.search([("rule_id", "=", delete.id)])
        self.assertEqual(trace.state, "done")
        self.assertFalse(trace.lead_id)
        self.assertEqual(trace.reason, f"Deleted the lead “Junk” (id {lead_id}).")
        self.assertEqual((trace.company_id, trace.lead_type, trace.stage_id), (company, "opportunity", self.stage_new))
        self.assertEqual(trace.display_name, "Delete junk — deleted lead")
        self.assertFalse(self.Run.search([("rule_id", "in", (before | chained | later).ids)]),
                         "the lead's other runs go with it")
        self.assertFalse(self.queued_jobs())

    def test_delete_that_fails_leaves_the_lead_and_its_run_as_they_were(self):
        rule = self.rule(action="unlink")
        lead, run = self.enter(rule)
        with self.at(ENTRY), patch.object(type(self.env["crm.lead"]), "unlink",
                                          side_effect=UserError("Locked by the accountant.")):
            self.dispatch()
        self.assertTrue(lead.exists())
        self.assertEqual(run.lead_id, lead)
        self.assertEqual(run.state, "failed")
        self.assertIn("Locked by the accountant.", run.reason)

    def test_blacklist_email_phone_and_mobile_in_e164(self):
        belgium = self.env.ref("base.be")
        rule = self.rule(action="blacklist", blacklist_reason="Asked by {{ object.partner_name }}")
        mobile = by_series({"mobile": "+32 2 555 12 12"}, {})  # Odoo 19 has no mobile
        lead, run = self.enter(rule, email_from="Ann <Ann@Azure.example.com>", phone="0470 12 34 56",
                               country_id=belgium.id, **mobile)
        self.assertEqual(run.state, "done")
        email = self.env["mail.blacklist"].search([("email", "=", "ann@azure.example.com")])
        self.assertTrue(email.active)
        numbers = self.env["phone.blacklist"].search([("number", "in", ["+32470123456", "+3225551212"])])
        self.assertEqual(len(numbers), 1 + len(mobile))
        for entry in [email, *numbers]:
            self.assertIn("Asked by Azure", entry.message_ids[:1].body)
        self.assertTrue(lead.is_blacklisted)
        self.assertTrue(lead.phone_sanitized_blacklisted)

    def test_blacklist_with_an_unusable_phone_fails_and_lists_nothing(self):
        rule = self.rule(action="blacklist")
        lead, run = self.enter(rule, email_from="ann@azure.example.com", phone="12")
        self.assertEqual(run.state, "failed")
        self.assertIn("“12” cannot be put in E.164 form", run.reason)
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", "ann@azure.example.com")]))

    def test_blacklist_without_contact_details_fails(self):
        rule = self.rule(action="blacklist")
        lead, run = self.enter(rule, email_from=False, phone=False)
        self.assertEqual(run.state, "failed")
        self.assertIn("no e-mail address and no phone number", run.reason)
