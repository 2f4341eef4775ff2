from datetime import timezone
from zoneinfo import ZoneInfo

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_duration

from ..engine import timing as engine

TIMINGS = [
    ("immediate", "Immediately"),
    ("delay", "After a delay"),
    ("before_date", "Before a date"),
    ("after_date", "After a date"),
]
DELAY_UNITS = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("work_days", "Working days"),
]


class StageAutomationRule(models.Model):
    """An automation rule (robot): an action run when a lead enters a stage.

    Parameters of each action live with the action, in ``actions/``; this
    model holds what every rule has: where it applies, when it runs and the
    condition checked just before it runs.
    """

    _name = "stage.automation.rule"
    _description = "Stage Automation Rule"
    _inherit = ["stage.automation.scope", "mail.render.mixin"]
    _order = "stage_id, sequence, id"
    # Rules are authored by template editors (checked on save), so their
    # placeholders render for whoever moves the lead.
    _unrestricted_rendering = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    stage_id = fields.Many2one(
        "crm.stage", string="Stage", required=True, index=True, ondelete="cascade",
        help="The rule is activated each time a lead enters this stage.")

    timing = fields.Selection(TIMINGS, string="Execute", required=True, default="immediate")
    delay = fields.Integer(default=0)
    delay_unit = fields.Selection(DELAY_UNITS, string="Unit", required=True, default="days")
    date_field_id = fields.Many2one(
        "ir.model.fields", string="Date field", ondelete="cascade",
        domain="[('model', '=', 'crm.lead'), ('ttype', 'in', ('date', 'datetime'))]")
    at_time = fields.Float(
        string="At time",
        help="Time of day applied to the computed day, in the responsible's time zone. "
             "00:00 means no particular time: the computed moment is kept.")
    after_previous = fields.Boolean(
        string="After the previous rule",
        help="Start only once the previous rule of this stage has completed; "
             "the delay counts from that moment. If the previous rule did not run, neither does this one.")
    working_hours = fields.Boolean(
        string="Respect working hours",
        help="Shift the moment into the working time of the responsible's working schedule "
             "(else the company's), skipping leaves.")
    when_text = fields.Char(string="When", compute="_compute_when_text")

    filter_domain = fields.Char(
        help="Checked when the rule is about to run; the rule is skipped when the lead does not match.")

    action = fields.Selection([], string="Action", required=True)
    summary = fields.Char(translate=True, help="Activity summary, or subject of a notification or e-mail.")
    body = fields.Text(
        translate=True,
        help="Text of the note, notification, activity or e-mail. "
             "Placeholders such as {{ object.partner_id.name }} are rendered on the lead.")
    recipient = fields.Selection(
        [("responsible", "Responsible"), ("users", "Specific users"),
         ("team", "Sales team members"), ("field", "User field of the lead")],
        string="Recipients", required=True, default="responsible",
        help="Who receives the activity, notification or e-mail.")
    recipient_user_ids = fields.Many2many(
        "res.users", "stage_automation_rule_recipient_rel", "rule_id", "user_id", string="Users")
    recipient_field_id = fields.Many2one(
        "ir.model.fields", string="User field", ondelete="cascade",
        domain="[('model', '=', 'crm.lead'), ('ttype', '=', 'many2one'), ('relation', '=', 'res.users')]")
    run_ids = fields.One2many("stage.automation.run", "rule_id", string="Runs")
    run_count = fields.Integer(compute="_compute_run_count", string="Run count")

    def _compute_render_model(self):
        self.render_model = "crm.lead"

    def _compute_run_count(self):
        counts = dict(self.env["stage.automation.run"]._read_group(
            [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]))
        for rule in self:
            rule.run_count = counts.get(rule, 0)

    @api.depends("timing", "delay", "delay_unit", "date_field_id", "at_time", "after_previous", "working_hours")
    def _compute_when_text(self):
        for rule in self:
            amount = rule._delay_text()
            date_name = rule.date_field_id.field_description or _("a date")
            start = _("the previous rule") if rule.after_previous else _("entry")
            if rule.timing == "delay":
                text = _("%(amount)s after %(start)s", amount=amount, start=start)
            elif rule.timing == "before_date":
                text = _("%(amount)s before %(date)s", amount=amount, date=date_name)
            elif rule.timing == "after_date":
                text = _("%(amount)s after %(date)s", amount=amount, date=date_name)
            elif rule.after_previous:
                text = _("Right after the previous rule")
            else:
                text = _("Immediately")
            if rule.after_previous and rule.timing in ("before_date", "after_date"):
                text = _("After the previous rule, %(when)s", when=text)
            if rule._timing().uses_time_of_day:
                text = _("%(when)s at %(time)s", when=text, time=format_duration(rule.at_time))
            if rule.working_hours:
                text = _("%(when)s, in working hours", when=text)
            rule.when_text = text

    def _delay_text(self):
        one = self.delay == 1
        words = {
            "minutes": _("minute") if one else _("minutes"),
            "hours": _("hour") if one else _("hours"),
            "days": _("day") if one else _("days"),
            "work_days": _("working day") if one else _("working days"),
        }
        return f"{self.delay} {words.get(self.delay_unit, '')}"

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("delay", "timing", "delay_unit", "at_time", "working_hours")
    def _check_timing(self):
        for rule in self:
            try:
                timing = rule._timing()
            except engine.TimingError as error:
                raise ValidationError(_("Rule “%(rule)s”: %(error)s", rule=rule.name, error=error)) from error
            if rule.at_time and not timing.uses_time_of_day:
                raise ValidationError(_(
                    "Rule “%(rule)s”: a time of day only applies to a delay counted in days or to a date.",
                    rule=rule.name))

    @api.constrains("timing", "date_field_id")
    def _check_date_field(self):
        for rule in self.filtered(lambda r: r.timing in ("before_date", "after_date")):
            field = rule.date_field_id
            if not field:
                raise ValidationError(_("Rule “%(rule)s” runs relative to a date: choose the date field.", rule=rule.name))
            if field.model != "crm.lead" or field.ttype not in ("date", "datetime"):
                raise ValidationError(_(
                    "Rule “%(rule)s”: “%(field)s” is not a date field of leads.",
                    rule=rule.name, field=field.field_description))

    @api.constrains("after_previous", "stage_id", "sequence", "active")
    def _check_after_previous(self):
        for rule in self.filtered("after_previous"):
            if not rule._previous_rules():
                raise ValidationError(_(
                    "Rule “%(rule)s” is the first rule of stage “%(stage)s”: it cannot run after a previous rule.",
                    rule=rule.name, stage=rule.stage_id.name))

    # ------------------------------------------------------------
    # TIMING
    # ------------------------------------------------------------

    def _timing(self):
        self.ensure_one()
        return engine.Timing(
            kind=self.timing,
            delay=self.delay,
            unit=self.delay_unit,
            at_time=self.at_time or None,
            working_hours=self.working_hours,
        )

    def _previous_rules(self):
        """Active rules of the same stage placed before this one."""
        self.ensure_one()
        return self.search([
            ("stage_id", "=", self.stage_id.id),
            ("id", "!=", self.id),
            "|", ("sequence", "<", self.sequence),
            "&", ("sequence", "=", self.sequence), ("id", "<", self.id),
        ])

    def _applies_to(self, lead):
        self.ensure_one()
        return (
            (not self.team_id or self.team_id == lead.team_id)
            and (not self.company_id or self.company_id == lead.company_id)
            and self.lead_type in ("both", lead.type)
        )

    def _compute_due(self, lead, start, calendars, timing=None, date_field=None):
        """Due moment (naive UTC) of this rule for ``lead`` counted from ``start``.

        :param calendars: cache ``{(calendar id, resource id): WorkCalendar}`` shared by a batch
        :param timing: another moment computed the same way (e.g. the start of a meeting the
          rule schedules), with ``date_field`` for its date; by default the rule's own "Execute"
        :raise engine.TimingError: when no moment can be computed (empty date, empty calendar)
        """
        self.ensure_one()
        timing = timing or self._timing()
        date_field = date_field or self.date_field_id
        tz = ZoneInfo(lead.user_id.tz or self.env.user.tz or "UTC")
        calendar = None
        if timing.uses_calendar:
            resource_calendar = lead.user_id.resource_calendar_id or lead.company_id.resource_calendar_id \
                or self.env.company.resource_calendar_id
            if not resource_calendar:
                raise engine.TimingError(_("no working schedule is set for the responsible or the company"))
            resource = lead.user_id.resource_ids.filtered(lambda r: r.calendar_id == resource_calendar)[:1]
            key = (resource_calendar.id, resource.id)
            if key not in calendars:
                calendars[key] = engine.WorkCalendar(_intervals_of(resource_calendar, resource))
            calendar = calendars[key]
        date_value = None
        if timing.uses_date:
            date_value = lead[date_field.name]
            if not date_value:
                raise engine.TimingError(_("the date “%(field)s” is empty", field=date_field.field_description))
            if date_field.ttype == "datetime":
                date_value = date_value.replace(tzinfo=timezone.utc)
        due = engine.due_moment(
            timing, start.replace(tzinfo=timezone.utc), date_value=date_value, tz=tz, calendar=calendar)
        return due.astimezone(timezone.utc).replace(tzinfo=None)

    # ------------------------------------------------------------
    # RENDERING
    # ------------------------------------------------------------

    def _render(self, field_name, lead, record=None):
        """Render a text parameter on ``lead`` with Odoo's inline templates, in the responsible's language.

        ``vars`` holds the outputs of the earlier rules of the entry being run.
        ``record`` renders a field of another record of this rule (a field value line).
        """
        self.ensure_one()
        record = record or self
        if not record[field_name]:
            return ""
        return record._render_field(
            field_name, lead.ids, set_lang=lead.user_id.lang,
            add_context=self._render_variables())[lead.id]

    def _render_variables(self):
        run = self.env["stage.automation.run"].browse(self.env.context.get("stage_automation_run_id"))
        return {"vars": run.sudo()._entry_variables() if run else {}}

    def _did_not_run_reason(self):
        """Why the rules chained after this one are skipped."""
        return _("Skipped: the previous rule “%(rule)s” did not run.", rule=self.name)

    def _get_recipients(self, lead):
        """Users an activity, notification or e-mail is for (active internal users only)."""
        self.ensure_one()
        if self.recipient == "users":
            users = self.recipient_user_ids
        elif self.recipient == "team":
            users = lead.team_id.member_ids | lead.team_id.user_id
        elif self.recipient == "field" and self.recipient_field_id:
            users = lead[self.recipient_field_id.name]
        else:
            users = lead.user_id
        return users.filtered(lambda user: user.active and not user.share)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _run_action(self, run, lead):
        """Perform the rule's action for ``lead``; returns a sentence saying what was done.

        Each action key ``x`` is implemented by a method ``_run_action_x(run, lead)``:
        that is the extension point for other addons (see README).
        """
        self.ensure_one()
        method = getattr(self, f"_run_action_{self.action}", None)
        if method is None:
            raise ValidationError(_("The action “%(action)s” is not available.", action=self.action))
        return method(run, lead) or ""

    def _needs_own_transaction(self):
        """Whether the action must not run inside the change that activated the rule.

        Such a rule is handed to the queue even when it is due at once, and
        runs right after the change is saved (deleting the lead the person is
        saving cannot happen under their hands).
        """
        self.ensure_one()
        return False

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("stage_automation.stage_automation_run_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"create": False}
        return action


def _intervals_of(resource_calendar, resource):
    """Working intervals of a ``resource.calendar`` for the pure engine.

    Global leaves are removed, and so are the responsible's own time off when
    the responsible has a resource on that calendar.
    """

    computed = {}

    def intervals(start, stop):
        # Leads of one batch share their windows: compute each window once.
        if (start, stop) not in computed:
            found = resource_calendar._work_intervals_batch(start, stop, resources=resource)[resource.id]
            computed[start, stop] = [(begin, end) for begin, end, _meta in found]
        return computed[start, stop]

    return intervals
