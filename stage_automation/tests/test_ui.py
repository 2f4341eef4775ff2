from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestStageFormUi(HttpCase):

    def test_sales_manager_adds_a_rule_in_the_stage_form(self):
        new_test_user(self.env, login="sa_tour_manager", groups="sales_team.group_sale_manager")
        self.start_tour("/odoo/action-crm.crm_stage_action", "stage_automation_rule_tour", login="sa_tour_manager")
        rule = self.env["stage.automation.rule"].search([("name", "=", "Remind the customer")])
        self.assertEqual(rule.stage_id, self.env.ref("crm.stage_lead3"))
        self.assertEqual((rule.timing, rule.delay, rule.delay_unit, rule.action), ("delay", 2, "days", "note"))
        self.assertEqual(rule.body, "Remind {{ object.partner_name }} of our proposal")
