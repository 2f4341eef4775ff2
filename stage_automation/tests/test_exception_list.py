"""The exception list at the door: an address or a number on it brings no new lead and moves none, and the
trigger logs say why; an answer to an existing lead still reaches it."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_triggers import TriggerCase

INBOUND = (
    "From: {sender}\r\n"
    "To: {to}\r\n"
    "Subject: {subject}\r\n"
    "Message-ID: <{message_id}@example.com>\r\n"
    "{headers}"
    "Content-Type: text/plain\r\n\r\n"
    "Hello, we are interested.\r\n"
)


@tagged("post_install", "-at_install", "stage_automation_triggers")
class TestExceptionList(TriggerCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["mail.blacklist"]._add("spam@example.com", message="Added by a rule")
        cls.env["phone.blacklist"]._add(["+32470123456"], message="Added by a rule")

    def inbound(self, sender, subject, message_id, to="sales@example.com", headers=""):
        """A raw RFC 822 e-mail through Odoo's mail gateway, routed to leads by default."""
        raw = INBOUND.format(sender=sender, to=to, subject=subject, message_id=message_id, headers=headers)
        with mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.stage_automation.models.mail_thread"):
            return self.env["mail.thread"].message_process("crm.lead", raw)

    def test_an_email_from_an_excluded_address_creates_no_lead(self):
        Lead = self.env["crm.lead"].with_context(active_test=False)
        self.assertFalse(self.inbound("Spammer <SPAM@example.com>", "Cheap offer", "spam-1"))
        self.assertFalse(Lead.search([("name", "=", "Cheap offer")]))
        lead_id = self.inbound("Azure <azure@example.com>", "Quote request", "azure-1")
        self.assertEqual(Lead.browse(lead_id).name, "Quote request", "anyone else still becomes a lead")

    def test_an_excluded_address_answering_a_lead_reaches_it_but_moves_nothing(self):
        self.trigger(trigger_type="email_received")
        lead = self.lead(email_from="spam@example.com")
        message = lead.message_post(body="Our offer", message_type="comment", subtype_xmlid="mail.mt_note",
                                    author_id=self.manager.partner_id.id)
        thread_id = self.inbound("Spammer <spam@example.com>", f"Re: {lead.name}", "spam-2",
                                 headers=f"In-Reply-To: {message.message_id}\r\n")
        self.assertEqual(thread_id, lead.id, "the answer is in the lead's chatter, as Odoo files it")
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(self.logs(lead).mapped("reason"), ["Not moved: spam@example.com is on the exception list."])

    def test_a_call_or_a_form_of_an_excluded_number_or_address_moves_nothing(self):
        triggers = self.trigger(name="Called", code="called", trigger_type="incoming_call") | self.trigger(
            name="Form", code="form", trigger_type="form_submitted", stage_id=self.stage_won.id)
        lead = self.lead(phone="+32 470 12 34 56", email_from="spam@example.com")
        [result] = self.Trigger.stage_automation_event("incoming_call", {"phone": "0470 12 34 56", "country": "BE"})
        listed_number = "Not moved: +32470123456 is on the exception list."
        self.assertEqual((result["moved"], result["reason"]), (False, listed_number))
        self.Trigger._fire_form("form_submitted", {"email": "spam@example.com", "form": "pricing"})
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(sorted(self.logs(lead).filtered(lambda log: log.trigger_id in triggers).mapped("reason")),
                         [listed_number, "Not moved: spam@example.com is on the exception list."])
        other = self.lead(phone="+32 470 99 99 99")
        self.Trigger.stage_automation_event("incoming_call", {"phone": "+32 470 99 99 99"})
        self.assertEqual(other.stage_id, self.stage_proposal, "a number not on the list still moves its lead")
