from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import plaintext2html


class StageAutomationRule(models.Model):
    """A message through an open channel: a post in a Discuss channel the team (or the customer) reads."""

    _inherit = "stage.automation.rule"

    action = fields.Selection(
        selection_add=[("channel_message", "Message through an open channel")],
        ondelete={"channel_message": "cascade"},
    )
    channel_id = fields.Many2one(
        "discuss.channel", string="Channel", ondelete="restrict",
        help="The Discuss channel the message is posted in, by OdooBot, with a link to the lead.")

    @api.constrains("action", "channel_id", "body")
    def _check_channel_message(self):
        for rule in self.filtered(lambda r: r.action == "channel_message"):
            if not rule.channel_id or not rule.body:
                raise ValidationError(_("Rule “%(rule)s”: choose the channel and write the message.",
                                        rule=rule.name))

    def _run_action_channel_message(self, run, lead):
        body = plaintext2html(self._render("body", lead)) + lead._get_html_link(title=lead.name)
        self.channel_id.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_comment",
                                     author_id=self.env.ref("base.partner_root").id)
        return _("Posted in %(channel)s.", channel=self.channel_id.display_name)
