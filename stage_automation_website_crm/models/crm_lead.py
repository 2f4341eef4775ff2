from odoo import models
from odoo.exceptions import UserError

from odoo.addons.stage_automation import compat


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _stage_automation_website_form(self, form="", page="", callback=False):
        """This lead was just created by a website form: fire the form triggers of its customer.

        The customer's open leads found by the form's e-mail or phone are fired;
        when the customer has none (a new customer), the lead the form created is.

        :param form: the name the form gives itself in its hidden field, if any
        :param page: the path of the page the form was sent from
        :param callback: the form asks to be called back (``callback_request``)
        """
        self.ensure_one()
        leads = (self._stage_automation_customer_leads() - self) or self
        event = {"form": form, "page": page}
        return self.env["stage.automation.trigger"]._fire_event_safely(
            "callback_request" if callback else "form_submitted", leads,
            payload={**event, "lead_id": self.id}, event=event)

    def _stage_automation_customer_leads(self):
        """The open leads with this lead's e-mail or phone (what a visitor typed may be no phone number)."""
        self.ensure_one()
        leads = self._stage_automation_match(email=self.email_normalized) if self.email_normalized else self.browse()
        phone = self.phone or compat.first_phone(self)
        if phone:
            try:
                leads |= self._stage_automation_match(phone=phone, country_code=self.country_id.code)
            except UserError:
                return leads
        return leads
