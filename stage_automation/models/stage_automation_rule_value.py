from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import compat

SUPPORTED_TYPES = (
    "char", "text", "html", "integer", "float", "monetary", "boolean",
    "date", "datetime", "selection", "many2one", "many2many",
)
TRUE_WORDS = {"1", "true", "yes", "y", "on"}
FALSE_WORDS = {"", "0", "false", "no", "n", "off"}


class StageAutomationRuleValue(models.Model):
    """One field assignment of a rule that writes or creates a record (the lead, a new lead, a
    contact...); the value is a template rendered on the lead."""

    _name = "stage.automation.rule.value"
    _description = "Stage Automation Field Value"
    _inherit = ["stage.automation.render.mixin", "stage.automation.constraints.mixin"]

    rule_id = fields.Many2one("stage.automation.rule", required=True, ondelete="cascade", index=True)
    model = fields.Char(
        compute="_compute_model", store=True, precompute=True,
        help="Model of the record the rule writes or creates, whose fields the line sets.")
    field_id = fields.Many2one(
        "ir.model.fields", required=True, ondelete="cascade",
        domain=f"[('model', '=', model), ('store', '=', True), ('readonly', '=', False), "
               f"('ttype', 'in', {list(SUPPORTED_TYPES)})]")
    value = fields.Char(
        help="Text, number, date (YYYY-MM-DD), yes/no, a selection key, or the name or id of a record "
             "(several, comma-separated, to add to a many2many). Placeholders such as "
             "{{ object.partner_id.name }} are rendered on the lead.")

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.rule_id._touch_author()
        return lines

    def write(self, vals):
        rules = self.rule_id
        result = super().write(vals)
        (rules | self.rule_id)._touch_author()
        return result

    def unlink(self):
        rules = self.rule_id
        result = super().unlink()
        rules._touch_author()
        return result

    @api.depends("rule_id.action")
    def _compute_model(self):
        for line in self:
            line.model = line.rule_id._value_model() if line.rule_id.action else "crm.lead"

    @compat.constrains_as_user("field_id", "model")
    def _check_field(self):
        for line in self:
            if line.field_id.model != line.model or line.field_id.ttype not in SUPPORTED_TYPES:
                raise ValidationError(_("Field “%(field)s” cannot be set by rule “%(rule)s”.",
                                        field=line.field_id.field_description, rule=line.rule_id.name))
            # The rule writes as OdooBot: its author must be allowed to write the field themselves.
            compat.check_field_access(self.env[line.model], "write", [line.field_id.name])

    def _convert(self, text):
        """Turn the rendered text into a value for ``write``; a sentence says what is wrong otherwise."""
        self.ensure_one()
        field = self.env[self.field_id.model]._fields[self.field_id.name]
        label = self.field_id.field_description
        text = (text or "").strip()
        try:
            if field.type in ("char", "text", "html"):
                return text
            if field.type == "integer":
                return int(text or 0)
            if field.type in ("float", "monetary"):
                return float(text or 0)
            if field.type == "date":
                return fields.Date.to_date(text) or False
            if field.type == "datetime":
                return fields.Datetime.to_datetime(text) or False
        except ValueError as error:
            raise UserError(_("“%(value)s” is not a valid value for %(field)s.", value=text, field=label)) from error
        if field.type == "boolean":
            if text.lower() not in TRUE_WORDS | FALSE_WORDS:
                raise UserError(_("“%(value)s” is not yes or no (for %(field)s).", value=text, field=label))
            return text.lower() in TRUE_WORDS
        if field.type == "selection":
            options = dict(field._description_selection(self.env))
            key = next((key for key, name in options.items() if text in (key, name)), None)
            if key is None and text:
                raise UserError(_("“%(value)s” is not a choice of %(field)s.", value=text, field=label))
            return key or False
        if field.type == "many2one":
            return self._find_record(field.comodel_name, text, label).id if text else False
        names = [name.strip() for name in text.split(",") if name.strip()]
        return [Command.link(self._find_record(field.comodel_name, name, label).id) for name in names]

    def _find_record(self, model, text, label):
        records = self.env[model]
        if text.isdigit():
            # A search, not a browse: the record must be one the rule's author may see.
            found = records.search([("id", "=", int(text))])
        else:
            # A name search also compares fixed-size codes, cut to their size (a country's code "AT" for
            # "Atlantis", "AU" for "Austria"): keep the records one of whose names is the text.
            wanted = text.casefold()
            searched = [name for name in records._rec_names_search or [records._rec_name] if "." not in name]
            found = records.search([("display_name", "=ilike", text)]).filtered(lambda record: any(
                isinstance(name, str) and name.casefold() == wanted
                for name in [record.display_name, *(record[fname] for fname in searched)]))
        if len(found) != 1:
            raise UserError(_("No single record “%(value)s” found for %(field)s.", value=text, field=label))
        return found
