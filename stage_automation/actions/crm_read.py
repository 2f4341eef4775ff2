from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import _lt

from .details import READABLE_TYPES

SOURCE_MODELS = {"lead": "crm.lead", "partner": "res.partner", "company": "res.partner", "team": "crm.team"}


class StageAutomationRule(models.Model):
    """"Get CRM data": fields of the lead, its contact, company or team, or of a record an earlier rule
    published, read into variables; optionally a printable form of that record (a report, as
    "Create a document" prints)."""

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(selection_add=[("crm_read", "Get CRM data")], ondelete={"crm_read": "cascade"})
    crm_read_source = fields.Selection(
        [("lead", "This lead"), ("partner", "Its contact"), ("company", "Its contact's company"),
         ("team", "Its sales team"), ("variable", "The record whose id a variable holds")],
        string="Read", default="lead")
    crm_read_model = fields.Selection(
        [("crm.lead", "Lead / opportunity"), ("res.partner", "Contact / company"), ("crm.team", "Sales team")],
        string="Record type", default="crm.lead")
    crm_read_variable = fields.Char(
        string="Id in variable", help="Name of the variable an earlier rule published with the record's id.")
    crm_read_model_name = fields.Char(compute="_compute_crm_read_model_name", string="Model read")
    crm_read_field_ids = fields.Many2many(
        "ir.model.fields", "stage_automation_rule_crm_read_field_rel", "rule_id", "field_id",
        string="Fields", domain=f"[('model', '=', crm_read_model_name), ('ttype', 'in', {list(READABLE_TYPES)})]")

    @api.depends("crm_read_source", "crm_read_model")
    def _compute_crm_read_model_name(self):
        for rule in self:
            rule.crm_read_model_name = SOURCE_MODELS.get(rule.crm_read_source) or rule.crm_read_model

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "crm_read": {"variable", "report", "printable"}}

    @api.depends("crm_read_model_name")
    def _compute_report_model(self):
        result = super()._compute_report_model()
        for rule in self.filtered(lambda r: r.action == "crm_read"):
            rule.report_model = rule.crm_read_model_name
        return result

    def _compute_variable_name(self):
        result = super()._compute_variable_name()
        for rule in self.filtered(lambda r: r.action == "crm_read"):
            rule.variable_name = "crm"
        return result

    @api.constrains("action", "crm_read_source", "crm_read_model", "crm_read_variable", "crm_read_field_ids")
    def _check_crm_read(self):
        for rule in self.filtered(lambda r: r.action == "crm_read"):
            if not rule.crm_read_source or rule.crm_read_source == "variable" and not rule.crm_read_model:
                raise ValidationError(_("Rule “%(rule)s”: choose the record to read.", rule=rule.name))
            if not rule.crm_read_field_ids or not rule.variable_name:
                raise ValidationError(_(
                    "Rule “%(rule)s”: choose the fields to read and the prefix of their variables.", rule=rule.name))
            if rule.crm_read_source == "variable" and not rule.crm_read_variable:
                raise ValidationError(_("Rule “%(rule)s”: name the variable that holds the record's id.",
                                        rule=rule.name))
            rule._check_readable_fields(rule.crm_read_field_ids, rule.crm_read_model_name)
            rule._check_report()  # the printable form follows the record read

    def _stage_automation_output_names(self):
        names = super()._stage_automation_output_names()
        if self.action == "crm_read":
            names[f"{self.variable_name}_id"] = _("id of the record read")
            names.update({f"{self.variable_name}_{field.name}": field.field_description
                          for field in self.crm_read_field_ids})
            if self.report_id:
                names.update(self._document_output_names())
        return names

    def _prepare_action_crm_read(self, run, lead):
        """The record read; its values are read when the rule runs."""
        record = self._crm_read_record(run, lead)
        details = [(_("Read"), record.display_name)]
        if self.report_id:
            details.append((_("File name"), self._document_name(lead, record)))
        return {"record": record, "details": details}

    def _run_action_crm_read(self, run, lead):
        record = self._prepare_action(run, lead)["record"]
        values = self._read_variables(lead, record, self.crm_read_field_ids, self.variable_name, self.read_printable)
        run._set_outputs({f"{self.variable_name}_id": record.id, **values})
        result = _lt("Read %(fields)s of %(record)s.", record=record.display_name,
                     fields=", ".join(self.crm_read_field_ids.mapped("field_description")))
        if self.report_id:
            attachment = self._create_document(run, lead, record)
            result = _lt("%(result)s Printed “%(name)s”.", result=result, name=attachment.name)
        return result

    def _crm_read_record(self, run, lead):
        """The record the rule reads: the lead, its contact, company or team, or the one a variable names."""
        if self.crm_read_source == "lead":
            return lead
        if self.crm_read_source in ("partner", "company"):
            if not lead.partner_id:
                raise UserError(_("The lead has no contact to read."))
            return lead.partner_id.commercial_partner_id if self.crm_read_source == "company" else lead.partner_id
        if self.crm_read_source == "team":
            if not lead.team_id:
                raise UserError(_("The lead has no sales team to read."))
            return lead.team_id
        model = self.env[self.crm_read_model]
        label = dict(self._fields["crm_read_model"]._description_selection(self.env))[self.crm_read_model]
        variables = run._entry_variables()
        if self.crm_read_variable not in variables:
            raise UserError(_("The variable “%(name)s” is not set: no earlier rule of this stage entry published it.",
                              name=self.crm_read_variable))
        value = variables[self.crm_read_variable]
        record = model.browse(value).exists() if isinstance(value, int) and not isinstance(value, bool) else model
        if not record:
            raise UserError(_("No %(kind)s has the id “%(value)s” (variable “%(name)s”).",
                              kind=label, value=value, name=self.crm_read_variable))
        company = record.company_id if "company_id" in record._fields else record.env["res.company"]
        if company and company != lead.company_id:
            raise UserError(_("%(kind)s “%(record)s” belongs to another company than the lead.",
                              kind=label, record=record.display_name))
        return record
