import json

from odoo import fields, models


class StageAutomationTriggerLog(models.Model):
    """One firing of a trigger for one lead: whether it moved the lead, and why not when it did not."""

    _name = "stage.automation.trigger.log"
    _description = "Stage Automation Trigger Log"
    _order = "id desc"
    _rec_name = "trigger_id"

    trigger_id = fields.Many2one("stage.automation.trigger", required=True, index=True, ondelete="cascade")
    trigger_type = fields.Selection(related="trigger_id.trigger_type", string="Event")
    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    lead_type = fields.Selection(related="lead_id.type", store=True, string="Type")
    moved = fields.Boolean(readonly=True)
    from_stage_id = fields.Many2one("crm.stage", string="From stage", readonly=True, ondelete="set null")
    to_stage_id = fields.Many2one("crm.stage", string="Target stage", readonly=True, ondelete="set null")
    reason = fields.Text(string="Result", readonly=True)
    payload_id = fields.Many2one("stage.automation.trigger.payload", string="Event data record", readonly=True,
                                 index="btree_not_null")
    payload = fields.Json(related="payload_id.payload", string="Event data")
    payload_text = fields.Text(string="Payload", compute="_compute_payload_text")

    def _compute_payload_text(self):
        for log in self:
            log.payload_text = json.dumps(log.payload, indent=2, ensure_ascii=False) if log.payload else ""
