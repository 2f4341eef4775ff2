import json
from collections import defaultdict
from datetime import datetime

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import _lt

from ..engine import lifecycle, messages
from ..engine.exceptions import TimingError


class StageAutomationRun(models.Model):
    """Scheduling: the runs a stage entry creates, when they are due, and what leaving the stage stops."""

    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

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
            for depth, rule, previous in self._chain(lead, rules_by_stage.get(lead.stage_id, [])):
                levels[depth].append((lead, rule, previous))
        runs = self.browse()
        created = {}  # (lead id, rule id) -> values of its run, with its id
        for depth in sorted(levels):
            vals_list = []
            for lead, rule, previous in levels[depth]:
                vals = {"rule_id": rule.id, "lead_id": lead.id, "stage_id": lead.stage_id.id, "entered_at": now}
                before = created.get((lead.id, previous.id)) if previous else None
                if before:
                    vals["previous_run_id"] = before["id"]
                    if before["state"] == lifecycle.SKIPPED:
                        vals.update(state=lifecycle.SKIPPED, done_at=now, reason=previous._did_not_run_reason())
                    else:
                        vals["state"] = lifecycle.WAITING
                else:
                    vals.update(self._due_values(rule, lead, now, now, calendars))
                vals_list.append(vals)
            level_runs = self._insert_runs(vals_list)
            for vals, run in zip(vals_list, level_runs, strict=True):
                created[vals["lead_id"], vals["rule_id"]] = dict(vals, id=run.id)
            runs |= level_runs
        return runs

    @api.model
    def _chain(self, lead, rules):
        """``[(depth, rule, previous rule)]`` of the ``rules`` of a stage (in order) that apply to ``lead``.

        A rule chained after the previous one waits for it (depth above 0);
        the others start on entry (depth 0, no previous rule).
        """
        chain, depth, previous = [], 0, None
        for rule in rules:
            if not rule._applies_to(lead):
                continue
            depth = depth + 1 if rule.after_previous and previous else 0
            chain.append((depth, rule, previous if depth else None))
            previous = rule
        return chain

    @api.model
    def _insert_runs(self, vals_list):
        """Insert many runs in one statement: a mass stage change must stay cheap.

        The ORM's ``create`` costs about half a millisecond per row here; an
        import of 10,000 leads into a stage with 5 rules is 50,000 runs. The
        company and the type come from the lead in the same statement.

        :return: the runs, in the order of ``vals_list``
        """
        for vals in vals_list:
            lifecycle.check_initial(vals["state"])
        self.env["crm.lead"].flush_model(["company_id", "type"])
        columns = ("rule_id", "lead_id", "stage_id", "previous_run_id", "state", "entered_at", "due_at", "done_at")
        arrays = {column: [vals.get(column) for vals in vals_list] for column in columns}
        arrays["reason_data"] = [
            json.dumps(messages.to_data(vals["reason"])) if vals.get("reason") else None for vals in vals_list]
        self.env.cr.execute(SQL(
            """INSERT INTO stage_automation_run
                      (rule_id, lead_id, stage_id, previous_run_id, state, entered_at, due_at, done_at, reason_data,
                       company_id, lead_type, attempts, job_count, create_uid, create_date, write_uid, write_date)
               SELECT row.rule_id, row.lead_id, row.stage_id, row.previous_run_id, row.state, row.entered_at,
                      row.due_at, row.done_at, row.reason_data::jsonb, lead.company_id, lead.type, 0, 0,
                      %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM unnest(%(rule_id)s::int[], %(lead_id)s::int[], %(stage_id)s::int[],
                             %(previous_run_id)s::int[], %(state)s::varchar[], %(entered_at)s::timestamp[],
                             %(due_at)s::timestamp[], %(done_at)s::timestamp[], %(reason_data)s::text[])
                      WITH ORDINALITY
                      AS row(rule_id, lead_id, stage_id, previous_run_id, state, entered_at, due_at, done_at,
                             reason_data, position)
                 JOIN crm_lead lead ON lead.id = row.lead_id
             ORDER BY row.position
            RETURNING id, lead_id, rule_id""",
            uid=self.env.uid, now=fields.Datetime.now(), **arrays))
        ids = {(lead_id, rule_id): run_id for run_id, lead_id, rule_id in self.env.cr.fetchall()}
        self.env["crm.lead"].invalidate_model(["stage_automation_run_ids"])
        self.invalidate_model(["next_run_ids"])
        self.env["stage.automation.rule"].invalidate_model(["run_ids"])
        return self.browse([ids[vals["lead_id"], vals["rule_id"]] for vals in vals_list])

    @api.model
    def _due_values(self, rule, lead, start, now, calendars):
        """State and values of a run of ``rule`` counted from ``start``: ``pending`` at its due moment,
        or ``skipped`` with the reason when no moment can be computed."""
        try:
            due = rule._compute_due(lead, start, calendars)
        except TimingError as error:
            return {"state": lifecycle.SKIPPED, "done_at": now,
                    "reason": _lt("Skipped: %(error)s.", error=error.args[0])}
        return {"state": lifecycle.PENDING, "due_at": max(due, now)}

    def _schedule(self, start, now, calendars):
        """Put these runs at their due moment counted from ``start`` (skipped when there is none);
        the rules chained after a skipped one are skipped too."""
        for run in self:
            values = self._due_values(run.rule_id, run.lead_id, start or run._start(), now, calendars)
            run._set_state(values.pop("state"), values.pop("reason", None), **values)
        self.filtered(lambda run: run.state == lifecycle.SKIPPED)._skip_followers()

    def _start(self):
        """The moment the run's delay counts from: its previous rule's end, else the stage entry."""
        self.ensure_one()
        return self.previous_run_id.done_at or self.entered_at

    def _wake_dispatcher(self):
        """Ask the dispatcher cron to wake at the earliest due moment of these runs."""
        if not self:
            return
        self.flush_model(["state", "due_at"])
        self.env.cr.execute(SQL(
            "SELECT min(due_at) FROM stage_automation_run WHERE id = ANY(%s) AND state IN %s",
            self.ids, lifecycle.DUE_STATES))
        earliest = self.env.cr.fetchone()[0]
        if earliest:
            self._wake_at(earliest)

    @api.model
    def _wake_at(self, moment):
        """Have the due runs dispatched at ``moment``: by the dispatcher cron, and by a queue job too.

        Odoo's cron threads wait a minute before their first pass after a
        restart, while queue_job's runner is back within seconds: the job
        makes work that fell due while the server was down resume at once.
        """
        self.env.ref("stage_automation.ir_cron_dispatch_runs").sudo()._trigger(moment)
        self._queue_dispatch(moment)

    @api.model
    def _queue_dispatch(self, moment, after=None):
        """Make sure a dispatcher job is queued for ``moment`` at the latest (and not before ``after``): one job
        covers every moment after its own."""
        self.env["queue.job"].flush_model(["model_name", "method_name", "state", "eta", "date_created"])
        self.env.cr.execute(SQL(
            """SELECT 1 FROM queue_job
                WHERE model_name = %s AND method_name = '_dispatch_due'
                  AND state IN ('wait_dependencies', 'pending', 'enqueued')
                  AND COALESCE(eta, date_created) <= %s
                  AND COALESCE(eta, date_created) >= %s
                LIMIT 1""",
            self._name, moment, after or datetime.min))
        if not self.env.cr.fetchone():
            self._delay_dispatch(moment)

    @api.model
    def _delay_dispatch(self, moment):
        self.with_delay(eta=moment, description=self.env._("Stage automation: dispatch due runs"))._dispatch_due()

    @api.model
    def _on_stage_exit(self, leads, reason, new_stage=None, lost=False):
        """The leads left their stage (moved to ``new_stage``, won, ``lost``, archived): what is pending for
        that entry stops, except what waited for this very exit (see :meth:`_carry_over`), and what the
        entry's rules created to be done in that stage is closed."""
        carried = self._carry_over(leads, new_stage=new_stage, lost=lost)
        runs = self.search([
            ("lead_id", "in", leads.ids),
            ("state", "in", lifecycle.OPEN_STATES),
            # A rule that moves its lead ends with its own outcome, not cancelled by its own move.
            ("id", "not in", [self.env.context.get("stage_automation_run_id") or 0, *carried.ids]),
        ])
        runs._set_state(lifecycle.CANCELLED, reason)
        self.env["stage.automation.rule"]._close_created_records(leads)
        return runs

    @api.model
    def _carry_over(self, leads, new_stage=None, lost=False):
        """The open runs of the left entries that go on after this exit instead of being cancelled, marked
        ``carried_over``: none here; a Wait for a stage, won or lost ends with the exit it awaited, and
        its chain goes on (actions/waits.py)."""
        return self.browse()

    @api.model
    def _reschedule_dates(self, leads, field_names):
        """A date a pending run waits on changed: compute its moment again (skip it when emptied)."""
        runs = self.search([
            ("lead_id", "in", leads.ids),
            ("state", "=", lifecycle.PENDING),
            ("rule_id.timing", "in", ("before_date", "after_date")),
            ("rule_id.date_field_id.name", "in", list(field_names)),
        ])
        runs._schedule(None, fields.Datetime.now(), {})
        runs._wake_dispatcher()
        return runs
