from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import _lt

from ..engine import lifecycle

# A running run whose job ended this long ago, or vanished, is the sweeper's.
SWEEP_GRACE_MINUTES = 2
SWEEP_BATCH = 500
# Jobs given to one run before the sweeper gives up on it.
MAX_JOBS = 3
# queue_job's runner requeues the job of a killed server once it was sent to a server this long ago.
RUNNER_REQUEUE_SECONDS = 10
WATCH_DELAY = timedelta(seconds=RUNNER_REQUEUE_SECONDS + 1)
# A dispatcher job due this soon may run before the transaction queuing runs commits: it cannot watch them.
WATCH_MARGIN = timedelta(seconds=2)


class StageAutomationRun(models.Model):  # pylint: disable=consider-merging-classes-inherited
    """Recovery: a run stays ``running`` only while a queue job is going to run it.

    queue_job may end a job without calling the engine back: its runner marks
    dead jobs failed in SQL, and the Job Queue screen lets people cancel a job
    or set it done. The sweeper (a cron) finds the running runs whose job is
    done, failed, cancelled or gone, and gives each a new job, or ends it with
    a reason saying what happened; the rules chained after it follow.

    The runner requeues the jobs a killed server left started only when it
    wakes up, and only once they were sent more than 10 s ago: with the
    channel full of such dead jobs, nothing wakes it for a minute. While runs
    are in jobs, a dispatcher job (on the root channel, outside the full one)
    is kept queued for just after that delay (:meth:`_watch_jobs`).
    """

    _inherit = "stage.automation.run"

    @api.model
    def _cron_sweep(self, grace_minutes=SWEEP_GRACE_MINUTES, limit=SWEEP_BATCH):
        """End or re-queue the running runs that no job is going to run; return them."""
        self.env["queue.job"].flush_model(["state", "uuid"])
        self.flush_model(["state", "job_uuid"])
        self.env.cr.execute(SQL(
            """SELECT run.id, job.state, COALESCE(job.exc_message, job.exc_name, job.result)
                 FROM stage_automation_run run
            LEFT JOIN queue_job job ON job.uuid = run.job_uuid
                WHERE run.state = %s
                  AND run.write_date <= (now() AT TIME ZONE 'UTC') - make_interval(mins => %s)
                  AND (job.id IS NULL OR job.state IN ('done', 'failed', 'cancelled'))
             ORDER BY run.id
                LIMIT %s
                  FOR UPDATE OF run SKIP LOCKED""",
            lifecycle.RUNNING, grace_minutes, limit))
        rows = self.env.cr.fetchall()
        swept = self.browse(run_id for run_id, _state, _error in rows)
        requeue = self.browse()
        for run, (_run_id, job_state, error) in zip(swept, rows, strict=True):
            if job_state == "cancelled":
                run._finish(lifecycle.CANCELLED, _lt("Cancelled: its job was cancelled in the job queue."))
            elif job_state == "failed":
                run._finish(lifecycle.FAILED, _lt("Failed: the job queue gave up (%(error)s).",
                                                  error=error or _lt("unknown error")))
            elif run.job_count >= MAX_JOBS:
                run._finish(lifecycle.FAILED, _lt(
                    "Failed: its job ended without running it, %(count)s times.", count=run.job_count))
            else:
                requeue |= run
        requeue._queue_jobs()
        return swept

    @api.model
    def _watch_jobs(self):
        """Keep a dispatcher job queued for when the jobs of running runs could be requeued if their server
        died: 11 s after the last one was sent to a server, or from now for jobs not sent yet."""
        self.env["queue.job"].flush_model(["state", "uuid", "date_enqueued"])
        self.flush_model(["state", "job_uuid"])
        self.env.cr.execute(SQL(
            """SELECT count(*), max(job.date_enqueued)
                 FROM stage_automation_run run
                 JOIN queue_job job ON job.uuid = run.job_uuid
                WHERE run.state = %s AND job.state IN ('pending', 'enqueued', 'started')""",
            lifecycle.RUNNING))
        in_jobs, last_sent = self.env.cr.fetchone()
        if in_jobs:
            now = fields.Datetime.now()
            self._queue_dispatch(max((last_sent or now) + WATCH_DELAY, now + timedelta(seconds=1)))
