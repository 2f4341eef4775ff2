from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_actions import ActionCase


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestMessageActions(ActionCase):
    """A message people can answer, and a history entry that notifies nobody."""

    def test_post_is_a_comment_sent_to_the_followers_and_recipients(self):
        customer = self.env["res.partner"].create({"name": "Ann Azure", "email": "ann@azure.example.com"})
        rule = self.rule(action="post", summary="Your project", body="Hello {{ object.partner_id.name }}",
                         recipient="users", recipient_user_ids=[self.manager.id])
        lead = self.lead(partner_id=customer.id)
        lead.message_subscribe(partner_ids=customer.ids)
        lead.stage_id = self.stage_new
        message = lead.message_ids.filtered(lambda m: m.subject == "Your project")
        self.assertEqual(self.runs(lead, rule).state, "done")
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn("Hello Ann Azure", message.body)
        self.assertEqual(message.notified_partner_ids,
                         customer | self.manager.partner_id | self.salesman.partner_id)
        self.assertEqual(message.notification_ids.filtered(lambda n: n.res_partner_id == customer).notification_type,
                         "email", "the customer gets it by e-mail and may answer it")

    def test_log_is_a_history_entry_that_notifies_nobody(self):
        rule = self.rule(action="log", body="Qualified by {{ object.user_id.name }}")
        lead, run = self.enter(rule)
        self.assertTrue(lead.message_follower_ids)
        entry = lead.message_ids.filtered(lambda m: "Qualified by Salesman" in m.body)
        self.assertEqual(run.state, "done")
        self.assertEqual(entry.message_type, "notification")
        self.assertTrue(entry.subtype_id.internal)
        self.assertFalse(entry.notification_ids)

    def test_post_and_log_need_a_text(self):
        for action in ("post", "log"):
            with self.assertRaisesRegex(ValidationError, "write the text"):
                self.rule(action=action, body=False)
