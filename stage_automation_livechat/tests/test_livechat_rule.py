from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import LivechatCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_actions")
class TestLivechatRule(LivechatCase):
    """"Message through an open channel" written to the customer in their live chat."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = new_test_user(cls.env, login="sa_chat_customer", password="sa_chat_customer_pw",
                                     name="Jade", email="jade@example.com", groups="base.group_portal")

    def chat_rule(self):
        return self.rule(action="channel_message", channel_target="livechat",
                         body="Your quote for {{ object.name }} is ready")

    def test_the_rule_writes_in_the_customer_s_live_chat_as_its_operator(self):
        self.authenticate("sa_chat_customer", "sa_chat_customer_pw")
        channel = self.open_chat(self.support)
        self.say(channel, "Hello")
        rule = self.chat_rule()
        lead = self.lead(name="Garden", partner_id=self.customer.partner_id.id)
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done", run.reason)
        message = channel.message_ids.filtered(lambda m: "Your quote for Garden is ready" in m.body)
        self.assertEqual(message.author_id, self.operator.partner_id, "the operator of the conversation writes")
        self.assertNotIn("data-oe-model", message.body, "the customer gets no link to the lead")
        self.assertEqual(run.reason, f"Posted in {channel.display_name} by Operator.")

    def test_a_customer_who_left_the_chat_gets_nothing(self):
        self.authenticate("sa_chat_customer", "sa_chat_customer_pw")
        channel = self.open_chat(self.support)
        self.say(channel, "Hello")
        self.make_jsonrpc_request("/im_livechat/visitor_leave_session", {"channel_id": channel.id})
        rule = self.chat_rule()
        lead = self.lead(name="Garden", partner_id=self.customer.partner_id.id)
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.reason, "Failed: The customer has no live chat going on: nothing was posted.")
        self.assertFalse(channel.message_ids.filtered(lambda m: "Your quote" in (m.body or "")))

    def test_a_discuss_channel_stays_required_for_the_team(self):
        with self.assertRaisesRegex(ValidationError, "choose the channel"):
            self.rule(action="channel_message", channel_target="channel", body="Hi")
        arch = etree.fromstring(self.Rule.get_view(
            self.env.ref("stage_automation.stage_automation_rule_view_form").id)["arch"])
        [target] = arch.xpath("//field[@name='channel_target']")
        self.assertEqual(target.get("invisible"), "action != 'channel_message'", "the form offers the choice")
