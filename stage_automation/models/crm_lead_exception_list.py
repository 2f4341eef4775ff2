from odoo import api, models
from odoo.tools import email_normalize


class CrmLead(models.Model):
    """The exception list at the door: an address or a number added to it (by *Add to the exception list*
    or by hand) brings no new lead (see mail.thread's routing) and moves none; an e-mail that answers a
    lead still reaches it."""

    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _stage_automation_exclusion(self, email=None, phone=None, country=None):
        """Why an event of this e-mail address or phone number must not move leads: the entry of the exception
        list (``mail.blacklist``, ``phone.blacklist``) it is on, as a sentence; None when it is on none."""
        normalized = email_normalize(email or "", strict=False) if isinstance(email, str) else None
        if normalized and self.env["mail.blacklist"].sudo().search_count(
                [("email", "=", normalized), ("active", "=", True)], limit=1):
            return self.env._("Not moved: %(address)s is on the exception list.", address=normalized)
        if isinstance(phone, str) and phone.strip():
            country = self.env["res.country"].search([("code", "=ilike", country)], limit=1) \
                if isinstance(country, str) and country else self.env.company.country_id
            number = self._phone_format(number=phone, country=country, force_format="E164", raise_exception=False)
            if number and self.env["phone.blacklist"].sudo().search_count(
                    [("number", "=", number), ("active", "=", True)], limit=1):
                return self.env._("Not moved: %(number)s is on the exception list.", number=number)
        return None
