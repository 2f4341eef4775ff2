from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime, plaintext2html
from odoo.tools.translate import _lt

from ..engine import timing as engine
from ..models.stage_automation_rule import DELAY_UNITS


class StageAutomationRule(models.Model):
    """Meetings and bookings: ``calendar.event`` records linked to the lead.

    The start of an event is computed by the same engine as the moment a rule
    runs: N minutes / hours / days / working days after the rule runs, or
    before / after a date of the lead, at a time of day of the organizer.
    Actions that schedule an event (a call too) use the part ``event``.
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[
            ("meeting", "Schedule a meeting"),
            ("book_resource", "Book a resource"),
            ("cancel_booking", "Cancel the booking"),
        ],
        ondelete={"meeting": "cascade", "book_resource": "cascade", "cancel_booking": "cascade"},
    )
    action_uses_event = fields.Boolean(compute="_compute_action_uses")
    event_start = fields.Selection(
        [("delay", "After the rule runs"), ("before_date", "Before a date"), ("after_date", "After a date")],
        string="Starts", default="delay")
    event_delay = fields.Integer(string="Start delay", default=1)
    event_delay_unit = fields.Selection(DELAY_UNITS, string="Start delay unit", default="days")
    event_date_field_id = fields.Many2one(
        "ir.model.fields", string="Start date field", ondelete="cascade",
        domain="[('model', '=', 'crm.lead'), ('ttype', 'in', ('date', 'datetime'))]")
    event_time = fields.Float(
        string="Start time", default=9.0,
        help="Time of day of the start, in the organizer's time zone, once the day is computed. "
             "00:00 keeps the computed moment.")
    event_duration = fields.Float(string="Event duration", default=1.0, help="Duration of the event, in hours.")
    event_alarm_ids = fields.Many2many(
        "calendar.alarm", "stage_automation_rule_calendar_alarm_rel", "rule_id", "alarm_id", string="Reminders",
        help="Reminders of the event. For a call, choosing a reminder also puts the call in the caller's calendar.")
    event_user_ids = fields.Many2many(
        "res.users", "stage_automation_rule_event_user_rel", "rule_id", "user_id", string="Other attendees",
        domain="[('share', '=', False)]")
    event_with_customer = fields.Boolean(
        string="Invite the customer", help="The lead's customer attends the meeting and receives the invitation.")
    cancel_booking_rule_id = fields.Many2one(
        "stage.automation.rule", string="Booking to cancel", ondelete="set null",
        domain="[('action', '=', 'book_resource')]",
        help="The rule that made the booking; empty for the latest active booking of the lead made by any rule.")

    @api.model
    def _action_parts(self):
        return {
            **super()._action_parts(),
            "meeting": {"recipients", "summary", "body", "activity", "event"},
            "book_resource": {"recipients", "summary", "body", "event"},
        }

    @api.constrains("action", "event_start", "event_delay", "event_delay_unit", "event_date_field_id",
                    "event_time", "event_duration")
    def _check_event_start(self):
        for rule in self.filtered("action_uses_event"):
            if not (rule.event_start and rule.event_delay_unit):
                raise ValidationError(_("Rule “%(rule)s”: say when the event starts.", rule=rule.name))
            try:
                rule._event_timing()
            except engine.TimingError as error:
                raise ValidationError(_("Rule “%(rule)s”: the start: %(error)s.",
                                        rule=rule.name, error=error)) from error
            if rule.event_start != "delay" and not rule.event_date_field_id:
                raise ValidationError(_("Rule “%(rule)s”: choose the date the start is counted from.", rule=rule.name))
            if rule.event_duration <= 0:
                raise ValidationError(_("Rule “%(rule)s”: the duration must be longer than 0.", rule=rule.name))

    @api.constrains("action", "cancel_booking_rule_id")
    def _check_cancel_booking(self):
        for rule in self.filtered(lambda r: r.action == "cancel_booking" and r.cancel_booking_rule_id):
            if rule.cancel_booking_rule_id.action != "book_resource":
                raise ValidationError(_("Rule “%(rule)s”: “%(booking)s” does not book a resource.",
                                        rule=rule.name, booking=rule.cancel_booking_rule_id.name))

    def _prepare_action_meeting(self, run, lead):
        """The recipients attend (the first one organizes and gets the meeting activity), with the other
        attendees and optionally the customer."""
        users = self._activity_users(lead)
        organizer = users[0]
        partners = (users | self.event_user_ids.filtered("active")).partner_id
        if self.event_with_customer:
            if not lead.partner_id:
                raise UserError(_("The lead has no customer to invite: link a contact first."))
            partners |= lead.partner_id
        start = self._event_start(run, lead)
        plan = self._prepare_activities(run, lead, self._activity_type(), deadline=start, users=organizer)
        return {**plan, "start": start, "attendees": partners, "to": ", ".join(partners.mapped("name")),
                "details": [(_("Start"), self._format_start(lead, start)), *plan["details"]]}

    def _run_action_meeting(self, run, lead):
        """A meeting in the calendars of the attendees, with the meeting activity of the organizer
        linked to it as when a meeting is scheduled from an activity."""
        plan = self._prepare_action(run, lead)
        organizer = plan["recipients"]
        activity = self._schedule_activities(run, lead, plan)
        event = self._create_lead_event(lead, plan, organizer, plan["attendees"], activities=activity)
        run._set_outputs({"meeting_event_id": event.id})
        return _lt("Meeting “%(meeting)s” on %(start)s with %(attendees)s.", meeting=event.name,
                   start=plan["start"], attendees=", ".join(event.partner_ids.mapped("name")))

    def _prepare_action_book_resource(self, run, lead):
        users = self._get_recipients(lead)
        if not users:
            raise UserError(_("Nobody to book: the lead has no responsible."))
        start = self._event_start(run, lead)
        return {
            "recipients": users,
            "organizer": lead.user_id if lead.user_id in users else users[0],
            "start": start,
            "subject": self._render("summary", lead),
            "body": plaintext2html(self._render("body", lead)) if self.body else "",
            "details": [(_("Start"), self._format_start(lead, start))],
        }

    def _run_action_book_resource(self, run, lead):
        """Book the time of the recipients: an event in their calendars, linked to the lead."""
        plan = self._prepare_action(run, lead)
        users = plan["recipients"]
        event = self._create_lead_event(lead, plan, plan["organizer"], users.partner_id)
        run._set_outputs({"booking_event_id": event.id})
        return _lt("Booked %(users)s on %(start)s (“%(event)s”).", users=", ".join(users.mapped("name")),
                   start=plan["start"], event=event.name)

    def _prepare_action_cancel_booking(self, run, lead):
        booking = self._active_booking(lead)
        return {"booking": booking, "details": [(_("Booking"), booking.name or _("none"))]}

    def _run_action_cancel_booking(self, run, lead):
        booking = self._prepare_action(run, lead)["booking"]
        if not booking:
            return _lt("No active booking to cancel.")
        name = booking.name
        booking.unlink()
        return _lt("Booking “%(event)s” cancelled.", event=name)

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _event_timing(self):
        return engine.Timing(
            kind=self.event_start, delay=self.event_delay, unit=self.event_delay_unit, at_time=self.event_time or None)

    def _event_start(self, run, lead):
        """Start (naive UTC) of the event the rule schedules; days and times of day are
        those of the lead's responsible, as for the moment the rule runs."""
        now = run._action_moment()
        try:
            start = self._compute_due(
                lead, now, {}, timing=self._event_timing(), date_field=self.event_date_field_id)
        except engine.TimingError as error:
            raise UserError(_("Cannot compute the start: %(error)s.",
                              error=self._message_text(error.args[0]))) from error
        if start < now:
            raise UserError(_("The start (%(start)s) is already past.", start=self._format_start(lead, start)))
        return start

    def _create_lead_event(self, lead, plan, organizer, partners, activities=None):
        """A ``calendar.event`` of ``plan`` (its start, subject and body) linked to the lead as crm links
        meetings (``opportunity_id``).

        :param activities: activities the event belongs to; the event is then also the
          document link of the activities (``res_model``/``res_id``), and Odoo keeps them in
          sync. Without, crm logs the event in the lead's chatter.
        """
        start = plan["start"]
        values = {
            "name": plan["subject"] or lead.name,
            "description": plan["body"] or False,
            "start": start,
            "stop": start + timedelta(hours=self.event_duration),
            "duration": self.event_duration,
            "user_id": organizer.id,
            "partner_ids": [Command.set(partners.ids)],
            "alarm_ids": [Command.set(self.event_alarm_ids.ids)],
            "opportunity_id": lead.id,
        }
        if activities:
            values.update(
                res_model_id=self.env["ir.model"]._get_id("crm.lead"),
                res_id=lead.id,
                activity_ids=[Command.set(activities.ids)],
            )
        return self.env["calendar.event"].with_context(tz=organizer.tz).create(values)

    def _format_start(self, lead, start):
        return format_datetime(self.env, start, tz=lead.user_id.tz or self.env.user.tz or "UTC", dt_format="short")

    def _active_booking(self, lead):
        """The latest booking of the lead made by a booking rule that is not over yet."""
        domain = [("lead_id", "=", lead.id), ("state", "=", "done"), ("rule_id.action", "=", "book_resource")]
        if self.cancel_booking_rule_id:
            domain.append(("rule_id", "=", self.cancel_booking_rule_id.id))
        now = fields.Datetime.now()
        events = self.env["calendar.event"]
        for run in self.env["stage.automation.run"].search(domain, order="done_at desc, id desc"):
            event = events.browse((run.outputs or {}).get("booking_event_id")).exists()
            if event.active and event.stop > now:
                return event
        return events
