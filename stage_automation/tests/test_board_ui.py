from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestBoardUi(HttpCase):
    """The automation board in the browser, as a sales manager uses it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="sa_board_manager", groups="sales_team.group_sale_manager")
        cls.north = cls.env["crm.team"].create({"name": "Tour North", "use_opportunities": True})
        cls.south = cls.env["crm.team"].create({"name": "Tour South", "use_opportunities": True})
        cls.qualified = cls.env.ref("crm.stage_lead2")
        Rule = cls.env["stage.automation.rule"]
        cls.first = Rule.create({"name": "First note", "stage_id": cls.qualified.id, "team_id": cls.north.id,
                                 "action": "note", "body": "First", "sequence": 10})
        cls.second = Rule.create({"name": "Second note", "stage_id": cls.qualified.id, "team_id": cls.north.id,
                                  "action": "note", "body": "Second", "sequence": 20})

    def rules(self, team):
        return self.env["stage.automation.rule"].search([("stage_id", "=", self.qualified.id),
                                                         ("team_id", "=", team.id)])

    def test_manager_adds_drags_and_copies_rules_on_the_board(self):
        self.start_tour("/odoo/crm", "stage_automation_board_tour",
                        login="sa_board_manager")
        call = self.rules(self.north) - self.second
        self.assertEqual((call.name, call.action, call.timing, call.delay, call.delay_unit),
                         ("Schedule a call", "call", "delay", 2, "days"))
        self.assertTrue(call.working_hours)
        self.assertEqual(call.recipient, "responsible")
        self.assertEqual(self.rules(self.north).mapped("name"), ["Second note", "Schedule a call"])
        self.assertEqual(self.first.stage_id, self.env.ref("crm.stage_lead3"), "dragged to Proposition")
        self.assertEqual(self.rules(self.south).mapped("name"), ["Second note", "Schedule a call"])

    def test_manager_adds_a_webhook_trigger_from_the_pipeline_board(self):
        west = self.env["crm.team"].create({"name": "Tour West", "use_opportunities": True,
                                            "member_ids": [(4, self.manager.id)]})
        new = self.env.ref("crm.stage_lead1")
        self.env["stage.automation.rule"].create({
            "name": "West reminder", "stage_id": new.id, "team_id": west.id, "action": "note", "body": "Remind",
            "timing": "delay", "delay": 1, "delay_unit": "days"})
        self.env["crm.lead"].create({"name": "West lead", "type": "opportunity", "team_id": west.id,
                                     "stage_id": new.id})
        self.start_tour("/odoo/action-crm.crm_lead_action_pipeline", "stage_automation_board_trigger_tour",
                        login="sa_board_manager")
        trigger = self.env["stage.automation.trigger"].search([("code", "=", "shop_paid_board")])
        self.assertEqual((trigger.name, trigger.trigger_type, trigger.team_id), ("Paid in the shop", "webhook", west))
        self.assertEqual(trigger.stage_id, self.env.ref("crm.stage_lead4"))
        self.assertTrue(trigger.has_token)
        reminders = self.env["stage.automation.rule"].search([("name", "=", "West reminder")])
        self.assertEqual(sorted(reminders.mapped(lambda r: (r.team_id.name, r.stage_id.name))), [
            ("Tour South", "New"), ("Tour South", "Qualified"), ("Tour West", "New"), ("Tour West", "Qualified")])
        copy = self.env["stage.automation.trigger"].search([("team_id", "=", self.south.id)])
        self.assertEqual((copy.name, copy.trigger_type), ("Paid in the shop", "webhook"))
        self.assertNotEqual(copy.code, trigger.code)
        self.assertFalse(copy.has_token, "a token is never copied")

    def test_the_team_form_opens_its_board(self):
        self.env["stage.automation.rule"].create({
            "name": "South only", "stage_id": self.qualified.id, "team_id": self.south.id, "action": "note",
            "body": "South"})
        self.start_tour(f"/odoo/action-sales_team.crm_team_action_config/{self.south.id}",
                        "stage_automation_board_team_tour", login="sa_board_manager")

    def test_manager_inserts_placeholders_in_a_rule_text(self):
        east = self.env["crm.team"].create({"name": "Tour East", "use_opportunities": True,
                                            "member_ids": [(4, self.manager.id)]})
        self.env["stage.automation.constant"].create({"team_id": east.id, "name": "discount_code", "value": "SPRING"})
        Rule = self.env["stage.automation.rule"]
        Rule.create({"name": "Give a code", "stage_id": self.qualified.id, "team_id": east.id,
                     "action": "generate_code", "sequence": 10})
        mail = Rule.create({"name": "Mail the code", "stage_id": self.qualified.id, "team_id": east.id,
                            "action": "note", "body": "Code", "sequence": 20})
        city = Rule.create({"name": "Set the city", "stage_id": self.qualified.id, "team_id": east.id,
                            "action": "write", "sequence": 30, "value_ids": [Command.create({
                                "field_id": self.env.ref("crm.field_crm_lead__city").id, "value": ""})]})
        self.start_tour("/odoo/action-stage_automation.stage_automation_board_action",
                        "stage_automation_board_placeholder_tour", login="sa_board_manager")
        self.assertEqual(mail.body, "Your code:{{ vars.code }}{{ object.partner_id.email }}")
        self.assertEqual(city.value_ids.value, "{{ constants.discount_code }}")
