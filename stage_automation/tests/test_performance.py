"""What the execution of many runs costs: jobs of several runs, each run in its own savepoint, and a dispatcher
whose queries do not grow with the runs it hands out."""

import math
from collections import Counter
from unittest.mock import patch

from odoo.tests import tagged

from ..models import stage_automation_run_execution as execution
from ..models.stage_automation_run_execution import JOB_SPREAD
from .common import StageAutomationCase

T0 = "2026-03-04 10:00:00"
DUE = "2026-03-04 11:00:00"
# Queries of the engine around one run in a job, besides its action: its savepoint and release, the
# update of its state; the prefetched lead, rule and chain cost nothing more per run.
ENGINE_QUERIES_PER_RUN = 3


@tagged("post_install", "-at_install", "stage_automation_scale")
class TestBatchedExecution(StageAutomationCase):

    def _leads_entering(self, count, **values):
        """``count`` leads entering "SA New" at T0 (an import: the due runs wait for the dispatcher)."""
        leads = self.env["crm.lead"].create([
            {"name": f"Batch {n}", "type": "opportunity", "team_id": self.team.id, "user_id": self.salesman.id,
             "stage_id": self.stage_qualified.id, **values} for n in range(count)])
        with self.at(T0):
            leads.with_context(import_file=True).stage_id = self.stage_new
        return leads

    def _queries(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_a_job_runs_many_runs_and_one_failure_fails_only_its_own(self):
        call = self.rule(name="Call", timing="delay", delay=1, delay_unit="hours", action="call",
                         summary="Call {{ object.name }}", recipient="responsible")
        leads = self._leads_entering(40)
        orphan = leads[17]
        orphan.user_id = False  # nobody to call: this run fails
        with self.at(DUE):
            claimed = self.Run._cron_dispatch()
        jobs = self.queued_jobs()
        self.assertEqual(len(jobs), JOB_SPREAD, "a few runs still spread over several jobs (and workers)")
        self.assertEqual(set(Counter(claimed.mapped("job_uuid")).values()), {math.ceil(40 / JOB_SPREAD)})
        with self.at(DUE):
            self.perform_jobs()
        runs = self.Run.search([("rule_id", "=", call.id)])
        failed = runs.filtered(lambda run: run.state == "failed")
        self.assertEqual(failed.lead_id, orphan)
        self.assertEqual(failed.reason, "Failed: Nobody to assign the activity to: the lead has no responsible.")
        self.assertEqual(set((runs - failed).mapped("state")), {"done"})
        activities = self.env["mail.activity"].search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])
        self.assertEqual(len(activities), 39, "one call per lead but the orphan, none undone by its failure")
        with self.at(DUE):
            for job in jobs:  # a duplicate delivery of every job
                self.perform_job(job)
        self.assertEqual(self.env["mail.activity"].search_count(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)]), 39, "nothing executed twice")

    def test_jobs_hold_at_most_a_batch_and_a_rule_calling_out_has_a_job_of_its_own(self):
        self.rule(name="Note", timing="delay", delay=1, delay_unit="hours")
        self.rule(name="Webhook", timing="delay", delay=1, delay_unit="hours", action="webhook",
                  outgoing_url="https://hooks.example.com/x", sequence=20)
        batch = 5
        self._leads_entering(batch * JOB_SPREAD + 3)
        with self.at(DUE), patch.object(execution, "JOB_BATCH", batch):
            runs = self.Run._cron_dispatch()
        notes = runs.filtered(lambda run: run.rule_id.action == "note")
        webhooks = runs - notes
        self.assertEqual(sorted(Counter(notes.mapped("job_uuid")).values()), [3] + [batch] * JOB_SPREAD)
        self.assertEqual(len(set(webhooks.mapped("job_uuid"))), len(webhooks), "one job per outgoing call")
        self.assertEqual(len(self.queued_jobs()), JOB_SPREAD + 1 + len(webhooks))

    def test_the_runs_of_one_lead_stay_in_one_job_in_their_order(self):
        for n in range(1, 11):
            self.rule(name=f"Note {n}", timing="delay", delay=1, delay_unit="hours", sequence=n, body=f"Step {n}")
        leads = self._leads_entering(3)
        with self.at(DUE):
            runs = self.Run._cron_dispatch()
        self.assertEqual(len(self.queued_jobs()), 3, "one job per lead, though 30 runs would make 8 jobs")
        for lead in leads:
            self.assertEqual(len(set(runs.filtered(lambda run, lead=lead: run.lead_id == lead).mapped("job_uuid"))), 1)
        with self.at(DUE):
            self.perform_jobs()
        steps = [message.body for message in self.notes(leads[0]).sorted("id") if "Step" in message.body]
        self.assertEqual(steps, [f"<p>Step {n}</p>" for n in range(1, 11)], "in the rules' order")

    def test_a_job_costs_its_actions_and_a_few_queries_per_run(self):
        self.rule(name="Note", timing="delay", delay=1, delay_unit="hours", body="Hello {{ object.name }}")
        self._leads_entering(30)
        with self.at(DUE):
            runs = self.Run._cron_dispatch()
        first, second = runs[:10], runs[10:30]
        note_queries = {}
        with self.at(DUE):
            for batch in (first, second):
                note_queries[len(batch)] = self._queries(batch._perform)
        self.assertEqual(set(runs[:30].mapped("state")), {"done"})
        per_run = (note_queries[20] - note_queries[10]) / 10
        # A note is Odoo's message_post (5 queries here); the engine adds its savepoint and the run's state.
        self.assertLessEqual(per_run, 5 + ENGINE_QUERIES_PER_RUN, note_queries)

    def test_an_activity_run_costs_odoo_s_activity_and_the_engine_s_few_queries(self):
        """What ``activity_schedule`` costs Odoo for one lead (the activity, its assignee following the lead,
        the e-mail telling them someone else assigned it) is the floor: the engine adds its savepoint, the run's
        update and the link of the activity to its run (closed when the lead leaves the stage)."""
        self.rule(name="Call", timing="delay", delay=1, delay_unit="hours", action="activity",
                  activity_type_id=self.call_type.id, summary="Call {{ object.name }}")
        # The e-mails telling the assignees are queued, as on a server: tests send them at once.
        leads = self._leads_entering(60).with_context(mail_notify_force_send=False)
        with self.at(DUE):
            runs = self.Run._cron_dispatch().filtered(lambda run: run.lead_id in leads[:30]).with_env(leads.env)
        others = leads[30:]  # Odoo's own activities go to leads like these, not followed yet either
        activity_queries = {}
        with self.at(DUE):
            for batch in (runs[:10], runs[10:30]):
                activity_queries[len(batch)] = self._queries(batch._perform)
        self.assertEqual(set(runs.mapped("state")), {"done"})
        odoo_queries = {}
        for batch in (others[:10], others[10:30]):
            odoo_queries[len(batch)] = self._queries(lambda batch=batch: [
                lead.activity_schedule(activity_type_id=self.call_type.id, summary=f"Call {lead.name}",
                                       user_id=self.salesman.id) for lead in batch])
        per_run = (activity_queries[20] - activity_queries[10]) / 10
        per_activity = (odoo_queries[20] - odoo_queries[10]) / 10
        engine = round(per_run - per_activity)
        self.assertLessEqual(engine, ENGINE_QUERIES_PER_RUN + 1, (activity_queries, odoo_queries))

    def test_the_dispatcher_costs_the_same_for_40_or_160_due_runs(self):
        self.rule(name="Note", timing="delay", delay=1, delay_unit="hours")
        self._leads_entering(200)
        with self.at(DUE):
            few = self._queries(lambda: self.Run._cron_dispatch(limit=40))
            many = self._queries(lambda: self.Run._cron_dispatch(limit=160))
        self.assertEqual(len(self.queued_jobs()), 2 * JOB_SPREAD, "runs shared by as many jobs either way")
        self.assertLessEqual(many, few, "what grows is the jobs, not the runs")
        # Claim, state, one INSERT per job, their runs' job, the watch, the next wake-up.
        self.assertLessEqual(few, 15 + 2 * JOB_SPREAD)
