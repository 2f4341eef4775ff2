from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime, plaintext2html
from odoo.tools.translate import _lt


class StageAutomationRule(models.Model):
    """"Control": tell a supervisor that a lead is still in the stage.

    It is a delayed rule like any other: leaving the stage cancels it, so it
    only fires when the lead is still there when it is due.
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(selection_add=[("control", "Control")], ondelete={"control": "cascade"})
    recipient = fields.Selection(
        selection_add=[("team_leader", "Sales team leader")], ondelete={"team_leader": "set default"})
    control_notify = fields.Boolean(string="Send a notification", default=True)
    control_activity = fields.Boolean(string="Schedule an activity")

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "control": {"recipients", "summary", "body"}}

    @api.depends("control_activity")
    def _compute_action_uses(self):
        result = super()._compute_action_uses()
        for rule in self.filtered(lambda r: r.action == "control" and r.control_activity):
            rule.action_uses_activity = True
        return result

    @api.constrains("action", "timing", "after_previous", "control_notify", "control_activity")
    def _check_control(self):
        for rule in self.filtered(lambda r: r.action == "control"):
            if rule.timing == "immediate":
                raise ValidationError(_(
                    "Rule “%(rule)s”: a control checks that the lead is still in the stage some time after "
                    "it entered: choose a delay or a date under “Execute”.", rule=rule.name))
            if not (rule.control_notify or rule.control_activity):
                raise ValidationError(_("Rule “%(rule)s”: send a notification, schedule an activity, or both.",
                                        rule=rule.name))

    def _get_recipients(self, lead):
        if self.recipient == "team_leader":
            return lead.team_id.user_id.filtered(lambda user: user.active and not user.share)
        return super()._get_recipients(lead)

    def _prepare_action_control(self, run, lead):
        users = self._get_recipients(lead)
        if not users:
            raise UserError(_("Nobody to warn: no active user is “%(recipients)s” of the lead.", recipients=dict(
                self._fields["recipient"]._description_selection(self.env))[self.recipient]))
        subject = self._render("summary", lead) or _("Still in “%(stage)s”: %(lead)s",
                                                      stage=run.stage_id.name, lead=lead.name)
        since = format_datetime(self.env, run.entered_at, tz=lead.user_id.tz or "UTC", dt_format="short")
        body = plaintext2html(self._render("body", lead) or _(
            "“%(lead)s” is still in stage “%(stage)s”, since %(since)s (responsible: %(user)s).",
            lead=lead.name, stage=run.stage_id.name, since=since, user=lead.user_id.name or _("nobody")))
        plan = {"recipients": users, "subject": subject, "body": body}
        if self.control_activity:
            plan["activities"] = self._prepare_activities(
                run, lead, self._activity_type(), users=users, summary=subject, note=body)
            plan["details"] = plan["activities"]["details"]
        return plan

    def _run_action_control(self, run, lead):
        plan = self._prepare_action(run, lead)
        users = plan["recipients"]
        if self.control_notify:
            lead.message_notify(
                partner_ids=users.partner_id.ids, subject=plan["subject"], body=plan["body"],
                email_layout_xmlid="mail.mail_notification_light")
        if self.control_activity:
            self._schedule_activities(run, lead, plan["activities"])
        if self.control_notify and self.control_activity:
            done = _lt("notified and given an activity")
        else:
            done = _lt("notified") if self.control_notify else _lt("given an activity")
        return _lt("Still in the stage: %(users)s %(done)s.", users=", ".join(users.mapped("name")), done=done)
