import base64
import smtplib

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

from .common_actions import ActionCase
from .series import MOBILE


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestCustomerMessages(ActionCase, MockSMS, MockEmail):
    """E-mail and SMS to the customer, SMS to employees, messages in a Discuss channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium, cls.france = cls.env.ref("base.be"), cls.env.ref("base.fr")
        cls.lead_model = cls.env.ref("crm.model_crm_lead")

    def sms(self, body):
        return self.env["sms.sms"].search([("body", "=", body)])

    def customer_emails(self, message):
        return message.notification_ids.filtered(lambda n: n.notification_type == "email")

    # ------------------------------------------------------------
    # E-MAIL
    # ------------------------------------------------------------

    def test_email_to_the_customer_is_posted_on_the_lead_tracked_and_attaches_earlier_documents(self):
        document = self.env["ir.attachment"].create({
            "name": "Offer.pdf", "datas": base64.b64encode(b"%PDF-1.4 offer"), "res_model": "crm.lead"})
        first = self.rule(name="Document", action="note", body="Offer attached")
        rule = self.rule(name="Mail", sequence=20, action="email_customer",
                         summary="Your offer, {{ object.partner_name }}",
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
        self.assertEqual(self.customer_emails(message).mapped("notification_status"), ["ready"])
        self.assertEqual(run.reason, "E-mail “Your offer, Azure” to azure@example.com with 1 attachment(s) queued; "
                                     "the run says when it is sent.")
        with self.mock_smtplib_connection():  # Odoo 19 sends no e-mail in tests without it
            self.send_emails()
        self.assertEqual(self.customer_emails(message).mapped("notification_status"), ["sent"])
        self.assertEqual(run.reason, "E-mail “Your offer, Azure” sent to azure@example.com with 1 attachment(s).")

    def test_email_to_the_customer_from_a_template_keeps_its_mail_with_the_attachments(self):
        brochure = self.env["ir.attachment"].create({
            "name": "Brochure.pdf", "datas": base64.b64encode(b"%PDF-1.4 brochure")})
        template = self.env["mail.template"].create({
            "name": "Offer", "model_id": self.lead_model.id, "auto_delete": False,
            "subject": "Offer for {{ object.name }}", "email_from": "offers@example.com",
            "body_html": "<p>Dear <t t-out='object.partner_name'/></p>",
            "attachment_ids": [(6, 0, brochure.ids)]})
        rule = self.rule(action="email_customer", mail_template_id=template.id, body=False)
        lead, run = self.enter(rule, name="Big deal")
        self.assertEqual(run.state, "done", run.reason)
        message = lead.message_ids.filtered(lambda m: m.subject == "Offer for Big deal")
        self.assertIn("Dear Azure", message.body)
        self.assertEqual(message.email_from, "offers@example.com", "the template's sender")
        customer = self.customer_emails(message).res_partner_id
        self.assertEqual(customer.email, "azure@example.com", "a contact made from the lead's e-mail")
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.recipient_ids, customer)
        with self.mock_smtplib_connection():  # Odoo 19 sends no e-mail in tests without it
            self.send_emails()
        self.assertEqual(mail.state, "sent")
        self.assertEqual(mail.attachment_ids.mapped("name"), ["Brochure.pdf"])
        self.assertEqual(mail.attachment_ids.raw, b"%PDF-1.4 brochure")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_an_email_run_says_it_is_queued_then_follows_its_sending_and_a_later_bounce(self):
        rule = self.rule(action="email_customer", summary="Hello {{ object.name }}", body="Hello")
        lead, sent = self.enter(rule, name="Sent")
        _lead, refused = self.enter(rule, name="Refused", email_from="refused@example.com")
        self.assertEqual((sent.state, sent.reason),
                         ("done", "E-mail “Hello Sent” to azure@example.com queued; the run says when it is sent."))
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", mail_cron.id)]), "the mail queue wakes")

        with self.mock_mail_gateway():
            send_email = self.send_email_mocked.side_effect

            def refuse(server, message, *args, **kwargs):
                if "refused@example.com" in message["To"]:
                    raise MailDeliveryException("550 5.1.1 The recipient refuses e-mails")
                return send_email(server, message, *args, **kwargs)
            self.send_email_mocked.side_effect = refuse
            self.send_emails()
        self.assertEqual((sent.state, sent.reason), ("done", "E-mail “Hello Sent” sent to azure@example.com."))
        self.assertEqual(refused.state, "failed", "the server refused it: the run does not say done")
        self.assertEqual(refused.reason, "Failed: the e-mail “Hello Refused” to refused@example.com could not be "
                                         "delivered (550 5.1.1 The recipient refuses e-mails).")

        # What Odoo's mail gateway writes when the bounce of the e-mail comes back, days later.
        bounce = "Delivery to azure@example.com failed permanently:\n\n  mailbox unavailable"
        self.customer_emails(sent.message_id).write(
            {"notification_status": "bounce", "failure_type": "mail_bounce", "failure_reason": bounce})
        self.assertEqual(sent.state, "failed")
        self.assertEqual(sent.reason, "Failed: the e-mail “Hello Sent” to azure@example.com could not be delivered "
                                      "(Delivery to azure@example.com failed permanently: mailbox unavailable).")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_an_email_run_fails_when_the_mail_server_cannot_be_reached(self):
        rule = self.rule(action="email_customer", summary="Hello", body="Hello")
        _lead, run = self.enter(rule)
        with self.mock_mail_gateway():
            self.connect_mocked.side_effect = smtplib.SMTPConnectError(421, "mail.example.com is busy")
            self.send_emails()
        self.assertEqual(run.state, "failed")
        self.assertRegex(run.reason, r"^Failed: the e-mail “Hello” to azure@example.com could not be delivered "
                                     r"\(.*mail\.example\.com is busy.*\)\.$")

    def test_email_to_a_customer_without_address_fails_and_sends_nothing(self):
        rule = self.rule(action="email_customer", summary="Hello", body="Hello")
        lead, run = self.enter(rule, email_from=False)
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason, "Failed: The customer has no e-mail address: nothing was sent.")
        self.assertFalse(lead.message_ids.filtered(lambda m: m.subject == "Hello"))

    def test_email_to_an_unusable_address_fails_and_creates_no_contact(self):
        rule = self.rule(action="email_customer", summary="Hello", body="Hello")
        contacts = self.env["res.partner"].search_count([])
        lead, run = self.enter(rule, email_from="azure at example")
        self.assertEqual(run.reason, "Failed: “azure at example” is not a usable e-mail address: nothing was sent.")
        self.assertFalse(lead.message_ids.filtered(lambda m: m.subject == "Hello"))
        self.assertEqual(self.env["res.partner"].search_count([]), contacts)

    def test_email_with_a_template_archived_or_moved_to_another_model_fails_and_sends_nothing(self):
        template = self.env["mail.template"].create({
            "name": "Offer", "model_id": self.lead_model.id, "subject": "Offer", "body_html": "<p>Hi</p>"})
        rule = self.rule(action="email_customer", mail_template_id=template.id, body=False)
        template.active = False
        lead, run = self.enter(rule)
        self.assertEqual(run.reason, "Failed: The template “Offer” is archived: nothing was sent.")
        template.write({"active": True, "model_id": self.env.ref("base.model_res_partner").id})
        lead, run = self.enter(rule, name="Second")
        self.assertEqual(run.reason,
                         "Failed: The template “Offer” is no longer a template of leads: nothing was sent.")
        self.assertFalse(self.env["mail.message"].search([("subject", "=", "Offer")]))

    def test_exception_list_added_by_an_earlier_rule_stops_the_customer_s_email_and_sms(self):
        self.rule(name="Opt out", action="blacklist", sequence=1)
        email = self.rule(name="Offer", action="email_customer", summary="Offer", body="Hi", sequence=2)
        sms = self.rule(name="Text", action="sms_customer", body="Offer by SMS", sequence=3)
        contacts, sent_sms = self.env["res.partner"].search_count([]), self.env["sms.sms"].search_count([])
        lead, _run = self.enter(email, email_from="Azure <Azure@Example.com>", partner_id=False,
                                **{MOBILE: "0470 12 34 56"}, country_id=self.belgium.id)
        self.assertEqual(self.runs(lead, email).reason,
                         "Skipped: azure@example.com is on the exception list; nothing was sent.")
        self.assertEqual(self.runs(lead, sms).reason,
                         "Skipped: +32470123456 is on the exception list; no SMS was sent.")
        self.assertFalse(lead.message_ids.filtered(lambda m: m.subject == "Offer"))
        self.assertEqual(self.env["sms.sms"].search_count([]), sent_sms)
        self.assertEqual(self.env["res.partner"].search_count([]), contacts, "no contact made for a skipped e-mail")

    def test_removing_an_address_from_the_exception_list_lets_the_customer_s_email_go(self):
        rule = self.rule(action="email_customer", summary="Hello", body="Hello")
        self.env["mail.blacklist"]._add("azure@example.com")
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "skipped")
        self.env["mail.blacklist"]._remove("azure@example.com")
        lead, run = self.enter(rule, name="Later")
        self.assertEqual(run.state, "done", run.reason)

    # ------------------------------------------------------------
    # SMS
    # ------------------------------------------------------------

    def test_sms_to_the_customer_normalises_national_numbers(self):
        rule = self.rule(action="sms_customer", body="Your code for {{ object.name }}")
        cases = [("0470 12 34 56", self.belgium, "+32470123456"), ("06 12 34 56 78", self.france, "+33612345678")]
        for number, country, expected in cases:
            with self.subTest(country=country.code):
                lead, run = self.enter(rule, name=f"Lead {country.code}", **{MOBILE: number}, country_id=country.id)
                self.assertEqual(run.state, "done", run.reason)
                sms = self.sms(f"Your code for Lead {country.code}")
                self.assertEqual(sms.number, expected)
                self.assertEqual(sms.state, "outgoing", "sent by Odoo's SMS queue once the run is saved")
                self.assertEqual(sms.mail_message_id.res_id, lead.id)
                self.assertEqual(sms.mail_message_id.message_type, "sms")
                self.assertEqual(run.reason, f"SMS to the customer at {expected} queued; the run says when it is "
                                             "delivered.")
        sms_cron = self.env.ref("sms.ir_cron_sms_scheduler_action")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", sms_cron.id)]), "the SMS queue is woken")

    def test_sms_reads_national_numbers_with_the_contact_s_country_then_the_lead_s_then_the_company_s(self):
        template = self.env["sms.template"].create({
            "name": "Code", "model_id": self.lead_model.id, "body": "Hello {{ object.partner_id.name }}"})
        rule = self.rule(action="sms_customer", sms_template_id=template.id, body=False)
        self.env.company.country_id = self.belgium
        customer = self.env["res.partner"].create({
            "name": "Jeanne", MOBILE: "06 12 34 56 78", "country_id": self.france.id})
        lead, run = self.enter(rule, partner_id=customer.id, country_id=self.belgium.id)
        sms = self.sms("Hello Jeanne")
        self.assertEqual((sms.number, sms.partner_id), ("+33612345678", customer), "French contact, Belgian lead")
        lead, run = self.enter(rule, name="Lead country", **{MOBILE: "06 12 34 56 79"}, country_id=self.france.id)
        self.assertIn("SMS to the customer at +33612345679 queued", run.reason)
        lead, run = self.enter(rule, name="Company country", **{MOBILE: "0470 12 34 57"}, country_id=False)
        self.assertIn("SMS to the customer at +32470123457 queued", run.reason)

    def test_an_sms_run_follows_its_delivery_through_odoo_s_sms_queue(self):
        rule = self.rule(action="sms_customer", body="Your code for {{ object.name }}")
        _lead, delivered = self.enter(rule, name="Delivered", **{MOBILE: "0470 12 34 56"}, country_id=self.belgium.id)
        _lead, refused = self.enter(rule, name="Refused", **{MOBILE: "0470 12 34 57"}, country_id=self.belgium.id)
        self.assertEqual((delivered.state, refused.state), ("done", "done"))
        with self.mockSMSGateway(nbr_t_error={"+32470123457": "wrong_number_format"}, force_delivered=True):
            # What the SMS queue does, without its commit (Odoo 19's _process_queue commits outside a cron).
            self.env["sms.sms"].sudo().search([("state", "=", "outgoing")])._send(
                unlink_failed=False, unlink_sent=True, raise_exception=False)
        self.assertEqual((delivered.state, delivered.reason), ("done", "SMS delivered to +32470123456."))
        self.assertEqual(refused.state, "failed", "the provider refused it: the run does not say done")
        self.assertEqual(refused.reason, "Failed: the SMS to +32470123457 could not be delivered (Wrong Number "
                                         "Format).")

    def test_sms_with_an_unusable_number_fails_and_sends_nothing(self):
        rule = self.rule(action="sms_customer", body="Hi")
        before = self.env["sms.sms"].search_count([])
        lead, run = self.enter(rule, **{MOBILE: "12"}, country_id=self.belgium.id)
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason, "Failed: The phone number of the customer, “12”, cannot be used "
                                     "(“12” is not a valid phone number): no SMS was sent.")
        self.assertEqual(self.env["sms.sms"].search_count([]), before)
        lead, run = self.enter(rule, name="No number", **{MOBILE: False, "phone": False})
        self.assertEqual(run.reason, "Failed: The customer has no phone number: no SMS was sent.")

    def test_sms_to_employees_all_or_nothing(self):
        self.salesman[MOBILE] = "0470 99 88 77"
        self.salesman.partner_id.country_id = self.belgium
        self.manager[MOBILE] = False
        self.manager.phone = False
        rule = self.rule(action="sms_employees", body="New lead {{ object.name }}")
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "done", run.reason)
        sms = self.sms("New lead Lead")
        self.assertEqual((sms.number, sms.partner_id), ("+32470998877", self.salesman.partner_id))
        self.assertTrue(sms.mail_message_id.subtype_id.internal, "a note: the customer does not see it")
        team_rule = self.rule(name="Team", action="sms_employees", body="Team alert", recipient="users",
                              recipient_user_ids=[(6, 0, (self.salesman | self.manager).ids)])
        lead, run = self.enter(team_rule, name="Second")
        self.assertEqual(run.state, "failed")
        self.assertIn("Sales Manager has no phone number", run.reason)
        self.manager[MOBILE] = "+32 470"
        lead, run = self.enter(team_rule, name="Third")
        self.assertIn("The phone number of Sales Manager, “+32 470”, cannot be used", run.reason)
        self.assertFalse(self.sms("Team alert"), "nobody got it, not even the salesman")

    def test_sms_and_email_need_a_text_or_a_template(self):
        with self.assertRaisesRegex(ValidationError, "SMS template"):
            self.rule(action="sms_customer", body=False)
        with self.assertRaisesRegex(ValidationError, "e-mail template"):
            self.rule(action="email_customer", body=False)
        other_model = self.env["mail.template"].create(
            {"name": "Partner", "model_id": self.env.ref("base.model_res_partner").id})
        with self.assertRaisesRegex(ValidationError, "template of leads"):
            self.rule(action="email_customer", mail_template_id=other_model.id)

    # ------------------------------------------------------------
    # DISCUSS CHANNEL
    # ------------------------------------------------------------

    def test_message_in_a_discuss_channel(self):
        channel = self.env["discuss.channel"].create({"name": "sales-alerts", "channel_type": "channel"})
        rule = self.rule(action="channel_message", channel_id=channel.id, body="Hot lead: {{ object.name }}")
        lead, run = self.enter(rule, name="Hot one")
        self.assertEqual(run.state, "done", run.reason)
        message = channel.message_ids[:1]
        self.assertIn("Hot lead: Hot one", message.body)
        self.assertIn(f'data-oe-id="{lead.id}"', message.body)
        self.assertEqual(message.author_id, self.env.ref("base.partner_root"))
        with self.assertRaisesRegex(ValidationError, "choose the channel"):
            self.rule(action="channel_message", body="x")
