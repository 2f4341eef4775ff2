from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import _lt

from .. import compat


class StageAutomationRule(models.Model):
    """"Create from source": crm's conversion of a lead into an opportunity, done by a rule.

    The customer is handled as crm's conversion wizard does (create one from
    the lead, link an existing one, or none). Each target is one method
    ``_convert_to_<target>(run, lead)``: the bridges ``stage_automation_sale_crm``
    and ``stage_automation_account`` add quotations and invoices that way, as
    choices of the same ``convert_target``.
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(selection_add=[("convert", "Create from source")], ondelete={"convert": "cascade"})
    convert_target = fields.Selection(
        [("opportunity", "Opportunity"), ("contact", "Contact"), ("company", "Company")],
        string="Create from the lead", default="opportunity",
        help="What the rule makes of the lead: an opportunity (the lead converted), or its customer as a "
             "contact (under its company when the lead names one) or as a company, linked to the lead.")
    convert_team_id = fields.Many2one(
        "crm.team", string="Into pipeline", ondelete="set null", domain="[('use_opportunities', '=', True)]",
        help="Pipeline of the opportunity; empty to keep the lead's sales team.")
    convert_partner = fields.Selection(
        [("create", "Create a new customer"), ("exist", "Link to an existing customer"),
         ("nothing", "Do not link to a customer")],
        string="Related customer", default="create",
        help="When the lead has no customer yet: create one from the lead's contact details, or find the "
             "contact that has the lead's e-mail address.")
    convert_keep_activities = fields.Boolean(
        string="Do not close activities on conversion",
        help="Leave the lead's open activities open; otherwise they are marked done when the lead is converted.")

    @api.constrains("action", "convert_target", "lead_type")
    def _check_convert(self):
        for rule in self.filtered(lambda r: r.action == "convert"):
            if not rule.convert_target:
                raise ValidationError(_("Rule “%(rule)s”: choose what to create from the lead.", rule=rule.name))
            if rule.convert_target == "opportunity" and rule.lead_type == "opportunity":
                raise ValidationError(_(
                    "Rule “%(rule)s” applies to opportunities: only leads are converted into opportunities.",
                    rule=rule.name))

    def _prepare_action_convert(self, run, lead):
        """What is made of the lead; the customer is found or created when the rule runs."""
        targets = dict(self._fields["convert_target"]._description_selection(self.env))
        details = [(_("Create"), targets.get(self.convert_target, self.convert_target))]
        if self.convert_target == "opportunity":
            details.append((_("Into pipeline"), (self.convert_team_id or lead.team_id).name or _("none")))
        return {"details": details}

    def _run_action_convert(self, run, lead):
        return getattr(self, f"_convert_to_{self.convert_target}")(run, lead)

    def _convert_to_opportunity(self, run, lead):
        if lead.type == "opportunity":
            raise UserError(_("“%(lead)s” is already an opportunity.", lead=lead.name))
        if lead.probability == 100:
            raise UserError(_("Won leads cannot be converted into opportunities."))
        if not self.convert_keep_activities and lead.activity_ids:
            lead.activity_ids.action_feedback(feedback=_("Closed on conversion to an opportunity."))
        partner = self._convert_customer(lead)
        team = self.convert_team_id or lead.team_id
        stage = lead.stage_id
        if not stage._stage_automation_in_pipeline(team):
            # The stage belongs to the former pipeline: start in the new one.
            stage = lead.browse()._stage_find(team_id=team.id, domain=[("fold", "=", False)])
        # Written with the type: the lead moves once, never through a stage Odoo would pick meanwhile (Odoo 19
        # picks one as soon as the team recomputed from the type misses the stage).
        lead.with_context(stage_automation_conversion={"team_id": team.id, "stage_id": stage.id}).convert_opportunity(
            partner, team_id=team.id)
        run._set_outputs({"partner_id": lead.partner_id.id})
        return _lt("Converted into an opportunity in “%(pipeline)s”, customer: %(partner)s.",
                   pipeline=lead.team_id.name or _lt("no sales team"), partner=lead.partner_id.name or _lt("none"))

    def _convert_to_contact(self, run, lead):
        """The customer as crm's conversion makes it: the contact, under its new company when the lead
        names one."""
        if lead.partner_id:
            return _lt("The lead already has a customer: %(partner)s.", partner=lead.partner_id.display_name)
        lead.partner_id = lead._create_customer()
        run._set_outputs({"partner_id": lead.partner_id.id})
        return _lt("Customer “%(partner)s” created from the lead.", partner=lead.partner_id.display_name)

    def _convert_to_company(self, run, lead):
        """The company the lead names, with the lead's address and contact details."""
        if lead.partner_id.commercial_partner_id.is_company:
            return _lt("The lead's customer already is a company: %(company)s.",
                       company=lead.partner_id.commercial_partner_id.name)
        if not lead.partner_name:
            raise UserError(_("The lead names no company (Company Name is empty): nothing was created."))
        company = self.env["res.partner"].create(lead._prepare_customer_values(lead.partner_name, is_company=True))
        if lead.partner_id:
            lead.partner_id.parent_id = company
        else:
            lead.partner_id = company
        run._set_outputs({"partner_id": company.id})
        return _lt("Company “%(company)s” created from the lead.", company=company.name)

    def _convert_customer(self, lead):
        """The lead's customer after crm's partner handling (``convert_partner``)."""
        if self.convert_partner == "create":
            lead._handle_partner_assignment(create_missing=True)
        elif self.convert_partner == "exist" and not lead.partner_id:
            if not lead.email_from:
                raise UserError(_("The lead has no e-mail address to find its existing customer by."))
            partner = compat.find_partner_by_email(lead)
            if not partner:
                raise UserError(_("No contact has the lead's e-mail address “%(email)s”.", email=lead.email_from))
            lead.partner_id = partner
        return lead.partner_id
