"""The history purge deletes what is older than the retention, batch by batch, and keeps what still tells a story:
open work, recent work, the last runs of each lead and whole stage entries."""

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..engine import lifecycle
from .common import StageAutomationCase

OLD = "2026-01-10 10:00:00"  # finished seven months before NOW
RECENT = "2026-07-20 10:00:00"  # finished within the six months of the retention
NOW = "2026-08-10 12:00:00"
CUTOFF = fields.Datetime.to_datetime("2026-02-10 12:00:00")  # NOW minus the six months


@tagged("post_install", "-at_install", "stage_automation_runs")
class TestHistoryPurge(StageAutomationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.History = cls.env["stage.automation.history"]
        cls.note = cls.env["stage.automation.rule"].create({
            "name": "Note", "stage_id": cls.stage_new.id, "action": "note", "body": "Hello"})
        cls.trigger = cls.env["stage.automation.trigger"].create({
            "name": "Paid", "code": "history-paid", "stage_id": cls.stage_proposal.id})
        cls.env["ir.config_parameter"].set_param("stage_automation.history_months", 6)
        cls.env["ir.config_parameter"].set_param("stage_automation.history_keep_per_lead", 2)

    def make_run(self, lead, state="done", done_at=OLD, entered_at=None, previous=None):
        """A run of its own stage entry (unless ``entered_at`` names one), finished at ``done_at`` when final."""
        self.entries = getattr(self, "entries", 0) + 1
        return self.Run.create({
            "rule_id": self.note.id, "lead_id": lead.id, "stage_id": self.stage_new.id,
            "entered_at": entered_at or f"2025-12-01 10:{self.entries // 60:02d}:{self.entries % 60:02d}",
            "state": state, "done_at": done_at if state in lifecycle.FINAL_STATES else False,
            "previous_run_id": previous.id if previous else False,
        })

    def purge(self, batch_size=1000):
        with self.at(NOW):
            return self.History._cron_purge(batch_size=batch_size)

    def test_old_finished_runs_go_except_the_last_ones_of_each_lead(self):
        lead, quiet_lead = self.lead(), self.lead(name="Quiet")
        old = [self.make_run(lead, state) for state in ("done", "skipped", "cancelled", "failed", "done")]
        only = self.make_run(quiet_lead)
        deleted = self.purge()
        self.assertEqual(deleted["stage.automation.run"], 3)
        self.assertEqual(self.runs(lead), old[3] + old[4], "the lead's two last runs stay")
        self.assertEqual(self.runs(quiet_lead), only)

    def test_recent_and_open_runs_stay_whatever_their_age(self):
        lead = self.lead()
        self.env["ir.config_parameter"].set_param("stage_automation.history_keep_per_lead", 1)
        gone = self.make_run(lead) + self.make_run(lead, "cancelled")
        open_runs = self.make_run(lead, "pending") + self.make_run(lead, "waiting") + self.make_run(lead, "paused")
        recent = self.make_run(lead, done_at=RECENT) + self.make_run(lead, done_at=RECENT)
        self.purge()
        self.assertFalse(gone.exists())
        self.assertEqual(self.runs(lead), open_runs + recent)

    def test_a_stage_entry_goes_whole_or_not_at_all(self):
        self.env["ir.config_parameter"].set_param("stage_automation.history_keep_per_lead", 1)
        lead = self.lead()
        # An entry still waiting: its rule counts from the previous run and reads its outputs.
        first = self.make_run(lead, entered_at="2025-12-01 09:00:00")
        waiting = self.make_run(lead, "pending", entered_at="2025-12-01 09:00:00", previous=first)
        # A finished entry among the lead's last runs: its older run stays with it.
        previous = self.make_run(lead, entered_at="2025-12-02 09:00:00")
        last = self.make_run(lead, entered_at="2025-12-02 09:00:00", previous=previous)
        # An old entry with a newer one after it: it goes, chain and all.
        other_lead = self.lead(name="Other")
        head = self.make_run(other_lead, entered_at="2025-12-01 09:00:00")
        tail = self.make_run(other_lead, entered_at="2025-12-01 09:00:00", previous=head)
        newest = self.make_run(other_lead, done_at=RECENT)
        self.purge(batch_size=1)
        self.assertEqual(self.runs(lead), first + waiting + previous + last)
        self.assertEqual(waiting.previous_run_id, first)
        self.assertEqual(last.previous_run_id, previous)
        self.assertFalse((head + tail).exists())
        self.assertEqual(self.runs(other_lead), newest)

    def test_runs_of_deleted_leads_go_at_the_cutoff(self):
        lead = self.lead()
        traces = self.make_run(lead) + self.make_run(lead, done_at=RECENT)
        traces.lead_id = False
        self.purge()
        self.assertEqual(traces.exists(), traces[1])

    def test_old_trigger_logs_go(self):
        lead = self.lead()
        logs = self.env["stage.automation.trigger.log"].create([
            {"trigger_id": self.trigger.id, "lead_id": lead.id, "moved": True} for _n in range(3)])
        self.set_create_date(logs[:2], OLD)
        self.set_create_date(logs[2], RECENT)
        self.assertEqual(self.purge()["stage.automation.trigger.log"], 2)
        self.assertEqual(logs.exists(), logs[2])

    def test_failed_jobs_of_the_addon_go_done_ones_are_left_to_queue_job(self):
        lead = self.lead()
        running = self.make_run(lead, "running")
        jobs = {
            "failed": self.Run.with_delay()._dispatch_due(),
            "recent": self.Run.with_delay()._dispatch_due(),
            "done": self.Run.with_delay()._dispatch_due(),
            "open run": running.with_delay()._perform(),
            "other model": lead.with_delay().read(["name"]),
        }
        running.job_uuid = jobs["open run"].uuid
        Job = self.env["queue.job"]
        records = {name: Job.search([("uuid", "=", job.uuid)]) for name, job in jobs.items()}
        self.env.flush_all()
        for name, record in records.items():
            self.env.cr.execute("UPDATE queue_job SET state = %s, date_created = %s WHERE id = %s", [
                "done" if name == "done" else "failed", RECENT if name == "recent" else OLD, record.id])
        Job.invalidate_model()
        self.assertEqual(self.purge()["queue.job"], 1)
        self.assertFalse(records["failed"].exists())
        for name in ("recent", "done", "open run", "other model"):
            self.assertTrue(records[name].exists(), name)

    def test_it_deletes_batch_by_batch(self):
        lead = self.lead()
        self.env["ir.config_parameter"].set_param("stage_automation.history_keep_per_lead", 1)
        old = self.Run.concat(*(self.make_run(lead) for _n in range(5)))
        last = self.make_run(lead, done_at=RECENT)
        self.assertEqual(list(self.History._purge_runs(CUTOFF, 1, batch_size=2)), [2, 2, 1])
        self.assertFalse(old.exists())
        self.assertTrue(last.exists())

        logs = self.env["stage.automation.trigger.log"].create([
            {"trigger_id": self.trigger.id, "lead_id": lead.id, "moved": True} for _n in range(4)])
        self.set_create_date(logs, OLD)
        self.assertEqual(list(self.History._purge_trigger_logs(CUTOFF, batch_size=2)), [2, 2, 0])
        self.assertFalse(logs.exists())

    def test_the_daily_cron_purges(self):
        cron = self.env.ref("stage_automation.ir_cron_purge_history")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))
        lead = self.lead()
        gone = self.make_run(lead)
        kept = self.make_run(lead) + self.make_run(lead)
        # Its code, as the scheduler runs it but without the scheduler's commits (Odoo 19's method_direct_trigger
        # commits like the scheduler, which a test cannot).
        with self.at(NOW):
            cron.ir_actions_server_id.with_user(cron.user_id).run()
        self.assertFalse(gone.exists())
        self.assertEqual(self.runs(lead), kept)

    def test_settings_are_validated(self):
        Settings = self.env["res.config.settings"]
        settings = Settings.create({"stage_automation_history_months": 12, "stage_automation_history_keep": 5})
        settings.execute()
        self.assertEqual(self.History._retention(), (12, 5))
        self.assertEqual(Settings.create({}).stage_automation_history_months, 12)
        for values, message in (
            ({"stage_automation_history_months": -1}, "at least one month"),
            ({"stage_automation_history_months": 0}, "at least one month"),
            ({"stage_automation_history_keep": -3}, "the last automation run of each lead"),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                Settings.create(values)
        self.env["ir.config_parameter"].set_param("stage_automation.history_months", "six")
        with self.assertRaisesRegex(ValidationError, "whole numbers"):
            self.History._cron_purge()

    def set_create_date(self, records, moment):
        records.flush_recordset()
        self.env.cr.execute(f"UPDATE {records._table} SET create_date = %s WHERE id = ANY(%s)",  # noqa: S608
                            [moment, records.ids])
        records.invalidate_recordset()
