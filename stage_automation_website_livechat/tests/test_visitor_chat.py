from odoo.tests import tagged

from odoo.addons.stage_automation_livechat.tests.common import LivechatCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_triggers")
class TestVisitorChat(LivechatCase):

    def test_an_anonymous_visitor_chats_about_the_lead_of_their_contact_form(self):
        self.env["website"].get_current_website().crm_default_team_id = self.team
        chat_trigger = self.trigger(name="Chat", code="chat", trigger_type="livechat_message")
        answer = self.url_open("/website/form/crm.lead", data={
            "contact_name": "Azure", "email_from": "azure@example.com", "name": "A question"})
        lead = self.env["crm.lead"].browse(answer.json()["id"])
        channel = self.open_chat(self.support)
        self.assertEqual(channel.livechat_visitor_id, lead.visitor_ids, "website_livechat knows the visitor")

        channel.with_user(self.operator).message_post(
            body="Hello, how can I help?", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertFalse(self.logs(lead), "the operator is not the customer")
        self.say(channel, "About my question…")
        self.assertTrue(channel.message_ids.author_guest_id, "an anonymous guest wrote")
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.logs(lead).trigger_id, chat_trigger)

    def test_a_rule_writes_to_the_anonymous_visitor_in_their_chat(self):
        self.env["website"].get_current_website().crm_default_team_id = self.team
        rule = self.rule(action="channel_message", channel_target="livechat",
                         body="Thanks, {{ object.contact_name }}: we are on it")
        answer = self.url_open("/website/form/crm.lead", data={
            "contact_name": "Azure", "email_from": "azure@example.com", "name": "A question"})
        lead = self.env["crm.lead"].browse(answer.json()["id"])
        channel = self.open_chat(self.support)
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done", run.reason)
        message = channel.message_ids.filtered(lambda m: "Thanks, Azure: we are on it" in m.body)
        self.assertEqual(message.author_id, self.operator.partner_id)
