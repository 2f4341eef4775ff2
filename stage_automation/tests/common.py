from contextlib import contextmanager
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user

from odoo.addons.queue_job.job import Job

from ..models.crm_lead import RUN_IN_REQUEST_PARAM
from .series import in_pipelines


class StageAutomationCase(TransactionCase):
    """A pipeline of its own (New → Qualified → Proposal → Won) with a manager and a salesman."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="sa_manager", name="Sales Manager", email="manager@example.com",
            groups="sales_team.group_sale_manager", tz="UTC")
        cls.salesman = new_test_user(
            cls.env, login="sa_salesman", name="Salesman", email="salesman@example.com",
            groups="sales_team.group_sale_salesman", tz="UTC")
        cls.team = cls.env["crm.team"].create({"name": "Automation pipeline", "use_leads": True})
        Stage = cls.env["crm.stage"]
        cls.stage_new = Stage.create({"name": "SA New", "sequence": 101, **in_pipelines(cls.team)})
        cls.stage_qualified = Stage.create({"name": "SA Qualified", "sequence": 102, **in_pipelines(cls.team)})
        cls.stage_proposal = Stage.create({"name": "SA Proposal", "sequence": 103, **in_pipelines(cls.team)})
        cls.stage_won = Stage.create({"name": "SA Won", "sequence": 104, **in_pipelines(cls.team), "is_won": True})
        cls.Rule = cls.env["stage.automation.rule"]
        cls.Run = cls.env["stage.automation.run"]
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")
        cls.field_deadline = cls.env.ref("crm.field_crm_lead__date_deadline")
        # The effects of immediate rules are read right after the change that started them; the job that runs
        # them after the save by default is tested in TestRunAfterSave.
        cls.env["ir.config_parameter"].set_param(RUN_IN_REQUEST_PARAM, True)

    def rule(self, **values):
        """A rule on stage "SA New" logging a note, unless told otherwise."""
        values = {
            "name": "Rule", "stage_id": self.stage_new.id, "action": "note", "body": "Hello {{ object.name }}",
            **values,
        }
        return self.Rule.create(values)

    def lead(self, **values):
        values = {
            "name": "Lead", "type": "opportunity", "team_id": self.team.id, "user_id": self.salesman.id,
            "stage_id": self.stage_qualified.id, "partner_name": "Azure", "email_from": "azure@example.com",
            **values,
        }
        return self.env["crm.lead"].create(values)

    def lead_with_pending_control(self, entered_at):
        """A lead entering "SA New" at ``entered_at``, where a control notification is due 3 hours later
        and a note is chained after it: ``(lead, control rule, chained rule)``."""
        control = self.rule(name="Control", timing="delay", delay=3, delay_unit="hours", action="notify",
                            summary="Still new", body="Still in New")
        chained = self.rule(name="Chained", sequence=20, after_previous=True)
        lead = self.lead()
        with self.at(entered_at):
            lead.stage_id = self.stage_new
        return lead, control, chained

    def runs(self, lead, rule=None):
        domain = [("lead_id", "=", lead.id)] + ([("rule_id", "=", rule.id)] if rule else [])
        return self.Run.search(domain)

    def dispatch(self):
        """What the cron and the job runner do together: claim the due runs and perform their jobs."""
        runs = self.Run._cron_dispatch()
        self.perform_jobs()
        return runs

    def queued_jobs(self):
        return self.env["queue.job"].search([
            ("model_name", "=", "stage.automation.run"), ("method_name", "!=", "_dispatch_due"),
            ("state", "in", ("pending", "enqueued"))])

    def perform_jobs(self):
        """Perform the stored stage automation jobs as queue_job's runner does (same transaction here)."""
        for stored in self.queued_jobs():
            self.perform_job(stored)

    def perform_job(self, stored):
        """Perform one stored job as queue_job's runner does (same transaction here)."""
        job = Job.load(self.env, stored.uuid)
        job.set_started()
        job.store()
        job.perform()
        self.env.flush_all()
        job.set_done()
        job.store()

    def send_emails(self):
        """What Odoo's mail queue cron does, woken by the rules that queue e-mails: send the queued e-mails."""
        self.env["mail.mail"].sudo().process_email_queue()

    def notifications(self, lead, subject):
        return self.env["mail.message"].search([
            ("model", "=", "crm.lead"), ("res_id", "=", lead.id),
            ("message_type", "=", "user_notification"), ("subject", "=", subject)])

    def notes(self, lead):
        return lead.message_ids.filtered(lambda m: m.subtype_id == self.env.ref("mail.mt_note"))

    @contextmanager
    def at(self, moment):
        """Freeze the clock at ``moment`` (naive UTC, or ISO text)."""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        with freeze_time(moment):
            yield


class StageAutomationSecurityCase(StageAutomationCase):
    """Adds the user the security tests act as: what DESIGN §6 gives a sales manager, no more
    (both automation Update groups and Sales / User: All Documents; not Administration, not Mail
    Template Editor)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.attacker = new_test_user(
            cls.env, login="sa_attacker", name="Restricted Manager", email="restricted@example.com", tz="UTC",
            groups="sales_team.group_sale_salesman_all_leads,"
                   "stage_automation.group_stage_automation_lead_update,"
                   "stage_automation.group_stage_automation_opportunity_update")
        cls.admin = cls.env.ref("base.user_admin")

    def assert_not_administrator(self, user):
        user.invalidate_recordset()
        self.assertFalse(user.has_group("base.group_system"))
        self.assertFalse(user.has_group("base.group_erp_manager"))
