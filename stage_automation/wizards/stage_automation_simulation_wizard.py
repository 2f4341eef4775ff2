from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class StageAutomationSimulationWizard(models.TransientModel):
    """The dialog of a simulation: pick a lead and a stage, read what entering it would do.

    The result is computed as the lead and the stage are chosen and the dialog
    is closed, not saved: simulating writes nothing, not even this dialog.
    """

    _name = "stage.automation.simulation.wizard"
    _description = "Stage Automation Simulation Dialog"

    team_id = fields.Many2one(
        "crm.team", string="Pipeline", compute="_compute_team_id", store=True, readonly=False)
    lead_id = fields.Many2one("crm.lead", domain="[('team_id', '=?', team_id)]")
    stage_id = fields.Many2one(
        "crm.stage", string="Entering stage",
        domain="['|', ('stage_automation_team_ids', '=', False), ('stage_automation_team_ids', 'in', team_id)]")
    entered_at = fields.Datetime(string="Entering on", help="Empty: now.")
    result = fields.Html(string="Simulation", compute="_compute_result", sanitize=False)

    @api.model
    def _action_open(self, lead=None, stage=None, team=None):
        """The dialog, with what the place it is opened from already says (the lead, the stage, the pipeline)."""
        action = self.env["ir.actions.actions"]._for_xml_id(
            "stage_automation.stage_automation_simulation_wizard_action")
        action["context"] = {
            "default_lead_id": lead.id if lead else False,
            "default_stage_id": stage.id if stage else False,
            "default_team_id": team.id if team else False,
        }
        return action

    @api.depends("lead_id")
    def _compute_team_id(self):
        for wizard in self.filtered("lead_id.team_id"):
            wizard.team_id = wizard.lead_id.team_id

    @api.depends("lead_id", "stage_id", "entered_at")
    def _compute_result(self):
        simulation = self.env["stage.automation.simulation"]
        for wizard in self:
            if not (wizard.lead_id and wizard.stage_id):
                wizard.result = False
                continue
            try:
                result = simulation.simulate(wizard.lead_id.id, wizard.stage_id.id, at=wizard.entered_at)
            except UserError as error:  # an AccessError too: the lead or the rules are not the user's to read
                wizard.result = Markup('<div class="alert alert-danger" role="alert">%s</div>') % error.args[0]
                continue
            wizard.result = simulation._report_html(result)
