from odoo.tests import new_test_user, tagged

from .common import LivechatCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_triggers")
class TestLivechatMessage(LivechatCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = new_test_user(cls.env, login="sa_chatter", password="sa_chatter_pw", name="Azure",
                                     email="azure@example.com", groups="base.group_portal")

    def test_first_and_any_message_of_the_customer(self):
        first = self.trigger(name="Started a chat", code="chat", trigger_type="livechat_first_message",
                             stage_id=self.stage_qualified.id)
        any_message = self.trigger(name="Chats on sales", code="sales", trigger_type="livechat_message",
                                   livechat_channel_id=self.sales_chat.id)
        lead = self.lead(stage_id=self.stage_new.id)  # the customer's e-mail: azure@example.com
        own_lead = self.lead(stage_id=self.stage_new.id, email_from=False, partner_id=self.customer.partner_id.id)
        self.authenticate("sa_chatter", "sa_chatter_pw")
        channel = self.open_chat(self.support)
        self.say(channel, "Hello, about my order")
        self.assertEqual((lead | own_lead).stage_id, self.stage_qualified)
        log = self.logs(lead)
        self.assertEqual(log.trigger_id, first, "the other trigger waits for another channel")
        self.assertEqual(log.payload["channel_id"], channel.id)
        self.assertEqual(log.payload["livechat_channel_id"], self.support.id)

        lead.stage_id = self.stage_new
        self.say(channel, "Where is it?")
        self.assertEqual(lead.stage_id, self.stage_new, "not the first message any more")
        self.assertEqual(len(self.logs(lead)), 1)

        any_message.livechat_channel_id = self.support
        self.say(channel, "Any news?")
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.logs(lead)[0].trigger_id, any_message)

    def test_the_customer_s_chat_message_ends_the_wait_for_their_answer(self):
        wait = self.rule(name="Wait", stage_id=self.stage_new.id, action="wait", body=False, wait_mode="reply",
                         wait_delay=0)
        then = self.rule(name="Then", stage_id=self.stage_new.id, sequence=20, after_previous=True,
                         body="Answer: {{ vars.client_reply }}")
        lead = self.lead(stage_id=self.stage_qualified.id)  # the customer's e-mail: azure@example.com
        lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, wait).state, "paused")
        self.authenticate("sa_chatter", "sa_chatter_pw")
        self.say(self.open_chat(self.support), "Yes, send the contract")
        self.dispatch()
        self.assertEqual((self.runs(lead, wait).state, self.runs(lead, then).state), ("done", "done"))
        self.assertEqual(self.runs(lead, wait).outputs["client_reply"], "Yes, send the contract")
        self.assertIn("Answer: Yes, send the contract", self.notes(lead)[0].body)

    def test_a_new_conversation_has_a_first_message_again(self):
        self.trigger(name="Started a chat", code="chat", trigger_type="livechat_first_message")
        lead = self.lead()
        self.authenticate("sa_chatter", "sa_chatter_pw")
        self.say(self.open_chat(self.support), "Hello")
        self.assertEqual(lead.stage_id, self.stage_proposal)
        lead.stage_id = self.stage_qualified
        self.say(self.open_chat(self.sales_chat), "Hello again")
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_an_anonymous_visitor_names_no_lead(self):
        self.trigger(name="Chat", code="chat", trigger_type="livechat_message")
        lead = self.lead()
        logs = self.Log.search_count([])
        channel = self.open_chat(self.support)
        self.say(channel, "Hello, I am azure@example.com")
        self.assertTrue(channel.message_ids.author_guest_id, "a guest wrote")
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(self.Log.search_count([]), logs, "no firing at all")

    def test_the_bridge_brings_the_live_chat_events_and_their_filter(self):
        for event in ("livechat_first_message", "livechat_message"):
            value = self.env.ref(
                f"stage_automation_livechat.selection__stage_automation_trigger__trigger_type__{event}")
            self.assertEqual(value.value, event, "the event is the bridge's: it goes with the bridge")
        arch = self.Trigger.get_view(self.env.ref("stage_automation.stage_automation_trigger_view_form").id)["arch"]
        self.assertIn('name="livechat_channel_id"', arch)
