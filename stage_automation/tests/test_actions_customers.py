import base64

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_actions import ActionCase


@tagged("post_install", "-at_install")
class TestCustomerMessages(ActionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium, cls.france = cls.env.ref("base.be"), cls.env.ref("base.fr")

    def test_email_to_the_customer_is_posted_on_the_lead_tracked_and_attaches_earlier_documents(self):
        document = self.env["ir.attachment"].create({
            "name": "Offer.pdf", "datas": base64.b64encode(b"%PDF-1.4 offer"), "res_model": "crm.lead"})
        first = self.rule(name="Document", action="note", body="Offer attached")
        rule = self.rule(name="Mail", sequence=20, action="email_customer", summary="Your offer, {{ object.partner_name }}",
                         body="See https://example.com/offer", email_attach_documents=True,
                         timing="delay", delay=1, delay_unit="hours")
        lead = self.lead()
        with self.at("2026-03-04 10:00:00"):
            lead.stage_id = self.stage_new
        # What "Create a document" publishes for the later rules of the entry.
        self.runs(lead, first).outputs = {"attachment_ids": [document.id]}
        with self.at("2026-03-04 11:00:30"):
            self.dispatch()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done", run.reason)
        message = lead.message_ids.filtered(lambda m: m.subject == "Your offer, Azure")
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.author_id, self.salesman.partner_id, "sent as the responsible")
        self.assertEqual(message.partner_ids.email, "azure@example.com")
        self.assertEqual(message.attachment_ids, document)
        self.assertIn("/stage_automation/track/", message.body, "the opening is tracked")
        self.assertIn("/r/", message.body, "links go through the link tracker")
        self.assertIn("with 1 attachment", run.reason)

    def test_email_to_the_customer_from_a_template(self):
        template = self.env["mail.template"].create({
            "name": "Offer", "model_id": self.env.ref("crm.model_crm_lead").id,
            "subject": "Offer for {{ object.name }}", "body_html": "<p>Dear <t t-out='object.partner_name'/></p>"})
        rule = self.rule(action="email_customer", mail_template_id=template.id, body=False)
        lead, run = self.enter(rule, name="Big deal")
        self.assertEqual(run.state, "done", run.reason)
        message = lead.message_ids.filtered(lambda m: m.subject == "Offer for Big deal")
        self.assertIn("Dear Azure", message.body)
        self.assertEqual(message.notification_ids.filtered(lambda n: n.notification_type == "email")
                         .res_partner_id.email, "azure@example.com", "e-mailed to the customer")

    def test_email_to_a_customer_without_address_fails_and_sends_nothing(self):
        rule = self.rule(action="email_customer", summary="Hello", body="Hello")
        lead, run = self.enter(rule, email_from=False)
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason, "Failed: The customer has no e-mail address: nothing was sent.")
        self.assertFalse(lead.message_ids.filtered(lambda m: m.subject == "Hello"))

    def test_sms_to_the_customer_normalises_national_numbers(self):
        rule = self.rule(action="sms_customer", body="Your code for {{ object.name }}")
        cases = [("0470 12 34 56", self.belgium, "+32470123456"), ("06 12 34 56 78", self.france, "+33612345678")]
        for number, country, expected in cases:
            with self.subTest(country=country.code):
                lead, run = self.enter(rule, name=f"Lead {country.code}", mobile=number, country_id=country.id)
                self.assertEqual(run.state, "done", run.reason)
                sms = self.env["sms.sms"].search([("number", "=", expected)])
                self.assertEqual(sms.body, f"Your code for Lead {country.code}")
                self.assertEqual(sms.mail_message_id.res_id, lead.id)

    def test_sms_with_an_unusable_number_fails_and_sends_nothing(self):
        rule = self.rule(action="sms_customer", body="Hi")
        before = self.env["sms.sms"].search_count([])
        lead, run = self.enter(rule, mobile="12", country_id=self.belgium.id)
        self.assertEqual(run.state, "failed")
        self.assertIn("“12”, cannot be used", run.reason)
        self.assertEqual(self.env["sms.sms"].search_count([]), before)

    def test_sms_to_employees_all_or_nothing(self):
        self.salesman.mobile = "0470 99 88 77"
        self.salesman.partner_id.country_id = self.belgium
        self.manager.mobile = False
        self.manager.phone = False
        rule = self.rule(action="sms_employees", body="New lead {{ object.name }}")
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual(self.env["sms.sms"].search([("body", "=", "New lead Lead")]).number, "+32470998877")
        team_rule = self.rule(name="Team", action="sms_employees", body="Team alert", recipient="users",
                              recipient_user_ids=[(6, 0, (self.salesman | self.manager).ids)])
        lead, run = self.enter(team_rule, name="Second")
        self.assertEqual(run.state, "failed")
        self.assertIn("Sales Manager has no phone number", run.reason)
        self.assertFalse(self.env["sms.sms"].search([("body", "=", "Team alert")]))

    def test_sms_and_email_need_a_text_or_a_template(self):
        with self.assertRaisesRegex(ValidationError, "SMS template"):
            self.rule(action="sms_customer", body=False)
        with self.assertRaisesRegex(ValidationError, "e-mail template"):
            self.rule(action="email_customer", body=False)
        other_model = self.env["mail.template"].create({"name": "Partner", "model_id": self.env.ref("base.model_res_partner").id})
        with self.assertRaisesRegex(ValidationError, "template of leads"):
            self.rule(action="email_customer", mail_template_id=other_model.id)

    def test_message_in_a_discuss_channel(self):
        channel = self.env["discuss.channel"].create({"name": "sales-alerts", "channel_type": "channel"})
        rule = self.rule(action="channel_message", channel_id=channel.id, body="Hot lead: {{ object.name }}")
        lead, run = self.enter(rule, name="Hot one")
        self.assertEqual(run.state, "done", run.reason)
        message = channel.message_ids[:1]
        self.assertIn("Hot lead: Hot one", message.body)
        self.assertIn(f'data-oe-id="{lead.id}"', message.body)
        with self.assertRaisesRegex(ValidationError, "choose the channel"):
            self.rule(action="channel_message", body="x")
