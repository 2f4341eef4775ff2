from datetime import date, datetime

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_actions import ENTRY, ActionCase


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestCalendarActions(ActionCase):
    """Meetings and bookings: ``calendar.event`` rows with attendees and reminders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Ann Azure", "email": "ann@azure.example.com"})
        cls.reminder = cls.env.ref("calendar.alarm_notif_3")
        cls.meeting_type = cls.env.ref("mail.mail_activity_data_meeting")

    def test_meeting_with_attendees_reminder_and_the_linked_activity(self):
        rule = self.rule(action="meeting", summary="Demo for {{ object.partner_id.name }}", body="Bring the demo",
                         event_delay=2, event_time=15.0, event_duration=1.5, event_alarm_ids=[self.reminder.id],
                         event_user_ids=[self.manager.id], event_with_customer=True, activity_important=True)
        lead, run = self.enter(rule, partner_id=self.customer.id)
        event = self.env["calendar.event"].browse(run.outputs["meeting_event_id"])
        self.assertEqual(run.state, "done")
        self.assertEqual(event.name, "Demo for Ann Azure")
        self.assertEqual((event.start, event.stop), (datetime(2026, 3, 6, 15, 0), datetime(2026, 3, 6, 16, 30)))
        self.assertEqual(event.user_id, self.salesman)
        self.assertEqual(event.attendee_ids.partner_id,
                         self.salesman.partner_id | self.manager.partner_id | self.customer)
        self.assertEqual(event.alarm_ids, self.reminder)
        self.assertEqual((event.opportunity_id, event.res_model, event.res_id), (lead, "crm.lead", lead.id))
        activity = lead.activity_ids
        self.assertEqual(activity.activity_type_id, self.meeting_type)
        self.assertEqual((activity.user_id, activity.date_deadline), (self.salesman, date(2026, 3, 6)))
        self.assertEqual(activity.calendar_event_id, event)
        self.assertTrue(activity.important)
        self.assertEqual(lead.calendar_event_ids, event)
        invitation = self.env["mail.message"].search([
            ("model", "=", "calendar.event"), ("res_id", "=", event.id), ("partner_ids", "in", self.customer.ids)])
        self.assertTrue(invitation, "the customer receives the invitation")

    def test_meeting_with_a_customer_the_lead_does_not_have_fails_and_creates_nothing(self):
        rule = self.rule(action="meeting", summary="Demo", event_with_customer=True)
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("no customer", run.reason)
        self.assertFalse(lead.activity_ids)
        self.assertFalse(lead.calendar_event_ids)

    def test_booking_the_employees_before_a_date_then_cancelling_it_in_another_stage(self):
        book = self.rule(action="book_resource", summary="Installation at {{ object.partner_name }}",
                         recipient="users", recipient_user_ids=[self.manager.id, self.salesman.id],
                         event_start="before_date", event_date_field_id=self.field_deadline.id, event_delay=1,
                         event_time=8.0, event_duration=4.0)
        cancel = self.rule(name="Cancel", stage_id=self.stage_proposal.id, action="cancel_booking",
                           cancel_booking_rule_id=book.id)
        lead, run = self.enter(book, date_deadline=date(2026, 3, 20))
        event = self.env["calendar.event"].browse(run.outputs["booking_event_id"])
        self.assertEqual(run.state, "done")
        self.assertEqual(event.name, "Installation at Azure")
        self.assertEqual((event.start, event.stop), (datetime(2026, 3, 19, 8, 0), datetime(2026, 3, 19, 12, 0)))
        self.assertEqual(event.partner_ids, self.manager.partner_id | self.salesman.partner_id)
        self.assertEqual(event.opportunity_id, lead)
        self.assertFalse(lead.activity_ids, "a booking is not an activity")
        with self.at(ENTRY):
            lead.stage_id = self.stage_proposal
        self.assertFalse(event.exists())
        self.assertIn("Installation at Azure", self.runs(lead, cancel).reason)

    def test_cancelling_without_an_active_booking_does_nothing(self):
        rule = self.rule(action="cancel_booking")
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.reason, "No active booking to cancel.")

    def test_booking_on_an_empty_date_fails_and_books_nothing(self):
        rule = self.rule(action="book_resource", event_start="after_date",
                         event_date_field_id=self.field_deadline.id, event_delay=0)
        lead, run = self.enter(rule, date_deadline=False)
        self.assertEqual(run.state, "failed")
        self.assertIn("is empty", run.reason)
        self.assertFalse(lead.calendar_event_ids)

    def test_invalid_event_settings_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "choose the date"):
            self.rule(action="book_resource", event_start="after_date")
        with self.assertRaisesRegex(ValidationError, "duration"):
            self.rule(action="meeting", event_duration=0)
        with self.assertRaisesRegex(ValidationError, "does not book"):
            self.rule(action="cancel_booking", cancel_booking_rule_id=self.rule(name="Note").id)
