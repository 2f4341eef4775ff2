from odoo.tests import HttpCase, new_test_user

from odoo.addons.stage_automation.tests.series import PRESENCE
from odoo.addons.stage_automation.tests.test_triggers import TriggerCase


class LivechatCase(HttpCase, TriggerCase):
    """A live-chat channel with an operator online; customers chat through Odoo's HTTP routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(cls.env, login="sa_operator", name="Operator",
                                     groups="base.group_user,im_livechat.im_livechat_group_user")
        cls.env[PRESENCE].create({"user_id": cls.operator.id, "status": "online"})
        cls.support, cls.sales_chat = cls.env["im_livechat.channel"].create([
            {"name": "Support", "user_ids": [(6, 0, cls.operator.ids)]},
            {"name": "Sales chat", "user_ids": [(6, 0, cls.operator.ids)]},
        ])

    def open_chat(self, livechat_channel):
        """The visitor of this session starts a conversation (as the live-chat window does on the first message)."""
        data = self.make_jsonrpc_request("/im_livechat/get_session", {
            "channel_id": livechat_channel.id, "anonymous_name": "Visitor", "persisted": True})
        # Odoo 19 answers the channel's id beside the store's data, 18 in it.
        return self.env["discuss.channel"].browse(data.get("channel_id") or data["discuss.channel"][0]["id"])

    def say(self, channel, text):
        """The visitor of this session writes in the conversation, through the chat window's route."""
        self.make_jsonrpc_request("/mail/message/post", {
            "thread_model": "discuss.channel", "thread_id": channel.id,
            "post_data": {"body": text, "message_type": "comment", "subtype_xmlid": "mail.mt_comment"}})
        self.env.invalidate_all()
