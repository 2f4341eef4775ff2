import logging
import math
from collections import Counter, defaultdict

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL
from odoo.tools.translate import _lt

from odoo.addons.queue_job.exception import RetryableJobError

from .. import compat
from ..engine import lifecycle
from ..engine.exceptions import SkipRun
from .stage_automation_run_recovery import WATCH_DELAY, WATCH_MARGIN

_logger = logging.getLogger(__name__)

DISPATCH_BATCH = 1000
# Runs executed by one queue job at most, and the number of jobs a few runs are spread over.
JOB_BATCH = 50
JOB_SPREAD = 8
# A job whose run is locked by another transaction (a change of its lead, the sweeper) tries again this
# many seconds later, without using up its retries.
LOCKED_RETRY_SECONDS = 5
# Jobs of the immediate rules of a person's change go before the dispatcher's (queue_job's default: 10).
INTERACTIVE_PRIORITY = 5
# What the open views of a lead hear when its runs were executed (static/src/lead_updates).
LEADS_CHANGED = "stage_automation/leads_changed"
# Errors of the connection itself or of a server going down (SQLSTATE classes 08 and 57P0x, too many
# connections): the action never got a chance to finish; the job is retried, nothing is written.
_CONNECTION_PGCODES = ("57P01", "57P02", "57P03", "53300")


