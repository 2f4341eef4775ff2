from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    stage_automation_lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", readonly=True, copy=False, index="btree_not_null", ondelete="set null",
        help="The opportunity an automation rule made this invoice of.")
