from odoo import api, models
from odoo.tools import email_normalize


class CrmLead(models.Model):
    """The exception list at the door: an address or a number added to it (by *Add to the exception list*
    or by hand) brings no new lead (see mail.thread's routing) and moves none; an e-mail that answers a
    lead still reaches it."""

    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _stage_automation_exclusion(self, email=None, number=None):
        """Why an event of this e-mail address (as written, e.g. an e-mail's sender) or phone number (in E.164,
        see ``_stage_automation_contact``) must not move leads: the entry of the exception list
        (``mail.blacklist``, ``phone.blacklist``) it is on, as a sentence; None when it is on none."""
        normalized = email_normalize(email, strict=False) if email else None
        if normalized and self.env["mail.blacklist"].sudo().search_count(
                [("email", "=", normalized), ("active", "=", True)], limit=1):
            return self.env._("Not moved: %(address)s is on the exception list.", address=normalized)
        if number and self.env["phone.blacklist"].sudo().search_count(
                [("number", "=", number), ("active", "=", True)], limit=1):
            return self.env._("Not moved: %(number)s is on the exception list.", number=number)
        return None
