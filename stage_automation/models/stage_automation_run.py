import logging
from collections import defaultdict

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY, _as_validation_error
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from ..engine.timing import TimingError

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("waiting", "Waiting for the previous rule"),
    ("running", "Running"),
    ("paused", "Paused"),
    ("done", "Done"),
    ("skipped", "Skipped"),
    ("cancelled", "Cancelled"),
    ("failed", "Failed"),
]
OPEN_STATES = ("pending", "waiting", "running", "paused")
# States the dispatcher claims once their due moment has come.
DUE_STATES = ("pending", "paused")
DISPATCH_BATCH = 1000


class SkipRun(Exception):  # noqa: N818 - a signal, not an error
    """Raised by an action to end its run as skipped, with the reason as argument: the rules chained
    after it do not run (e.g. a wait for the client's answer that ended without one)."""


class StageAutomationRun(models.Model):
    """One activation of one rule for one lead, from its stage entry to its outcome.

    Rows are written in the transaction of the stage change, so pending work
    survives any crash; the dispatcher claims due rows with ``SKIP LOCKED`` and
    hands each to a queue job, and a run moves to a final state exactly once
    (but for a document printed in the background, which may turn its done
    run to failed).

    States: ``pending`` (due at ``due_at``) and ``waiting`` (for the previous
    rule) → ``running`` → ``done``, ``skipped`` or ``failed``; any open state →
    ``cancelled``. An action that waits (Wait) pauses its run: ``running`` →
    ``paused`` (see :meth:`_pause`); the dispatcher runs the action again at
    ``due_at``, which :meth:`_resume` brings forward, and the action ends it.
    """

    _name = "stage.automation.run"
    _description = "Stage Automation Run"
    _order = "id desc"

    rule_id = fields.Many2one("stage.automation.rule", string="Rule", required=True, index=True, ondelete="cascade")
    # Deleting a lead deletes its runs, except the run of a rule that deleted it: that run
    # is detached from the lead beforehand and stays as the trace of the deletion.
    lead_id = fields.Many2one("crm.lead", string="Lead", index=True, ondelete="cascade")
    stage_id = fields.Many2one("crm.stage", string="Stage", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", string="Company", compute="_compute_lead_values", store=True, index=True)
    lead_type = fields.Selection(
        [("lead", "Lead"), ("opportunity", "Opportunity")], string="Type",
        compute="_compute_lead_values", store=True)
    action = fields.Selection(related="rule_id.action")
    entered_at = fields.Datetime(string="Entered stage at", required=True)
    previous_run_id = fields.Many2one(
        "stage.automation.run", string="After run", index="btree_not_null", ondelete="set null")
    state = fields.Selection(STATES, required=True, default="pending", index=True)
    due_at = fields.Datetime(string="Due at")
    paused_at = fields.Datetime(string="Paused at", help="When the action paused the run to wait.")
    done_at = fields.Datetime(string="Finished at")
    attempts = fields.Integer(default=0)
    reason = fields.Text(string="Result", help="What the run did, or why it did not.")
    outputs = fields.Json(
        string="Outputs", readonly=True,
        help="Values the action produced (a code, a created record, values read), "
             "offered to the later rules of the same entry as variables.")

    def init(self):
        # The dispatcher's query: cost grows with the due work only.
        tools.create_index(
            self.env.cr, "stage_automation_run_due_idx", self._table, ["due_at", "id"],
            where="state IN ('pending', 'paused')")

    @api.depends("lead_id.company_id", "lead_id.type")
    def _compute_lead_values(self):
        # A run detached from its deleted lead keeps the company and type the lead had
        # (the access rules use them): only runs with a lead follow it.
        for run in self.filtered("lead_id"):
            run.company_id = run.lead_id.company_id
            run.lead_type = run.lead_id.type

    @api.depends("rule_id", "lead_id")
    def _compute_display_name(self):
        for run in self:
            run.display_name = f"{run.rule_id.name} — {run.lead_id.name or _('deleted lead')}"

    # ------------------------------------------------------------
    # SCHEDULING
    # ------------------------------------------------------------

    @api.model
    def _schedule_entries(self, leads):
        """Create the runs of the rules of the stage each lead has just entered.

        One INSERT per chain level (a chained run needs the id of the run it
        follows), so the cost does not grow with the rules times the leads.
        Returns the created runs; the caller runs or queues the due ones.
        """
        now = fields.Datetime.now()
        rules = self.env["stage.automation.rule"].search([("stage_id", "in", leads.stage_id.ids)])
        rules_by_stage = defaultdict(list)
        for rule in rules:
            rules_by_stage[rule.stage_id].append(rule)
        calendars = {}
        levels = defaultdict(list)  # chain depth -> [(lead, rule, previous rule)]
        for lead in leads:
            depth, previous = 0, None
            for rule in rules_by_stage.get(lead.stage_id, []):
                if not rule._applies_to(lead):
                    continue
                depth = depth + 1 if rule.after_previous and previous else 0
                levels[depth].append((lead, rule, previous if depth else None))
                previous = rule
        runs = self.browse()
        created = {}  # (lead id, rule id) -> values of its run, with its id
        for depth in sorted(levels):
            vals_list = []
            for lead, rule, previous in levels[depth]:
                vals = {"rule_id": rule.id, "lead_id": lead.id, "stage_id": lead.stage_id.id, "entered_at": now}
                before = created.get((lead.id, previous.id)) if previous else None
                if before:
                    vals["previous_run_id"] = before["id"]
                    if before["state"] in ("skipped", "failed", "cancelled"):
                        vals.update(state="skipped", done_at=now, reason=previous._did_not_run_reason())
                    else:
                        vals["state"] = "waiting"
                else:
                    vals.update(self._due_values(rule, lead, now, now, calendars))
                vals_list.append(vals)
            level_runs = self._insert_runs(vals_list)
            for vals, run in zip(vals_list, level_runs):
                created[vals["lead_id"], vals["rule_id"]] = dict(vals, id=run.id)
            runs |= level_runs
        return runs

    @api.model
    def _insert_runs(self, vals_list):
        """Insert many runs in one statement: a mass stage change must stay cheap.

        The ORM's ``create`` costs about half a millisecond per row here; an
        import of 10,000 leads into a stage with 5 rules is 50,000 runs. The
        company and the type come from the lead in the same statement.

        :return: the runs, in the order of ``vals_list``
        """
        self.env["crm.lead"].flush_model(["company_id", "type"])
        columns = ("rule_id", "lead_id", "stage_id", "previous_run_id", "state", "entered_at", "due_at",
                   "done_at", "reason")
        arrays = {column: [vals.get(column) for vals in vals_list] for column in columns}
        self.env.cr.execute(SQL(
            """INSERT INTO stage_automation_run
                      (rule_id, lead_id, stage_id, previous_run_id, state, entered_at, due_at, done_at, reason,
                       company_id, lead_type, attempts, create_uid, create_date, write_uid, write_date)
               SELECT row.rule_id, row.lead_id, row.stage_id, row.previous_run_id, row.state, row.entered_at,
                      row.due_at, row.done_at, row.reason, lead.company_id, lead.type, 0,
                      %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM unnest(%(rule_id)s::int[], %(lead_id)s::int[], %(stage_id)s::int[],
                             %(previous_run_id)s::int[], %(state)s::varchar[], %(entered_at)s::timestamp[],
                             %(due_at)s::timestamp[], %(done_at)s::timestamp[], %(reason)s::text[])
                      WITH ORDINALITY
                      AS row(rule_id, lead_id, stage_id, previous_run_id, state, entered_at, due_at, done_at,
                             reason, position)
                 JOIN crm_lead lead ON lead.id = row.lead_id
             ORDER BY row.position
            RETURNING id, lead_id, rule_id""",
            uid=self.env.uid, now=fields.Datetime.now(), **arrays))
        ids = {(lead_id, rule_id): run_id for run_id, lead_id, rule_id in self.env.cr.fetchall()}
        self.env["crm.lead"].invalidate_model(["stage_automation_run_ids"])
        self.env["stage.automation.rule"].invalidate_model(["run_ids"])
        return self.browse([ids[vals["lead_id"], vals["rule_id"]] for vals in vals_list])

    @api.model
    def _due_values(self, rule, lead, start, now, calendars):
        """Values putting a run in ``pending`` at its due moment, or ``skipped`` with the reason."""
        try:
            due = rule._compute_due(lead, start, calendars)
        except TimingError as error:
            return {"state": "skipped", "done_at": now, "reason": _("Skipped: %(error)s.", error=error)}
        return {"state": "pending", "due_at": max(due, now)}

    def _wake_dispatcher(self):
        """Ask the dispatcher cron to wake at the earliest due moment of these runs."""
        if not self:
            return
        self.flush_model(["state", "due_at"])
        self.env.cr.execute(SQL(
            "SELECT min(due_at) FROM stage_automation_run WHERE id = ANY(%s) AND state IN %s",
            self.ids, DUE_STATES))
        earliest = self.env.cr.fetchone()[0]
        if earliest:
            self.env.ref("stage_automation.ir_cron_dispatch_runs").sudo()._trigger(earliest)

    # ------------------------------------------------------------
    # DISPATCH (cron) AND JOBS
    # ------------------------------------------------------------

    @api.model
    def _cron_dispatch(self, limit=DISPATCH_BATCH):
        """Claim the due runs (pending, or paused until now) and hand each to a queue job
        on the stage automation channel."""
        now = fields.Datetime.now()
        self.flush_model(["state", "due_at"])
        self.env.cr.execute(SQL(
            """SELECT id FROM stage_automation_run
                WHERE state IN %s AND due_at <= %s
             ORDER BY due_at, id
                LIMIT %s
                  FOR UPDATE SKIP LOCKED""",
            DUE_STATES, now, limit))
        runs = self.browse(row[0] for row in self.env.cr.fetchall())
        runs.write({"state": "running"})
        for run in runs:
            run.with_delay(description=_("Stage automation: %(run)s", run=run.display_name))._perform()
        cron = self.env.ref("stage_automation.ir_cron_dispatch_runs").sudo()
        if len(runs) == limit:
            cron._trigger()
        else:
            self.env.cr.execute(SQL(
                "SELECT min(due_at) FROM stage_automation_run WHERE state IN %s AND due_at > %s", DUE_STATES, now))
            next_due = self.env.cr.fetchone()[0]
            if next_due:
                cron._trigger(next_due)
        return runs

    def _perform(self):
        """Queue job: execute one claimed run, unless it was cancelled or taken meanwhile."""
        self.ensure_one()
        self.flush_model(["state"])
        self.env.cr.execute(SQL(
            "SELECT id FROM stage_automation_run WHERE id = %s AND state = 'running' FOR UPDATE SKIP LOCKED",
            self.id))
        if not self.env.cr.fetchone():
            return _("Nothing to do: the run is no longer waiting for execution.")
        self.invalidate_recordset(["state"])
        job = self.env["queue.job"].sudo().search([("uuid", "=", self.env.context.get("job_uuid"))], limit=1)
        if job:
            # Attempts rolled back with a retried job still count.
            self.attempts = job.retry
        self.with_context(stage_automation_job_run_id=self.id)._execute()
        return self.reason

    def _on_job_failed(self, **failure):
        """queue_job gave up on the job (retries exhausted): the run must not stay running."""
        runs = self.filtered(lambda run: run.state == "running")
        error = failure.get("exc_message") or failure.get("exc_name") or _("unknown error")
        runs.write({"state": "failed", "done_at": fields.Datetime.now(),
                    "reason": _("Failed: the job queue gave up (%(error)s).", error=error)})
        runs._skip_followers()

    # ------------------------------------------------------------
    # EXECUTION
    # ------------------------------------------------------------

    def _execute(self):
        """Run each rule's action now, each isolated in a savepoint.

        A failing action rolls back only its own changes: the run ends
        ``failed`` with a readable reason, a note on the lead says so, and the
        user's stage change and the other rules go on.
        """
        job_run_id = self.env.context.get("stage_automation_job_run_id")
        for run in self:
            if not run.exists():
                continue  # deleted with its lead by an earlier rule
            if run.rule_id._needs_own_transaction() and run.id != job_run_id:
                # Not in the person's save, nor in the job of the run it follows: a retry of
                # its own must not repeat the other run, nor a failure of the other run undo it.
                run._wake_dispatcher()
                continue
            run._execute_one()

    def _execute_one(self):
        if self.state not in ("pending", "running"):
            return  # an earlier rule of the same entry moved the lead on
        lead, rule = self.lead_id, self.rule_id
        self.attempts += 1
        not_applicable = self._not_applicable_reason()
        if not_applicable:
            self._finish("cancelled", not_applicable)
            return
        # Everything before the savepoint is written first: a failure then only discards the rule's own work.
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                # The action acts with its author's rights; its run stays the engine's bookkeeping.
                robot = rule.with_context(stage_automation_defer=True, stage_automation_run_id=self.id)._robot(lead)
                lead_as_author = lead.with_env(robot.env)
                # A paused run goes on with its action: the condition was checked when it started.
                matches = bool(self.paused_at) or robot._matches_condition(lead_as_author)
                result = robot._run_action(self.with_env(robot.env).sudo(), lead_as_author) if matches else None
                self.env.flush_all()
        except RetryableJobError:
            raise
        except SkipRun as skip:
            self.env.clear()  # the savepoint rolled back what the action did
            self._finish("skipped", skip.args[0])
        except psycopg2.OperationalError as error:
            # Concurrent updates: the request (or queue_job, for a job) retries the whole transaction.
            if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise
            self._fail(error)
        except Exception as error:  # noqa: BLE001 - a rule's failure must never block the user
            self._fail(error)
        else:
            if not matches:
                self._finish("skipped", _("Skipped: the lead does not match the condition."))
            elif self.state != "paused":  # paused: the action waits, see _pause()
                self._finish("done", result or _("Done."))

    def _not_applicable_reason(self):
        lead, rule = self.lead_id, self.rule_id
        if not lead.active:
            return _("Cancelled: the lead is archived or lost.")
        if lead.stage_id != self.stage_id:
            return _("Cancelled: the lead is no longer in stage “%(stage)s”.", stage=self.stage_id.name)
        if not rule.active or not rule._applies_to(lead):
            return _("Cancelled: the rule no longer applies to this lead.")
        return None

    def _fail(self, error):
        # The savepoint rolled the rule's changes back and nothing else was pending: forget them in the cache too.
        self.env.clear()
        if isinstance(error, psycopg2.IntegrityError):
            # What Odoo tells a user whose save breaks a database constraint (e.g. a record still in use).
            message = _as_validation_error(self.env, error).args[0]
        elif isinstance(error, AccessError) and error.args:
            message = _("%(author)s, whose rights the rule uses, is not allowed to do this. %(error)s",
                        author=self.rule_id.author_id.name, error=error.args[0])
        elif isinstance(error, UserError) and error.args:
            message = error.args[0]
        else:
            message = _("An unexpected error stopped the rule (%(error)s); the server log has the details.",
                        error=type(error).__name__)
        _logger.info("Stage automation run %s (rule %s) failed: %s", self.id, self.rule_id.id, message,
                     exc_info=not isinstance(error, UserError))
        reason = _("Failed: %(message)s", message=message)
        self._finish("failed", reason)
        self.lead_id.with_user(SUPERUSER_ID).message_post(
            body=_("Automation rule “%(rule)s” failed: %(message)s", rule=self.rule_id.name, message=message),
            subtype_xmlid="mail.mt_note",
        )

    def _finish(self, state, reason):
        """Record the outcome and go on with the rules chained after this one."""
        self.write({"state": state, "reason": reason, "done_at": fields.Datetime.now()})
        if state == "done":
            self._release_followers()
        else:
            self._skip_followers()

    def _followers(self):
        return self.search([("previous_run_id", "in", self.ids), ("state", "=", "waiting")])

    def _release_followers(self):
        """Chained rules start now that their previous rule completed; due ones run at once."""
        followers = self._followers()
        if not followers:
            return
        now = fields.Datetime.now()
        calendars = {}
        for follower in followers:
            follower.write(self._due_values(follower.rule_id, follower.lead_id, now, now, calendars))
        followers.filtered(lambda f: f.state == "skipped")._skip_followers()
        due_now = followers.filtered(lambda f: f.state == "pending" and f.due_at <= now)
        due_now._execute()
        (followers - due_now)._wake_dispatcher()

    def _skip_followers(self):
        for run in self:
            followers = run._followers()
            if followers:
                followers.write({"state": "skipped", "done_at": fields.Datetime.now(),
                                 "reason": run.rule_id._did_not_run_reason()})
                followers._skip_followers()

    # ------------------------------------------------------------
    # PAUSE (actions that wait)
    # ------------------------------------------------------------

    def _pause(self, until, reason):
        """Called by an action that waits: the run stays open and the rules chained after it wait.

        The dispatcher runs the action again at ``until`` (empty: only when
        :meth:`_resume` is called); the action then finds ``paused_at`` set and
        ends the wait: it returns its result (the run is done, the chain goes
        on) or raises :class:`SkipRun` (the chain stops).
        """
        self.ensure_one()
        self.write({"state": "paused", "paused_at": fields.Datetime.now(), "due_at": until, "reason": reason})
        self._wake_dispatcher()

    def _resume(self):
        """What the paused runs waited for has happened: the dispatcher runs their action again now."""
        runs = self.filtered(lambda run: run.state == "paused")
        runs.write({"due_at": fields.Datetime.now()})
        runs._wake_dispatcher()
        return runs

    # ------------------------------------------------------------
    # VARIABLES
    # ------------------------------------------------------------

    def _set_outputs(self, values):
        """Publish what the action produced, under names the later rules use as ``vars['name']``."""
        self.ensure_one()
        self.outputs = dict(self.outputs or {}, **values)

    def _entry_variables(self):
        """Outputs of the completed runs of the same stage entry, earlier ones overridden by later ones."""
        self.ensure_one()
        earlier = self.search([
            ("lead_id", "=", self.lead_id.id),
            ("stage_id", "=", self.stage_id.id),
            ("entered_at", "=", self.entered_at),
            ("state", "=", "done"),
            ("id", "!=", self.id),
        ], order="done_at, id")
        variables = {}
        for run in earlier:
            variables.update(run.outputs or {})
        return variables

    # ------------------------------------------------------------
    # CANCELLATION AND RESCHEDULING
    # ------------------------------------------------------------

    @api.model
    def _on_stage_exit(self, leads, reason):
        """The leads left their stage (moved, won, lost, archived): what is pending for that entry stops."""
        runs = self.search([("lead_id", "in", leads.ids), ("state", "in", OPEN_STATES)])
        runs.write({"state": "cancelled", "reason": reason, "done_at": fields.Datetime.now()})
        return runs

    @api.model
    def _reschedule_dates(self, leads, field_names):
        """A date a pending run waits on changed: compute its moment again (skip it when emptied)."""
        runs = self.search([
            ("lead_id", "in", leads.ids),
            ("state", "=", "pending"),
            ("rule_id.timing", "in", ("before_date", "after_date")),
            ("rule_id.date_field_id.name", "in", list(field_names)),
        ])
        now = fields.Datetime.now()
        calendars = {}
        for run in runs:
            start = run.previous_run_id.done_at or run.entered_at
            run.write(self._due_values(run.rule_id, run.lead_id, start, now, calendars))
        runs.filtered(lambda r: r.state == "skipped")._skip_followers()
        runs._wake_dispatcher()
        return runs

    # ------------------------------------------------------------
    # USER ACTIONS
    # ------------------------------------------------------------

    def action_cancel(self):
        """Runs are history nobody edits: the Cancel button is the one change people make, with the
        Update right of the runs' kind (leads or opportunities)."""
        self._check_can_cancel()
        runs = self.sudo().filtered(lambda r: r.state in OPEN_STATES)
        runs.write({"state": "cancelled", "done_at": fields.Datetime.now(),
                    "reason": _("Cancelled by %(user)s.", user=self.env.user.name)})
        runs._skip_followers()
        return True

    def _check_can_cancel(self):
        self.check_access("read")
        groups = {"lead": "stage_automation.group_stage_automation_lead_update",
                  "opportunity": "stage_automation.group_stage_automation_opportunity_update"}
        for lead_type in set(self.mapped("lead_type")):
            if not self.env.user.has_group(groups.get(lead_type, groups["opportunity"])):
                kind = _("leads") if lead_type == "lead" else _("opportunities")
                raise AccessError(_("Cancelling the automation runs of %(kind)s needs the Update right of their "
                                    "automation.", kind=kind))
