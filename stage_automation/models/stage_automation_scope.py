from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import datetime as safe_datetime, dateutil, safe_eval, time as safe_time


class StageAutomationScope(models.AbstractModel):
    """Which leads a rule or a trigger is for: company, pipeline, kind, and a condition on the lead."""

    _name = "stage.automation.scope"
    _description = "Stage Automation Scope"

    company_id = fields.Many2one(
        "res.company", string="Company", index=True,
        help="Leave empty to apply to the leads of every company.")
    team_id = fields.Many2one(
        "crm.team", string="Pipeline", index=True, ondelete="cascade",
        help="Only for the leads of this sales team; empty for every pipeline using the stage.")
    lead_type = fields.Selection(
        [("lead", "Leads"), ("opportunity", "Opportunities"), ("both", "Leads and opportunities")],
        string="Applies to", required=True, default="both")
    filter_domain = fields.Char(string="Condition", default="[]")

    @api.constrains("filter_domain")
    def _check_filter_domain(self):
        for record in self:
            try:
                record._get_filter_domain()
            except Exception as error:  # noqa: BLE001 - any parse or field error is the user's input
                raise ValidationError(_(
                    "“%(name)s”: the condition is not a valid domain on leads (%(error)s).",
                    name=record.display_name, error=error)) from error

    def _get_filter_domain(self):
        self.ensure_one()
        domain = safe_eval(self.filter_domain or "[]", {
            "datetime": safe_datetime,
            "dateutil": dateutil,
            "time": safe_time,
            "uid": self.env.uid,
            "user": self.env.user,
            "context_today": lambda: fields.Date.context_today(self),
        })
        # Compiling the query checks the operators and the field names.
        self.env["crm.lead"]._search(domain)
        return domain

    def _matches_condition(self, lead):
        """Whether ``lead`` meets the condition; a condition broken since it was saved (a field removed
        with its module, say) fails saying so."""
        self.ensure_one()
        try:
            domain = self._get_filter_domain()
            return not domain or bool(lead.filtered_domain(domain))
        except (ValueError, KeyError, SyntaxError, NameError) as error:
            raise UserError(_("The condition of “%(name)s” can no longer be evaluated (%(error)s): fix it.",
                              name=self.display_name, error=error)) from error
