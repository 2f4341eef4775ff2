from odoo import api, fields, models


class StageAutomationTriggerPayload(models.Model):
    """What the caller sent with one event, stored once: the log lines of every lead and trigger the
    event concerns share it (a form posted for ten leads and three triggers is not stored thirty times)."""

    _name = "stage.automation.trigger.payload"
    _description = "Stage Automation Event Data"

    payload = fields.Json(string="Event data", readonly=True, help="What the caller sent with the event.")
    log_ids = fields.One2many("stage.automation.trigger.log", "payload_id", string="Firings")

    @api.autovacuum
    def _gc_unused(self):
        """Event data no log line refers to any more (their leads were deleted)."""
        self.sudo().search([("log_ids", "=", False)]).unlink()
