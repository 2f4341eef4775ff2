from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestStageFormUi(HttpCase):

    def test_sales_manager_adds_a_rule_in_the_stage_form(self):
        new_test_user(self.env, login="sa_tour_manager", groups="sales_team.group_sale_manager")
        self.start_tour("/odoo/action-crm.crm_stage_action", "stage_automation_rule_tour", login="sa_tour_manager")
        rule = self.env["stage.automation.rule"].search([("name", "=", "Remind the customer")])
        self.assertEqual(rule.stage_id, self.env.ref("crm.stage_lead3"))
        self.assertEqual((rule.timing, rule.delay, rule.delay_unit, rule.action), ("delay", 2, "days", "note"))
        self.assertEqual(rule.body, "Remind {{ object.partner_name }} of our proposal")

    def test_sales_manager_adds_a_webhook_trigger_and_gets_its_token_once(self):
        new_test_user(self.env, login="sa_tour_trigger_manager", groups="sales_team.group_sale_manager")
        self.start_tour("/odoo/action-crm.crm_stage_action", "stage_automation_trigger_tour",
                        login="sa_tour_trigger_manager")
        trigger = self.env["stage.automation.trigger"].search([("code", "=", "shop_paid")])
        self.assertEqual(trigger.stage_id, self.env.ref("crm.stage_lead4"))
        self.assertEqual(trigger.trigger_type, "webhook")
        self.assertTrue(trigger.has_token)
