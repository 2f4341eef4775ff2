from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html
from odoo.tools.translate import _lt


class StageAutomationRule(models.Model):
    """A message through an open channel: a post in a Discuss channel the team (or the customer) reads.

    Here a chosen channel; the live-chat bridge adds the customer's own live chat
    (``channel_target``).
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[("channel_message", "Message through an open channel")],
        ondelete={"channel_message": "cascade"},
    )
    channel_target = fields.Selection([("channel", "A Discuss channel")], string="Post in", default="channel")
    channel_id = fields.Many2one(
        "discuss.channel", ondelete="restrict",
        help="The Discuss channel the message is posted in, by OdooBot, with a link to the lead.")

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "channel_message": {"body"}}

    @api.constrains("action", "channel_target", "channel_id", "body")
    def _check_channel_message(self):
        for rule in self.filtered(lambda r: r.action == "channel_message"):
            if not rule.body or not rule.channel_target or rule.channel_target == "channel" and not rule.channel_id:
                raise ValidationError(_("Rule “%(rule)s”: choose the channel and write the message.",
                                        rule=rule.name))

    def _prepare_action_channel_message(self, run, lead):
        channel = self._message_channel(lead)
        values = self._channel_message_values(channel, lead)
        return {"channel": channel, "message_values": values, "to": channel.display_name, "body": values["body"]}

    def _run_action_channel_message(self, run, lead):
        plan = self._prepare_action(run, lead)
        channel = plan["channel"]
        message = channel.message_post(message_type="comment", subtype_xmlid="mail.mt_comment",
                                       **plan["message_values"])
        return _lt("Posted in %(channel)s by %(author)s.", channel=channel.display_name, author=message.author_id.name)

    def _message_channel(self, lead):
        """The ``discuss.channel`` to post in for ``lead`` (the bridge answers for the customer's live chat)."""
        self.ensure_one()
        if not self.channel_id:
            raise UserError(_("Choose the channel to post in: nothing was posted."))
        return self.channel_id

    def _channel_message_values(self, channel, lead):
        """``message_post`` values of the message: for the team, by OdooBot, with a link to the lead."""
        return {
            "body": plaintext2html(self._render("body", lead)) + lead._get_html_link(title=lead.name),
            "author_id": self.env.ref("base.partner_root").id,
        }
