from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date, format_datetime
from odoo.tools.translate import _lt, code_translations

from ..engine import lifecycle, messages

STATES = [
    (lifecycle.PENDING, "Pending"),
    (lifecycle.WAITING, "Waiting for the previous rule"),
    (lifecycle.RUNNING, "Running"),
    (lifecycle.PAUSED, "Paused"),
    (lifecycle.DONE, "Done"),
    (lifecycle.SKIPPED, "Skipped"),
    (lifecycle.CANCELLED, "Cancelled"),
    (lifecycle.FAILED, "Failed"),
]


class StageAutomationRun(models.Model):
    """One activation of one rule for one lead, from its stage entry to its outcome.

    Where a run's life is written:

    - ``engine/lifecycle.py``: its states and the moves allowed between them;
      :meth:`_set_state` below is the one place a state changes.
    - ``stage_automation_run_schedule.py``: runs created on a stage entry, their
      due moments, cancelled on exit.
    - ``stage_automation_run_execution.py``: the dispatcher, the queue jobs, the
      execution of an action and what follows it (chain, pause, failure).
    - ``stage_automation_run_variables.py``: the values a run hands to the later rules.

    Rows are written in the transaction of the stage change, so pending work
    survives any crash. The reason is kept as a message and its values
    (``engine/messages.py``) and written out in the language of whoever reads it.
    """

    _name = "stage.automation.run"
    _description = "Stage Automation Run"
    _order = "id desc"

    rule_id = fields.Many2one("stage.automation.rule", required=True, index=True, ondelete="cascade")
    # Deleting a lead deletes its runs, except the run of a rule that deleted it: that run
    # is detached from the lead beforehand and stays as the trace of the deletion.
    lead_id = fields.Many2one("crm.lead", index=True, ondelete="cascade")
    stage_id = fields.Many2one("crm.stage", required=True, ondelete="cascade")
    # The lead's company and type when the run was created, kept for a run whose lead was deleted:
    # access follows the lead itself (see the record rules), so a lead's changes never rewrite its runs.
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    lead_type = fields.Selection([("lead", "Lead"), ("opportunity", "Opportunity")], string="Type", readonly=True)
    job_uuid = fields.Char(
        string="Job", readonly=True, copy=False, index="btree_not_null",
        help="The queue job executing the run, once the dispatcher has handed it over.")
    job_count = fields.Integer(
        string="Jobs", default=0, readonly=True, copy=False,
        help="Queue jobs given to the run: one, unless the sweeper had to give it another.")
    action = fields.Selection(related="rule_id.action")
    entered_at = fields.Datetime(string="Entered stage at", required=True)
    previous_run_id = fields.Many2one(
        "stage.automation.run", string="After run", index="btree_not_null", ondelete="set null")
    next_run_ids = fields.One2many(
        "stage.automation.run", "previous_run_id", string="Next runs",
        help="The runs of the rules chained after this one.")
    state = fields.Selection(STATES, required=True, default=lifecycle.PENDING, index=True)
    due_at = fields.Datetime(string="Due at")
    paused_at = fields.Datetime(string="Paused at", help="When the action paused the run to wait.")
    started_at = fields.Datetime(
        string="Started at", help="When the action last started: the due moment plus the time the run waited.")
    done_at = fields.Datetime(string="Finished at")
    attempts = fields.Integer(default=0)
    reason_data = fields.Json(
        string="Result message", readonly=True, copy=False,
        help="What the run did, or why it did not, as a message and its values (see engine/messages.py).")
    reason = fields.Text(
        string="Result", compute="_compute_reason", search="_search_reason",
        help="What the run did, or why it did not, in your language and time zone.")
    message_id = fields.Many2one(
        "mail.message", string="Message sent", readonly=True, ondelete="set null", index="btree_not_null",
        help="The SMS or e-mail the action sent, whose delivery the run follows: it says when it is delivered, "
             "and fails when it cannot be.")
    carried_over = fields.Boolean(
        string="Goes on after the stage", readonly=True, copy=False,
        help="The lead left the entry's stage for what a Wait of the chain awaited (a stage, won, lost): the "
             "run goes on although the lead is no longer in the stage; leaving the stage the lead reached "
             "cancels it.")
    outputs = fields.Json(
        readonly=True,
        help="Values the action produced (a code, a created record, values read), "
             "offered to the later rules of the same entry as variables.")

    def init(self):
        # The dispatcher's query: cost grows with the due work only.
        tools.create_index(
            self.env.cr, "stage_automation_run_due_idx", self._table, ["due_at", "id"],
            where="state IN ('pending', 'paused')")

    @api.depends("rule_id", "lead_id")
    def _compute_display_name(self):
        for run in self:
            run.display_name = f"{run.rule_id.name} — {run.lead_id.name or _('deleted lead')}"

    @api.depends("reason_data")
    @api.depends_context("lang", "tz")
    def _compute_reason(self):
        env = self.env
        lang = env.lang or "en_US"
        tz = env.context.get("tz") or env.user.tz or "UTC"

        def translate(module, source):
            if lang == "en_US":
                return source
            return code_translations.get_python_translations(module, lang).get(source, source)

        for run in self:
            run.reason = messages.render(
                run.reason_data, translate,
                lambda moment: format_datetime(env, moment, tz=tz, lang_code=lang),
                lambda day: format_date(env, day, lang_code=lang))

    def _search_reason(self, operator, value):
        """Runs whose reason holds ``value``: in the sentence's source (English) or in its values (names, …)."""
        if operator not in ("ilike", "not ilike", "like", "not like") or not isinstance(value, str):
            raise UserError(_("The result of a run can only be searched for a text it contains."))
        self.flush_model(["reason_data"])
        like = "ILIKE" if "ilike" in operator else "LIKE"
        query = SQL(
            "(SELECT id FROM stage_automation_run WHERE reason_data::text %s %s)",
            SQL(like), f"%{value}%")
        return [("id", "not in" if operator.startswith("not") else "in", query)]

    # ------------------------------------------------------------
    # LIFECYCLE: the one place a run changes state
    # ------------------------------------------------------------

    def _set_state(self, state, reason=None, **values):
        """Move these runs to ``state``, recording ``reason`` (a ``_lt`` message, or text) and ``values``.

        Every change of state goes through here, checked against the
        lifecycle's transitions; a final state records when it was reached.

        :raise IllegalTransition: when a run may not move to ``state`` (a bug of the engine)
        """
        for old in set(self.mapped("state")):
            lifecycle.check_transition(old, state)
        if state in lifecycle.FINAL_STATES:
            values.setdefault("done_at", fields.Datetime.now())
        if reason is not None:
            values["reason_data"] = messages.to_data(reason)
        self.write(dict(values, state=state))

    def _set_reason(self, reason):
        """Tell more about what a run did without changing its state (e.g. the document it printed later)."""
        self.write({"reason_data": messages.to_data(reason)})

    # ------------------------------------------------------------
    # USER ACTIONS
    # ------------------------------------------------------------

    def action_cancel(self):
        """Runs are history nobody edits: the Cancel button is the one change people make, with the
        Update right of the runs' kind (leads or opportunities)."""
        self._check_can_cancel()
        runs = self.sudo().filtered(lambda r: r.state in lifecycle.OPEN_STATES)
        runs._set_state(lifecycle.CANCELLED, _lt("Cancelled by %(user)s.", user=self.env.user.name))
        runs._skip_followers()
        return True

    def _check_can_cancel(self):
        self.check_access("read")
        groups = {"lead": "stage_automation.group_stage_automation_lead_update",
                  "opportunity": "stage_automation.group_stage_automation_opportunity_update"}
        for lead_type in {run.lead_id.type or run.lead_type for run in self}:
            if not self.env.user.has_group(groups.get(lead_type, groups["opportunity"])):
                kind = _("leads") if lead_type == "lead" else _("opportunities")
                raise AccessError(_("Cancelling the automation runs of %(kind)s needs the Update right of their "
                                    "automation.", kind=kind))
