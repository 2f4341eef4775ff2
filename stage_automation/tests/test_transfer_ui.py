import base64
import json

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestTransferUi(HttpCase):
    """The scenario gallery, the simulation and the export in the browser, as a sales manager uses them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="sa_transfer_manager", groups="sales_team.group_sale_manager")
        cls.team = cls.env["crm.team"].create({"name": "Tour Gallery", "use_opportunities": True,
                                               "member_ids": [(4, cls.manager.id)]})
        cls.lead = cls.env["crm.lead"].create({
            "name": "Gallery Azure deal", "type": "opportunity", "team_id": cls.team.id, "user_id": cls.manager.id,
            "stage_id": cls.env.ref("crm.stage_lead1").id, "partner_name": "Azure Ltd",
            "email_from": "azure@example.com"})

    def test_manager_applies_a_scenario_simulates_it_then_exports_the_pipeline(self):
        self.start_tour("/odoo/action-stage_automation.stage_automation_board_action",
                        "stage_automation_transfer_tour", login="sa_transfer_manager")
        rules = self.env["stage.automation.rule"].search([("team_id", "=", self.team.id)])
        self.assertEqual(rules.mapped("name"), [
            "E-mail the proposition", "Call about the proposition", "Note: proposition sent 2 days ago"])
        self.assertEqual(rules.author_id, self.manager)
        self.assertFalse(self.env["stage.automation.run"].search([("lead_id", "=", self.lead.id),
                                                                  ("rule_id", "in", rules.ids)]),
                         "the simulation ran nothing")
        export = self.env["stage.automation.export"].search([("team_id", "=", self.team.id)])
        self.assertEqual(export.filename, "automation_tour_gallery.json")
        file = json.loads(base64.b64decode(export.file))
        proposition = next(stage for stage in file["stages"] if stage["name"] == "Proposition")
        self.assertEqual([rule["key"] for rule in proposition["rules"] if rule["key"].startswith("gallery.")], [
            "gallery.proposition_follow_up.email", "gallery.proposition_follow_up.call",
            "gallery.proposition_follow_up.note"])
