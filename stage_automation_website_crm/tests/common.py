from odoo.tests import HttpCase

from odoo.addons.stage_automation.tests.test_triggers import TriggerCase


class WebsiteCase(HttpCase, TriggerCase):
    """The website's leads go to the automation pipeline; the customer sends forms through the HTTP layer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env["website"].get_current_website()
        cls.website.crm_default_team_id = cls.team

    def submit(self, page="/contactus", **fields):
        """Send the website form creating a lead as the browser does, from ``page``; the new lead."""
        values = {"contact_name": "Azure Customer", "email_from": "azure@example.com", "name": "A question",
                  "description": "Hello", **fields}
        answer = self.url_open("/website/form/crm.lead", data=values, headers={"Referer": self.base_url() + page})
        self.assertEqual(answer.status_code, 200)
        self.env.invalidate_all()
        return self.env["crm.lead"].browse(answer.json()["id"])
