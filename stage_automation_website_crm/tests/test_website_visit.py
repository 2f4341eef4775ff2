from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import WebsiteCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_triggers")
class TestWebsiteVisit(WebsiteCase):
    # Page views are tracked only on a read-write cursor, as in Odoo's own visitor tests.
    readonly_enabled = False  # Odoo 18's name
    _registry_readonly_enabled = False  # Odoo 19's

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        pages = cls.env["website.page"]
        for url, text in (("/sa-pricing", "Our prices"), ("/sa-about", "About us")):
            view = cls.env["ir.ui.view"].create({
                "name": text, "type": "qweb", "key": f"stage_automation_website_crm.{url[1:]}", "track": True,
                "arch": f'<t t-name="{url[1:]}"><t t-call="website.layout">{text}</t></t>',
            })
            pages |= pages.create({"view_id": view.id, "url": url, "website_published": True})
        cls.pricing_page, cls.about_page = pages

    def view(self, page):
        self.assertEqual(self.url_open(page.url).status_code, 200)
        self.env.invalidate_all()

    def come_back_later(self, visitor):
        """Nine hours without activity: Odoo counts the next activity as a new visit."""
        visitor.last_connection_datetime = fields.Datetime.now() - timedelta(hours=9)
        self.env.flush_all()

    def test_pages_viewed_by_the_visitor_of_a_lead(self):
        visit = self.trigger(name="Saw the prices", code="prices", trigger_type="visit", page_url="pricing",
                             stage_id=self.stage_qualified.id)
        returning = self.trigger(name="Came back", code="back", trigger_type="returning_visitor")
        self.view(self.pricing_page)
        self.assertFalse(self.Log.search([]), "a visitor without lead fires nothing")

        lead = self.submit()  # website_crm links the lead the contact form creates to its visitor
        visitor = lead.visitor_ids
        self.assertEqual(len(visitor), 1)
        self.view(self.about_page)
        self.assertFalse(self.logs(lead), "not the page the trigger waits for")
        self.view(self.pricing_page)
        self.assertEqual(lead.stage_id, self.stage_qualified)
        log = self.logs(lead)
        self.assertEqual(log.trigger_id, visit)
        self.assertEqual(log.payload["url"], self.base_url() + "/sa-pricing")
        self.assertEqual(log.payload["visitor_id"], visitor.id)

        self.view(self.about_page)
        self.assertEqual(lead.stage_id, self.stage_qualified, "the same visit: not a returning visitor")
        self.come_back_later(visitor)
        self.view(self.about_page)
        self.assertEqual(visitor.visit_count, 2)
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.logs(lead)[0].trigger_id, returning)
        self.assertEqual(self.logs(lead)[0].payload["visit_count"], 2)

    def test_a_customer_logging_in_after_a_while_is_a_returning_visitor(self):
        """Odoo also counts a new visit when the customer logs in (``_update_visitor_last_visit``)."""
        self.trigger(name="Came back", code="back", trigger_type="returning_visitor")
        self.trigger(name="Any page", code="page", trigger_type="visit", stage_id=self.stage_won.id)
        customer = new_test_user(self.env, login="sa_customer", password="sa_customer_pw", groups="base.group_portal")
        lead = self.lead(partner_id=customer.partner_id.id)
        visitor = self.env["website.visitor"].create({
            "partner_id": customer.partner_id.id, "access_token": customer.partner_id.id,
            "website_id": self.website.id, "lead_ids": [(6, 0, lead.ids)]})
        self.come_back_later(visitor)

        self.view(self.about_page)  # anonymous before logging in: a visitor of its own
        login_page = self.url_open("/web/login").text
        csrf_token = login_page.partition('name="csrf_token" value="')[2].partition('"')[0]
        self.url_open("/web/login", data={"login": "sa_customer", "password": "sa_customer_pw",
                                          "csrf_token": csrf_token}, allow_redirects=False)
        self.env.invalidate_all()
        self.assertEqual(visitor.visit_count, 2)
        self.assertEqual(lead.stage_id, self.stage_proposal, "a login is no page view: the visit trigger waits")
        self.assertEqual(self.logs(lead).payload, {"visitor_id": visitor.id, "visit_count": 2, "url": None})
