from odoo.tests import tagged

from odoo.addons.stage_automation_livechat.tests.common import LivechatCase


@tagged("post_install", "-at_install")
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
