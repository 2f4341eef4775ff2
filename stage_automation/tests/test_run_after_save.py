"""A person's move: the rules due at once run in a job just after the save, and the open views hear of it."""

import json

from odoo.tests import tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from ..models.crm_lead import RUN_IN_REQUEST_PARAM
from ..models.stage_automation_run_execution import INTERACTIVE_PRIORITY, LEADS_CHANGED
from .common import StageAutomationCase
from .series import in_pipelines

RULES = 10
# What a person's move into a stage of immediate rules costs more than a move into a stage without rules (the
# lead's update, its tracking message, the search of the runs its exit ends: a count that depends on the
# addons installed), whatever the number of rules: the search of the rules, the runs inserted and read back,
# claimed, and one job queued for them (its uuid checked, its row, the runs' job). Nothing of the rules' work.
ENTRY_QUERIES = 7


@tagged("post_install", "-at_install", "stage_automation_runs")
class TestRunAfterSave(StageAutomationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(RUN_IN_REQUEST_PARAM, False)
        for n in range(RULES):
            cls.Rule.create({"name": f"Call {n}", "stage_id": cls.stage_new.id, "sequence": n, "action": "activity",
                             "activity_type_id": cls.call_type.id, "summary": f"Call {n}"})

    def _activities(self, lead):
        return self.env["mail.activity"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])

    def _leads_changed(self, partner):
        self.env.cr.precommit.run()  # what the commit of the job does first: store the bus notifications
        return self.env["bus.bus"].search([
            ("channel", "=", json_dump(channel_with_db(self.env.cr.dbname, partner))),
            ("message", "like", LEADS_CHANGED)])

    def test_the_move_returns_before_the_rules_run_and_their_job_goes_first(self):
        self.rule(name="Control", sequence=99, timing="delay", delay=3, delay_unit="days", body="Still new")
        lead = self.lead()
        lead.with_user(self.manager).stage_id = self.stage_new
        runs = self.runs(lead)
        immediate = runs.filtered(lambda run: run.rule_id.timing == "immediate")
        self.assertEqual(set(immediate.mapped("state")), {"running"})
        self.assertEqual((runs - immediate).state, "pending")
        self.assertFalse(self._activities(lead), "nothing done in the person's request")
        [job] = self.queued_jobs()
        self.assertEqual(set(immediate.mapped("job_uuid")), {job.uuid})
        self.assertEqual(job.priority, INTERACTIVE_PRIORITY, "before the dispatcher's jobs (priority 10)")
        self.assertFalse(self.env["queue.job"].search([("method_name", "=", "_dispatch_due"), ("eta", "=", False)]),
                         "no dispatcher job runs for them")

        self.perform_job(job)
        self.assertEqual(set(immediate.mapped("state")), {"done"})
        self.assertEqual(sorted(self._activities(lead).mapped("summary")), sorted(f"Call {n}" for n in range(RULES)))
        for person in (self.manager, self.salesman):  # who moved it, whose lead it is
            [notification] = self._leads_changed(person.partner_id)
            self.assertEqual(json.loads(notification.message)["payload"], {"lead_ids": [lead.id]})

    def test_the_move_costs_the_same_queries_for_one_rule_or_ten(self):
        self.Rule.create({"name": "Call", "stage_id": self.stage_proposal.id, "action": "activity",
                          "activity_type_id": self.call_type.id, "summary": "Call"})
        no_rules = self.env["crm.stage"].create({"name": "SA Plain", "sequence": 105, **in_pipelines(self.team)})
        leads = [self.lead() for _n in range(9)]
        queries = {}
        for lead, stage in zip(leads, (self.stage_new, self.stage_proposal, no_rules) * 3, strict=True):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            lead.with_user(self.salesman).stage_id = stage
            self.env.flush_all()
            queries[stage.name] = self.cr.sql_log_count - before  # the last moves count: caches are warm
        plain = queries.pop("SA Plain")
        self.assertEqual(queries, {"SA New": plain + ENTRY_QUERIES, "SA Proposal": plain + ENTRY_QUERIES})
        self.assertEqual(len(self.queued_jobs()), 6, "one job a move")

    def test_a_failing_rule_in_the_job_fails_alone_and_the_views_still_hear_of_it(self):
        lead = self.lead()
        lead.user_id = False  # nobody to give the calls to
        self.rule(name="Note", sequence=50, body="Noted")
        lead.with_user(self.manager).stage_id = self.stage_new
        self.perform_jobs()
        runs = self.runs(lead)
        calls = runs.filtered(lambda run: run.rule_id.action == "activity")
        self.assertEqual(set(calls.mapped("state")), {"failed"})
        self.assertEqual(runs.filtered(lambda run: run.rule_id.name == "Note").state, "done")
        self.assertEqual(len(self._leads_changed(self.manager.partner_id)), 1)

    def test_in_request_the_person_waits_for_the_rules(self):
        self.env["ir.config_parameter"].set_param(RUN_IN_REQUEST_PARAM, True)
        lead = self.lead()
        lead.with_user(self.manager).stage_id = self.stage_new
        self.assertEqual(len(self._activities(lead)), RULES)
        self.assertFalse(self.queued_jobs())
