from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.mail import parse_contact_from_email
from odoo.tools.translate import _lt

from .. import compat

PARTNER_ACTIONS = ("create_company", "create_contact", "create_lead_contact")
LEAD_ACTIONS = ("create_lead", "create_opportunity", "repeat_lead")
# What a repeat lead takes from its source: the customer, not the deal (Odoo 19 has no title).
CUSTOMER_FIELDS = (
    "partner_id", "partner_name", "contact_name", "title", "function", "email_from", *compat.PHONE_FIELDS, "website",
    "street", "street2", "zip", "city", "state_id", "country_id", "lang_id",
)


class StageAutomationRule(models.Model):
    """CRM data: create a company, a contact, a lead or an opportunity, a repeat lead, or the
    lead's own contact. The value lines (field = value, rendered on the lead) set or override
    the fields of the new record; each action publishes the new record's id."""

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[
            ("create_company", "Create a company"),
            ("create_contact", "Create a contact"),
            ("create_lead", "Create a lead"),
            ("create_opportunity", "Create an opportunity"),
            ("repeat_lead", "Create a repeat lead"),
            ("create_lead_contact", "Create the contact of the lead"),
        ],
        ondelete={key: "cascade" for key in PARTNER_ACTIONS + LEAD_ACTIONS},
    )

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), **{key: {"values"} for key in PARTNER_ACTIONS + LEAD_ACTIONS}}

    @api.constrains("action", "value_ids")
    def _check_new_record_values(self):
        for rule in self.filtered(lambda r: r.action in ("create_lead", "create_opportunity")):
            if "name" not in rule.value_ids.field_id.mapped("name"):
                raise ValidationError(_("Rule “%(rule)s”: add a line that sets the name of the new %(kind)s.",
                                        rule=rule.name, kind=_("lead") if rule.action == "create_lead"
                                        else _("opportunity")))

    def _value_model(self):
        return "res.partner" if self.action in PARTNER_ACTIONS else super()._value_model()

    def _prepare_action_create_company(self, run, lead):
        values = lead._prepare_customer_values(lead.partner_name, is_company=True)
        return self._prepare_partner(lead, values, _("company"))

    def _run_action_create_company(self, run, lead):
        company = self.env["res.partner"].create(self._prepare_action(run, lead)["values"])
        run._set_outputs({"company_id": company.id})
        return _lt("Company “%(company)s” created.", company=company.name)

    def _prepare_action_create_contact(self, run, lead):
        name = lead.contact_name or (parse_contact_from_email(lead.email_from)[0] if lead.email_from else False)
        return self._prepare_partner(lead, lead._prepare_customer_values(name), _("contact"))

    def _run_action_create_contact(self, run, lead):
        contact = self.env["res.partner"].create(self._prepare_action(run, lead)["values"])
        run._set_outputs({"contact_id": contact.id})
        return _lt("Contact “%(contact)s” created.", contact=contact.name)

    def _prepare_action_create_lead_contact(self, run, lead):
        """The value lines set on the contact; the contact itself is made from the lead when the rule runs."""
        if lead.partner_id:
            return {"details": [(_("Customer"), lead.partner_id.name)]}
        return {"values": self._prepare_values(lead)}

    def _run_action_create_lead_contact(self, run, lead):
        """The customer made from the lead's contact details as crm's conversion does
        (the contact, under its new company when the lead names one), linked to the lead."""
        plan = self._prepare_action(run, lead)
        if lead.partner_id:
            return _lt("The lead already has a customer: %(partner)s.", partner=lead.partner_id.name)
        contact = lead._create_customer()
        contact.write(plan["values"])
        lead.partner_id = contact
        outputs = {"contact_id": contact.id}
        if contact.parent_id:
            outputs["company_id"] = contact.parent_id.id
        run._set_outputs(outputs)
        return _lt("Contact “%(contact)s” created and linked to the lead.", contact=contact.display_name)

    def _prepare_action_create_lead(self, run, lead):
        return {"values": self._new_lead_values(lead, {"type": "lead"})}

    def _run_action_create_lead(self, run, lead):
        new = self._create_lead(self._prepare_action(run, lead)["values"])
        run._set_outputs({"new_lead_id": new.id})
        return _lt("Lead “%(lead)s” created.", lead=new.name)

    def _prepare_action_create_opportunity(self, run, lead):
        return {"values": self._new_lead_values(lead, {"type": "opportunity"})}

    def _run_action_create_opportunity(self, run, lead):
        new = self._create_lead(self._prepare_action(run, lead)["values"])
        run._set_outputs({"new_opportunity_id": new.id})
        return _lt("Opportunity “%(lead)s” created.", lead=new.name)

    def _prepare_action_repeat_lead(self, run, lead):
        """The customer of this lead (its contact details, not its deal) and the value lines."""
        if not (lead.partner_id or lead.email_from or compat.first_phone(lead)):
            raise UserError(_("The lead has no customer (contact, e-mail or phone) to start a repeat lead for."))
        values = {fname: lead._fields[fname].convert_to_write(lead[fname], lead)
                  for fname in CUSTOMER_FIELDS if fname in lead._fields}
        values.update(type="lead", name=_("Repeat lead: %(lead)s", lead=lead.name))
        return {"values": self._new_lead_values(lead, values)}

    def _run_action_repeat_lead(self, run, lead):
        """A new lead for the customer of this one: a new sale to an existing customer.

        The two are linked as crm links leads of one customer (its "Similar
        Leads"), and each one's history names the other.
        """
        new = self._create_lead(self._prepare_action(run, lead)["values"])
        new._message_log(body=Markup(_("Repeat lead of %(lead)s.")) % {"lead": lead._get_html_link()})
        lead._message_log(body=Markup(_("Repeat lead %(lead)s created.")) % {"lead": new._get_html_link()})
        run._set_outputs({"repeat_lead_id": new.id})
        return _lt("Repeat lead “%(lead)s” created.", lead=new.name)

    def _prepare_partner(self, lead, values, kind):
        """The values of a new company or contact: ``values`` from the lead, with the value lines on top."""
        values.update(self._prepare_values(lead))
        if not values.get("name"):
            raise UserError(_("The new %(kind)s has no name: the lead does not give one and no line sets it.",
                              kind=kind))
        return {"values": values}

    def _new_lead_values(self, lead, values):
        """The values of a new lead or opportunity: in the company, sales team and hands of this one,
        unless ``values`` or the value lines say otherwise."""
        return {
            "user_id": lead.user_id.id,
            "team_id": lead.team_id.id,
            "company_id": lead.company_id.id,
            **values,
            **self._prepare_values(lead),
        }

    def _create_lead(self, values):
        """A new lead or opportunity: it enters its stage like any lead, which runs that stage's rules;
        one that would run this very rule again (and again) is refused."""
        new = self.env["crm.lead"].create(values)
        if new.stage_id == self.stage_id and self._applies_to(new) and self._matches_condition(new):
            raise UserError(_(
                "The new record would enter stage “%(stage)s” and run this rule again, endlessly: "
                "set another stage or sales team in the values.", stage=self.stage_id.name))
        return new
