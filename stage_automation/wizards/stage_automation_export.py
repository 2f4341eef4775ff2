import base64
import re

from odoo import _, fields, models


class StageAutomationExport(models.TransientModel):
    """The export of a pipeline's automation to a file, as the board offers it (the same file as
    ``stage.automation.transfer.export_pipeline`` over XML-RPC)."""

    _name = "stage.automation.export"
    _description = "Stage Automation Export"

    team_id = fields.Many2one("crm.team", string="Pipeline", required=True, ondelete="cascade")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)
    summary = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        transfer = self.env["stage.automation.transfer"]
        data = transfer.export_pipeline(self.team_id.id)
        stages = data["stages"]
        slug = re.sub(r"[^a-z0-9]+", "_", self.team_id.name.lower()).strip("_") or "pipeline"
        self.write({
            "file": base64.b64encode(transfer._dumps(data).encode()),
            "filename": f"automation_{slug}.json",
            "summary": _("%(stages)s stages, %(rules)s rules, %(triggers)s triggers, %(constants)s constants.",
                         stages=len(stages), rules=sum(len(stage["rules"]) for stage in stages),
                         triggers=sum(len(stage["triggers"]) for stage in stages),
                         constants=len(data["constants"])),
        })
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "name": _("Export the automation"),
            "views": [(False, "form")],
            "target": "new",
        }
