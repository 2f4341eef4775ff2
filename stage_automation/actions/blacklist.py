from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import _lt

from .. import compat


class StageAutomationRule(models.Model):
    """"Add to the exception list": the lead's e-mail and phone numbers stop receiving mailings and SMS."""

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[("blacklist", "Add to the exception list")], ondelete={"blacklist": "cascade"})
    blacklist_reason = fields.Char(
        string="Exception reason", translate=True,
        help="Logged on the blacklist entries; placeholders such as {{ object.name }} are rendered on the lead.")

    def _prepare_action_blacklist(self, run, lead):
        """``mail.blacklist`` for the e-mail, ``phone.blacklist`` for the phone and the mobile
        in E.164, formatted with the lead's country (else the company's) as Odoo does."""
        email = lead.email_normalized
        if lead.email_from and not email:
            raise UserError(_("“%(email)s” is not a valid e-mail address.", email=lead.email_from))
        numbers = []
        for fname in compat.PHONE_FIELDS:
            if not lead[fname]:
                continue
            try:
                numbers.append(lead._phone_format(fname=fname, force_format="E164", raise_exception=True))
            except UserError as error:
                raise UserError(_("The %(field)s “%(number)s” cannot be put in E.164 form: %(error)s",
                                  field=lead._fields[fname]._description_string(self.env).lower(),
                                  number=lead[fname], error=error.args[0])) from error
        if not (email or numbers):
            raise UserError(_("The lead has no e-mail address and no phone number to add to the exception list."))
        reason = self._render("blacklist_reason", lead) or _(
            "Added by the automation rule “%(rule)s” on lead “%(lead)s”.", rule=self.name, lead=lead.name)
        numbers = list(dict.fromkeys(numbers))
        return {"email": email, "numbers": numbers, "body": reason, "to": ", ".join(filter(None, [email, *numbers]))}

    def _run_action_blacklist(self, run, lead):
        plan = self._prepare_action(run, lead)
        email, numbers, reason = plan["email"], plan["numbers"], plan["body"]
        added = []
        if email:
            self.env["mail.blacklist"]._add(email, message=reason)
            added.append(email)
        if numbers:
            self.env["phone.blacklist"]._add(numbers, message=reason)
            added.extend(numbers)
        return _lt("Added to the exception list: %(entries)s.", entries=", ".join(added))
