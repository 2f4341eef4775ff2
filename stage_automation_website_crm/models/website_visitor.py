from odoo import models
from odoo.http import request


class WebsiteVisitor(models.Model):
    """Page views and new visits of a visitor linked to open leads fire "visit" and "returning visitor".

    Odoo counts a new visit (activity more than 8 hours after the last one) in
    two places: the SQL upsert of ``_upsert_visitor`` (page views, forms) and
    ``_update_visitor_last_visit`` (logins, live-chat messages, product views).
    Both are watched: the visit count is compared around them.
    """

    _inherit = "website.visitor"

    def _upsert_visitor(self, access_token, force_track_values=None):
        if "returning_visitor" not in self.env["stage.automation.trigger"]._active_types():
            return super()._upsert_visitor(access_token, force_track_values)
        visitor = self.sudo().search([("access_token", "=", access_token)])
        leads = visitor._stage_automation_leads() if visitor else None
        visits = visitor.visit_count if leads else 0
        result = super()._upsert_visitor(access_token, force_track_values)
        if leads:
            visitor._stage_automation_count_checked(leads, visits, (force_track_values or {}).get("url"))
        return result

    def _update_visitor_last_visit(self):
        listening = "returning_visitor" in self.env["stage.automation.trigger"]._active_types()
        leads = self._stage_automation_leads() if listening else None
        visits = self.visit_count if leads else 0
        result = super()._update_visitor_last_visit()
        if leads:
            self._stage_automation_count_checked(leads, visits)
        return result

    def _handle_webpage_dispatch(self, website_page):
        """A tracked page was viewed: "visit" fires for the visitor's open leads."""
        result = super()._handle_webpage_dispatch(website_page)
        if "visit" in self.env["stage.automation.trigger"]._active_types():
            visitor = self._get_visitor_from_request()
            leads = visitor._stage_automation_leads() if visitor else None
            if leads:
                url = request.httprequest.url
                self.env["stage.automation.trigger"]._fire_event_safely(
                    "visit", leads, payload={"visitor_id": visitor.id, "url": url}, event={"url": url})
        return result

    def _stage_automation_leads(self):
        """The visitor's open leads: the ones its visits may move."""
        self.ensure_one()
        return self.sudo().lead_ids._stage_automation_open()

    def _stage_automation_count_checked(self, leads, visits, url=None):
        """Odoo may just have counted a new visit (there were ``visits``): "returning visitor" fires if it did."""
        self.ensure_one()
        self.invalidate_recordset(["visit_count"])
        if self.visit_count > visits:
            payload = {"visitor_id": self.id, "visit_count": self.visit_count, "url": url}
            self.env["stage.automation.trigger"]._fire_event_safely("returning_visitor", leads, payload=payload)
