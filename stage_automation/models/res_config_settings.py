from odoo import api, fields, models

from .crm_lead import RUN_IN_REQUEST_PARAM
from .stage_automation_history import DEFAULT_KEEP, DEFAULT_MONTHS, KEEP_PARAM, MONTHS_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    stage_automation_history_months = fields.Integer(
        string="Automation history kept (months)", default=DEFAULT_MONTHS, config_parameter=MONTHS_PARAM,
        help="Finished automation runs, trigger logs and failed automation jobs older than this are deleted "
             "every day.")
    stage_automation_history_keep = fields.Integer(
        string="Automation runs kept per lead", default=DEFAULT_KEEP, config_parameter=KEEP_PARAM,
        help="The last finished runs of each lead are kept whatever their age, so that its history still tells "
             "why a rule ran.")

    stage_automation_run_in_request = fields.Boolean(
        string="Run immediate rules before the page returns", config_parameter=RUN_IN_REQUEST_PARAM,
        help="By default, the rules due when a person moves a lead run in a job just after the save: the page "
             "returns at once and the lead's open views show the rules' effects a moment later. Checked, the "
             "person waits for the rules, and integrators read their effects as soon as their call returns.")
    stage_automation_track_emails = fields.Boolean(
        related="company_id.stage_automation_track_emails", readonly=False)

    @api.constrains("stage_automation_history_months", "stage_automation_history_keep")
    def _check_stage_automation_history(self):
        for settings in self:
            self.env["stage.automation.history"]._check_retention(
                settings.stage_automation_history_months, settings.stage_automation_history_keep)
