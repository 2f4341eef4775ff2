from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WebsiteCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_triggers")
class TestWebsiteForm(WebsiteCase):

    def test_contact_form_moves_the_customers_open_lead(self):
        self.trigger(name="Contact form", code="contact", trigger_type="form_submitted", form_name="/contactus")
        rule = self.rule(stage_id=self.stage_proposal.id)
        lead = self.lead()
        new_lead = self.submit()
        self.assertNotEqual(new_lead, lead)
        self.assertEqual(new_lead.visitor_ids.lead_ids, new_lead, "website_crm still links the lead to the visitor")
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.runs(lead, rule).state, "done")
        log = self.logs(lead)
        self.assertTrue(log.moved)
        self.assertEqual(log.payload, {"form": "", "page": "/contactus", "lead_id": new_lead.id})
        self.assertFalse(self.logs(new_lead), "the customer's existing lead is the one fired, not the new one")

    def test_a_new_customer_moves_the_lead_the_form_created(self):
        self.trigger(name="Contact form", code="contact", trigger_type="form_submitted")
        new_lead = self.submit(email_from="newcomer@example.com")
        self.assertEqual(new_lead.stage_id, self.stage_proposal)
        self.assertTrue(self.logs(new_lead).moved)

    def test_customer_found_by_phone_in_another_spelling(self):
        self.trigger(name="Contact form", code="contact", trigger_type="form_submitted")
        lead = self.lead(email_from=False, phone="0470 12 34 56", country_id=self.env.ref("base.be").id)
        self.submit(email_from="other@example.com", phone="+32470123456")
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_form_filter_matches_the_page_or_the_hidden_form_name(self):
        self.trigger(name="Pricing form", code="pricing", trigger_type="form_submitted", form_name="pricing")
        lead = self.lead()
        self.submit(page="/contactus")
        self.assertEqual(lead.stage_id, self.stage_qualified, "a form of another page is not the pricing form")
        self.assertFalse(self.logs(lead))
        self.submit(page="/contactus", stage_automation_form="Pricing request")
        self.assertEqual(lead.stage_id, self.stage_proposal, "the hidden field names the form")
        self.assertEqual(self.logs(lead).payload["form"], "Pricing request")
        lead.stage_id = self.stage_qualified
        new_lead = self.submit(page="/en/pricing")
        self.assertEqual(lead.stage_id, self.stage_proposal, "the page the form was sent from names it too")
        self.assertNotIn("stage_automation", new_lead.description or "",
                         "the hidden fields are for the triggers, not for the lead's description")

    def test_callback_request_is_a_form_with_the_hidden_callback_field(self):
        callback = self.trigger(name="Callback", code="callback", trigger_type="callback_request")
        form = self.trigger(name="Form", code="form", trigger_type="form_submitted", stage_id=self.stage_new.id,
                            allow_backward=True)
        lead = self.lead()
        self.submit(stage_automation_callback="1")
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.logs(lead).trigger_id, callback, "a callback request is not a plain form")
        self.submit()
        self.assertEqual(self.logs(lead)[0].trigger_id, form)

    def test_unusable_phone_still_creates_the_lead_and_matches_by_email(self):
        self.trigger(name="Contact form", code="contact", trigger_type="form_submitted")
        lead = self.lead()
        new_lead = self.submit(phone="call me at noon")
        self.assertTrue(new_lead.exists())
        self.assertEqual(lead.stage_id, self.stage_proposal)

    @mute_logger("odoo.addons.stage_automation.models.stage_automation_trigger")
    def test_a_failing_trigger_never_loses_the_customers_form(self):
        self.trigger(name="Contact form", code="contact", trigger_type="form_submitted")
        lead = self.lead()
        with patch.object(type(self.Trigger), "_fire", side_effect=RuntimeError("automation is broken")):
            new_lead = self.submit()
        self.assertTrue(new_lead.exists(), "the customer's lead is kept")
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertFalse(self.logs(lead), "nothing half-done is left")

    def test_the_bridge_brings_the_visit_events_and_their_filter(self):
        for event in ("visit", "returning_visitor"):
            value = self.env.ref(
                f"stage_automation_website_crm.selection__stage_automation_trigger__trigger_type__{event}")
            self.assertEqual(value.value, event, "the event is the bridge's: it goes with the bridge")
        arch = self.Trigger.get_view(self.env.ref("stage_automation.stage_automation_trigger_view_form").id)["arch"]
        self.assertIn('name="page_url"', arch)
