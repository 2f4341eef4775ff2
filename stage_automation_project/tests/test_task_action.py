from datetime import datetime

from odoo.tests import tagged

from odoo.addons.stage_automation.tests.common_actions import ENTRY, ActionCase


@tagged("post_install", "-at_install", "stage_automation_bridges", "stage_automation_actions")
class TestTaskAction(ActionCase):
    """The "Task" action creates a ``project.task`` when a project is chosen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Onboarding"})
        cls.customer = cls.env["res.partner"].create({"name": "Ann Azure"})

    def test_task_in_the_project_linked_to_the_lead(self):
        rule = self.rule(action="task", task_project_id=self.project.id, summary="Onboard {{ object.partner_id.name }}",
                         body="Kick-off call", recipient="users",
                         recipient_user_ids=[self.manager.id, self.salesman.id],
                         activity_deadline_days=2, activity_important=True, activity_auto_close=True)
        lead, run = self.enter(rule, partner_id=self.customer.id)
        task = self.env["project.task"].browse(run.outputs["task_id"])
        self.assertEqual(run.state, "done")
        self.assertEqual((task.name, task.project_id, task.priority), ("Onboard Ann Azure", self.project, "1"))
        self.assertEqual(task.user_ids, self.manager | self.salesman)
        self.assertEqual(task.date_deadline, datetime(2026, 3, 6, 23, 59))
        self.assertIn("Kick-off call", task.description)
        self.assertEqual((task.partner_id, task.opportunity_id), (self.customer, lead))
        self.assertEqual((lead.project_task_ids, lead.project_task_count), (task, 1))
        self.assertFalse(lead.activity_ids, "a project task instead of a to-do")
        lead.stage_id = self.stage_qualified
        self.assertEqual(task.state, "1_done", "closed when the lead leaves the stage")

    def test_without_a_project_the_task_stays_a_todo(self):
        rule = self.rule(action="task", summary="Onboard")
        lead, run = self.enter(rule)
        self.assertEqual(lead.activity_ids.activity_type_id, self.todo_type)
        self.assertFalse(self.env["project.task"].search([("opportunity_id", "=", lead.id)]))

    def test_task_in_an_archived_project_fails_and_creates_nothing(self):
        self.project.active = False
        rule = self.rule(action="task", task_project_id=self.project.id, summary="Onboard")
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("“Onboarding” is archived", run.reason)
        self.assertFalse(self.env["project.task"].with_context(active_test=False).search(
            [("opportunity_id", "=", lead.id)]))
        self.assertFalse(lead.activity_ids)

    def test_the_simulation_shows_the_task_the_rule_creates(self):
        rule = self.rule(action="task", task_project_id=self.project.id, summary="Onboard {{ object.partner_id.name }}",
                         body="Kick-off call", activity_deadline_days=2)
        lead = self.lead(partner_id=self.customer.id)
        row = self.env["stage.automation.simulation"].simulate(lead.id, self.stage_new.id, at=ENTRY)["rules"][0]
        self.assertEqual((row["outcome"], row["recipients"]), ("runs", ["Salesman"]))
        self.assertEqual(row["details"], [["In project", "Onboarding"], ["Deadline", "03/06/2026"]])
        with self.at(ENTRY):
            lead.stage_id = self.stage_new
        task = self.env["project.task"].browse(self.runs(lead, rule).outputs["task_id"])
        self.assertEqual((task.name, task.description, task.user_ids.name),
                         (row["subject"], row["body"], row["recipients"][0]))
