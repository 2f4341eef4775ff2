from markupsafe import Markup

from odoo import Command, _, api, fields, models
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
    repeat_user_id = fields.Many2one(
        "res.users", string="Responsible of a repeat lead", ondelete="set null", domain="[('share', '=', False)]",
        help="Given the lead when its customer already had leads or opportunities (a repeat lead); "
             "empty to keep the lead's responsible.")

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
        """The lead's customer: its own, else the contact with its e-mail (crm's automatic matching),
        else a new one made of the value lines; and the earlier lead that makes it a repeat lead."""
        partner = compat.find_partner_by_email(lead)
        plan = {"partner": partner, "repeat_of": self._repeat_of(lead, partner)}
        if partner:
            plan["details"] = [(_("Customer"), partner.display_name)]
        else:
            plan["values"] = self._prepare_values(lead)
        if plan["repeat_of"]:
            plan["details"] += [(_("Repeat lead of"), plan["repeat_of"].display_name)]
            if self.repeat_user_id:
                plan["details"] += [(_("Responsible"), self.repeat_user_id.name)]
        return plan

    def _run_action_create_lead_contact(self, run, lead):
        """The lead gets its customer as crm's conversion makes it (the contact, under its new company
        when the lead names one) unless it has one or a contact has its e-mail; the lead does not become
        an opportunity. A customer who already had leads makes it a repeat lead (see :meth:`_mark_repeat`)."""
        plan = self._prepare_action(run, lead)
        if lead.partner_id:
            message = _lt("The lead already has a customer: %(partner)s.", partner=lead.partner_id.name)
        elif plan["partner"]:
            lead.partner_id = plan["partner"]
            message = _lt("Contact “%(contact)s”, who has the lead's e-mail, linked to the lead.",
                          contact=lead.partner_id.display_name)
        else:
            contact = lead._create_customer()
            contact.write(plan["values"])
            lead.partner_id = contact
            message = _lt("Contact “%(contact)s” created and linked to the lead.", contact=contact.display_name)
        contact = lead.partner_id
        outputs = {"contact_id": contact.id}
        if contact.parent_id:
            outputs["company_id"] = contact.parent_id.id
        run._set_outputs(outputs)
        if plan["repeat_of"]:
            self._mark_repeat(lead, plan["repeat_of"])
            message = _lt("%(done)s A repeat lead of “%(lead)s”.", done=message, lead=plan["repeat_of"].name)
        return message

    def _repeat_of(self, lead, partner):
        """The latest earlier lead or opportunity (lost ones too) of ``partner``'s company or person, among
        those the rule's author may see; empty when this is the customer's first."""
        if not partner:
            return self.env["crm.lead"]
        return self.env["crm.lead"].with_context(active_test=False).search([
            ("partner_id", "child_of", partner.commercial_partner_id.id), ("id", "<", lead.id),
        ], order="id desc", limit=1)

    def _mark_repeat(self, lead, earlier):
        """What a repeat lead is here: tagged *Repeat* (the tag the addon ships, unless deleted), given the
        rule's responsible of repeat leads, and its history links the customer's earlier lead (crm's
        *Similar Leads* lists them all)."""
        values = {}
        tag = self.env.ref("stage_automation.crm_tag_repeat", raise_if_not_found=False)
        if tag:
            values["tag_ids"] = [Command.link(tag.id)]
        if self.repeat_user_id:
            values["user_id"] = self.repeat_user_id.id
        lead.write(values)
        lead._message_log(body=Markup(_("Repeat lead of %(lead)s.")) % {"lead": earlier._get_html_link()})

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
