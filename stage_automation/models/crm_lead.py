from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import str2bool
from odoo.tools.translate import _lt

from .. import compat

# Writes of these fields may change the stage (stage_id is computed from team and type).
STAGE_FIELDS = {"stage_id", "team_id", "type"}
DEFAULT_INLINE_LIMIT = 20
# Immediate rules of interactive changes run before the request returns (else in a job just after it).
RUN_IN_REQUEST_PARAM = "stage_automation.run_in_request"
DEFAULT_LOOP_MAX_MOVES = 10
DEFAULT_LOOP_WINDOW_MINUTES = 60
# Why an archived lead's pending runs stop, by the ``stage_automation_exit`` key of the context.
EXIT_REASONS = {
    "archived": _lt("Cancelled: the lead was archived."),
    "lost": _lt("Cancelled: the lead was lost."),
}
# Plain lead fields that people who are not "Mail Template Editor" may use as
# {{ object.… }} placeholders in rules: rendered by lookup, no code evaluated.
LEAD_PLACEHOLDERS = tuple(f"object.{path}" for path in (
    "partner_name", "email_from", *compat.PHONE_FIELDS, "function", "website",
    "street", "street2", "zip", "city", "state_id.name", "country_id.name",
    "expected_revenue", "probability", "date_deadline", "priority", "referred",
    "stage_id.name", "team_id.name", "company_id.name", "user_id.email", "user_id.phone",
    "partner_id.email", "partner_id.phone", "source_id.name", "medium_id.name", "campaign_id.name",
    "lost_reason_id.name",
))


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    stage_automation_run_ids = fields.One2many(
        "stage.automation.run", "lead_id", string="Automation runs",
        groups="stage_automation.group_stage_automation_lead_read,"
               "stage_automation.group_stage_automation_opportunity_read")
    stage_automation_run_count = fields.Integer(
        compute="_compute_stage_automation_run_count", string="Automation",
        groups="stage_automation.group_stage_automation_lead_read,"
               "stage_automation.group_stage_automation_opportunity_read")

    def _compute_stage_automation_run_count(self):
        counts = dict(self.env["stage.automation.run"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]))
        for lead in self:
            lead.stage_automation_run_count = counts.get(lead, 0)

    @api.model
    def mail_allowed_qweb_expressions(self):
        return super().mail_allowed_qweb_expressions() + LEAD_PLACEHOLDERS

    # ------------------------------------------------------------
    # ORM: this is where stage entries and exits are seen
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._stage_automation_enter()
        return leads

    def write(self, vals):
        """What happens on a stage change, in order: the old entry's pending
        work is cancelled, the new stage's rules are scheduled, and the ones
        due now run (before the request returns, for interactive changes)."""
        stage_before = {lead.id: lead.stage_id for lead in self} if STAGE_FIELDS & vals.keys() else {}
        date_fields = {name for name in vals if getattr(self._fields.get(name), "type", None) in ("date", "datetime")}
        result = super().write(vals)
        if vals.get("active") is False:
            exit_kind = self.env.context.get("stage_automation_exit", "archived")
            self.env["stage.automation.run"].sudo()._on_stage_exit(
                self, EXIT_REASONS[exit_kind], lost=exit_kind == "lost")
        moved = self.filtered(lambda lead: lead.id in stage_before and lead.stage_id != stage_before[lead.id])
        if moved:
            moved._stage_automation_exit(stage_before)
            moved._stage_automation_enter()
        if date_fields:
            self.env["stage.automation.run"].sudo()._reschedule_dates(self - moved, date_fields)
        return result

    def _convert_opportunity_data(self, customer, team_id=False):
        """A conversion by a rule says the pipeline and the stage the opportunity starts in."""
        return {**super()._convert_opportunity_data(customer, team_id=team_id),
                **self.env.context.get("stage_automation_conversion", {})}

    def action_set_lost(self, **additional_values):
        return super(CrmLead, self.with_context(
            stage_automation_exit="lost",
        )).action_set_lost(**additional_values)

    # ------------------------------------------------------------
    # STAGE AUTOMATION
    # ------------------------------------------------------------

    def _stage_automation_exit(self, stage_before):
        """Cancel what the left entries still had pending, one batch per (old, new) stage pair."""
        by_move = defaultdict(lambda: self.browse())
        for lead in self:
            by_move[stage_before[lead.id], lead.stage_id] |= lead
        runs = self.env["stage.automation.run"].sudo()
        for (old_stage, new_stage), leads in by_move.items():
            if new_stage.is_won:
                reason = _lt("Cancelled: the lead was won.")
            else:
                reason = _lt("Cancelled: the lead left stage “%(old)s” for “%(new)s”.",
                             old=old_stage.name, new=new_stage.name)
            runs._on_stage_exit(leads, reason, new_stage=new_stage)

    def _stage_automation_enter(self):
        """Schedule the rules of the entered stage; start the due ones at once or hand them to the dispatcher.

        Interactive changes (a few records) start immediate rules at once: in
        a job that starts as soon as the save is committed, so the person's
        request costs little more than the save, and their open views reload
        when the job is done (see :meth:`stage.automation.run._notify_views`);
        or, when the settings say so, before the request returns. Imports,
        mass edits and changes made by rules themselves go through the dispatcher.
        """
        leads = self.filtered(lambda lead: lead.active and lead.stage_id)
        if not leads:
            return
        runs = self.env["stage.automation.run"].sudo()._schedule_entries(leads.sudo())
        params = self.env["ir.config_parameter"].sudo()
        inline_limit = int(params.get_param("stage_automation.inline_limit", DEFAULT_INLINE_LIMIT))
        context = self.env.context
        if context.get("stage_automation_defer") or context.get("import_file") or len(leads) > inline_limit:
            runs._wake_dispatcher()
            return
        now = fields.Datetime.now()
        due_now = runs.filtered(lambda run: run.state == "pending" and run.due_at <= now)
        if str2bool(params.get_param(RUN_IN_REQUEST_PARAM, "False")):
            due_now._execute()
        else:
            due_now._start_now()
        (runs - due_now)._wake_dispatcher()

    def _stage_automation_check_loop(self):
        """Refuse one more automatic move when the lead was moved automatically too often lately.

        :return: the reason when the move is refused, else ``None``
        """
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        max_moves = int(params.get_param("stage_automation.loop_max_moves", DEFAULT_LOOP_MAX_MOVES))
        window = int(params.get_param("stage_automation.loop_window_minutes", DEFAULT_LOOP_WINDOW_MINUTES))
        moves = self._stage_automation_auto_move_count(fields.Datetime.now() - timedelta(minutes=window))
        if moves >= max_moves:
            return _(
                "Loop guard: the lead was already moved automatically %(moves)s times in the last "
                "%(window)s minutes; it is not moved again.", moves=moves, window=window)
        return None

    def _stage_automation_auto_move_count(self, since):
        """Automatic stage moves of this lead since ``since`` (rules; triggers add theirs)."""
        return self.env["stage.automation.run"].sudo().search_count([
            ("lead_id", "=", self.id),
            ("action", "=", "change_stage"),
            ("state", "=", "done"),
            ("done_at", ">=", since),
        ])

    def action_stage_automation_simulate(self):
        """The simulation dialog on this lead: the person picks the stage it would enter."""
        self.ensure_one()
        return self.env["stage.automation.simulation.wizard"]._action_open(lead=self, team=self.team_id)

    def action_view_stage_automation_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("stage_automation.stage_automation_run_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"create": False, "search_default_group_by_stage": 0}
        return action
