from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html


class StageAutomationRule(models.Model):
    _inherit = "stage.automation.rule"

    action = fields.Selection(
        selection_add=[("activity", "Activity")], ondelete={"activity": "cascade"}, default="activity")
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity type", ondelete="restrict",
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'crm.lead')]")
    activity_deadline_days = fields.Integer(
        string="Due in (days)", help="Deadline of the activity, counted in days from the moment the rule runs.")
    activity_auto_close = fields.Boolean(
        string="Close when the lead leaves the stage",
        help="Mark the activity done automatically if the lead moves to another stage before it is done.")

    @api.constrains("action", "activity_type_id")
    def _check_activity_type(self):
        for rule in self.filtered(lambda r: r.action == "activity" and not r.activity_type_id):
            raise ValidationError(_("Rule “%(rule)s”: choose the type of the activity.", rule=rule.name))

    def _run_action_activity(self, run, lead):
        users = self._get_recipients(lead)
        if not users:
            raise UserError(_("Nobody to assign the activity to: the lead has no responsible."))
        summary = self._render("summary", lead)
        note = plaintext2html(self._render("body", lead)) if self.body else ""
        activities = self.env["mail.activity"]
        for user in users:
            today = fields.Date.context_today(lead.with_context(tz=user.tz or "UTC"))
            activities |= lead.activity_schedule(
                activity_type_id=self.activity_type_id.id,
                summary=summary,
                note=note,
                user_id=user.id,
                date_deadline=today + timedelta(days=self.activity_deadline_days),
            )
        run.activity_ids = activities
        return _("Activity “%(activity)s” scheduled for %(users)s.",
                 activity=summary or self.activity_type_id.name, users=", ".join(users.mapped("name")))


class StageAutomationRun(models.Model):
    _inherit = "stage.automation.run"

    activity_ids = fields.Many2many(
        "mail.activity", "stage_automation_run_activity_rel", "run_id", "activity_id", string="Activities")

    @api.model
    def _on_stage_exit(self, leads, reason):
        runs = super()._on_stage_exit(leads, reason)
        done_runs = self.search([
            ("lead_id", "in", leads.ids),
            ("state", "=", "done"),
            ("rule_id.activity_auto_close", "=", True),
            ("activity_ids", "!=", False),
        ])
        open_activities = done_runs.activity_ids.filtered("active")
        if open_activities:
            open_activities.action_feedback(feedback=_("Closed automatically: the lead left the stage."))
        return runs
