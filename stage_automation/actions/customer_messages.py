from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize, plaintext2html
from odoo.tools.translate import _lt

from .. import compat
from ..engine.exceptions import SkipRun
from ..engine.phone import PhoneError, to_e164


class StageAutomationRule(models.Model):
    """Messages to the customer (e-mail, SMS) and SMS to employees, through Odoo's mail and sms engines."""

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[
            ("email_customer", "Send e-mail to the customer"),
            ("sms_customer", "Send SMS to the customer"),
            ("sms_employees", "Send SMS to employees"),
        ],
        ondelete={"email_customer": "cascade", "sms_customer": "cascade", "sms_employees": "cascade"},
    )
    email_attach_documents = fields.Boolean(
        string="Attach earlier documents",
        help="Attach the documents created by the earlier rules of this stage entry (Create a document).")
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS template", ondelete="restrict", domain="[('model', '=', 'crm.lead')]",
        help="Leave empty to write the text (Body) on the rule.")

    @api.model
    def _action_parts(self):
        return {
            **super()._action_parts(),
            "email_customer": {"summary", "body", "mail_template"},
            "sms_customer": {"body"},
            "sms_employees": {"recipients", "body"},
        }

    @api.depends("sms_template_id")
    def _compute_action_uses(self):
        result = super()._compute_action_uses()
        # The template is the text.
        for rule in self.filtered(lambda r: r.action in ("sms_customer", "sms_employees") and r.sms_template_id):
            rule.action_uses_body = False
        return result

    @api.constrains("action", "body", "mail_template_id", "sms_template_id")
    def _check_customer_message(self):
        for rule in self:
            if rule.action == "email_customer" and not (rule.mail_template_id or rule.body):
                raise ValidationError(_("Rule “%(rule)s”: choose an e-mail template or write the text.",
                                        rule=rule.name))
            if rule.action in ("sms_customer", "sms_employees") and not (rule.sms_template_id or rule.body):
                raise ValidationError(_("Rule “%(rule)s”: choose an SMS template or write the text.",
                                        rule=rule.name))
            if rule.mail_template_id and rule.mail_template_id.model != "crm.lead" \
                    or rule.sms_template_id and rule.sms_template_id.model != "crm.lead":
                raise ValidationError(_("Rule “%(rule)s”: the template must be a template of leads.",
                                        rule=rule.name))

    def _usable_template(self, template, lead):
        """``template`` when it can still render this rule's message, with the rule's variables, else the
        run fails saying why.

        The rule was checked when saved; the template may have been archived
        or moved to another model since.
        """
        if not template:
            return template
        if template._active_name and not template[template._active_name]:
            raise UserError(_("The template “%(template)s” is archived: nothing was sent.", template=template.name))
        if template.model != "crm.lead":
            raise UserError(_("The template “%(template)s” is no longer a template of leads: nothing was sent.",
                              template=template.name))
        return self._with_variables(template, lead)

    # ------------------------------------------------------------
    # E-MAIL TO THE CUSTOMER
    # ------------------------------------------------------------

    def _prepare_action_email_customer(self, run, lead):
        """The customer's address, the sender, and the subject and text of the template, else the rule's own.

        The contact of an address that has none is only created when the e-mail is sent.
        """
        partner, email = self._email_customer_address(lead)
        template = self._usable_template(self.mail_template_id, lead)
        # Without a responsible, OdooBot writes (from the company's address): an employee, never taken for
        # the customer's answer by a wait or for an inbound message by the triggers.
        author = lead.user_id.partner_id or self.env.ref("base.partner_root")
        values = {"email_from": lead.user_id.partner_id.email_formatted or lead.company_id.email_formatted or None}
        if template:
            rendered = self._render_mail_template(template, lead, ("subject", "body_html", "email_from"))
            subject, body = rendered.get("subject"), rendered.get("body_html") or ""
            values.update(mail_server_id=template.mail_server_id.id, mail_auto_delete=template.auto_delete)
            if rendered.get("email_from"):
                values["email_from"] = rendered["email_from"]
            if template.email_layout_xmlid:
                values["email_layout_xmlid"] = template.email_layout_xmlid
        else:
            subject, body = self._render("summary", lead), plaintext2html(self._render("body", lead))
        return {"partner": partner, "to": email, "author": author, "template": template,
                "subject": subject or lead.name, "body": body, "message_values": values,
                "details": [(_("From"), values["email_from"] or author.name)]}

    def _run_action_email_customer(self, run, lead):
        """Post the e-mail on the lead, as its responsible, so that the customer's answer comes back to it.

        Like Odoo's composer: the message is a comment of the lead's thread
        (its reply-to routes the answer to the lead) whose notification
        e-mails the customer; with a template, its subject, body, sender,
        attachments, reports, layout and mail server are used.
        """
        plan = self._prepare_action(run, lead)
        # What the composer does with a suggested recipient that is not a contact yet.
        partner = plan["partner"] or lead._mail_find_partner_from_emails([plan["to"]], records=lead,
                                                                          force_create=True)[0]
        attachments = self._earlier_documents(run) if self.email_attach_documents else self.env["ir.attachment"]
        values = dict(plan["message_values"])
        template = plan["template"]
        if template:
            rendered = self._render_mail_template(template, lead, ("attachment_ids", "report_template_ids"))
            attachments |= self.env["ir.attachment"].browse(rendered.get("attachment_ids", []))
            values["attachments"] = rendered.get("attachments", [])
        # Queued, not sent within the run: the run is saved before the mail queue reports how the sending went.
        message = lead.message_post(
            subject=plan["subject"],
            body=Markup(run._track_email_body(plan["body"])),
            partner_ids=partner.ids,
            author_id=plan["author"].id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids,
            force_send=False,
            **values,
        )
        run.message_id = message
        self._wake_outgoing_queue("mail.ir_cron_mail_scheduler_action")
        files = len(message.attachment_ids)
        if files:
            return _lt("E-mail “%(subject)s” to %(email)s with %(count)s attachment(s) queued; the run says when "
                       "it is sent.", subject=message.subject, email=partner.email, count=files)
        return _lt("E-mail “%(subject)s” to %(email)s queued; the run says when it is sent.",
                   subject=message.subject, email=partner.email)

    def _email_customer_address(self, lead):
        """``(contact, normalized address)`` of the customer to e-mail: the lead's contact, else the lead's
        e-mail, whose contact (empty here) the composer finds or creates when it sends.

        An address on the exception list skips the run, as a mailing would leave it out.
        """
        partner = lead.partner_id
        email = partner.email or lead.email_from
        if not email:
            raise UserError(_("The customer has no e-mail address: nothing was sent."))
        if not partner.email:
            partner = partner.browse()
        normalized = partner.email_normalized if partner else email_normalize(email)
        if not normalized:
            raise UserError(_("“%(email)s” is not a usable e-mail address: nothing was sent.", email=email))
        if self.env["mail.blacklist"].sudo().search_count([("email", "=", normalized)], limit=1):
            raise SkipRun(_lt("Skipped: %(email)s is on the exception list; nothing was sent.", email=normalized))
        return partner, normalized

    def _earlier_documents(self, run):
        """Attachments published (``attachment_ids``) by the completed earlier runs of the same entry.

        Every earlier document is attached, not only the last one published:
        ``vars`` would keep only the latest value of the name.
        """
        earlier = run.search([
            ("lead_id", "=", run.lead_id.id), ("stage_id", "=", run.stage_id.id),
            ("entered_at", "=", run.entered_at), ("state", "=", "done"), ("id", "!=", run.id),
        ])
        ids = [attachment_id for output in earlier.mapped("outputs") if output
               for attachment_id in output.get("attachment_ids", [])]
        return self.env["ir.attachment"].browse(ids).exists()

    # ------------------------------------------------------------
    # SMS
    # ------------------------------------------------------------

    def _render_sms(self, lead):
        template = self._usable_template(self.sms_template_id, lead)
        if template:
            # In the language the template asks for (the customer's, usually), as Odoo's SMS composer does.
            with self._explaining_unknown_variables(lead):
                return template._render_field("body", lead.ids, compute_lang=True)[lead.id]
        return self._render("body", lead)

    def _prepare_action_sms_customer(self, run, lead):
        return {"to": self._customer_number(lead, _lt("no SMS was sent")), "body": self._render_sms(lead)}

    def _run_action_sms_customer(self, run, lead):
        plan = self._prepare_action(run, lead)
        number, body = plan["to"], plan["body"]
        partner = lead.partner_id
        if partner:
            message = lead._message_sms(body, partner_ids=partner.ids, sms_pid_to_number={partner.id: number},
                                        put_in_queue=True)
        else:
            message = lead._message_sms(body, partner_ids=[], sms_numbers=[number], put_in_queue=True)
        self._wake_outgoing_queue("sms.ir_cron_sms_scheduler_action")
        run.message_id = message
        return _lt("SMS to the customer at %(number)s queued; the run says when it is delivered.", number=number)

    def _prepare_action_sms_employees(self, run, lead):
        """Each recipient at their mobile (else phone) in E.164; one without a usable number fails the run."""
        users = self._get_recipients(lead)
        if not users:
            raise UserError(_("Nobody to send the SMS to: the lead has no responsible."))
        numbers = {}
        for user in users:
            number = compat.first_phone(user)
            if not number:
                raise UserError(_("%(user)s has no phone number: no SMS was sent.", user=user.name))
            country = user.partner_id.country_id or lead.company_id.country_id
            numbers[user.partner_id.id] = self._e164_or_fail(number, country, user.name, _lt("no SMS was sent"))
        return {"recipients": users, "numbers": numbers, "body": self._render_sms(lead),
                "to": ", ".join(f"{user.name} ({numbers[user.partner_id.id]})" for user in users)}

    def _run_action_sms_employees(self, run, lead):
        plan = self._prepare_action(run, lead)
        numbers = plan["numbers"]
        run.message_id = lead._message_sms(plan["body"], partner_ids=list(numbers), sms_pid_to_number=numbers,
                                           put_in_queue=True)
        self._wake_outgoing_queue("sms.ir_cron_sms_scheduler_action")
        return _lt("SMS to %(users)s queued; the run says when it is delivered.", users=plan["to"])

    # ------------------------------------------------------------
    # PHONE NUMBERS
    # ------------------------------------------------------------

    def _customer_number(self, lead, consequence):
        """The customer's number in E.164: the lead's mobile, else its phone, else its contact's.

        National spellings are read with the contact's country, else the
        lead's, else the company's. A number on the exception list skips the
        run: automated messages and calls respect the opt-out like mailings do.

        :param consequence: what did not happen, ending the sentence: a message (``_lt("no SMS was sent")``)
        """
        partner = lead.partner_id
        number = compat.first_phone(lead, partner)
        if not number:
            raise UserError(_("The customer has no phone number: %(consequence)s.",
                              consequence=self._message_text(consequence)))
        country = partner.country_id or lead.country_id or lead.company_id.country_id
        number = self._e164_or_fail(number, country, _("the customer"), consequence)
        if self.env["phone.blacklist"].sudo().search_count([("number", "=", number)], limit=1):
            raise SkipRun(_lt("Skipped: %(number)s is on the exception list; %(consequence)s.",
                              number=number, consequence=consequence))
        return number

    def _e164_or_fail(self, number, country, whom, consequence):
        """``number`` in E.164 read with ``country``, or the failure of the whole run with the reason."""
        try:
            return to_e164(number, country.code)
        except PhoneError as error:
            raise UserError(_("The phone number of %(whom)s, “%(number)s”, cannot be used (%(error)s): "
                              "%(consequence)s.", whom=whom, number=number, error=error,
                              consequence=self._message_text(consequence))) from error
