"""A stage several pipelines use (Odoo 19: a stage of some pipelines; 18: a stage of every pipeline):
rules, triggers, the board, copies, export and the simulator think in pipelines × stages."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StageAutomationCase
from .series import by_series, in_pipelines, shared_by


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestSharedStages(StageAutomationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        cls.west = cls.env["crm.team"].create({"name": "West pipeline", "use_leads": True})
        cls.west_own = Stage.create({"name": "West own", "sequence": 90, **in_pipelines(cls.west)})
        cls.shared = Stage.create({"name": "SA Shared", "sequence": 150, **shared_by(cls.team, cls.west)})
        cls.Board = cls.env["stage.automation.board"]
        cls.everywhere = cls.Rule.create({"name": "Everywhere", "stage_id": cls.shared.id, "action": "note",
                                          "body": "For every pipeline"})
        cls.west_only = cls.Rule.create({"name": "West only", "stage_id": cls.shared.id, "sequence": 20,
                                         "team_id": cls.west.id, "action": "note", "body": "For the west"})

    def west_lead(self, **values):
        return self.lead(team_id=self.west.id, stage_id=self.west_own.id, **values)

    def column(self, team, stage):
        board = self.Board.with_user(self.manager).get_board(team.id)
        return next(column for column in board["stages"] if column["id"] == stage.id)

    def test_each_lead_gets_the_rules_of_its_pipeline(self):
        east, west = self.lead(), self.west_lead()
        (east | west).write({"stage_id": self.shared.id})
        self.assertEqual((east.stage_id, west.stage_id), (self.shared, self.shared),
                         "both pipelines use the stage: Odoo keeps it")
        self.assertEqual(self.runs(east).rule_id, self.everywhere)
        self.assertEqual(self.runs(west).rule_id, self.everywhere | self.west_only)
        self.assertEqual(set((self.runs(east) | self.runs(west)).mapped("state")), {"done"})

    def test_the_pipeline_of_a_rule_or_a_trigger_is_one_of_its_stage(self):
        self.assertEqual(self.west_only.stage_pipeline_ids, by_series(self.env["crm.team"], self.team | self.west),
                         "the rule form offers the stage's pipelines (on 18 a shared stage is every pipeline's)")
        with self.assertRaisesRegex(ValidationError, "stage “West own” belongs to pipeline “West pipeline”, not "
                                                     "“Automation pipeline”"):
            self.rule(name="Astray", stage_id=self.west_own.id, team_id=self.team.id)
        with self.assertRaisesRegex(ValidationError, "belongs to pipeline “West pipeline”"):
            self.env["stage.automation.trigger"].create({
                "name": "Astray", "code": "astray", "trigger_type": "application", "stage_id": self.west_own.id,
                "team_id": self.team.id})
        with self.assertRaisesRegex(ValidationError, "belongs to pipeline “Automation pipeline”"):
            self.everywhere.write({"stage_id": self.stage_new.id, "team_id": self.west.id})

    def test_a_stage_keeps_the_pipelines_its_rules_are_for(self):
        with self.assertRaisesRegex(ValidationError, "Stage “SA Shared” has rules or triggers for a pipeline it "
                                                     "would no longer belong to: West only"):
            self.shared.write(in_pipelines(self.team))
        self.west_only.team_id = False
        self.shared.write(in_pipelines(self.team))
        self.assertEqual(self.shared.stage_automation_team_ids, self.team)

    def test_a_trigger_moves_the_leads_of_every_pipeline_using_its_stage(self):
        self.env["stage.automation.trigger"].create({
            "name": "Shared paid", "code": "shared_paid", "trigger_type": "application", "stage_id": self.shared.id})
        east, west = self.lead(), self.west_lead()
        answers = (east | west).stage_automation_fire("shared_paid")
        self.assertEqual([answer["moved"] for answer in answers], [True, True])
        self.assertEqual((east | west).stage_id, self.shared)
        self.assertEqual(self.runs(west).rule_id, self.everywhere | self.west_only)

    def test_each_board_shows_the_stage_with_the_rules_for_its_pipeline(self):
        self.assertEqual([card["name"] for card in self.column(self.team, self.shared)["rules"]], ["Everywhere"])
        cards = self.column(self.west, self.shared)["rules"]
        self.assertEqual([(card["name"], card["every_pipeline"]) for card in cards],
                         [("Everywhere", True), ("West only", False)])

    def test_a_copy_keeps_a_stage_both_pipelines_use(self):
        east_only = self.rule(name="East only", stage_id=self.shared.id, team_id=self.team.id, sequence=30)
        self.rule(name="East welcome", stage_id=self.stage_new.id)
        board = self.Board.with_user(self.manager)
        preview = board.preview_copy(self.team.id, self.west.id)
        lines = {line["stage"]: line for line in preview["lines"]}
        self.assertEqual(lines["SA Shared"]["target_stage"], "SA Shared")
        self.assertEqual(lines["SA Shared"]["rules"], ["East only"])
        self.assertIn("“Everywhere” already applies to every pipeline in stage “SA Shared”.", preview["skipped"])
        self.assertEqual(lines["SA New"]["target_stage"], "West own", "the first stage only each pipeline uses")
        self.assertFalse(lines["SA Qualified"]["target_stage"])
        self.assertEqual(board.apply_copy(self.team.id, self.west.id, self.shared.id), 1)
        copy = self.Rule.search([("name", "=", "East only"), ("id", "!=", east_only.id)])
        self.assertEqual((copy.stage_id, copy.team_id), (self.shared, self.west))
        self.assertEqual([card["name"] for card in self.column(self.west, self.shared)["rules"]],
                         ["Everywhere", "West only", "East only"])

    def test_a_rule_dragged_into_a_stage_others_use_reaches_no_new_pipeline(self):
        own = self.rule(name="Own", stage_id=self.stage_new.id)
        board = self.Board.with_user(self.manager)
        board.move_rule(own.id, self.team.id, self.shared.id, [self.everywhere.id, own.id])
        self.assertEqual((own.stage_id, own.team_id), (self.shared, self.team))
        self.assertNotIn("Own", [card["name"] for card in self.column(self.west, self.shared)["rules"]])
        board.move_rule(self.everywhere.id, self.team.id, self.stage_new.id, [self.everywhere.id])
        self.assertFalse(self.everywhere.team_id, "a stage of fewer pipelines narrows it by itself")

    def test_the_export_of_each_pipeline_holds_the_rules_for_it(self):
        Transfer = self.env["stage.automation.transfer"].with_user(self.manager)

        def names(team):
            stage = next(stage for stage in Transfer.export_pipeline(team.id)["stages"] if stage["name"] == "SA Shared")
            return [rule["name"] for rule in stage["rules"]]

        self.assertEqual(names(self.team), ["Everywhere"])
        self.assertEqual(names(self.west), ["Everywhere", "West only"])

    def test_the_simulation_shows_what_applies_to_the_leads_pipeline(self):
        Simulation = self.env["stage.automation.simulation"].with_user(self.manager)
        outcomes = {row["name"]: row["outcome"] for row in Simulation.simulate(self.lead().id, self.shared.id)["rules"]}
        self.assertEqual(outcomes, {"Everywhere": "runs", "West only": "not_applicable"})
        outcomes = {row["name"]: row["outcome"]
                    for row in Simulation.simulate(self.west_lead().id, self.shared.id)["rules"]}
        self.assertEqual(outcomes, {"Everywhere": "runs", "West only": "runs"})
