from contextlib import contextmanager
from datetime import timezone
from zoneinfo import ZoneInfo

from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import (
    format_amount,
    format_date,
    format_datetime,
    format_duration,
    formatLang,
    html2plaintext,
)
from odoo.tools.translate import LazyGettext, _lt

from ..engine import timing as engine
from ..engine.variables import AnyVariables, UnknownVariable, Variables, is_valid_name

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
# "1 day", "3 days": (one, several) per delay unit.
DELAY_WORDS = {
    "minutes": (_lt("minute"), _lt("minutes")),
    "hours": (_lt("hour"), _lt("hours")),
    "days": (_lt("day"), _lt("days")),
    "work_days": (_lt("working day"), _lt("working days")),
}


class StageAutomationRule(models.Model):
    """An automation rule (robot): an action run when a lead enters a stage.

    Parameters of each action live with the action, in ``actions/`` (and its
    form fragment in ``views/actions/``); this model holds what every rule
    has: where it applies, when it runs, the condition checked just before it
    runs, and the parts of the form several actions share (recipients, texts,
    field values, variable name), which each action says it uses (see
    :meth:`_action_parts`).
    """

    _name = "stage.automation.rule"
    _description = "Stage Automation Rule"
    _inherit = ["stage.automation.scope", "stage.automation.render.mixin", "stage.automation.constraints.mixin"]
    _order = "stage_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    stage_id = fields.Many2one(
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

    action = fields.Selection([], required=True)
    action_uses_recipients = fields.Boolean(compute="_compute_action_uses")
    action_uses_summary = fields.Boolean(compute="_compute_action_uses")
    action_uses_body = fields.Boolean(compute="_compute_action_uses")
    action_uses_values = fields.Boolean(compute="_compute_action_uses")
    action_uses_variable = fields.Boolean(compute="_compute_action_uses")
    summary = fields.Char(translate=True, help="Activity summary, or subject of a notification or e-mail.")
    body = fields.Text(
        translate=True,
        help="Text of the note, notification, activity or e-mail. "
             "Placeholders such as {{ object.partner_id.name }} are rendered on the lead.")
    recipient = fields.Selection(
        [("responsible", "Responsible"), ("users", "Specific users"),
         ("team", "Sales team members"), ("field", "User field of the lead")],
        string="Recipients", default="responsible",
        help="Who receives the activity, notification or e-mail.")
    recipient_user_ids = fields.Many2many(
        "res.users", "stage_automation_rule_recipient_rel", "rule_id", "user_id", string="Users")
    recipient_field_id = fields.Many2one(
        "ir.model.fields", string="User field", ondelete="cascade",
        domain="[('model', '=', 'crm.lead'), ('ttype', '=', 'many2one'), ('relation', '=', 'res.users')]")
    recipient_extra_user_ids = fields.Many2many(
        "res.users", "stage_automation_rule_recipient_extra_rel", "rule_id", "user_id", string="Also to",
        domain="[('share', '=', False)]",
        help="Users who receive it too, besides the recipients above (e.g. the sales manager).")
    value_ids = fields.One2many("stage.automation.rule.value", "rule_id", string="Field values", copy=True)
    report_model = fields.Char(
        compute="_compute_report_model", string="Model of the report",
        help="Model whose PDF reports the rule may print: none, unless its action prints one.")
    variable_name = fields.Char(
        string="Variable name", compute="_compute_variable_name", store=True, readonly=False,
        help="Name under which the action publishes its result for the later rules "
             "(a prefix, for the actions that publish several values).")
    available_variables = fields.Html(
        string="Variables", compute="_compute_available_variables", sanitize=False,
        help="Constants of the pipeline, and the values the earlier rules of the stage publish.")
    author_id = fields.Many2one(
        "res.users", string="Runs with the rights of", required=True, readonly=True, copy=False,
        ondelete="restrict", default=lambda self: self.env.user,
        help="The user who last changed the rule: its runs do what this user could do by hand, "
             "no more (an administrator's rules may do everything).")
    run_ids = fields.One2many("stage.automation.run", "rule_id", string="Runs")
    transfer_key = fields.Char(
        readonly=True, copy=False, index="btree_not_null",
        help="Key of the rule in the file it was imported from: importing that file again updates the rule.")
    run_count = fields.Integer(compute="_compute_run_count", string="Run count")

    def _compute_run_count(self):
        counts = dict(self.env["stage.automation.run"]._read_group(
            [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]))
        for rule in self:
            rule.run_count = counts.get(rule, 0)

    @api.depends("action")
    def _compute_variable_name(self):
        """Default name of the action's variable; each action family sets its own."""
        self.variable_name = False

    @api.depends("stage_id", "team_id", "sequence", "action", "variable_name")
    def _compute_available_variables(self):
        for rule in self:
            rule.available_variables = rule._available_variables_html()

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

    def _delay_text(self, delay=None, unit=None):
        """"3 days": the rule's delay, or the given one."""
        delay = self.delay if delay is None else delay
        words = DELAY_WORDS.get(unit or self.delay_unit)
        return f"{delay} {self.env._(words[delay != 1]) if words else ''}"

    def _delay_message(self, delay, unit):
        """"3 days" for a run's reason: a message, written out in the language of whoever reads the run."""
        return _lt("%(count)s %(unit)s", count=delay, unit=DELAY_WORDS[unit][delay != 1])

    # ------------------------------------------------------------
    # AUTHOR: whose rights the runs use
    # ------------------------------------------------------------

    def write(self, vals):
        if not self.env.su:
            vals = dict(vals, author_id=self.env.uid)
        return super().write(vals)

    def _touch_author(self):
        """A part of the rule (a value line, say) was changed by someone: the rule now runs with their rights."""
        if not self.env.su:
            # Saving the rule's form already made them its author.
            self.filtered(lambda rule: rule.author_id != self.env.user).sudo().write({"author_id": self.env.uid})

    def _robot(self, lead):
        """This rule in the environment its action runs in: the author's rights, in the lead's company.

        The author's record rules, field groups and companies apply as if they
        acted by hand; an administrator's rules run with every right, as
        before. Only the engine's bookkeeping (the run) is done above them.

        :raise UserError: when the author may no longer act on this lead (archived, other company)
        """
        self.ensure_one()
        author = self.author_id.sudo()
        company = lead.sudo().company_id
        if author._is_superuser():
            return self.with_user(SUPERUSER_ID).with_company(company)
        if not author.active:
            raise UserError(_(
                "The rule runs with the rights of %(author)s, who is archived: someone allowed to "
                "must save the rule again.", author=author.name))
        if author._is_admin():
            return self.with_user(SUPERUSER_ID).with_company(company)
        if company and company not in author.company_ids:
            raise UserError(_(
                "The rule runs with the rights of %(author)s, who is not allowed in company “%(company)s”.",
                author=author.name, company=company.name))
        companies = (company | author.company_ids) if company else author.company_ids
        return self.with_user(author).with_context(allowed_company_ids=companies.ids)

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
                raise ValidationError(_("Rule “%(rule)s” runs relative to a date: choose the date field.",
                                        rule=rule.name))
            if field.model != "crm.lead" or field.ttype not in ("date", "datetime"):
                raise ValidationError(_(
                    "Rule “%(rule)s”: “%(field)s” is not a date field of leads.",
                    rule=rule.name, field=field.field_description))

    @api.constrains("variable_name")
    def _check_variable_name(self):
        for rule in self.filtered("variable_name"):
            if not is_valid_name(rule.variable_name):
                raise ValidationError(_(
                    "Rule “%(rule)s”: “%(name)s” cannot be a variable name: use letters, digits and underscores, "
                    "starting with a letter (e.g. discount_code); get, items, keys and values are taken.",
                    rule=rule.name, name=rule.variable_name))

    @api.constrains("action", "recipient")
    def _check_recipients(self):
        for rule in self.filtered(lambda r: r.action_uses_recipients and not r.recipient):
            raise ValidationError(_("Rule “%(rule)s”: choose who receives it.", rule=rule.name))

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
        tz = ZoneInfo(lead.user_id.tz or self.env.user.tz or "UTC") if timing.uses_zone else timezone.utc
        calendar = None
        if timing.uses_calendar:
            resource_calendar = lead.user_id.resource_calendar_id or lead.company_id.resource_calendar_id \
                or self.env.company.resource_calendar_id
            if not resource_calendar:
                raise engine.TimingError(_lt("no working schedule is set for the responsible or the company"))
            resource = lead.user_id.resource_ids.filtered(lambda r: r.calendar_id == resource_calendar)[:1]
            key = (resource_calendar.id, resource.id)
            if key not in calendars:
                calendars[key] = engine.WorkCalendar(_intervals_of(resource_calendar, resource))
            calendar = calendars[key]
        date_value = None
        if timing.uses_date:
            date_value = lead[date_field.name]
            if not date_value:
                raise engine.TimingError(_lt("the date “%(field)s” is empty", field=date_field.field_description))
            if date_field.ttype == "datetime":
                date_value = date_value.replace(tzinfo=timezone.utc)
        due = engine.due_moment(
            timing, start.replace(tzinfo=timezone.utc), date_value=date_value, tz=tz, calendar=calendar)
        return due.astimezone(timezone.utc).replace(tzinfo=None)

    def _message_text(self, message):
        """``message`` written out in this environment's language, e.g. in an error message: a message
        (``_lt``, as :meth:`_compute_due` raises and actions return) is translated, plain text stays."""
        return self.env._(message) if isinstance(message, LazyGettext) else str(message)

    # ------------------------------------------------------------
    # RENDERING
    # ------------------------------------------------------------

    def _render(self, field_name, lead, record=None):
        """Render a text parameter on ``lead`` with Odoo's inline templates, in the responsible's language.

        ``vars`` holds the outputs of the earlier rules of the entry being run,
        ``constants`` the constants of the lead's pipeline (see :meth:`_render_variables`).
        ``record`` renders a field of another record of this rule (a field value line).
        """
        self.ensure_one()
        record = record or self
        if not record[field_name]:
            return ""
        with self._explaining_unknown_variables(lead):
            return self._with_variables(record, lead)._render_field(
                field_name, lead.ids, set_lang=lead.user_id.lang)[lead.id]

    def _with_variables(self, renderer, lead):
        """``renderer`` (this rule, one of its lines, or a mail or SMS template) rendering with the variables
        (see mail.render.mixin's ``_render_eval_context``)."""
        return renderer.with_context(stage_automation_variables=self._render_variables(lead))

    @contextmanager
    def _explaining_unknown_variables(self, lead):
        """A rendering that reads an unset variable or a missing constant fails saying which."""
        try:
            yield
        except UserError as error:
            unknown = _unknown_variable_in(error)
            if not unknown:
                raise
            raise UserError(self._unknown_variable_message(unknown, lead)) from error

    def _render_variables(self, lead=None):
        """``vars`` and ``constants`` of the rule texts, read as ``vars['code']`` or ``vars.code``."""
        run = self.env["stage.automation.run"].browse(self.env.context.get("stage_automation_run_id")).sudo()
        lead = lead or run.lead_id
        constants = lead.team_id.sudo().stage_automation_constant_ids
        # A simulation has no run: it hands over the variables the earlier rules would publish.
        simulated = self.env.context.get("stage_automation_simulated_variables")
        return {
            "vars": simulated if simulated is not None else Variables("vars", run._entry_variables if run else {}),
            "constants": Variables("constants", {constant.name: constant.value or "" for constant in constants}),
        }

    def _unknown_variable_message(self, error, lead):
        if error.namespace == "constants":
            if not lead.team_id:
                return _("The constant “%(name)s” cannot be read: the lead has no sales team.", name=error.name)
            return _("Pipeline “%(pipeline)s” has no constant “%(name)s”.", name=error.name, pipeline=lead.team_id.name)
        return _("The variable “%(name)s” is not set: no earlier rule of this stage entry published it.",
                 name=error.name)

    # ------------------------------------------------------------
    # VARIABLES
    # ------------------------------------------------------------

    def _stage_automation_output_names(self):
        """Variables this rule publishes for the later rules of the entry: ``{name: description}``.

        Each action family adds the names of its actions, calling ``super()``;
        the rule form lists them on the later rules of the stage.
        """
        self.ensure_one()
        return {}

    @api.model
    def _known_variables(self):
        """``vars`` and ``constants`` for a rendering without a stage entry (Odoo 19 renders a mail template
        when it is saved, see mail.template): the pipelines' constants with their values, and any other
        name a rule could publish or a pipeline define as an empty text."""
        constants = self.env["stage.automation.constant"].sudo().search([])
        return {
            "vars": AnyVariables("vars", {}),
            "constants": AnyVariables("constants", {constant.name: constant.value or "" for constant in constants}),
        }

    def _pipeline_constants(self):
        """The constants its texts may use: those of its pipelines (of every pipeline for a stage of none)."""
        pipelines = self._pipelines()
        return self.env["stage.automation.constant"].search([("team_id", "in", pipelines.ids)] if pipelines else [])

    def _check_stage_reachable(self, stage):
        """Refuse ``stage`` (where the rule sends the lead, or waits for it) when no pipeline of the rule uses it."""
        pipelines, targets = self._pipelines(), stage.stage_automation_team_ids
        if targets and pipelines and not targets & pipelines:
            raise ValidationError(_(
                "Rule “%(rule)s”: stage “%(stage)s” belongs to pipeline “%(target)s”, not “%(pipeline)s”.",
                rule=self.name, stage=stage.name, target=", ".join(targets.mapped("name")),
                pipeline=", ".join(pipelines.mapped("name"))))

    def _available_variables_html(self):
        """The constants and earlier outputs this rule can use, as the rule form shows them."""
        self.ensure_one()
        pipelines = self._pipelines()
        rows = [
            (f"{{{{ constants.{constant.name} }}}}", constant.value or "",
             constant.description or (_("pipeline “%(pipeline)s”", pipeline=constant.team_id.name)
                                      if len(pipelines) != 1 else ""))
            for constant in self._pipeline_constants()
        ]
        for rule in self._earlier_rules():
            for name, description in rule._stage_automation_output_names().items():
                rows.append((f"{{{{ vars.{name} }}}}", description, _("rule “%(rule)s”", rule=rule.name)))
        if not rows:
            return Markup("<p class='text-muted'>%s</p>") % _(
                "No variable yet: add constants to the pipeline, or rules before this one that publish values.")
        lines = Markup("").join(
            Markup("<tr><td><code>%s</code></td><td>%s</td><td class='text-muted'>%s</td></tr>") % row
            for row in rows)
        return Markup("<table class='table table-sm o_stage_automation_variables'><tbody>%s</tbody></table>") % lines

    def _earlier_rules(self):
        """Rules of the same stage placed before this one (also for a rule being edited, not saved yet)."""
        self.ensure_one()
        if not self.stage_id:
            return self.browse()
        own_id = self._origin.id
        rules = self.search([("stage_id", "=", self.stage_id._origin.id), ("id", "!=", own_id or 0)])
        team = self.team_id._origin
        return rules.filtered(lambda rule: (
            (not team or not rule.team_id or rule.team_id == team)
            and (rule.sequence, rule.id) < (self.sequence, own_id or float("inf"))
        ))

    def _read_variables(self, lead, record, field_records, prefix, printable):
        """``{prefix_field: value}`` of ``record``'s fields, for actions that read records into variables.

        ``printable`` gives names, labels, amounts and dates written for people,
        in the language and time zone of the lead's responsible; otherwise ids,
        keys, numbers and ISO dates.
        """
        # Explicitly: a value already in the cache would be read without the check (Odoo 19 does so).
        record.check_access("read")
        if printable:
            record = record.with_context(lang=lead.user_id.lang or self.env.lang, tz=lead.user_id.tz or "UTC")
        values = {}
        for field_record in field_records:
            field = record._fields[field_record.name]
            value = record[field.name]
            values[f"{prefix}_{field.name}"] = _printable_value(record, field, value) if printable \
                else _raw_value(field, value)
        return values

    def _did_not_run_reason(self):
        """Why the rules chained after this one are skipped."""
        return _lt("Skipped: the previous rule “%(rule)s” did not run.", rule=self.name)

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
        return (users | self.recipient_extra_user_ids).filtered(lambda user: user.active and not user.share)

    # ------------------------------------------------------------
    # ACTIONS: what each action family extends (see actions/__init__.py)
    # ------------------------------------------------------------

    @api.model
    def _action_parts(self):
        """The shared parts of the rule form each action uses: ``{action key: {part, ...}}``.

        Parts of every rule: ``recipients``, ``summary``, ``body``, ``values``
        (field value lines) and ``variable`` (variable name); a family adds
        parts of its own by declaring a boolean ``action_uses_<part>``
        computed by :meth:`_compute_action_uses`. Each family adds its
        action keys, calling ``super()``; an action not listed uses none.
        """
        return {}

    @api.depends("action")
    def _compute_action_uses(self):
        """Set every ``action_uses_<part>`` flag from :meth:`_action_parts`; the form shows a part by its flag.

        A family whose use of a part depends on more than the action (a
        template replaces the texts) extends this, calling ``super()``.
        """
        parts_of = self._action_parts()
        flags = [name for name, field in self._fields.items() if field.compute == "_compute_action_uses"]
        for rule in self:
            parts = parts_of.get(rule.action, ())
            for flag in flags:
                rule[flag] = flag.removeprefix("action_uses_") in parts

    def _prepare_action(self, run, lead):
        """What the action will do for ``lead``, computed without doing anything: ``{part: value}``.

        The action's own method ``_run_action_x`` starts from this very plan,
        and the simulation shows it, so what is simulated is what runs. Parts
        shown by the simulation: ``recipients`` (users), ``to`` (an address, a
        number, a channel: text), ``subject``, ``body`` (HTML or text),
        ``values`` (``{field: value}``) and ``details`` (``[(label, text)]``);
        ``leaves_stage`` says the action moves the lead out of the stage (what
        the entry still has pending is then cancelled); other keys are the
        action's own. An action key ``x`` may compute it in
        ``_prepare_action_x(run, lead)``; otherwise the shared parts the action
        uses are prepared (:meth:`_prepare_parts`).

        ``run`` is the run being executed, or for a simulation a run that is
        never saved (see ``stage.automation.run._action_moment``).

        :raise UserError: the run would fail, saying why
        :raise SkipRun: the run would be skipped, saying why
        """
        self.ensure_one()
        method = getattr(self, f"_prepare_action_{self.action}", None)
        return method(run, lead) if method else self._prepare_parts(lead)

    def _prepare_parts(self, lead):
        """The shared parts of the rule form the action uses, rendered on ``lead``."""
        plan = {}
        if self.action_uses_recipients:
            plan["recipients"] = self._get_recipients(lead)
        if self.action_uses_summary:
            plan["subject"] = self._render("summary", lead)
        if self.action_uses_body:
            plan["body"] = self._render("body", lead)
        if self.action_uses_values:
            plan["values"] = self._prepare_values(lead)
        return plan

    def _run_action(self, run, lead):
        """Perform the rule's action for ``lead``; returns what was done, as a message (``_lt``) that
        the run shows in its reader's language.

        Each action key ``x`` is implemented by a method ``_run_action_x(run, lead)``:
        that is the extension point for other addons (see actions/__init__.py).
        It starts from what :meth:`_prepare_action` computes.
        """
        self.ensure_one()
        method = getattr(self, f"_run_action_{self.action}", None)
        if method is None:
            raise ValidationError(_("The action “%(action)s” is not available.", action=self.action))
        return method(run, lead) or ""

    def _needs_own_transaction(self):
        """Whether the action must not run inside the change that activated the rule.

        Such a rule is handed to the queue even when it is due at once, and
        runs in a job of its own right after the change is saved (deleting the
        lead the person is saving cannot happen under their hands; a call to
        another system is retried by queue_job without repeating other rules).
        """
        self.ensure_one()
        return False

    def _wake_outgoing_queue(self, cron_xmlid):
        """Wake Odoo's queue of e-mails or SMS (its cron ``cron_xmlid``): what a run queued leaves once the
        run is saved, never for a run that is rolled back."""
        self.env.ref(cron_xmlid).sudo()._trigger()

    @api.model
    def _close_created_records(self, leads):
        """``leads`` left their stage: close what the rules' actions created to be done in it.

        The engine calls this once per exit, after cancelling the pending
        runs. A family whose actions create such records (activities, project
        tasks) extends it with ``super()`` and closes those of the completed
        runs whose rule asks for it.
        """

    def _value_model(self):
        """Model whose fields the value lines of this rule set (the lead's, unless the action creates another)."""
        return "crm.lead"

    @api.depends("action")
    def _compute_report_model(self):
        """A family whose actions print a report (``report_id``) says of which model, calling ``super()``."""
        self.report_model = False

    def _prepare_values(self, lead):
        """``{field name: value}`` of the rule's value lines, rendered on ``lead``."""
        return {line.field_id.name: line._convert(self._render("value", lead, record=line)) for line in self.value_ids}

    def action_simulate(self):
        """The simulation dialog, on the rule's stage: the person picks the lead."""
        self.ensure_one()
        return self.env["stage.automation.simulation.wizard"]._action_open(
            stage=self.stage_id, team=self._pipelines()[:1])

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("stage_automation.stage_automation_run_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"create": False}
        return action


def _unknown_variable_in(error):
    """The unknown variable that caused a rendering error (mail and safe_eval wrap it), if any."""
    while error is not None:
        if isinstance(error, UnknownVariable):
            return error
        error = error.__cause__ or error.__context__
    return None


def _raw_value(field, value):
    """A field value as JSON: ids for relations, ISO text for dates."""
    if field.type == "many2one":
        return value.id or False
    if field.type in ("one2many", "many2many"):
        return value.ids
    if field.type in ("date", "datetime"):
        return fields.Datetime.to_string(value) if field.type == "datetime" else fields.Date.to_string(value)
    return value


def _printable_value(record, field, value):
    """A field value as a person reads it, in the language and time zone of ``record``'s context."""
    env = record.env
    lang = env.lang
    if field.type in ("many2one", "one2many", "many2many"):
        return ", ".join(value.mapped("display_name"))
    if field.type == "selection":
        return dict(field._description_selection(env)).get(value, "") if value else ""
    if field.type == "boolean":
        return env._("Yes") if value else env._("No")
    if not value and field.type not in ("integer", "float", "monetary"):
        return ""
    if field.type == "date":
        return format_date(env, value, lang_code=lang)
    if field.type == "datetime":
        return format_datetime(env, value, tz=env.context.get("tz"), lang_code=lang)
    if field.type == "monetary":
        currency = record[field.get_currency_field(record)]
        return format_amount(env, value, currency, lang) if currency else str(value)
    if field.type == "float":
        return formatLang(env, value)
    if field.type == "html":
        return html2plaintext(value)
    return str(value)


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
