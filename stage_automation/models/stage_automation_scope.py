from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import dateutil, safe_eval
from odoo.tools.safe_eval import time as safe_time

from ..engine.domains import check_literal_domain


class StageAutomationScope(models.AbstractModel):
    """Which leads a rule or a trigger is for: its stage, company, pipeline (one of the stage's), kind,
    and a condition on the lead."""

    _name = "stage.automation.scope"
    _description = "Stage Automation Scope"

    stage_id = fields.Many2one("crm.stage", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self._default_company(),
        help="Leave empty to apply to the leads of every company (only users allowed in every company may).")
    team_id = fields.Many2one(
        "crm.team", string="Pipeline", index=True, ondelete="cascade",
        help="Only for the leads of this sales team; empty for every pipeline using the stage.")
    stage_pipeline_ids = fields.Many2many(
        related="stage_id.stage_automation_team_ids", string="Pipelines of the stage",
        help="The pipelines using the stage (none: every pipeline); the pipeline chosen is one of them.")
    lead_type = fields.Selection(
        [("lead", "Leads"), ("opportunity", "Opportunities"), ("both", "Leads and opportunities")],
        string="Applies to", required=True, default="both")
    filter_domain = fields.Char(string="Condition", default="[]")

    @api.model
    def _default_company(self):
        """Every company for those allowed in all of them (as before), else the current one."""
        return False if self._allowed_in_every_company() else self.env.company

    def _allowed_in_every_company(self):
        return self.env.su or not (self.env["res.company"].sudo().search([]) - self.env.user.company_ids)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._check_company_authority()
        return records

    def write(self, vals):
        result = super().write(vals)
        if "company_id" in vals:
            self._check_company_authority()
        return result

    def _check_company_authority(self):
        """A record without company acts in every company: only someone allowed in every company saves
        one; otherwise its company is one of the person's. The engine's own writes (sudo) are exempt."""
        if self.env.su:
            return
        user = self.env.user
        every_company = self._allowed_in_every_company()
        for record in self:
            if not record.company_id and not every_company:
                raise ValidationError(_(
                    "“%(name)s” has no company, so it would act on the leads of every company: choose the "
                    "company it is for (only a user allowed in every company may leave it empty).",
                    name=record.display_name))
            if record.company_id and record.company_id not in user.company_ids:
                raise ValidationError(_(
                    "“%(name)s”: you are not allowed in company “%(company)s”.",
                    name=record.display_name, company=record.company_id.name))

    def _pipelines(self):
        """The pipelines whose leads this is for: its own, else its stage's (none: every pipeline)."""
        self.ensure_one()
        return self.team_id or self.stage_id.stage_automation_team_ids

    def _outside_stage_pipelines(self):
        """Whether its pipeline is not one its stage belongs to: it would never act."""
        self.ensure_one()
        return not self.stage_id._stage_automation_in_pipeline(self.team_id)

    @api.constrains("stage_id", "team_id")
    def _check_pipeline(self):
        for record in self.filtered(lambda record: record._outside_stage_pipelines()):
            raise ValidationError(_(
                "“%(name)s”: stage “%(stage)s” belongs to pipeline “%(team)s”, not “%(pipeline)s”.",
                name=record.display_name, stage=record.stage_id.name,
                team=", ".join(record.stage_id.stage_automation_team_ids.mapped("name")), pipeline=record.team_id.name))

    @api.constrains("filter_domain")
    def _check_filter_domain(self):
        for record in self:
            try:
                record._get_filter_domain()
            except Exception as error:  # noqa: BLE001 - any parse or field error is the user's input
                raise ValidationError(_(
                    "“%(name)s”: the condition is not a valid domain on leads (%(error)s).",
                    name=record.display_name, error=error)) from error

    def _filter_domain_context(self):
        """What a condition may use, as in Odoo's saved filters and record rules: plain values only
        (the user's id and companies, today, date arithmetic), never a record whose methods it could call."""
        return {
            "datetime": safe_datetime,
            "dateutil": dateutil,
            "relativedelta": dateutil.relativedelta.relativedelta,
            "time": safe_time,
            "uid": self.env.uid,
            "company_id": self.env.company.id,
            "company_ids": self.env.companies.ids,
            "context_today": lambda: fields.Date.context_today(self),
        }

    def _get_filter_domain(self):
        self.ensure_one()
        domain = check_literal_domain(safe_eval(self.filter_domain or "[]", self._filter_domain_context()))
        # Compiling the query checks the operators, the field names and the fields the user may read.
        self.env["crm.lead"]._search(domain)
        return domain

    def _has_condition(self):
        """Whether a condition is set (most rules have none: nothing to evaluate)."""
        self.ensure_one()
        return bool(self.filter_domain) and self.filter_domain.strip() != "[]"

    def _matches_condition(self, lead):
        """Whether ``lead`` meets the condition; a condition broken since it was saved (a field removed
        with its module, say) fails saying so."""
        self.ensure_one()
        if not self._has_condition():
            return True
        try:
            domain = self._get_filter_domain()
            return not domain or bool(lead.filtered_domain(domain))
        except (ValueError, KeyError, SyntaxError, NameError) as error:
            raise UserError(_("The condition of “%(name)s” can no longer be evaluated (%(error)s): fix it.",
                              name=self.display_name, error=error)) from error
