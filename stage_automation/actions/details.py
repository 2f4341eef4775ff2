from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import _lt

from .. import compat

# Field types whose values a rule can read into variables.
READABLE_TYPES = (
    "char", "text", "html", "integer", "float", "monetary", "boolean",
    "date", "datetime", "selection", "many2one", "many2many", "one2many",
)


class StageAutomationRule(models.Model):
    """The details of the lead's contact or company: modify them (value lines), or read them into variables.

    Actions that read fields into variables (here, and "Get CRM data") use the
    part ``printable`` (printable values or raw ones).
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[("partner_write", "Modify details"), ("partner_read", "Get details")],
        ondelete={"partner_write": "cascade", "partner_read": "cascade"})
    partner_target = fields.Selection(
        [("contact", "The lead's contact"), ("company", "The contact's company")],
        string="Details of", default="contact")
    partner_address_type = fields.Selection(
        [("contact", "Main address"), ("invoice", "Invoice address"), ("delivery", "Delivery address")],
        string="Address type", default="contact",
        help="Main address: the contact or company itself. Invoice or delivery address: its child address "
             "of that type (read: the one Odoo would use; modify: created when missing).")
    partner_field_ids = fields.Many2many(
        "ir.model.fields", "stage_automation_rule_partner_field_rel", "rule_id", "field_id",
        string="Fields to read", domain=f"[('model', '=', 'res.partner'), ('ttype', 'in', {list(READABLE_TYPES)})]")
    read_printable = fields.Boolean(
        string="Printable values", default=True,
        help="Set: names, labels and dates as people read them. Not set: ids, keys and ISO dates, "
             "e.g. to pass a record's id to another rule.")
    action_uses_printable = fields.Boolean(compute="_compute_action_uses")

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "partner_write": {"values"}, "partner_read": {"variable", "printable"}}

    def _compute_variable_name(self):
        result = super()._compute_variable_name()
        for rule in self.filtered(lambda r: r.action == "partner_read"):
            rule.variable_name = "partner"
        return result

    @compat.constrains_as_user("action", "partner_target", "partner_address_type", "partner_field_ids", "value_ids")
    def _check_partner_details(self):
        for rule in self:
            if rule.action in ("partner_read", "partner_write") and not (
                    rule.partner_target and rule.partner_address_type):
                raise ValidationError(_("Rule “%(rule)s”: choose whose details and which address.", rule=rule.name))
            if rule.action == "partner_read":
                if not rule.partner_field_ids or not rule.variable_name:
                    raise ValidationError(_(
                        "Rule “%(rule)s”: choose the fields to read and the prefix of their variables.",
                        rule=rule.name))
                rule._check_readable_fields(rule.partner_field_ids, "res.partner")
            elif rule.action == "partner_write" and not rule.value_ids:
                raise ValidationError(_("Rule “%(rule)s”: add at least one detail to set.", rule=rule.name))

    def _check_readable_fields(self, field_records, model):
        """The fields belong to ``model``, hold readable values, and the rule's author may read them
        (the rule reads as OdooBot)."""
        wrong = field_records.filtered(lambda f: f.model != model or f.ttype not in READABLE_TYPES)
        if wrong:
            raise ValidationError(_("Rule “%(rule)s”: “%(field)s” cannot be read by a rule.",
                                    rule=self.name, field=wrong[0].field_description))
        compat.check_field_access(self.env[model], "read", field_records.mapped("name"))

    def _value_model(self):
        return "res.partner" if self.action == "partner_write" else super()._value_model()

    def _stage_automation_output_names(self):
        names = super()._stage_automation_output_names()
        if self.action == "partner_read":
            names.update({f"{self.variable_name}_{field.name}": field.field_description
                          for field in self.partner_field_ids})
        return names

    def _prepare_action_partner_read(self, run, lead):
        """The contact or address read; its values are read when the rule runs."""
        partner = self._details_partner(lead)
        if self.partner_address_type != "contact":
            partner = partner.browse(partner.address_get([self.partner_address_type])[self.partner_address_type])
        return {"partner": partner, "details": [(_("Read"), partner.display_name)]}

    def _run_action_partner_read(self, run, lead):
        partner = self._prepare_action(run, lead)["partner"]
        run._set_outputs(self._read_variables(lead, partner, self.partner_field_ids, self.variable_name,
                                              self.read_printable))
        return _lt("Read %(fields)s of %(partner)s.", partner=partner.display_name,
                   fields=", ".join(self.partner_field_ids.mapped("field_description")))

    def _prepare_action_partner_write(self, run, lead):
        """The contact, company or address modified (a missing address is created when the rule runs)."""
        partner = self._details_partner(lead)
        address = partner
        if self.partner_address_type != "contact":
            address = partner.child_ids.filtered(lambda child: child.type == self.partner_address_type)[:1]
        return {"partner": partner, "address": address, "values": self._prepare_values(lead),
                "details": [(_("Modify"), address.display_name or partner.display_name)]}

    def _run_action_partner_write(self, run, lead):
        plan = self._prepare_action(run, lead)
        partner = plan["address"] or plan["partner"].create(
            {"type": self.partner_address_type, "parent_id": plan["partner"].id})
        partner.write(plan["values"])
        return _lt("Updated %(fields)s of %(partner)s.", partner=partner.display_name,
                   fields=", ".join(self.value_ids.field_id.mapped("field_description")))

    def _details_partner(self, lead):
        """The contact, or its company, whose details the rule reads or modifies."""
        partner = lead.partner_id
        if not partner:
            raise UserError(_("The lead has no contact: there are no details to read or modify."))
        return partner.commercial_partner_id if self.partner_target == "company" else partner
