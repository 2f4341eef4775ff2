"""Runs and trigger logs are history: nobody edits them; only the engine and its Cancel button change runs."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import StageAutomationSecurityCase


@tagged("post_install", "-at_install", "stage_automation_security")
class TestHistoryIsReadOnly(StageAutomationSecurityCase):

    def test_a_done_run_cannot_be_set_back_to_pending_nor_forged(self):
        rule = self.rule(body="Once")
        lead = self.lead()
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done")
        as_manager = run.with_user(self.attacker)
        for values in ({"state": "pending"}, {"outputs": {"code": "forged"}}, {"reason": "Nothing happened."}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                as_manager.write(values)
        with self.assertRaises(AccessError):
            as_manager.unlink()
        with self.assertRaises(AccessError):
            self.Run.with_user(self.attacker).create({
                "rule_id": rule.id, "lead_id": lead.id, "stage_id": self.stage_new.id,
                "entered_at": "2026-01-01 00:00:00"})
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.notes(lead).filtered(lambda note: "Once" in note.body)), 1)

    def test_trigger_logs_cannot_be_edited_nor_deleted(self):
        trigger = self.env["stage.automation.trigger"].create({
            "name": "Paid", "code": "sa_history_paid", "stage_id": self.stage_proposal.id})
        lead = self.lead()
        lead.stage_automation_fire("sa_history_paid")
        log = trigger.log_ids
        self.assertTrue(log)
        with self.assertRaises(AccessError):
            log.with_user(self.attacker).write({"moved": False})
        with self.assertRaises(AccessError):
            log.with_user(self.attacker).unlink()

    def test_cancel_is_the_button_of_those_who_may_update(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="hours")
        lead = self.lead(type="lead")
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        opportunity_updater = new_test_user(
            self.env, login="sa_opportunity_updater",
            groups="sales_team.group_sale_salesman_all_leads,stage_automation.group_stage_automation_opportunity_update,"
                   "stage_automation.group_stage_automation_lead_read")
        with self.assertRaisesRegex(AccessError, "Update right"):
            run.with_user(opportunity_updater).action_cancel()
        self.assertEqual(run.state, "pending")
        run.with_user(self.attacker).action_cancel()
        self.assertEqual(run.state, "cancelled")
        self.assertIn("Restricted Manager", run.reason)
