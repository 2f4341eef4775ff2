import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import file_open


class StageAutomationScenario(models.Model):
    """A ready-made automation of the gallery: a title and a description in the reader's language, and a
    file in the export format (``data/gallery/``) that the import wizard applies to a pipeline, so that a
    scenario is applied exactly as an exported file is imported."""

    _name = "stage.automation.scenario"
    _description = "Stage Automation Scenario"
    _order = "sequence, id"

    name = fields.Char(string="Title", required=True, translate=True)
    description = fields.Text(translate=True, help="What the scenario does, for whom, and what to check after.")
    sequence = fields.Integer(default=10)
    icon = fields.Char(default="fa-magic", help="Font Awesome icon of the gallery card.")
    file_path = fields.Char(
        string="File", required=True,
        help="The scenario's automation, in the export format, as a path of the addons "
             "(e.g. stage_automation/data/gallery/new_lead_follow_up.json).")
    stage_names = fields.Char(string="Stages", compute="_compute_file_summary")
    rule_count = fields.Integer(string="Rules", compute="_compute_file_summary")
    trigger_count = fields.Integer(string="Triggers", compute="_compute_file_summary")
    summary = fields.Char(compute="_compute_file_summary")

    @api.depends("file_path")
    def _compute_file_summary(self):
        for scenario in self:
            stages = scenario._read_file()["stages"] if scenario.file_path else []
            scenario.stage_names = " → ".join(
                self.env["stage.automation.transfer"]._label(stage) for stage in stages
                if stage.get("rules") or stage.get("triggers"))
            scenario.rule_count = sum(len(stage.get("rules") or []) for stage in stages)
            scenario.trigger_count = sum(len(stage.get("triggers") or []) for stage in stages)
            scenario.summary = _("%(rules)s rules, %(triggers)s triggers",
                                 rules=scenario.rule_count, triggers=scenario.trigger_count)

    def _read_file(self):
        """The scenario's file as the import reads it.

        :raise UserError: the file is missing or unreadable (a gallery of another version, say)
        """
        self.ensure_one()
        try:
            with file_open(self.file_path, "rb", filter_ext=(".json",)) as file:
                return json.load(file)
        except (OSError, ValueError) as error:
            raise UserError(_("The file of scenario “%(scenario)s” cannot be read: %(error)s",
                              scenario=self.name, error=error)) from error

    def action_apply(self):
        """Open the import on this scenario, at its stage mapping step, for the pipeline of the context
        (the board's) or the user's own."""
        self.ensure_one()
        team_id = self.env.context.get("default_team_id") or self.env.user.sale_team_id.id \
            or self.env["crm.team"].search([], limit=1).id
        wizard = self.env["stage.automation.import"].create({
            "source": "scenario", "scenario_id": self.id, "team_id": team_id})
        return wizard.action_map()
