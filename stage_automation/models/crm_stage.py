from odoo import fields, models


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
