"""The scenario gallery: every scenario applied to a fresh pipeline through the import wizard, its first rule run."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import StageAutomationCase
from .series import in_pipelines


@tagged("post_install", "-at_install", "stage_automation_transfer")
class TestGallery(StageAutomationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenarios = cls.env["stage.automation.scenario"].search([])

    def fresh_pipeline(self, scenario):
        """A pipeline whose stages are a start and the scenario's, named as the file names them, led by the
        manager with the salesman as member."""
        team = self.env["crm.team"].create({
            "name": f"Gallery {scenario.name}", "user_id": self.manager.id,
            "member_ids": [Command.set((self.salesman | self.manager).ids)]})
        Stage = self.env["crm.stage"]
        start = Stage.create({"name": "Start", **in_pipelines(team), "sequence": 1})
        for sequence, stage in enumerate(scenario._read_file()["stages"], start=2):
            Stage.create({"name": stage["name"], **in_pipelines(team), "sequence": sequence,
                          "is_won": stage.get("is_won", False)})
        return team, start

    def apply(self, scenario, team):
        """Apply ``scenario`` as the manager does in the gallery: apply, check the mapping, apply."""
        action = scenario.with_user(self.manager).with_context(default_team_id=team.id).action_apply()
        wizard = self.env["stage.automation.import"].with_user(self.manager).browse(action["res_id"])
        self.assertEqual(wizard.state, "map")
        self.assertTrue(all(wizard.line_ids.mapped("stage_id")), "every stage matched by its name")
        self.assertIn("o_sa_transfer_created", wizard.report_html)
        self.assertNotIn("o_sa_transfer_skipped", wizard.report_html)
        wizard.action_apply()
        self.assertEqual(wizard.state, "done")
        return self.Rule.with_context(active_test=False).search([("team_id", "=", team.id)])

    def test_there_are_at_least_eight_scenarios_with_their_description(self):
        self.assertGreaterEqual(len(self.scenarios), 8)
        for scenario in self.scenarios:
            self.assertTrue(scenario.description and scenario.rule_count and scenario.stage_names, scenario.name)

    def test_each_scenario_applies_to_a_fresh_pipeline_and_its_first_rule_runs(self):
        for scenario in self.scenarios:
            with self.subTest(scenario=scenario.name):
                team, start = self.fresh_pipeline(scenario)
                rules = self.apply(scenario, team)
                file = scenario._read_file()
                self.assertEqual(len(rules), scenario.rule_count)
                self.assertTrue(all(rules.mapped("active")))
                self.assertEqual(rules.author_id, self.manager)
                triggers = self.env["stage.automation.trigger"].search([("team_id", "=", team.id)])
                self.assertEqual(len(triggers), scenario.trigger_count)

                first_stage = next(stage for stage in file["stages"] if stage["rules"])
                first = rules.filtered(lambda r, k=first_stage["rules"][0]["key"]: r.transfer_key == k)
                lead = self.lead(name=f"Lead of {scenario.name}", team_id=team.id, stage_id=start.id,
                                 user_id=False if first.action == "change_user" else self.salesman.id,
                                 date_deadline=fields.Date.today() + timedelta(days=10))
                trigger = triggers.filtered(lambda t, s=first.stage_id: t.stage_id == s)[:1]
                if trigger:
                    [result] = lead.stage_automation_fire(trigger.code)
                    self.assertTrue(result["moved"], result["reason"])
                else:
                    lead.stage_id = first.stage_id
                self.assertEqual(lead.stage_id, first.stage_id)
                run = self.runs(lead, first)
                self.assertEqual(len(run), 1)
                if run.state == "pending":
                    with self.at(max(run.due_at, fields.Datetime.now())):
                        self.dispatch()
                self.assertEqual(run.state, "done", run.reason)

    def test_the_texts_of_a_scenario_are_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["res.lang"]._activate_lang("pl_PL")
        scenario = self.env.ref("stage_automation.scenario_proposition_follow_up")
        team, start = self.fresh_pipeline(scenario)
        rules = self.apply(scenario, team)
        email = rules.filtered(lambda r: r.action == "email_customer")
        self.assertEqual(email.with_context(lang="fr_FR").summary, "Notre proposition : {{ object.name }}")
        self.assertEqual(email.with_context(lang="pl_PL").name, "Wyślij propozycję e-mailem")
        self.assertEqual(email.with_context(lang="en_US").name, "E-mail the proposition")
        self.salesman.lang = "fr_FR"
        lead = self.lead(name="Offre", team_id=team.id, stage_id=start.id)
        lead.stage_id = email.stage_id
        run = self.runs(lead, email)
        if run.state == "pending":
            self.dispatch()
        self.assertEqual(run.state, "done", run.reason)
        self.assertIn("Notre proposition : Offre", lead.message_ids.mapped("subject"))

    def test_applying_a_scenario_twice_changes_nothing_the_second_time(self):
        scenario = self.env.ref("stage_automation.scenario_online_payment_won")
        team, _start = self.fresh_pipeline(scenario)
        rules = self.apply(scenario, team)
        action = scenario.with_user(self.manager).with_context(default_team_id=team.id).action_apply()
        wizard = self.env["stage.automation.import"].with_user(self.manager).browse(action["res_id"])
        self.assertNotIn("o_sa_transfer_created", wizard.report_html)
        self.assertIn("o_sa_transfer_unchanged", wizard.report_html)
        wizard.action_apply()
        self.assertEqual(self.Rule.with_context(active_test=False).search([("team_id", "=", team.id)]), rules)
