from odoo import fields, models


class StageAutomationRun(models.Model):
    _inherit = "stage.automation.run"

    project_task_ids = fields.Many2many(
        "project.task", "stage_automation_run_project_task_rel", "run_id", "task_id", string="Tasks")
