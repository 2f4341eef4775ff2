import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class StageAutomationImport(models.TransientModel):
    """The import of an automation file, or of a scenario of the gallery, into a pipeline: choose the file
    → map its stages to the pipeline's (matched by name to begin with) and read what the import will do,
    what it could not map → apply, with the report of what was done.

    The work is ``stage.automation.transfer``'s, with the user's own rights.
    """

    _name = "stage.automation.import"
    _description = "Stage Automation Import"

    state = fields.Selection([("choose", "Choose"), ("map", "Map"), ("done", "Done")], default="choose",
                             required=True)
    team_id = fields.Many2one("crm.team", string="Pipeline", required=True, ondelete="cascade",
                              help="The pipeline that receives the rules, triggers and constants.")
    source = fields.Selection([("file", "A file"), ("scenario", "A scenario of the gallery")], default="file",
                              required=True, string="Import")
    file = fields.Binary(attachment=False)
    filename = fields.Char()
    scenario_id = fields.Many2one("stage.automation.scenario", ondelete="cascade")
    scenario_description = fields.Text(related="scenario_id.description")
    line_ids = fields.One2many("stage.automation.import.stage", "wizard_id", string="Stages")
    report_html = fields.Html(string="Report", readonly=True, sanitize=False)

    @api.onchange("team_id")
    def _onchange_team_id(self):
        self.line_ids = [fields.Command.clear()]
        if self.state == "map":
            self.state = "choose"

    def _data(self):
        """The file to import, as the transfer model reads it."""
        self.ensure_one()
        if self.source == "scenario":
            if not self.scenario_id:
                raise UserError(_("Choose a scenario."))
            return self.scenario_id._read_file()
        if not self.file:
            raise UserError(_("Choose the file to import."))
        return base64.b64decode(self.file)

    def _stage_map(self):
        return {line.name: line.stage_id.id for line in self.line_ids}

    def action_map(self):
        """Read the file, match its stages to the pipeline's by name, and preview the import."""
        self.ensure_one()
        transfer = self.env["stage.automation.transfer"]
        data = transfer.read_file(self._data())
        report = transfer.import_preview(self.team_id.id, data)  # the stages matched by name
        targets = {stage["name"]: stage["target_id"] for stage in report["stages"]}
        self.line_ids = [fields.Command.clear()] + [fields.Command.create({
            "sequence": position, "name": stage["name"], "label": transfer._label(stage),
            "rule_count": len(stage.get("rules") or []), "trigger_count": len(stage.get("triggers") or []),
            "stage_id": targets[stage["name"]],
        }) for position, stage in enumerate(data["stages"])]
        self.state = "map"
        return self._show_preview(report)

    def action_check(self):
        """Preview the import with the stages as now mapped: nothing is written."""
        self.ensure_one()
        report = self.env["stage.automation.transfer"].import_preview(self.team_id.id, self._data(), self._stage_map())
        return self._show_preview(report)

    def _show_preview(self, report):
        self.report_html = self.env["stage.automation.transfer"]._report_html(report, preview=True)
        return self._reopen()

    def action_apply(self):
        self.ensure_one()
        transfer = self.env["stage.automation.transfer"]
        report = transfer.import_pipeline(self.team_id.id, self._data(), self._stage_map())
        self.write({"state": "done", "report_html": transfer._report_html(report, preview=False)})
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "name": self.scenario_id.name if self.source == "scenario" else _("Import an automation"),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_team_id": self.team_id.id},
        }


class StageAutomationImportStage(models.TransientModel):
    """One stage of the file, and the stage of the pipeline it goes to (none: left out)."""

    _name = "stage.automation.import.stage"
    _description = "Stage Automation Import Stage"
    _order = "sequence, id"

    wizard_id = fields.Many2one("stage.automation.import", required=True, ondelete="cascade")
    sequence = fields.Integer()
    name = fields.Char(string="Stage of the file", required=True, readonly=True)
    label = fields.Char(string="Stage in the file", readonly=True)
    rule_count = fields.Integer(string="Rules", readonly=True)
    trigger_count = fields.Integer(string="Triggers", readonly=True)
    team_id = fields.Many2one(related="wizard_id.team_id")
    stage_id = fields.Many2one(
        "crm.stage", string="Goes to stage", ondelete="cascade",
        domain="['|', ('stage_automation_team_ids', '=', False), ('stage_automation_team_ids', 'in', team_id)]",
        help="Leave empty to leave the rules and triggers of this stage out.")
