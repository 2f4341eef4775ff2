from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    stage_automation_constant_ids = fields.One2many(
        "stage.automation.constant", "team_id", string="Automation constants",
        groups="stage_automation.group_stage_automation_lead_read,"
               "stage_automation.group_stage_automation_opportunity_read",
        help="Values the automation rules of this pipeline use as {{ constants.name }}.")
