from odoo import models
from odoo.http import request


class WebsiteVisitor(models.Model):
    """Page views and visits of a visitor linked to open leads fire "visit" and "returning visitor"."""

    _inherit = "website.visitor"

    def _handle_webpage_dispatch(self, website_page):
        """A tracked page was viewed: "visit" fires, and "returning visitor" when Odoo counted a new visit.

        Odoo counts the visit in the SQL upsert of ``_upsert_visitor`` (a visit
        starts after 8 hours without activity): the count is compared around it.
        """
        active_types = self.env["stage.automation.trigger"]._active_types()
        visitor = self._get_visitor_from_request() if {"visit", "returning_visitor"} & active_types else None
        leads = visitor._stage_automation_leads() if visitor else None
        visits = visitor.visit_count if leads else 0
        super()._handle_webpage_dispatch(website_page)
        if leads:
            visitor.invalidate_recordset(["visit_count"])
            visitor._stage_automation_visited(leads, request.httprequest.url, returning=visitor.visit_count > visits)

    def _update_visitor_last_visit(self):
        """Odoo also counts a new visit here (a login, a live-chat message): "returning visitor" fires then."""
        listening = "returning_visitor" in self.env["stage.automation.trigger"]._active_types()
        leads = self._stage_automation_leads() if listening else None
        visits = self.visit_count if leads else 0
        super()._update_visitor_last_visit()
        if leads:
            self.invalidate_recordset(["visit_count"])
            if self.visit_count > visits:
                self._stage_automation_visited(leads, None, returning=True)

    def _stage_automation_leads(self):
        """The visitor's open leads: the ones its visits may move."""
        self.ensure_one()
        return self.sudo().lead_ids._stage_automation_open()

    def _stage_automation_visited(self, leads, url, returning):
        """Fire the visit triggers of ``leads`` (``url``: the page viewed, if it was one)."""
        self.ensure_one()
        payload = {"visitor_id": self.id, "visit_count": self.visit_count, "url": url}
        Trigger = self.env["stage.automation.trigger"]
        if returning:
            Trigger._fire_event_safely("returning_visitor", leads, payload=payload)
        if url:
            Trigger._fire_event_safely("visit", leads, payload=payload, event={"url": url})
