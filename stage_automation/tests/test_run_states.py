"""Every change of a run's state goes through ``_set_state``, which refuses the moves the lifecycle lacks."""

from odoo.tests import tagged

from odoo.addons.stage_automation.engine.exceptions import IllegalTransition

from .common import StageAutomationCase


@tagged("post_install", "-at_install", "stage_automation_runs")
class TestRunStates(StageAutomationCase):

    def test_an_illegal_move_raises_and_changes_nothing(self):
        rule = self.rule()
        lead = self.lead()
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done")
        done_at, reason = run.done_at, run.reason
        for state in ("pending", "waiting", "running", "paused", "skipped", "cancelled", "done"):
            with self.subTest(state=state), self.assertRaisesRegex(IllegalTransition, f"from done to {state}"):
                run._set_state(state)
        self.assertEqual((run.state, run.done_at, run.reason), ("done", done_at, reason))

    def test_a_batch_with_one_run_that_may_not_move_moves_none(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="hours")
        leads = self.lead(name="First") | self.lead(name="Second")
        leads.stage_id = self.stage_new
        runs = self.runs(leads[0], rule) | self.runs(leads[1], rule)
        runs[0]._set_state("cancelled", "Cancelled by hand.")
        with self.assertRaises(IllegalTransition):
            runs._set_state("running")
        self.assertEqual(runs.mapped("state"), ["cancelled", "pending"])

    def test_a_final_state_records_when_it_was_reached(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="hours")
        lead = self.lead()
        with self.at("2026-03-04 10:00:00"):
            lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertFalse(run.done_at)
        with self.at("2026-03-04 10:20:00"):
            run._set_state("cancelled", "Cancelled by hand.")
        self.assertEqual(str(run.done_at), "2026-03-04 10:20:00")
        self.assertEqual(run.reason, "Cancelled by hand.")

    def test_a_rule_that_moves_its_lead_ends_done_not_cancelled_by_its_own_move(self):
        mover = self.rule(name="Move", action="change_stage", target_stage_id=self.stage_proposal.id)
        lead = self.lead()
        lead.stage_id = self.stage_new
        run = self.runs(lead, mover)
        self.assertEqual(run.state, "done")
        self.assertEqual(lead.stage_id, self.stage_proposal)
