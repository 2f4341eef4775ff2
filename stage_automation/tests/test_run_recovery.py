"""No run is left running when its job ends without the engine, nor failed by a lost connection,
and a lead's changes never rewrite its runs."""

from unittest.mock import patch

import psycopg2

from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import StageAutomationCase

T0 = "2026-03-04 10:00:00"
DUE = "2026-03-04 13:00:00"


@tagged("post_install", "-at_install", "stage_automation_runs")
class TestRunRecovery(StageAutomationCase):

    def setUp(self):
        super().setUp()
        # The database's own jobs (e.g. left by a live server) are not this test's.
        self.earlier_jobs = self.env["queue.job"].search([])

    def dispatcher_jobs(self):
        """The test's pending dispatcher jobs, earliest first."""
        return self.env["queue.job"].search([
            ("method_name", "=", "_dispatch_due"), ("state", "=", "pending"), ("id", "not in", self.earlier_jobs.ids),
        ], order="eta")

    def _claimed(self):
        """A lead whose 3-hour rule was handed to a queue job, and a rule chained after it."""
        lead, control, chained = self.lead_with_pending_control(T0)
        with self.at(DUE):
            self.Run._cron_dispatch()
        run = self.runs(lead, control)
        self.assertEqual(run.state, "running")
        self.assertEqual(run.job_uuid, self.queued_jobs().uuid)
        return lead, run, self.runs(lead, chained)

    def _job(self, run):
        return self.env["queue.job"].search([("uuid", "=", run.job_uuid)])

    def test_a_job_cancelled_in_the_job_queue_cancels_its_run_and_chain(self):
        lead, run, chained = self._claimed()
        self._job(run).button_cancelled()
        self.assertEqual(self.Run._cron_sweep(grace_minutes=0), run)
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(run.reason, "Cancelled: its job was cancelled in the job queue.")
        self.assertEqual(chained.state, "skipped")
        self.assertFalse(self.notifications(lead, "Still new"))

    def test_a_job_the_runner_found_dead_fails_its_run_and_chain(self):
        _lead, run, chained = self._claimed()
        # What queue_job's runner does in SQL, without calling the addon back.
        self.env.flush_all()
        self.env.cr.execute("UPDATE queue_job SET state = 'failed', exc_info = 'Job found dead after too many "
                            "retries', result = 'Job found dead after too many retries' WHERE uuid = %s",
                            [run.job_uuid])
        self.env.invalidate_all()
        self.Run._cron_sweep(grace_minutes=0)
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason, "Failed: the job queue gave up (Job found dead after too many retries).")
        self.assertEqual(chained.state, "skipped")

    def test_a_job_set_done_by_hand_or_deleted_is_given_again_then_runs_once(self):
        lead, run, chained = self._claimed()
        first = self._job(run)
        first.button_done()
        with self.at(DUE):
            self.Run._cron_sweep(grace_minutes=0)
            self.assertEqual(run.state, "running")
            self.assertEqual(run.job_count, 2)
            self.assertNotEqual(run.job_uuid, first.uuid)
            self.perform_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(chained.state, "done")
        self.assertEqual(len(self.notifications(lead, "Still new")), 1)

    def test_a_run_whose_jobs_keep_vanishing_fails_in_the_end(self):
        _lead, run, chained = self._claimed()
        for _attempt in range(3):
            self._job(run).unlink()
            self.Run._cron_sweep(grace_minutes=0)
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason, "Failed: its job ended without running it, 3 times.")
        self.assertEqual(chained.state, "skipped")

    def test_the_sweeper_leaves_runs_whose_job_is_still_to_come(self):
        _lead, run, _chained = self._claimed()
        self.assertFalse(self.Run._cron_sweep(grace_minutes=0))
        self._job(run).button_cancelled()
        self.assertFalse(self.Run._cron_sweep(), "a job that just ended is given a moment")
        self.assertEqual(run.state, "running")

    def test_a_lost_connection_during_the_action_is_retried_then_done_once(self):
        lead, run, chained = self._claimed()
        job = Job.load(self.env, run.job_uuid)
        lost = psycopg2.OperationalError("server closed the connection unexpectedly")
        with self.at(DUE):
            with patch.object(type(self.Rule), "_run_action_notify", side_effect=lost), \
                    self.assertRaises(RetryableJobError), self.env.cr.savepoint():
                job.perform()  # queue_job postpones a job on this error instead of failing it
            self.env.clear()
            self.assertEqual(run.state, "running")
            self.assertFalse(self.notes(lead).filtered(lambda note: "failed" in note.body))
            self.perform_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(chained.state, "done")
        self.assertEqual(len(self.notifications(lead, "Still new")), 1)

    def test_a_lead_changing_type_or_company_rewrites_none_of_its_runs(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="hours")
        # Without a salesman, whose team the conversion would pick (Odoo 19 then moves the lead to a stage
        # of that team: a stage change, which does end the run).
        lead = self.lead(type="lead", user_id=False)
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.env.flush_all()
        # A row's ctid changes with any UPDATE of it: the run's row must be the very same tuple afterwards.
        self.env.cr.execute("SELECT ctid::text FROM stage_automation_run WHERE id = %s", [run.id])
        tuple_before = self.env.cr.fetchone()[0]
        lead.convert_opportunity(lead.partner_id)
        other_company = self.env["res.company"].create({"name": "SA Other company"})
        lead.write({"company_id": other_company.id, "team_id": False, "user_id": False})
        self.env.flush_all()
        self.env.cr.execute("SELECT ctid::text, lead_type FROM stage_automation_run WHERE id = %s", [run.id])
        self.assertEqual(self.env.cr.fetchone(), (tuple_before, "lead"))
        lead.write({"company_id": self.env.company.id, "team_id": self.team.id})
        # Access follows the lead: the opportunity's readers see its runs, the leads' readers no longer do.
        opportunity_reader = new_test_user(
            self.env, login="sa_opportunity_reader",
            groups="sales_team.group_sale_salesman_all_leads,"
                   "stage_automation.group_stage_automation_opportunity_read")
        lead_reader = new_test_user(
            self.env, login="sa_lead_reader",
            groups="sales_team.group_sale_salesman_all_leads,stage_automation.group_stage_automation_lead_read")
        self.assertEqual(self.Run.with_user(opportunity_reader).search([("id", "=", run.id)]), run)
        self.assertFalse(self.Run.with_user(lead_reader).search([("id", "=", run.id)]))

    def test_due_work_is_dispatched_by_a_queue_job_too_so_a_restart_resumes_at_once(self):
        """After a restart, Odoo's cron threads wait a minute; queue_job's runner is back at once."""
        control = self.rule(name="Control", timing="delay", delay=3, delay_unit="hours", action="notify",
                            summary="Still new", body="Still in New")
        first, second = self.lead(name="First"), self.lead(name="Second")
        with self.at(T0):
            first.stage_id = self.stage_new
        with self.at("2026-03-04 11:00:00"):
            second.stage_id = self.stage_new
        wake = self.dispatcher_jobs()
        self.assertEqual(len(wake), 1, "one job covers every later moment")
        self.assertEqual(str(wake.eta), DUE)
        with self.at(DUE):
            self.perform_job(wake)  # what the runner does first after a restart
            self.assertEqual(self.runs(first, control).state, "running")
            self.assertEqual(self.runs(second, control).state, "pending")
            self.perform_jobs()
        self.assertEqual(self.runs(first, control).state, "done")
        self.assertEqual(len(self.notifications(first, "Still new")), 1)
        watch = self.dispatcher_jobs() - wake
        self.assertEqual(str(watch.eta), "2026-03-04 13:00:11", "the watch of the runs handed to jobs")
        with self.at("2026-03-04 13:00:11"):
            self.perform_job(watch)
        next_wake = self.dispatcher_jobs()
        self.assertEqual(str(next_wake.eta), "2026-03-04 14:00:00", "no run in a job: only the next due moment")

    def test_while_runs_are_in_jobs_a_dispatcher_job_wakes_the_runner_once_dead_jobs_can_be_requeued(self):
        """queue_job's runner requeues the jobs of a killed server only when it wakes up, once they were sent
        10 s ago; with their channel full, only a job of another channel wakes it before a minute."""
        _lead, run, _chained = self._claimed()
        dispatcher_jobs = self.dispatcher_jobs
        wake, watch = dispatcher_jobs()
        self.assertEqual(str(wake.eta), DUE, "queued when the lead entered the stage")
        self.assertEqual(str(watch.eta), "2026-03-04 13:00:11", "queued with the run's job")
        self.assertEqual(set((wake | watch).mapped("channel")), {"root"}, "not behind the runs they dispatch")
        with self.at(DUE):
            self.perform_job(wake)
        self.assertEqual(dispatcher_jobs(), watch, "the run's job is not sent yet: the watch from now covers it")
        # The runner sent the run's job to a server at 13:00:05, the server started it, then died.
        self.env.flush_all()
        self.env.cr.execute("UPDATE queue_job SET state = 'started', date_enqueued = %s, date_started = %s "
                            "WHERE uuid = %s", ["2026-03-04 13:00:05", "2026-03-04 13:00:05", run.job_uuid])
        self.env.invalidate_all()
        with self.at("2026-03-04 13:00:11"):
            self.perform_job(watch)
        rewatch = dispatcher_jobs()
        self.assertEqual(str(rewatch.eta), "2026-03-04 13:00:16", "11 s after the job was sent")
        with self.at("2026-03-04 13:00:30"):
            self.perform_job(rewatch)
        self.assertEqual(str(dispatcher_jobs().eta), "2026-03-04 13:00:31",
                         "a job still running (or dead) is watched again")
        dispatcher_jobs().unlink()
        self.env.cr.execute("UPDATE queue_job SET state = 'pending' WHERE uuid = %s", [run.job_uuid])
        self.env.invalidate_all()
        with self.at("2026-03-04 13:00:40"):
            self.perform_jobs()
            self.assertEqual(run.state, "done")
            self.Run._watch_jobs()
        self.assertFalse(dispatcher_jobs(), "no run in a job: no watch")
