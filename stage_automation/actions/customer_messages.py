from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html

from ..engine.phone import PhoneError, to_e164


class StageAutomationRule(models.Model):
    """Messages to the customer (e-mail, SMS) and SMS to employees, through Odoo's mail and sms engines."""

    _inherit = "stage.automation.rule"

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

    # ------------------------------------------------------------
    # E-MAIL TO THE CUSTOMER
    # ------------------------------------------------------------

    def _run_action_email_customer(self, run, lead):
        """Post the e-mail on the lead, as its responsible, so that the customer's answer comes back to it."""
        email = lead.partner_id.email or lead.email_from
        if not email:
            raise UserError(_("The customer has no e-mail address: nothing was sent."))
        partner = lead.partner_id if lead.partner_id.email else \
            lead._mail_find_partner_from_emails([email], records=lead, force_create=True)[0]
        if not partner:
            raise UserError(_("“%(email)s” is not a usable e-mail address: nothing was sent.", email=email))
        attachments = self._earlier_documents(run) if self.email_attach_documents else self.env["ir.attachment"]
        if self.mail_template_id:
            values = self.mail_template_id._generate_template(
                lead.ids, ("subject", "body_html", "attachment_ids", "report_template_ids"))[lead.id]
            subject, body = values.get("subject"), values.get("body_html") or ""
            attachments |= self.env["ir.attachment"].browse(values.get("attachment_ids", []))
            files = values.get("attachments", [])
        else:
            subject, body, files = self._render("summary", lead), plaintext2html(self._render("body", lead)), []
        author = lead.user_id.partner_id or lead.company_id.partner_id
        message = lead.message_post(
            subject=subject or lead.name,
            body=Markup(run._track_email_body(body)),
            partner_ids=partner.ids,
            author_id=author.id,
            email_from=author.email_formatted or None,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids,
            attachments=files,
        )
        return _("E-mail “%(subject)s” sent to %(email)s%(files)s.", subject=message.subject, email=partner.email,
                 files=_(" with %(count)s attachment(s)", count=len(message.attachment_ids))
                 if message.attachment_ids else "")

    def _earlier_documents(self, run):
        """Attachments published (``attachment_ids``) by the completed earlier runs of the same entry."""
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
        if self.sms_template_id:
            return self.sms_template_id._render_field("body", lead.ids, set_lang=lead.user_id.lang)[lead.id]
        return self._render("body", lead)

    def _run_action_sms_customer(self, run, lead):
        partner = lead.partner_id
        number = lead.mobile or lead.phone or partner.mobile or partner.phone
        if not number:
            raise UserError(_("The customer has no phone number: no SMS was sent."))
        country = partner.country_id or lead.country_id or lead.company_id.country_id
        e164 = self._e164_or_fail(number, country, _("the customer"))
        lead._message_sms(self._render_sms(lead), sms_numbers=[e164], partner_ids=False)
        return _("SMS sent to the customer at %(number)s.", number=e164)

    def _run_action_sms_employees(self, run, lead):
        users = self._get_recipients(lead)
        if not users:
            raise UserError(_("Nobody to send the SMS to: the lead has no responsible."))
        numbers = {}
        for user in users:
            number = user.mobile or user.phone
            if not number:
                raise UserError(_("%(user)s has no phone number: no SMS was sent.", user=user.name))
            country = user.partner_id.country_id or lead.company_id.country_id
            numbers[user.partner_id.id] = self._e164_or_fail(number, country, user.name)
        lead._message_sms(self._render_sms(lead), partner_ids=list(numbers), sms_pid_to_number=numbers)
        return _("SMS sent to %(users)s.", users=", ".join(f"{user.name} ({numbers[user.partner_id.id]})"
                                                          for user in users))


    def _e164_or_fail(self, number, country, whom):
        """``number`` in E.164 read with ``country``, or the failure of the whole run with the reason."""
        try:
            return to_e164(number, country.code)
        except PhoneError as error:
            raise UserError(_("The phone number of %(whom)s, “%(number)s”, cannot be used (%(error)s): "
                              "nothing was sent.", whom=whom, number=number, error=error)) from error
