from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime, html_sanitize

from ..engine import lifecycle
from ..engine.exceptions import SkipRun
from ..engine.variables import Variables

RUNS = "runs"
SKIPPED = "skipped"
FAILED = "failed"
CANCELLED = "cancelled"
NOT_APPLICABLE = "not_applicable"


class RuntimeValue(str):
    """A value only known when the rules run (a generated code, a created record's id, values read then):
    a simulated text shows the words saying so in its place."""


class SimulatedVariables(Variables):
    """``vars`` of a simulated rule: the names the earlier rules would publish, each a :class:`RuntimeValue`.

    It remembers whether a text read one: what such a text renders, or a
    failure it leads to, is only known when the rules run.
    """

    def __init__(self, values):
        super().__init__("vars", values)
        self._read_runtime = False

    def __getitem__(self, name):
        value = super().__getitem__(name)
        if isinstance(value, RuntimeValue):
            self._read_runtime = True
        return value


class StageAutomationSimulation(models.AbstractModel):
    """The dry run of a stage entry: what the rules of a stage would do for a lead entering it, and which
    events would move the lead there; nothing is written, nothing is sent.

    It goes the way of a real entry: the chain of ``stage.automation.run._chain``,
    the moments of ``_due_values`` (the timing engine, the responsible's time
    zone, working hours and leaves, the lead's dates), the condition of
    ``_matches_condition``, and each action's ``_prepare_action``, which its
    real run starts from (recipients, rendered texts). It reads with the
    rights of the person asking, never more.
    """

    _name = "stage.automation.simulation"
    _description = "Stage Automation Simulation"

    @api.model
    def simulate(self, lead_id, stage_id, at=None):
        """What entering stage ``stage_id`` at ``at`` (naive UTC; now by default) would do for lead ``lead_id``.

        :return: ``{lead, stage, entered_at, rules: [...], triggers: [...]}``,
          each rule with its moment, its condition, its outcome and, when it
          runs, its recipients and rendered texts (see :meth:`_simulate_rule`)
        :raise AccessError: the user may not read the lead, the stage or the rules
        """
        board = self.env["stage.automation.board"]
        lead = board._existing("crm.lead", lead_id)
        stage = board._existing("crm.stage", stage_id)
        if lead.company_id in self.env.user.company_ids:
            # As a run does, in the lead's company.
            return self.with_company(lead.company_id)._simulate(lead.with_company(lead.company_id), stage, at)
        return self._simulate(lead, stage, at)

    def _simulate(self, lead, stage, at):
        Rule = self.env["stage.automation.rule"]
        Rule.check_access("read")
        try:
            entered_at = fields.Datetime.to_datetime(at) or fields.Datetime.now()
        except (TypeError, ValueError) as error:
            raise UserError(_("“%(at)s” is not a date and time (YYYY-MM-DD HH:MM:SS, UTC).", at=at)) from error
        rules = Rule.search([("stage_id", "=", stage.id)])
        chain = self.env["stage.automation.run"]._chain(lead, rules)
        rows, calendars = {}, {}
        for _depth, rule, previous in chain:
            rows[rule] = self._simulate_rule(lead, stage, entered_at, rule, previous and rows[previous], rows,
                                             calendars)
        self._cancel_after_leaving(list(rows.values()))
        return {
            "lead": {"id": lead.id, "name": lead.display_name},
            "stage": {"id": stage.id, "name": stage.name},
            "entered_at": fields.Datetime.to_string(entered_at),
            "entered_at_text": self._format_moment(entered_at),
            "rules": [self._public_row(rows[rule]) if rule in rows else self._not_applicable_row(rule)
                      for rule in rules],
            "triggers": self._simulate_triggers(lead, stage),
        }

    # ------------------------------------------------------------
    # RULES
    # ------------------------------------------------------------

    def _simulate_rule(self, lead, stage, entered_at, rule, before, rows, calendars):
        """One rule of the chain: when, whether, and what it would do.

        ``before`` is the row of the rule it is chained after: it starts when
        that one ends, and is skipped when that one would not run.
        """
        row = {
            "rule": rule,
            "after": before["rule"] if before else None,
            "moment": None,  # naive UTC; None: only known at run time
            "ends_at": None,
            "condition": None,  # True / False; None: no condition
            "uncertain": [],
        }
        if before and before["outcome"] != RUNS:
            return dict(row, outcome=SKIPPED, reason=rule._message_text(before["rule"]._did_not_run_reason()))
        start = before["ends_at"] if before else entered_at
        if before and start is None:
            row["uncertain"].append(_("It starts when “%(rule)s” ends, which is only known at run time.",
                                      rule=before["rule"].name))
            start = before["moment"]
        Run = self.env["stage.automation.run"]
        due = Run._due_values(rule, lead, start, start, calendars)
        if due["state"] == lifecycle.SKIPPED:
            return dict(row, outcome=SKIPPED, reason=rule._message_text(due["reason"]))
        moment = row["moment"] = due["due_at"]
        if moment > entered_at:
            row["uncertain"].append(_("The condition and the texts are computed on the lead as it is now; "
                                      "it may change before the rule runs."))
        try:
            rule._robot(lead)  # the author may no longer act on this lead
            if rule._has_condition():
                row["condition"] = rule._matches_condition(lead)
                if not row["condition"]:
                    return dict(row, outcome=SKIPPED, reason=_("Skipped: the lead does not match the condition."))
        except UserError as error:
            return dict(row, outcome=FAILED, reason=error.args[0])
        variables = SimulatedVariables(self._published(rows, moment))
        run = Run.new({"stage_id": stage.id, "entered_at": entered_at, "due_at": moment})
        try:
            plan = rule.with_context(stage_automation_simulated_variables=variables)._prepare_action(run, lead)
        except SkipRun as skip:
            return dict(row, outcome=SKIPPED, reason=rule._message_text(skip.args[0]))
        except UserError as error:
            if variables._read_runtime:
                row["uncertain"].append(_("It reads a value produced at run time: %(error)s", error=error.args[0]))
                return dict(row, outcome=RUNS, plan={}, ends_at=moment)
            return dict(row, outcome=FAILED, reason=error.args[0])
        if variables._read_runtime:
            row["uncertain"].append(_("Its texts use values produced at run time."))
        row.update(outcome=RUNS, plan=plan, ends_at=self._end_of(rule, plan, moment, row))
        return row

    def _cancel_after_leaving(self, rows):
        """A rule that moves the lead out of the stage cancels what the entry still has pending then: the
        rules due after it (or at the same moment, after it in order), and those chained after them."""
        leaving = min(((row["moment"], index) for index, row in enumerate(rows)
                       if row["outcome"] == RUNS and row["plan"].get("leaves_stage")), default=None)
        if not leaving:
            return
        reason = _("Cancelled: the lead would have left the stage with “%(rule)s”.", rule=rows[leaving[1]]["rule"].name)
        cancelled = set()
        for index, row in enumerate(rows):
            later = row["moment"] is not None and (row["moment"], index) > leaving
            if later or row["after"] in cancelled:
                row.update(outcome=CANCELLED, reason=reason)
                cancelled.add(row["rule"])

    def _end_of(self, rule, plan, moment, row):
        """When the rule completes, which starts the rule chained after it; None when only known at run time."""
        if rule.action != "wait":
            return moment
        if rule.wait_mode == "period":
            return plan["ends_at"]
        if rule.wait_mode == "reply":
            row["uncertain"].append(_("It waits for the client to get in touch: when, and whether, is only known "
                                      "at run time."))
        else:
            row["uncertain"].append(_("It waits for the lead to reach a stage, be won or be lost: when, and "
                                      "whether, is only known at run time."))
        return None

    def _published(self, rows, moment):
        """The variables the earlier rules that would have completed by ``moment`` publish."""
        label = RuntimeValue(_("[value produced at run time]"))
        names = {}
        for row in rows.values():
            if row["outcome"] == RUNS and (row["ends_at"] is None or row["ends_at"] <= moment):
                names.update(dict.fromkeys(row["rule"]._stage_automation_output_names(), label))
        return names

    def _public_row(self, row):
        """A rule's row as the simulation answers it: its plan's public parts only (never a secret)."""
        rule = row["rule"]
        plan = row.get("plan") or {}
        body = plan.get("body") or ""
        values = plan.get("values") or {}
        fields_of = self.env[rule._value_model()]._fields
        return {
            **self._rule_header(rule),
            "after": row["after"].name if row["after"] else False,
            "moment": fields.Datetime.to_string(row["moment"]) if row["moment"] else False,
            "moment_text": self._format_moment(row["moment"]) if row["moment"] else False,
            "condition": row["condition"],
            "outcome": row["outcome"],
            "reason": row.get("reason") or False,
            "uncertain": row["uncertain"],
            "recipients": plan["recipients"].mapped("name") if plan.get("recipients") is not None else False,
            "to": plan.get("to") or False,
            "subject": plan.get("subject") or False,
            "body": str(body),
            "body_is_html": isinstance(body, Markup),
            "values": [[fields_of[name]._description_string(self.env) if name in fields_of else name, str(value)]
                       for name, value in values.items()],
            "details": [[label, str(text)] for label, text in plan.get("details", [])],
            "outputs": list(rule._stage_automation_output_names()) if row["outcome"] == RUNS else [],
        }

    def _not_applicable_row(self, rule):
        return {
            **self._rule_header(rule), "after": False, "moment": False, "moment_text": False, "condition": None,
            "outcome": NOT_APPLICABLE, "uncertain": [], "recipients": False, "to": False, "subject": False,
            "body": "", "body_is_html": False, "values": [], "details": [], "outputs": [],
            "reason": _("The rule does not apply to this lead (pipeline, company or leads/opportunities)."),
        }

    def _rule_header(self, rule):
        actions = dict(rule._fields["action"]._description_selection(self.env))
        return {"rule_id": rule.id, "name": rule.name, "action": actions.get(rule.action, rule.action),
                "when": rule.when_text}

    def _format_moment(self, moment):
        """A moment in the reader's time zone."""
        return format_datetime(self.env, moment, tz=self.env.context.get("tz") or self.env.user.tz or "UTC",
                               dt_format="medium")

    # ------------------------------------------------------------
    # TRIGGERS
    # ------------------------------------------------------------

    def _simulate_triggers(self, lead, stage):
        """The triggers of the stage: the event each waits for, and whether it would move the lead now."""
        Trigger = self.env["stage.automation.trigger"]
        Trigger.check_access("read")
        types = dict(Trigger._fields["trigger_type"]._description_selection(self.env))
        descriptions = {key: description for key, (_icon, description) in Trigger._trigger_catalog().items()}
        triggers = []
        for trigger in Trigger.search([("stage_id", "=", stage.id)]):
            try:
                refusal = trigger._refusal(lead)
            except UserError as error:
                refusal = error.args[0]
            triggers.append({
                "trigger_id": trigger.id,
                "name": trigger.name,
                "event": types.get(trigger.trigger_type, trigger.trigger_type),
                "description": descriptions.get(trigger.trigger_type, ""),
                "filter": self._trigger_filter(trigger),
                "moves": not refusal,
                "reason": refusal or False,
            })
        return triggers

    def _trigger_filter(self, trigger):
        """The filter of a trigger on its event, in words (empty: any event of its type)."""
        if trigger.trigger_type in ("form_submitted", "callback_request") and trigger.form_name:
            return _("form “%(form)s”", form=trigger.form_name)
        if trigger.trigger_type == "link_clicked" and trigger.link_url:
            return _("link containing “%(url)s”", url=trigger.link_url)
        if trigger.trigger_type == "user_changed" and trigger.user_id:
            return _("given to %(user)s", user=trigger.user_id.name)
        if trigger.trigger_type == "field_changed" and trigger.field_id:
            if trigger.field_value:
                return _("“%(field)s” becomes “%(value)s”", field=trigger.field_id.field_description,
                         value=trigger.field_value)
            return _("“%(field)s” changes", field=trigger.field_id.field_description)
        return ""

    # ------------------------------------------------------------
    # REPORT
    # ------------------------------------------------------------

    @api.model
    def _report_html(self, result):
        """The simulation as the wizard shows it; the texts of e-mails are sanitized like any HTML shown."""
        result = dict(result, intro=_(
            "%(lead)s entering “%(stage)s” on %(moment)s. Nothing has been written or sent: this is what would "
            "happen.", lead=result["lead"]["name"], stage=result["stage"]["name"], moment=result["entered_at_text"]))
        for row in result["rules"]:
            row["body_markup"] = Markup(html_sanitize(row["body"])) if row["body_is_html"] else False
            row["chain_text"] = row["after"] and _(
                "Only once “%(rule)s” has completed: if it does not run, neither does this rule, nor the rules "
                "chained after it.", rule=row["after"])
            row["condition_text"] = {
                True: _("Condition: the lead matches it now (checked again when the rule runs)."),
                False: _("Condition: the lead does not match it now (checked again when the rule runs)."),
            }.get(row["condition"])
        return self.env["ir.qweb"]._render("stage_automation.stage_automation_simulation_report", {"result": result})
