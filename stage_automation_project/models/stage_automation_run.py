from odoo import api, fields, models


class StageAutomationRun(models.Model):
    _inherit = "stage.automation.run"

    project_task_ids = fields.Many2many(
        "project.task", "stage_automation_run_project_task_rel", "run_id", "task_id", string="Tasks")

    @api.model
    def _on_stage_exit(self, leads, reason):
        """The rule's "Close when the lead leaves the stage" marks its open tasks done."""
        runs = super()._on_stage_exit(leads, reason)
        tasks = self._runs_to_auto_close(leads, "project_task_ids").project_task_ids
        tasks.filtered(lambda task: not task.is_closed).write({"state": "1_done"})
        return runs
