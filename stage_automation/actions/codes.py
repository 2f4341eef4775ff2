import secrets
import string

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _lt

from .. import compat

ALPHABETS = {
    "digits": string.digits,
    "letters": string.ascii_uppercase,
    "both": string.digits + string.ascii_uppercase,
}
MAX_CODE_LENGTH = 64


class StageAutomationRule(models.Model):
    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[("generate_code", "Generate code")], ondelete={"generate_code": "cascade"})
    code_length = fields.Integer(string="Code length", default=6)
    code_alphabet = fields.Selection(
        [("digits", "Digits"), ("letters", "Letters (A-Z)"), ("both", "Digits and letters")],
        string="Characters", default="digits")
    code_field_id = fields.Many2one(
        "ir.model.fields", string="Store the code in", ondelete="cascade",
        domain="[('model', '=', 'crm.lead'), ('ttype', '=', 'char'), ('store', '=', True), ('readonly', '=', False)]",
        help="Optional text field of the lead that receives the code.")

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "generate_code": {"variable"}}

    def _compute_variable_name(self):
        result = super()._compute_variable_name()
        for rule in self.filtered(lambda r: r.action == "generate_code"):
            rule.variable_name = "code"
        return result

    @compat.constrains_as_user("action", "code_length", "code_alphabet", "code_field_id")
    def _check_generate_code(self):
        for rule in self.filtered(lambda r: r.action == "generate_code"):
            if not rule.code_alphabet:
                raise ValidationError(_("Rule “%(rule)s”: choose the characters of the code.", rule=rule.name))
            if not 1 <= rule.code_length <= MAX_CODE_LENGTH:
                raise ValidationError(_(
                    "Rule “%(rule)s”: the code must have between 1 and %(max)s characters.",
                    rule=rule.name, max=MAX_CODE_LENGTH))
            if not rule.variable_name:
                raise ValidationError(_("Rule “%(rule)s”: name the variable of the code.", rule=rule.name))
            field = rule.code_field_id
            if field and (field.model != "crm.lead" or field.ttype != "char" or field.readonly):
                raise ValidationError(_(
                    "Rule “%(rule)s”: “%(field)s” is not a text field of leads that a rule can write.",
                    rule=rule.name, field=field.field_description))
            if field:
                size = self.env["crm.lead"]._fields[field.name].size
                if size and size < rule.code_length:
                    raise ValidationError(_(
                        "Rule “%(rule)s”: “%(field)s” holds at most %(size)s characters.",
                        rule=rule.name, field=field.field_description, size=size))
                compat.check_field_access(self.env["crm.lead"], "write", [field.name])

    def _stage_automation_output_names(self):
        names = super()._stage_automation_output_names()
        if self.action == "generate_code" and self.variable_name:
            names[self.variable_name] = _("the generated code")
        return names

    def _prepare_action_generate_code(self, run, lead):
        """The code itself is drawn when the rule runs."""
        if not self.code_field_id:
            return {}
        return {"details": [(_("Stored in"), self.code_field_id.field_description)]}

    def _run_action_generate_code(self, run, lead):
        alphabet = ALPHABETS[self.code_alphabet]
        code = "".join(secrets.choice(alphabet) for _position in range(self.code_length))
        run._set_outputs({self.variable_name: code})
        if self.code_field_id:
            lead.write({self.code_field_id.name: code})
            return _lt("Code generated and stored in “%(field)s”.", field=self.code_field_id.field_description)
        return _lt("Code generated (variable “%(name)s”).", name=self.variable_name)
