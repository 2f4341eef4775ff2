from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html
from odoo.tools.translate import _lt

from .. import compat


class StageAutomationRule(models.Model):
    """Messages to employees and notes on the lead: notification, note, e-mail, chatter message, history entry.

    Actions that can send an e-mail template (here, and the e-mail to the
    customer) use the part ``mail_template``; a template chosen replaces the
    rule's summary and body.
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[
            ("notify", "Notification"),
            ("note", "Log a note"),
            ("email_responsible", "Send e-mail to employees"),
            ("post", "Add a message to the activity stream"),
            ("log", "Log to history"),
        ],
        ondelete={"notify": "cascade", "note": "cascade", "email_responsible": "cascade", "post": "cascade",
                  "log": "cascade"},
    )
    action_uses_mail_template = fields.Boolean(compute="_compute_action_uses")
    notify_author = fields.Selection(
        [("odoobot", "OdooBot"), ("responsible", "The lead's responsible"), ("user", "A user")],
        string="Notification from", default="odoobot",
        help="Who the notification shows as its author.")
    notify_author_user_id = fields.Many2one("res.users", string="Author", domain="[('share', '=', False)]")
    mail_template_id = fields.Many2one(
        "mail.template", string="E-mail template", ondelete="restrict",
        domain="[('model', '=', 'crm.lead')]",
        help="Leave empty to write the subject (Summary) and the text (Body) on the rule.")

    @api.model
    def _action_parts(self):
        texts = {"recipients", "summary", "body"}
        return {
            **super()._action_parts(),
            "notify": texts,
            "note": {"body"},
            "email_responsible": texts | {"mail_template"},
            "post": texts,
            "log": {"body"},
        }

    @api.depends("mail_template_id")
    def _compute_action_uses(self):
        result = super()._compute_action_uses()
        # The template brings its own subject and text.
        for rule in self.filtered(lambda r: r.action_uses_mail_template and r.mail_template_id):
            rule.action_uses_summary = rule.action_uses_body = False
        return result

    @api.constrains("action", "body", "mail_template_id", "notify_author")
    def _check_message_content(self):
        for rule in self:
            if rule.action == "notify" and not rule.notify_author:
                raise ValidationError(_("Rule “%(rule)s”: choose who the notification is from.", rule=rule.name))
            if rule.action in ("notify", "note", "post", "log") and not rule.body:
                raise ValidationError(_("Rule “%(rule)s”: write the text of the message.", rule=rule.name))
            if rule.action == "email_responsible" and not (rule.mail_template_id or rule.body):
                raise ValidationError(_("Rule “%(rule)s”: choose an e-mail template or write the text.",
                                        rule=rule.name))

    @compat.constrains_as_user("notify_author", "notify_author_user_id")
    def _check_notify_author(self):
        """Speaking in another person's name is for administrators: others send as OdooBot, the
        responsible or themselves."""
        if self.env.su or self.env.user._is_admin():
            return
        for rule in self.filtered(lambda r: r.notify_author == "user"):
            if rule.notify_author_user_id != self.env.user:
                raise ValidationError(_(
                    "Rule “%(rule)s”: only an administrator may send notifications in the name of %(user)s.",
                    rule=rule.name, user=rule.notify_author_user_id.name))

    def _prepare_action_notify(self, run, lead):
        users = self._get_recipients(lead)
        if not users:
            raise UserError(_("Nobody to notify: the lead has no responsible."))
        author = self._notify_author(lead)
        return {"recipients": users, "author": author, "subject": self._render("summary", lead) or lead.name,
                "body": plaintext2html(self._render("body", lead)), "details": [(_("From"), author.name)]}

    def _run_action_notify(self, run, lead):
        plan = self._prepare_action(run, lead)
        author = plan["author"]
        lead.message_notify(
            partner_ids=plan["recipients"].partner_id.ids,
            subject=plan["subject"],
            body=plan["body"],
            email_layout_xmlid="mail.mail_notification_light",
            author_id=author.id,
            email_from=author.email_formatted or None,
        )
        return _lt("Notified %(users)s.", users=", ".join(plan["recipients"].mapped("name")))

    def _notify_author(self, lead):
        """The partner a notification comes from; OdooBot when the chosen person is not there any more."""
        user = {"responsible": lead.user_id, "user": self.notify_author_user_id}.get(self.notify_author)
        if self.notify_author == "user" and user != self.env.user and not self.env.su:
            raise UserError(_(
                "%(author)s, whose rights the rule uses, may not send notifications in the name of %(user)s: "
                "only an administrator may.", author=self.env.user.name, user=user.name))
        return user.partner_id if user and user.active else self.env.ref("base.partner_root")

    def _prepare_action_note(self, run, lead):
        return {"body": plaintext2html(self._render("body", lead))}

    def _run_action_note(self, run, lead):
        """An internal note by the rule's author, who needs the right Odoo asks to post on a lead. A note
        notifies nobody; unlike a person's post, it does not make the author follow the lead either."""
        lead.check_access(lead._mail_post_access)
        lead._message_log(body=self._prepare_action(run, lead)["body"], message_type="comment")
        return _lt("Note logged on the lead.")

    def _prepare_action_post(self, run, lead):
        """The recipients, on top of the lead's followers."""
        recipients = self._get_recipients(lead)
        return {"recipients": recipients, "body": plaintext2html(self._render("body", lead)),
                "subject": self._render("summary", lead) or False,
                "details": [(_("Followers"), ", ".join(lead.message_partner_ids.mapped("name")) or _("none"))]}

    def _run_action_post(self, run, lead):
        """A message in the lead's chatter (a comment, not an internal note): the followers
        are notified, the recipients too, and anyone notified can answer it by e-mail."""
        plan = self._prepare_action(run, lead)
        message = lead.message_post(
            body=plan["body"],
            subject=plan["subject"],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=plan["recipients"].partner_id.ids,
        )
        notified = message.notified_partner_ids
        if not notified:
            return _lt("Message posted on the lead; it has no follower to notify.")
        return _lt("Message posted on the lead for %(partners)s.", partners=", ".join(notified.mapped("name")))

    def _prepare_action_log(self, run, lead):
        return {"body": plaintext2html(self._render("body", lead))}

    def _run_action_log(self, run, lead):
        """An entry in the lead's history that notifies nobody.

        ``_message_log`` is how Odoo itself records what happened to a
        document (tracked changes, "Meeting scheduled" by the system...): a
        message of type *notification* under the internal note subtype,
        written without going through the followers. A note (``note``) is a
        comment that people mentioned in it would be notified of; a log is not
        addressed to anyone.
        """
        lead._message_log(body=self._prepare_action(run, lead)["body"])
        return _lt("Logged in the history of the lead.")

    def _prepare_action_email_responsible(self, run, lead):
        """The recipients, with the subject and text of the template, else the rule's own."""
        users = self._get_recipients(lead)
        without_email = users.filtered(lambda user: not user.email)
        if not users or without_email:
            raise UserError(_("Cannot e-mail %(users)s: no e-mail address.",
                              users=", ".join(without_email.mapped("name")) or _("the responsible")))
        plan = {"recipients": users, "to": ", ".join(users.mapped("email"))}
        if self.mail_template_id:
            rendered = self._render_mail_template(self.mail_template_id, lead, ("subject", "body_html"))
            return {**plan, "subject": rendered.get("subject") or "", "body": rendered.get("body_html") or ""}
        return {**plan, "subject": self._render("summary", lead) or lead.name,
                "body": plaintext2html(self._render("body", lead))}

    def _run_action_email_responsible(self, run, lead):
        """Queue the e-mail, log on the lead which rule e-mailed whom, and follow the sending on the run
        (see stage.automation.run's ``message_id``)."""
        plan = self._prepare_action(run, lead)
        users = plan["recipients"]
        recipients = [Command.set(users.partner_id.ids)]
        if self.mail_template_id:
            # The template's own sending: its layout, attachments, reports and mail server.
            with self._explaining_unknown_variables(lead):
                mail = self.env["mail.mail"].browse(self._with_variables(self.mail_template_id, lead).send_mail(
                    lead.id, email_values={"recipient_ids": recipients, "email_to": False, "email_cc": False}))
        else:
            values = {
                "subject": plan["subject"],
                "body_html": plan["body"],
                "recipient_ids": recipients,
                "model": lead._name,
                "res_id": lead.id,
            }
            email_from = lead.company_id.email_formatted or self.env.company.email_formatted
            if email_from:
                values["email_from"] = email_from
            mail = self.env["mail.mail"].create(values)
        run.message_id = mail.sudo().mail_message_id
        names = ", ".join(users.mapped("name"))
        lead.sudo()._message_log(
            body=Markup("<p>%s</p>") % _("Automation rule “%(rule)s” e-mailed %(users)s: “%(subject)s”.",
                                         rule=self.name, users=names, subject=plan["subject"]),
            author_id=self.env.ref("base.partner_root").id,
        )
        self._wake_outgoing_queue("mail.ir_cron_mail_scheduler_action")
        return _lt("E-mail “%(subject)s” queued for %(users)s; the run says when it is sent.",
                   subject=plan["subject"], users=names)

    def _render_mail_template(self, template, lead, field_names):
        """``{field: rendered value}`` of a mail template on ``lead``, with the rule's variables, as the
        template renders when it sends (``_generate_template``); nothing is created."""
        with self._explaining_unknown_variables(lead):
            return self._with_variables(template, lead)._generate_template(lead.ids, field_names)[lead.id]
