from odoo import fields, models

VISIT_EVENTS = ("visit", "returning_visitor")


class StageAutomationTrigger(models.Model):
    """The events of the website: visits of a lead's customer; website forms are also told apart by
    the page they were sent from."""

    _inherit = "stage.automation.trigger"

    trigger_type = fields.Selection(
        selection_add=[("webhook",), ("visit", "Website visit"), ("returning_visitor", "Returning visitor")],
        ondelete={event: "cascade" for event in VISIT_EVENTS})
    form_name = fields.Char(
        help="Only for this form (the name the form sends, or a part of the page address of a website form); "
             "empty for every form.")
    page_url = fields.Char(
        string="Visited page",
        help="Only when the address of the viewed page contains this text; empty for every tracked page.")

    def _matches_event(self, lead, event):
        if self.trigger_type in ("form_submitted", "callback_request") and self.form_name and event.get("page"):
            return super()._matches_event(lead, event) or self.form_name.casefold() in event["page"].casefold()
        if self.trigger_type == "visit" and self.page_url:
            return self.page_url.casefold() in (event.get("url") or "").casefold()
        return super()._matches_event(lead, event)
