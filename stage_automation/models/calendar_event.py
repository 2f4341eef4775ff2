from odoo import api, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model_create_multi
    def create(self, vals_list):
        """A booking made on a lead (a meeting, a booked resource) fires its "resource booked" triggers."""
        events = super().create(vals_list)
        Trigger = self.env["stage.automation.trigger"]
        for event in events:
            lead = event.opportunity_id
            if not lead and event.res_model == "crm.lead" and event.res_id:
                lead = self.env["crm.lead"].browse(event.res_id)
            if lead:
                Trigger._fire_event_safely("resource_booked", lead, payload={"event_id": event.id, "name": event.name})
        return events
