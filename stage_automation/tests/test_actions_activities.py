from datetime import date, datetime

from odoo.tests import tagged

from .common_actions import ActionCase


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestActivityActions(ActionCase):
    """Activity, task and call: ``mail.activity`` rows, and the call's calendar slot."""

    def events(self, lead):
        return self.env["calendar.event"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])

    def test_important_activity_is_flagged(self):
        rule = self.rule(action="activity", activity_type_id=self.call_type.id, summary="Call",
                         activity_important=True)
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "done")
        self.assertTrue(lead.activity_ids.important)
        self.assertIn(lead.activity_ids, self.env["mail.activity"].search([("important", "=", True)]))

    def test_task_is_a_todo_for_each_recipient(self):
        rule = self.rule(action="task", summary="Prepare {{ object.partner_name }}", body="Slides",
                         recipient="users", recipient_user_ids=[self.manager.id, self.salesman.id],
                         activity_deadline_days=3, activity_important=True)
        lead, run = self.enter(rule)
        tasks = lead.activity_ids
        self.assertEqual(run.state, "done")
        self.assertEqual(tasks.user_id, self.manager | self.salesman)
        self.assertEqual(set(tasks.mapped("activity_type_id")), {self.todo_type})
        self.assertEqual(set(tasks.mapped("summary")), {"Prepare Azure"})
        self.assertEqual(set(tasks.mapped("date_deadline")), {date(2026, 3, 7)})
        self.assertTrue(all(tasks.mapped("important")))
        self.assertEqual(run.activity_ids, tasks)
        self.assertIn("To-do “Prepare Azure”", run.reason)

    def test_task_without_anyone_to_do_it_fails_and_schedules_nothing(self):
        rule = self.rule(action="task", summary="Prepare")
        lead, run = self.enter(rule, user_id=False)
        self.assertEqual(run.state, "failed")
        self.assertIn("no responsible", run.reason)
        self.assertFalse(lead.activity_ids)

    def test_call_is_due_on_its_day_without_a_calendar_slot(self):
        rule = self.rule(action="call", summary="Call {{ object.partner_name }}", event_delay=2, event_time=14.0)
        lead, run = self.enter(rule)
        call = lead.activity_ids
        self.assertEqual(run.state, "done")
        self.assertEqual(call.activity_type_id, self.call_type)
        self.assertEqual(call.summary, "Call Azure")
        self.assertEqual(call.date_deadline, date(2026, 3, 6))
        self.assertFalse(call.calendar_event_id)
        self.assertFalse(self.events(lead))

    def test_call_with_a_reminder_takes_a_slot_in_the_callers_calendar(self):
        reminder = self.env.ref("calendar.alarm_notif_1")
        rule = self.rule(action="call", summary="Call {{ object.partner_name }}", body="Ask about the budget",
                         event_delay=1, event_delay_unit="work_days", event_time=9.5, event_duration=0.5,
                         event_alarm_ids=[reminder.id], activity_important=True, activity_auto_close=True)
        with self.at("2026-03-06 10:00:00"):  # a Friday: the next working day is Monday
            lead = self.lead()
            lead.stage_id = self.stage_new
        call, event = lead.activity_ids, self.events(lead)
        self.assertEqual(call.date_deadline, date(2026, 3, 9))
        self.assertTrue(call.important)
        self.assertEqual(call.calendar_event_id, event)
        self.assertEqual((event.start, event.stop), (datetime(2026, 3, 9, 9, 30), datetime(2026, 3, 9, 10, 0)))
        self.assertEqual(event.name, "Call Azure")
        self.assertIn("Ask about the budget", event.description)
        self.assertEqual(event.alarm_ids, reminder)
        self.assertEqual(event.user_id, self.salesman)
        self.assertEqual(event.partner_ids, self.salesman.partner_id)
        self.assertEqual(event.opportunity_id, lead)
        self.assertEqual(self.runs(lead, rule).state, "done")
        lead.stage_id = self.stage_qualified
        self.assertFalse(lead.activity_ids, "the call is closed when the lead leaves the stage")

    def test_call_counted_from_a_past_date_fails_and_schedules_nothing(self):
        rule = self.rule(action="call", summary="Call", event_start="after_date",
                         event_date_field_id=self.field_deadline.id, event_delay=1)
        lead, run = self.enter(rule, date_deadline=date(2026, 2, 1))
        self.assertEqual(run.state, "failed")
        self.assertIn("already past", run.reason)
        self.assertFalse(lead.activity_ids)