class StageAutomationRun(models.Model):
    """Execution: the dispatcher hands due runs to queue jobs; a run's action is executed in a savepoint,
    and its end starts, or stops, the rules chained after it.

    A running run ends ``done``, ``skipped`` or ``failed``; an action that waits
    (Wait) pauses it (:meth:`_pause`) and the dispatcher runs the action again at
    ``due_at``, which :meth:`_resume` brings forward; the action then ends it.
    """

    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

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
            lifecycle.DUE_STATES, now, limit))
        runs = self.browse(row[0] for row in self.env.cr.fetchall())
        runs._set_state(lifecycle.RUNNING)
        runs._queue_jobs()
        if len(runs) == limit:
            self._wake_at(now)
        else:
            self.env.cr.execute(SQL(
                "SELECT min(due_at) FROM stage_automation_run WHERE state IN %s AND due_at > %s",
                lifecycle.DUE_STATES, now))
            next_due = self.env.cr.fetchone()[0]
            if next_due:
                self._wake_at(next_due)
        return runs

    @api.model
    def _dispatch_due(self):
        """Queue job: what the dispatcher cron does, from the job runner (see :meth:`_wake_at`), then the
        watch of the runs in jobs (see :meth:`_watch_jobs`)."""
        runs = self._cron_dispatch()
        self._watch_jobs()
        return self.env._("%(count)s due runs handed to jobs.", count=len(runs))

    def _start_now(self):
        """Claim these due runs of an interactive change for a job of their own, which the job runner starts as
        soon as the change is committed, before the jobs of the dispatcher.

        The person waits for this: no watch is queued (see :meth:`_watch_jobs`).
        Should the server die while the job runs, the runner requeues the job
        within its minute of sleep after the restart.
        """
        if not self:
            return
        self._set_state(lifecycle.RUNNING)
        self._queue_jobs(priority=INTERACTIVE_PRIORITY, watch=False)

    def _queue_jobs(self, priority=None, watch=True):
        """Hand the claimed runs to queue jobs, several runs a job, and remember which: the sweeper checks
        on them. The watch of the runs in jobs starts (see :meth:`_watch_jobs`).

        A job's own cost (its call, its transaction) is shared by up to
        ``JOB_BATCH`` runs; a few runs still spread over ``JOB_SPREAD`` jobs,
        hence workers. The runs of one lead stay in one job, in their order:
        its rules run one after the other, never side by side. A rule that
        calls another system or deletes the lead gets a job of its own: its
        retry must repeat nothing else.
        """
        if not self:
            return
        alone = self.filtered(lambda run: run.rule_id._needs_own_transaction())
        shared = self - alone
        size = max(1, min(JOB_BATCH, math.ceil(len(shared) / JOB_SPREAD)))
        batches = []
        for lead_runs in shared.grouped("lead_id").values():
            if not batches or len(batches[-1]) + len(lead_runs) > size:
                batches.append(lead_runs)
            else:
                batches[-1] |= lead_runs
        batches += list(alone)
        run_ids, uuids = [], []
        for batch in batches:
            job = batch.with_delay(priority=priority, description=batch._job_description())._perform()
            run_ids += batch.ids
            uuids += [job.uuid] * len(batch)
        self.flush_model(["state"])
        self.env.cr.execute(SQL(
            """UPDATE stage_automation_run run SET job_uuid = job.uuid, job_count = run.job_count + 1
                 FROM unnest(%s::int[], %s::varchar[]) AS job(run_id, uuid)
                WHERE run.id = job.run_id""",
            run_ids, uuids))
        self.invalidate_recordset(["job_uuid", "job_count"])
        if watch:
            # A dispatcher job queued for a moment this transaction will have committed by watches these jobs.
            now = fields.Datetime.now()
            self._queue_dispatch(now + WATCH_DELAY, after=now + WATCH_MARGIN)

    def _job_description(self):
        if len(self) == 1:
            return self.env._("Stage automation: %(run)s", run=self.display_name)
        return self.env._("Stage automation: %(count)s runs of %(rules)s", count=len(self),
                          rules=", ".join(self.rule_id.mapped("name")))

    def _perform(self):
        """Queue job: execute claimed runs (see :meth:`_execute`), except those cancelled meanwhile.

        The runs are locked for the whole job. When another transaction holds
        one of them (a change of its lead, the sweeper), the job is tried again
        a few seconds later: it never ends while one of its runs is still to be done.
        """
        self.flush_model(["state"])
        try:
            self.env.cr.execute(SQL(
                "SELECT id FROM stage_automation_run WHERE id IN %s AND state = %s ORDER BY id FOR UPDATE NOWAIT",
                tuple(self.ids), lifecycle.RUNNING), log_exceptions=False)
        except psycopg2.errors.LockNotAvailable as error:
            raise RetryableJobError(
                "a run is locked by another transaction", seconds=LOCKED_RETRY_SECONDS, ignore_retry=True,
            ) from error
        runs = self.browse(row[0] for row in self.env.cr.fetchall())
        if not runs:
            return _("Nothing to do: the runs are no longer waiting for execution.")
        self.invalidate_recordset(["state"])
        job = self.env["queue.job"].sudo().search([("uuid", "=", self.env.context.get("job_uuid"))], limit=1)
        if job:
            # Attempts rolled back with a retried job still count.
            runs.attempts = job.retry + 1
        else:
            for run in runs:
                run.attempts += 1
        try:
            runs.with_context(stage_automation_job_run_ids=runs.ids)._execute()
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            # queue_job retries concurrency errors by itself, but takes a lost connection for final.
            if not _is_lost_connection(error):
                raise
            raise RetryableJobError(f"the database was not available ({error})") from error
        runs._notify_views()
        if len(self) == 1:
            return self.reason
        labels = dict(self._fields["state"]._description_selection(self.env))
        return ", ".join(f"{labels[state]}: {count}" for state, count in sorted(Counter(runs.mapped("state")).items()))

    def _notify_views(self):
        """Tell the people who may have these runs' leads open (who made the change, the leads' salespeople)
        that the leads changed: their form or pipeline reloads, nothing needs a refresh by hand."""
        runs = self.filtered(lambda run: not run._deleted())
        leads = runs.lead_id.exists()  # a rule may have deleted its lead
        lead_ids = defaultdict(set)
        for run in runs.filtered(lambda run: run.lead_id in leads):
            for user in run.create_uid | run.lead_id.user_id:
                lead_ids[user].add(run.lead_id.id)
        for user, ids in lead_ids.items():
            if user._is_internal():
                user._bus_send(LEADS_CHANGED, {"lead_ids": sorted(ids)})

    def _on_job_failed(self, **failure):
        """queue_job gave up on the job (retries exhausted): the run must not stay running."""
        runs = self.filtered(lambda run: run.state == lifecycle.RUNNING)
        error = failure.get("exc_message") or failure.get("exc_name") or _lt("unknown error")
        runs._set_state(lifecycle.FAILED, _lt("Failed: the job queue gave up (%(error)s).", error=error))
        runs._skip_followers()

    # ------------------------------------------------------------
    # EXECUTION
    # ------------------------------------------------------------

    def _execute(self):
        """Run each rule's action now, each isolated in a savepoint.

        A failing action rolls back only its own changes: the run ends
        ``failed`` with a readable reason, a note on the lead says so, and the
        user's stage change and the other rules go on.

        A job's runs first go together, in one savepoint: most runs succeed,
        and their writes then cost one statement for many runs. Should one of
        them fail, that savepoint is rolled back and each run goes again in a
        savepoint of its own.
        """
        if len(self) > 1 and self.env.context.get("stage_automation_job_run_ids"):
            self.env.flush_all()
            try:
                with self.env.cr.savepoint(flush=False):
                    self._execute_each(guarded=False)
                    self.env.flush_all()
                return
            except RetryableJobError:
                raise
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
                if _is_transient(error):
                    raise
            except Exception:  # noqa: BLE001 - each run goes again on its own, and fails alone
                _logger.debug("Stage automation runs %s: one failed together, each goes alone", self.ids)
            self.env.clear()  # the savepoint rolled back what the runs did
        self._execute_each(guarded=True)

    def _execute_each(self, guarded):
        job_run_ids = self.env.context.get("stage_automation_job_run_ids") or ()
        for run in self:
            if run._deleted():
                continue  # with its lead, by an earlier rule
            if run.rule_id._needs_own_transaction() and run.id not in job_run_ids:
                # Not in the person's save, nor in the job of the run it follows: a retry of
                # its own must not repeat the other run, nor a failure of the other run undo it.
                run._wake_dispatcher()
                continue
            run._execute_one(guarded)

    def _action_moment(self):
        """The moment the action acts: now, or the moment a simulated run would be due (a simulation's run
        is never saved: it has no id)."""
        self.ensure_one()
        return self.due_at if not self.id else fields.Datetime.now()

    def _deleted(self):
        """Whether this run was deleted meanwhile, at no cost while the cache holds it: Odoo empties the
        cache when it deletes records."""
        try:
            return not self.state
        except MissingError:
            return True

    def _execute_one(self, guarded=True):
        """Run the action; ``guarded``: in a savepoint of its own, a failure ending the run (else the
        failure goes to the caller, see :meth:`_execute`)."""
        if self.state == lifecycle.PENDING:
            self._set_state(lifecycle.RUNNING)
        elif self.state != lifecycle.RUNNING:
            return  # an earlier rule of the same entry moved the lead on
        started = fields.Datetime.now()
        if self.id not in (self.env.context.get("stage_automation_job_run_ids") or ()):
            self.attempts += 1  # a job counts its runs' attempts at once
        not_applicable = self._not_applicable_reason()
        if not_applicable:
            self._finish(lifecycle.CANCELLED, not_applicable)
            return
        if not guarded:
            matches = self._act(started)
        else:
            # Everything before the savepoint is written first: a failure then only discards the rule's own work.
            self.env.flush_all()
            try:
                with self.env.cr.savepoint(flush=False):
                    matches = self._act(started)
                    self.env.flush_all()
            except RetryableJobError:
                raise
            except SkipRun as skip:
                self.env.clear()  # the savepoint rolled back what the action did
                self._finish(lifecycle.SKIPPED, skip.args[0], started_at=started)
                return
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
                # Concurrent updates, a lost connection, a server going down: the request (or the job) is
                # retried as a whole, and nothing is written on a connection that may be gone.
                if _is_transient(error):
                    raise
                self._fail(error, started_at=started)
                return
            except Exception as error:  # noqa: BLE001 - a rule's failure must never block the user
                self._fail(error, started_at=started)
                return
        if not matches:
            self._finish(lifecycle.SKIPPED, _lt("Skipped: the lead does not match the condition."),
                         started_at=started)
        elif self.state == lifecycle.DONE:
            self._release_followers()

    def _act(self, started):
        """The action, with its author's rights, if the lead matches the condition; the run is done unless the
        action paused it. Returns whether the lead matched."""
        lead, rule = self.lead_id, self.rule_id
        robot = rule.with_context(stage_automation_defer=True, stage_automation_run_id=self.id)._robot(lead)
        lead_as_author = lead.with_env(robot.env)
        # A paused run goes on with its action: the condition was checked when it started.
        matches = bool(self.paused_at) or robot._matches_condition(lead_as_author)
        if matches:
            # The run stays the engine's bookkeeping, above the author's rights.
            result = robot._run_action(self.with_env(robot.env).sudo(), lead_as_author)
            if self.state != lifecycle.PAUSED:  # paused: the action waits, see _pause()
                # Written with what the action wrote on the run, and undone with it if a write fails.
                self._set_state(lifecycle.DONE, result or _lt("Done."), started_at=started)
        return matches

    def _not_applicable_reason(self):
        lead, rule = self.lead_id, self.rule_id
        # A run carried over goes on after the exit its chain waited for (the lead lost, or in another stage).
        if not lead.active and not self.carried_over:
            return _lt("Cancelled: the lead is archived or lost.")
        if lead.stage_id != self.stage_id and not self.carried_over:
            return _lt("Cancelled: the lead is no longer in stage “%(stage)s”.", stage=self.stage_id.name)
        if not rule.active or rule.stage_id != self.stage_id or not rule._applies_to(lead):
            return _lt("Cancelled: the rule no longer applies to this lead.")
        return None

    def _fail(self, error, **values):
        """End the run failed with a sentence for people, a note on the lead, and the details in the log."""
        # The savepoint rolled the rule's changes back and nothing else was pending: forget them in the cache too.
        self.env.clear()
        if isinstance(error, psycopg2.IntegrityError):
            # What Odoo tells a user whose save breaks a database constraint (e.g. a record still in use).
            message = compat.sql_error_message(self.env, error)
        elif isinstance(error, AccessError) and error.args:
            message = _lt("%(author)s, whose rights the rule uses, is not allowed to do this. %(error)s",
                          author=self.rule_id.author_id.name, error=error.args[0])
        elif isinstance(error, UserError) and error.args:
            message = error.args[0]
        else:
            # A crash is a bug of the engine or of an action, not a mistake of the rule's author: logged loud.
            _logger.warning("Stage automation run %s (rule %s) crashed", self.id, self.rule_id.id, exc_info=error)
            message = _lt("An unexpected error stopped the rule (%(error)s); the server log has the details.",
                          error=type(error).__name__)
        if isinstance(error, (UserError, psycopg2.IntegrityError)):
            _logger.info("Stage automation run %s (rule %s) failed: %s", self.id, self.rule_id.id, error)
        self._finish(lifecycle.FAILED, _lt("Failed: %(message)s", message=message), **values)
        self.lead_id.with_user(SUPERUSER_ID).message_post(
            body=_("Automation rule “%(rule)s” failed: %(message)s", rule=self.rule_id.name, message=message),
            subtype_xmlid="mail.mt_note",
        )

    def _finish(self, state, reason, **values):
        """Record the outcome and go on with the rules chained after this one."""
        self._set_state(state, reason, **values)
        if state == lifecycle.DONE:
            self._release_followers()
        else:
            self._skip_followers()

    # ------------------------------------------------------------
    # CHAIN: the rules that run after the previous one
    # ------------------------------------------------------------

    def _followers(self):
        # Read through the runs' prefetch: one query for a whole job's runs.
        return self.next_run_ids.filtered(lambda run: run.state == lifecycle.WAITING)

    def _release_followers(self):
        """Chained rules start now that their previous rule completed; due ones run at once.

        After a rule that called another system, they run in jobs of their own
        instead: nothing that may fail is left between a delivered call and
        the commit that records it, so a retry never repeats an acknowledged call.
        """
        followers = self._followers()
        if not followers:
            return
        now = fields.Datetime.now()
        followers._schedule(now, now, {})
        if any(run.rule_id._needs_own_transaction() for run in self):
            due_now = followers.browse()
        else:
            due_now = followers.filtered(lambda f: f.state == lifecycle.PENDING and f.due_at <= now)
        due_now._execute()
        (followers - due_now)._wake_dispatcher()

    def _skip_followers(self):
        for run in self:
            followers = run._followers()
            if followers:
                followers._set_state(lifecycle.SKIPPED, run.rule_id._did_not_run_reason())
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
        self._set_state(lifecycle.PAUSED, reason, paused_at=fields.Datetime.now(), due_at=until)
        self._wake_dispatcher()

    def _resume(self):
        """What the paused runs waited for has happened: the dispatcher runs their action again now."""
        runs = self.filtered(lambda run: run.state == lifecycle.PAUSED)
        runs._set_state(lifecycle.PAUSED, due_at=fields.Datetime.now())
        runs._wake_dispatcher()
        return runs


def _is_lost_connection(error):
    """Whether a database error is the connection's: lost, refused, or its server shutting down."""
    if isinstance(error, psycopg2.InterfaceError):
        return True
    code = error.pgcode
    return code is None or code.startswith("08") or code in _CONNECTION_PGCODES


def _is_transient(error):
    """Whether a database error says nothing of the action (a concurrent update, a lost connection):
    such an action is tried again, never failed."""
    return _is_lost_connection(error) or error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY
