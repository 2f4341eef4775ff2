from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, plaintext2html
from odoo.tools.translate import _lt

# Default activity type of each activity action; the rule's "Activity type" overrides it.
DEFAULT_ACTIVITY_TYPES = {
    "task": "mail.mail_activity_data_todo",
    "call": "mail.mail_activity_data_call",
    "meeting": "mail.mail_activity_data_meeting",
    "control": "mail.mail_activity_data_todo",
}



def _local_day(lead, user, moment):
    """The day ``moment`` (naive UTC) falls on in ``user``'s time zone."""
    return fields.Datetime.context_timestamp(lead.with_context(tz=user.tz or "UTC"), moment).date()


class StageAutomationRule(models.Model):
    """Activities on the lead: an activity of a chosen type, a to-do, a call.

    Other families schedule activities too (a meeting, a control): their
    actions use the part ``activity`` (type, importance, closing on exit).
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[("activity", "Activity"), ("task", "Task"), ("call", "Schedule a call")],
        ondelete={"activity": "cascade", "task": "cascade", "call": "cascade"}, default="activity")
    action_uses_activity = fields.Boolean(compute="_compute_action_uses")
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity type", ondelete="restrict",
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]",
        help="For a task, a call or a meeting: leave empty for the To-Do, Call or Meeting type.")
    activity_deadline_days = fields.Integer(
        string="Due in (days)", help="Deadline of the activity, counted in days from the moment the rule runs.")
    activity_auto_close = fields.Boolean(
        string="Close when the lead leaves the stage",
        help="Mark the activity done automatically if the lead moves to another stage before it is done.")
    activity_important = fields.Boolean(
        string="Important activity",
        help="Flag the activity as important in the lists of activities (a task of a project gets the high priority).")

    @api.model
    def _action_parts(self):
        texts = {"recipients", "summary", "body", "activity"}
        return {**super()._action_parts(), "activity": texts, "task": texts, "call": texts | {"event"}}

    @api.constrains("action", "activity_type_id")
    def _check_activity_type(self):
        for rule in self.filtered(lambda r: r.action == "activity" and not r.activity_type_id):
            raise ValidationError(_("Rule “%(rule)s”: choose the type of the activity.", rule=rule.name))

    def _prepare_action_activity(self, run, lead):
        return self._prepare_activities(run, lead, self.activity_type_id)

    def _prepare_action_task(self, run, lead):
        return self._prepare_activities(run, lead, self._activity_type())

    def _prepare_action_call(self, run, lead):
        start = self._event_start(run, lead)
        plan = self._prepare_activities(run, lead, self._activity_type(), deadline=start)
        return {**plan, "start": start, "details": [(_("Start"), self._format_start(lead, start)), *plan["details"]]}

    def _run_action_activity(self, run, lead):
        plan = self._prepare_action(run, lead)
        activities = self._schedule_activities(run, lead, plan)
        return _lt("Activity “%(activity)s” scheduled for %(users)s.", activity=activities[:1].summary or
                   self.activity_type_id.name, users=", ".join(plan["recipients"].mapped("name")))

    def _run_action_task(self, run, lead):
        plan = self._prepare_action(run, lead)
        activities = self._schedule_activities(run, lead, plan)
        return _lt("To-do “%(task)s” scheduled for %(users)s.",
                   task=activities[:1].summary or activities[:1].activity_type_id.name,
                   users=", ".join(plan["recipients"].mapped("name")))

    def _run_action_call(self, run, lead):
        """A call activity due on the day of the call; with reminders, the call also takes
        its slot in the caller's calendar, the event linked to the activity as Odoo links
        an activity to the meeting scheduled from it."""
        plan = self._prepare_action(run, lead)
        calls = self.env["mail.activity"]
        for user in plan["recipients"]:
            activity = self._schedule_activities(run, lead, plan, users=user)
            if self.event_alarm_ids:
                self._create_lead_event(lead, plan, user, user.partner_id, activities=activity)
            calls |= activity
        return _lt("Call “%(call)s” scheduled for %(users)s on %(day)s.",
                   call=calls[:1].summary or plan["activity_type"].name, users=", ".join(calls.user_id.mapped("name")),
                   day=calls[:1].date_deadline)

    def _activity_users(self, lead):
        users = self._get_recipients(lead)
        if not users:
            raise UserError(_("Nobody to assign the activity to: the lead has no responsible."))
        return users

    def _activity_type(self):
        """The rule's activity type, else the default type of its action."""
        if self.activity_type_id:
            return self.activity_type_id
        activity_type = self.env.ref(DEFAULT_ACTIVITY_TYPES[self.action], raise_if_not_found=False)
        if not activity_type:
            raise UserError(_("The default activity type of this action was deleted: choose an activity type."))
        return activity_type

    def _prepare_activities(self, run, lead, activity_type, deadline=None, users=None, summary=None, note=None):
        """The plan of activities of ``activity_type``, one per user, with the rule's summary, note and importance.

        :param deadline: moment (naive UTC) the activities are due, taken as that day in each
          user's time zone; by default the rule's "Due in (days)" counted from the day the rule runs
        :param users: who gets one, instead of the rule's recipients
        :param summary: summary instead of the rule's own (rendered) one
        :param note: HTML note instead of the rule's own (rendered) body
        """
        users = self._activity_users(lead) if users is None else users
        if summary is None:
            summary = self._render("summary", lead)
        if note is None:
            note = plaintext2html(self._render("body", lead)) if self.body else ""
        days = {user: _local_day(lead, user, deadline) if deadline else self._activity_due_day(run, lead, user)
                for user in users}
        return {"recipients": users, "activity_type": activity_type, "subject": summary, "body": note,
                "deadlines": days, "details": [
                    (_("Activity"), activity_type.name),
                    (_("Due on"), ", ".join(sorted({format_date(self.env, day) for day in days.values()})))]}

    def _activity_due_day(self, run, lead, user):
        """The day "Due in (days)" after the day the rule runs, in ``user``'s time zone."""
        return _local_day(lead, user, run._action_moment()) + timedelta(days=self.activity_deadline_days)

    def _schedule_activities(self, run, lead, plan, users=None):
        """The activities of ``plan`` (see :meth:`_prepare_activities`), for ``users`` of its recipients
        (all of them by default).

        The activities are recorded on the run: they are closed when the lead
        leaves the stage if the rule says so (:meth:`_close_created_records`).
        """
        activities = self.env["mail.activity"]
        for user in plan["recipients"] if users is None else users:
            activities |= lead.activity_schedule(
                activity_type_id=plan["activity_type"].id,
                summary=plan["subject"],
                note=plan["body"],
                user_id=user.id,
                date_deadline=plan["deadlines"][user],
                important=self.activity_important,
            )
        run.activity_ids |= activities
        return activities

    @api.model
    def _close_created_records(self, leads):
        open_activities = self._runs_closing_on_exit(leads, "activity_ids").activity_ids.filtered("active")
        if open_activities:
            open_activities.action_feedback(feedback=_("Closed automatically: the lead left the stage."))
        return super()._close_created_records(leads)

    @api.model
    def _runs_closing_on_exit(self, leads, records_field):
        """Completed runs of ``leads`` holding records in ``records_field`` that their rule closes on exit
        ("Close when the lead leaves the stage")."""
        return self.env["stage.automation.run"].search([
            ("lead_id", "in", leads.ids),
            ("state", "=", "done"),
            ("rule_id.activity_auto_close", "=", True),
            (records_field, "!=", False),
        ])


class StageAutomationRun(models.Model):
    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    activity_ids = fields.Many2many(
        "mail.activity", "stage_automation_run_activity_rel", "run_id", "activity_id", string="Activities")
