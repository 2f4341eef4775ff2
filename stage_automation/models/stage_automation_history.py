import logging
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .. import compat
from ..engine import lifecycle

_logger = logging.getLogger(__name__)

MONTHS_PARAM = "stage_automation.history_months"
KEEP_PARAM = "stage_automation.history_keep_per_lead"
DEFAULT_MONTHS = 6
DEFAULT_KEEP = 20
PURGE_BATCH = 1000
# Models whose queue jobs are the addon's. queue_job's own autovacuum removes their done and cancelled jobs
# after the channel's removal interval; failed jobs it keeps forever.
JOB_MODELS = ("stage.automation.run", "stage.automation.trigger")


class StageAutomationHistory(models.AbstractModel):
    """What is kept of the finished work, and for how long.

    Every stage change leaves runs, every trigger firing a log line, and the
    runs' failures queue jobs; a daily cron deletes what is older than the
    retention (CRM settings), except the last runs of each lead, so that "why
    did it fire" keeps an answer. It deletes in batches, each its own short
    transaction when the cron runs it: no long lock, and an interrupted purge
    keeps what it did.
    """

    _name = "stage.automation.history"
    _description = "Stage Automation History"

    @api.model
    def _check_retention(self, months, keep):
        """``(months, keep)`` as integers.

        :raise ValidationError: when either is not a whole number, or is below what the history needs
        """
        try:
            months, keep = int(months), int(keep)
        except (TypeError, ValueError) as error:
            raise ValidationError(_("The automation history settings must be whole numbers.")) from error
        if months < 1:
            raise ValidationError(_("The automation history must be kept for at least one month."))
        if keep < 1:
            raise ValidationError(_("At least the last automation run of each lead must be kept."))
        return months, keep

    @api.model
    def _retention(self):
        params = self.env["ir.config_parameter"].sudo()
        return self._check_retention(params.get_param(MONTHS_PARAM, DEFAULT_MONTHS),
                                     params.get_param(KEEP_PARAM, DEFAULT_KEEP))

    @api.model
    def _cron_purge(self, batch_size=PURGE_BATCH):
        """Delete the finished runs, trigger logs and failed jobs older than the retention.

        Run by the cron, each batch is committed at once (its progress
        reported), so that rows stay locked a moment only; called otherwise
        (tests, a shell), nothing is committed.

        :return: ``{model name: rows deleted}``
        """
        months, keep = self._retention()
        cutoff = fields.Datetime.now() - relativedelta(months=months)
        commit = bool(self.env.context.get("cron_id"))
        purges = {
            "stage.automation.run": self._purge_runs(cutoff, keep, batch_size),
            "stage.automation.trigger.log": self._purge_trigger_logs(cutoff, batch_size),
            "queue.job": self._purge_failed_jobs(cutoff, batch_size),
        }
        deleted = dict.fromkeys(purges, 0)
        for model, batches in purges.items():
            for count in batches:
                deleted[model] += count
                if commit:
                    compat.commit_cron_progress(self.env, count, sum(deleted.values()), remaining=1)
        compat.cron_progress_done(self.env, sum(deleted.values()))
        _logger.info("Stage automation history older than %s months deleted: %s", months, deleted)
        return deleted

    @api.model
    def _purge_runs(self, cutoff, keep, batch_size):
        """Delete the runs finished before ``cutoff``, one batch at a time; yield the count of each batch.

        A stage entry's runs go together, once all of them finished before
        ``cutoff`` and none is among the ``keep`` last finished runs of the
        lead: a run still waiting counts from its previous run and reads the
        outputs of the entry's earlier runs, and a kept run still shows what
        it came after. Runs whose lead was deleted go at ``cutoff``.

        Each batch looks at the next ``batch_size`` runs in the order they
        finished, and at the other runs of their leads: the runs it keeps are
        read once, and the last batch is the one that found fewer.
        """
        Run = self.env["stage.automation.run"]
        Run.flush_model()
        after = (datetime.min, 0)
        while True:
            self.env.cr.execute(SQL(
                """WITH candidate AS MATERIALIZED (
                       SELECT id, lead_id, stage_id, entered_at, done_at
                         FROM stage_automation_run
                        WHERE done_at < %(cutoff)s AND (done_at, id) > (%(after_done)s, %(after_id)s)
                          AND state IN %(final)s
                     ORDER BY done_at, id
                        LIMIT %(limit)s
                          FOR UPDATE SKIP LOCKED
                   ), lead_run AS (
                       SELECT lead_id, stage_id, entered_at,
                              state IN %(final)s AND done_at < %(cutoff)s AS old,
                              count(*) FILTER (WHERE state IN %(final)s)
                                  OVER (PARTITION BY lead_id ORDER BY id DESC) AS finished_since
                         FROM stage_automation_run
                        WHERE lead_id IN (SELECT lead_id FROM candidate)
                   ), expired_entry AS (
                       SELECT lead_id, stage_id, entered_at
                         FROM lead_run
                     GROUP BY lead_id, stage_id, entered_at
                       HAVING bool_and(old AND finished_since > %(keep)s)
                   ), deleted AS (
                       DELETE FROM stage_automation_run run
                        USING candidate
                        WHERE run.id = candidate.id
                          AND (candidate.lead_id IS NULL
                               OR (candidate.lead_id, candidate.stage_id, candidate.entered_at) IN (
                                   SELECT lead_id, stage_id, entered_at FROM expired_entry))
                    RETURNING run.id
                   )
                   SELECT (SELECT count(*) FROM deleted), (SELECT count(*) FROM candidate), last.done_at, last.id
                     FROM (SELECT done_at, id FROM candidate ORDER BY done_at DESC, id DESC LIMIT 1) last""",
                cutoff=cutoff, after_done=after[0], after_id=after[1], final=lifecycle.FINAL_STATES, keep=keep,
                limit=batch_size))
            deleted, seen, *after = self.env.cr.fetchone() or (0, 0, None, None)
            Run.invalidate_model()  # the rules chained after a deleted run lost their previous run
            yield deleted
            if seen < batch_size:
                return

    @api.model
    def _purge_trigger_logs(self, cutoff, batch_size):
        """Delete the trigger logs written before ``cutoff``, one batch at a time; yield the count of each batch.

        Their event data goes with Odoo's autovacuum, once no log refers to it.
        """
        Log = self.env["stage.automation.trigger.log"]
        Log.flush_model()
        while True:
            self.env.cr.execute(SQL(
                # Materialized: a subquery of the DELETE could be run again, each time locking other rows.
                """WITH batch AS MATERIALIZED (
                       SELECT id FROM stage_automation_trigger_log
                        WHERE create_date < %s
                     ORDER BY create_date
                        LIMIT %s
                          FOR UPDATE SKIP LOCKED)
                   DELETE FROM stage_automation_trigger_log log USING batch WHERE log.id = batch.id""",
                cutoff, batch_size))
            count = self.env.cr.rowcount
            Log.invalidate_model()
            yield count
            if count < batch_size:
                return

    @api.model
    def _purge_failed_jobs(self, cutoff, batch_size):
        """Delete the addon's failed queue jobs created before ``cutoff``, one batch at a time; yield the count
        of each batch.

        Done and cancelled jobs are left to queue_job's autovacuum and its
        channel's removal interval; the job of a run still open is kept.
        """
        Job = self.env["queue.job"].sudo()
        self.env["stage.automation.run"].flush_model(["state", "job_uuid"])
        domain = [
            ("model_name", "in", JOB_MODELS),
            ("state", "=", "failed"),
            ("date_created", "<", cutoff),
            ("uuid", "not in", SQL(
                "(SELECT job_uuid FROM stage_automation_run WHERE state IN %s AND job_uuid IS NOT NULL)",
                lifecycle.OPEN_STATES)),
        ]
        while True:
            jobs = Job.search(domain, order="date_created, id", limit=batch_size)
            jobs.unlink()
            yield len(jobs)
            if len(jobs) < batch_size:
                return


class StageAutomationRun(models.Model):
    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    def _auto_init(self):
        res = super()._auto_init()
        # The history purge walks the finished runs in the order they finished.
        tools.create_index(self.env.cr, "stage_automation_run_done_at_idx", self._table, ["done_at", "id"],
                           where="done_at IS NOT NULL")
        return res


class StageAutomationTriggerLog(models.Model):
    _inherit = "stage.automation.trigger.log"  # pylint: disable=consider-merging-classes-inherited

    def _auto_init(self):
        res = super()._auto_init()
        # The history purge deletes the oldest logs first.
        tools.create_index(self.env.cr, "stage_automation_trigger_log_create_date_idx", self._table, ["create_date"])
        return res
