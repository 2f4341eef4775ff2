from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .. import compat


class CrmStage(models.Model):
    _inherit = "crm.stage"

    stage_automation_rule_ids = fields.One2many(
        "stage.automation.rule", "stage_id", string="Automation rules", context={"active_test": False},
        groups="stage_automation.group_stage_automation_lead_read,"
               "stage_automation.group_stage_automation_opportunity_read")
    stage_automation_trigger_ids = fields.One2many(
        "stage.automation.trigger", "stage_id", string="Triggers", context={"active_test": False},
        groups="stage_automation.group_stage_automation_lead_read,"
               "stage_automation.group_stage_automation_opportunity_read")

    # The pipelines of the stage on every series (Odoo 19: several, Odoo 18: one; none: every pipeline).
    stage_automation_team_ids = compat.stage_pipelines_field()

    @api.depends("team_id")
    def _compute_stage_automation_team_ids(self):  # Odoo 18 only: see compat.stage_pipelines_field
        for stage in self:
            stage.stage_automation_team_ids = stage.team_id

    def _search_stage_automation_team_ids(self, operator, value):  # Odoo 18 only
        if operator in ("in", "not in") and not isinstance(value, (list, tuple)):
            value = [value]  # as a many2many takes one id ("in", team_id in a view's domain)
        return [("team_id", operator, value)]

    def _stage_automation_in_pipeline(self, team):
        """Whether this stage is one of pipeline ``team``'s (a stage of no pipeline is every pipeline's)."""
        self.ensure_one()
        return not self.stage_automation_team_ids or not team or team in self.stage_automation_team_ids

    @api.constrains(compat.STAGE_PIPELINES_FIELD)
    def _check_stage_automation_pipelines(self):
        """A stage keeps the pipelines its rules and triggers are for: one left out would silently stop them."""
        for stage in self.sudo():
            astray = [record.name for record in (*stage.stage_automation_rule_ids, *stage.stage_automation_trigger_ids)
                      if record._outside_stage_pipelines()]
            if astray:
                raise ValidationError(_(
                    "Stage “%(stage)s” has rules or triggers for a pipeline it would no longer belong to: "
                    "%(names)s. Delete them or choose another pipeline for them first.",
                    stage=stage.name, names=", ".join(astray)))
