from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    project_task_ids = fields.One2many(
        "project.task", "opportunity_id", string="Tasks", groups="project.group_project_user")
    project_task_count = fields.Integer(
        compute="_compute_project_task_count", string="Task count", groups="project.group_project_user")

    @api.depends("project_task_ids")
    def _compute_project_task_count(self):
        counts = dict(self.env["project.task"]._read_group(
            [("opportunity_id", "in", self.ids)], ["opportunity_id"], ["__count"]))
        for lead in self:
            lead.project_task_count = counts.get(lead, 0)

    def action_view_project_tasks(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("project.action_view_all_task")
        action["domain"] = [("opportunity_id", "=", self.id)]
        action["context"] = {"default_opportunity_id": self.id, "default_partner_id": self.partner_id.id}
        return action
