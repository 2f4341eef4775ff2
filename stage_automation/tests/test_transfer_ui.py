import base64
import json

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestTransferUi(HttpCase):
    """The scenario gallery and the export in the browser, as a sales manager uses them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="sa_transfer_manager", groups="sales_team.group_sale_manager")
        cls.team = cls.env["crm.team"].create({"name": "Tour Gallery", "use_opportunities": True,
                                               "member_ids": [(4, cls.manager.id)]})

    def test_manager_applies_a_scenario_then_exports_the_pipeline(self):
        self.start_tour("/odoo/action-stage_automation.stage_automation_board_action",
                        "stage_automation_transfer_tour", login="sa_transfer_manager")
        rules = self.env["stage.automation.rule"].search([("team_id", "=", self.team.id)])
        self.assertEqual(rules.mapped("name"), [
            "E-mail the proposition", "Call about the proposition", "Note: proposition sent 2 days ago"])
        self.assertEqual(rules.author_id, self.manager)
        export = self.env["stage.automation.export"].search([("team_id", "=", self.team.id)])
        self.assertEqual(export.filename, "automation_tour_gallery.json")
        file = json.loads(base64.b64decode(export.file))
        proposition = next(stage for stage in file["stages"] if stage["name"] == "Proposition")
        self.assertEqual([rule["key"] for rule in proposition["rules"] if rule["key"].startswith("gallery.")], [
            "gallery.proposition_follow_up.email", "gallery.proposition_follow_up.call",
            "gallery.proposition_follow_up.note"])
