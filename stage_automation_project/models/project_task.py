from odoo import fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    opportunity_id = fields.Many2one(
        "crm.lead", string="Lead/Opportunity", index="btree_not_null", ondelete="set null",
        help="The lead this task was created for.")
