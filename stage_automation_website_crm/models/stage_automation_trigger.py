from odoo import fields, models


class StageAutomationTrigger(models.Model):
    _inherit = "stage.automation.trigger"

    page_url = fields.Char(
        string="Visited page",
        help="Only when the address of the viewed page contains this text; empty for every tracked page.")

    def _matches_event(self, lead, event):
        """Website forms are also told apart by their page; visits by the page viewed."""
        if self.trigger_type in ("form_submitted", "callback_request") and self.form_name and event.get("page"):
            return super()._matches_event(lead, event) or self.form_name.casefold() in event["page"].casefold()
        if self.trigger_type == "visit" and self.page_url:
            return self.page_url.casefold() in (event.get("url") or "").casefold()
        return super()._matches_event(lead, event)
