from unittest.mock import patch

import psycopg2
from psycopg2 import errorcodes

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.job import Job

from .common import StageAutomationCase
from .series import by_series

T0 = "2026-03-04 10:00:00"
LATER = "2026-03-05 10:00:00"


class SerializationFailure(psycopg2.OperationalError):
    pgcode = errorcodes.SERIALIZATION_FAILURE


@tagged("post_install", "-at_install", "stage_automation_runs")
class TestRunLifecycle(StageAutomationCase):

    def _lead_with_pending_control(self):
        lead, control, chained = self.lead_with_pending_control(T0)
        self.assertEqual(self.runs(lead).mapped("state"), ["waiting", "pending"])
        return lead, control, chained

    def assertCancelled(self, lead, reason_part):
        for run in self.runs(lead):
            self.assertEqual(run.state, "cancelled")
            self.assertIn(reason_part, run.reason)
        with self.at(LATER):
            self.dispatch()
        self.assertEqual(set(self.runs(lead).mapped("state")), {"cancelled"})

    def test_leaving_the_stage_cancels_pending_work(self):
        lead, _control, _chained = self._lead_with_pending_control()
        lead.stage_id = self.stage_qualified
        self.assertCancelled(lead, "left stage “SA New” for “SA Qualified”")

    def test_control_fires_only_if_the_lead_is_still_there(self):
        lead, control, _chained = self._lead_with_pending_control()
        with self.at("2026-03-04 13:00:00"):
            self.dispatch()
        self.assertEqual(self.runs(lead, control).state, "done")
        self.assertEqual(self.notifications(lead, "Still new").partner_ids, self.salesman.partner_id)

    def test_winning_cancels(self):
        lead, _control, _chained = self._lead_with_pending_control()
        lead.action_set_won()
        self.assertEqual(lead.stage_id, self.stage_won)
        self.assertCancelled(lead, "won")

    def test_losing_cancels(self):
        lead, _control, _chained = self._lead_with_pending_control()
        lead.action_set_lost()
        self.assertCancelled(lead, "lost")

    def test_archiving_cancels(self):
        lead, _control, _chained = self._lead_with_pending_control()
        lead.action_archive()
        self.assertCancelled(lead, "archived")

    def test_deleting_cancels(self):
        lead, _control, _chained = self._lead_with_pending_control()
        run_ids = self.runs(lead).ids
        with self.at(LATER):
            lead.unlink()
            self.assertFalse(self.Run.browse(run_ids).exists())
            self.Run._cron_dispatch()
        self.assertFalse(self.queued_jobs())

    def test_run_claimed_then_cancelled_is_not_executed(self):
        lead, control, _chained = self._lead_with_pending_control()
        with self.at("2026-03-04 13:00:00"):
            self.Run._cron_dispatch()
            self.assertEqual(self.runs(lead, control).state, "running")
            job = self.queued_jobs()
            self.assertEqual((job.method_name, job.channel), ("_perform", "root.stage_automation"))
            lead.stage_id = self.stage_qualified
            self.perform_jobs()
        self.assertEqual(self.runs(lead, control).state, "cancelled")
        self.assertFalse(self.notifications(lead, "Still new"))

    def test_a_run_executes_once_whatever_the_retries(self):
        lead, control, _chained = self._lead_with_pending_control()
        with self.at("2026-03-04 13:00:00"):
            self.Run._cron_dispatch()
            self.assertFalse(self.Run._cron_dispatch(), "a claimed run is not claimed again")
            self.perform_jobs()
            run = self.runs(lead, control)
            run._perform()  # a duplicate delivery of the job
        self.assertEqual((run.state, run.attempts), ("done", 1))
        self.assertEqual(len(self.notifications(lead, "Still new")), 1)

    def test_concurrency_errors_are_left_to_the_job_queue_to_retry(self):
        lead, control, _chained = self._lead_with_pending_control()
        with self.at("2026-03-04 13:00:00"):
            self.Run._cron_dispatch()
            run = self.runs(lead, control)
            job = Job.load(self.env, self.queued_jobs().uuid)
            with patch.object(type(self.Rule), "_run_action_notify", side_effect=SerializationFailure()), \
                    self.assertRaises(psycopg2.OperationalError), self.env.cr.savepoint():
                job.perform()  # queue_job's runner rolls back and postpones the job on this error
            self.env.clear()
            self.assertEqual(run.state, "running")
            job.retry = 2
            job.store()
            self.perform_jobs()  # the third try goes through, once
        self.assertEqual((run.state, run.attempts), ("done", 3))
        self.assertEqual(len(self.notifications(lead, "Still new")), 1)

    def test_a_job_the_queue_gives_up_on_fails_its_run_and_chain(self):
        lead, control, chained = self._lead_with_pending_control()
        with self.at("2026-03-04 13:00:00"):
            self.Run._cron_dispatch()
        job = Job.load(self.env, self.queued_jobs().uuid)
        self.assertEqual(job.on_fail_method_name, "_on_job_failed")
        job.on_fail({"exc_name": "OperationalError", "exc_message": "could not serialize access", "exc_info": ""})
        run = self.runs(lead, control)
        self.assertEqual(run.state, "failed")
        self.assertIn("could not serialize access", run.reason)
        self.assertEqual(self.runs(lead, chained).state, "skipped")

    def test_a_failing_rule_never_blocks_the_user(self):
        first = self.rule(name="Fails", sequence=10, action="change_user", user_id=self.manager.id)
        other = self.rule(name="Goes on", sequence=20, body="still here")
        self.manager.active = False
        lead = self.lead()
        lead.with_user(self.salesman).stage_id = self.stage_new
        self.assertEqual(lead.stage_id, self.stage_new)
        failed = self.runs(lead, first)
        self.assertEqual(failed.state, "failed")
        self.assertIn("archived", failed.reason)
        self.assertEqual(self.runs(lead, other).state, "done")
        self.assertTrue(any("Fails" in m.body and "failed" in m.body for m in self.notes(lead)))

    def test_a_failing_action_leaves_nothing_half_done(self):
        def half_done(rule, run, lead):
            lead.write({"description": "half done"})
            raise UserError("the provider refused")  # pylint: disable=translation-required

        rule = self.rule()
        lead = self.lead(description="before")
        with patch.object(type(self.Rule), "_run_action_note", half_done):
            lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual((run.state, run.reason), ("failed", "Failed: the provider refused"))
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertIn("before", lead.description)

    def test_a_condition_that_breaks_at_run_time_keeps_the_users_change(self):
        rule = self.rule()
        lead = self.lead()
        # As if the field of the condition had gone with its module since the rule was saved.
        self.env.cr.execute("UPDATE stage_automation_rule SET filter_domain = %s WHERE id = %s",
                            ["[('x_gone', '=', 1)]", rule.id])
        rule.invalidate_recordset(["filter_domain"])
        lead.write({"stage_id": self.stage_new.id, "description": "written by the user"})
        self.env.invalidate_all()
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertIn("written by the user", lead.description)
        self.assertEqual(self.runs(lead, rule).state, "failed")
        self.assertIn("x_gone", self.runs(lead, rule).reason)

    def test_an_unexpected_error_is_recorded_not_raised(self):
        rule = self.rule()
        lead = self.lead()
        with patch.object(type(self.Rule), "_run_action_note", side_effect=ZeroDivisionError("division by zero")), \
                self.assertLogs("odoo.addons.stage_automation.models.stage_automation_run_execution", "WARNING") as log:
            lead.stage_id = self.stage_new
        self.assertIn("crashed", log.output[0])
        self.assertEqual(self.runs(lead, rule).state, "failed")
        self.assertEqual(self.runs(lead, rule).reason, "Failed: An unexpected error stopped the rule "
                                                       "(ZeroDivisionError); the server log has the details.")

    def test_a_database_constraint_failure_reads_as_odoo_says_it(self):
        rule = self.rule(action="unlink")
        lead = self.lead()
        # A row of another table that still needs the lead (a restrictive foreign key) blocks its deletion.
        self.env.cr.execute("CREATE TABLE x_sa_needs_lead (lead_id integer REFERENCES crm_lead ON DELETE RESTRICT)")
        self.env.cr.execute("INSERT INTO x_sa_needs_lead VALUES (%s)", [lead.id])
        lead.stage_id = self.stage_new
        with mute_logger("odoo.sql_db"):
            self.dispatch()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn(by_series("another model requires the record being deleted",
                                "Another model is using the record you are trying to delete"), run.reason)
        self.assertTrue(lead.exists())

    def test_mass_changes_go_through_the_queue(self):
        rule = self.rule()
        self.env["ir.config_parameter"].set_param("stage_automation.inline_limit", 2)
        leads = self.lead() | self.lead() | self.lead()
        leads.stage_id = self.stage_new
        self.assertEqual(set(self.runs(leads[0], rule).mapped("state")), {"pending"})
        self.dispatch()
        for lead in leads:
            self.assertEqual(self.runs(lead, rule).state, "done")

    def test_imports_go_through_the_queue(self):
        rule = self.rule()
        lead = self.lead()
        lead.with_context(import_file=True).stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).state, "pending")
        self.dispatch()
        self.assertEqual(self.runs(lead, rule).state, "done")

    def test_cancel_by_hand_skips_the_chain(self):
        lead, control, chained = self._lead_with_pending_control()
        self.runs(lead, control).with_user(self.manager).action_cancel()
        self.assertEqual(self.runs(lead, control).state, "cancelled")
        self.assertEqual(self.runs(lead, chained).state, "skipped")

    def test_the_lead_shows_its_runs(self):
        lead, _control, _chained = self._lead_with_pending_control()
        lead_as_manager = lead.with_user(self.manager)
        self.assertEqual(lead_as_manager.stage_automation_run_count, 2)
        action = lead_as_manager.action_view_stage_automation_runs()
        self.assertEqual(self.Run.with_user(self.manager).search(action["domain"]), self.runs(lead))
