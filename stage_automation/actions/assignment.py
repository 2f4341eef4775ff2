from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.translate import _lt


class StageAutomationRule(models.Model):
    """"Change responsible": one user (``user_id``), or a distribution among several.

    Round-robin remembers, per rule, who was assigned last; least-loaded
    counts the open leads of each candidate (ties go round the same way).
    Concurrent runs of one rule are serialised on the rule's row: the second
    one waits, then retries with the new state (a concurrent update is one of
    the errors the request or the job queue retries).
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[("change_user", "Change responsible")], ondelete={"change_user": "cascade"})
    assign_mode = fields.Selection(
        [("fixed", "One user"), ("round_robin", "In turn (round-robin)"), ("least_loaded", "Fewest open leads")],
        string="Assign", default="fixed")
    user_id = fields.Many2one("res.users", string="New responsible", domain="[('share', '=', False)]")
    assign_user_ids = fields.Many2many(
        "res.users", "stage_automation_rule_assign_user_rel", "rule_id", "user_id", string="Among users",
        domain="[('share', '=', False)]",
        help="The users the leads are distributed among; empty for the members of a sales team.")
    assign_team_id = fields.Many2one(
        "crm.team", string="Among the members of", ondelete="set null",
        help="Sales team whose members (except those who skip auto assignment) get the leads; "
             "empty for the lead's own sales team.")
    assign_last_user_id = fields.Many2one(
        "res.users", string="Last assigned", readonly=True, copy=False, ondelete="set null",
        help="Who this rule assigned last: the round goes on with the next one.")

    @api.constrains("action", "assign_mode", "user_id")
    def _check_assignment(self):
        for rule in self.filtered(lambda r: r.action == "change_user"):
            if not rule.assign_mode:
                raise ValidationError(_("Rule “%(rule)s”: choose how to assign the lead.", rule=rule.name))
            if rule.assign_mode == "fixed" and not rule.user_id:
                raise ValidationError(_("Rule “%(rule)s”: choose the new responsible.", rule=rule.name))

    def _prepare_action_change_user(self, run, lead):
        """The new responsible, or those the lead is distributed among: who gets it is decided when the
        rule runs, by the turn or the load of that moment."""
        if self.assign_mode == "fixed":
            if not self.user_id.active:
                raise UserError(_("User “%(user)s” is archived.", user=self.user_id.name))
            return {"user": self.user_id, "details": [(_("New responsible"), self.user_id.name)]}
        candidates = self._assign_candidates(lead)
        if not candidates:
            raise UserError(_("Nobody to distribute the lead to: no active user among %(pool)s.",
                              pool=self._message_text(self._assign_pool_name(lead))))
        return {"candidates": candidates, "details": [(_("Among"), ", ".join(candidates.mapped("name")))]}

    def _run_action_change_user(self, run, lead):
        plan = self._prepare_action(run, lead)
        if self.assign_mode == "fixed":
            lead.write({"user_id": plan["user"].id})
            return _lt("Responsible set to %(user)s.", user=plan["user"].name)
        candidates = plan["candidates"]
        self.flush_recordset(["assign_last_user_id"])
        self.env.cr.execute(SQL(
            "SELECT assign_last_user_id FROM stage_automation_rule WHERE id = %s FOR UPDATE", self.id))
        last = self.env["res.users"].browse(self.env.cr.fetchone()[0])
        rotation = self._assign_rotation(candidates, last)
        if self.assign_mode == "least_loaded":
            loads = self._open_lead_counts(rotation, lead)
            user = min(rotation, key=lambda candidate: loads.get(candidate, 0))
        else:
            user = rotation[0]
        self.assign_last_user_id = user
        lead.write({"user_id": user.id})
        return _lt("Responsible set to %(user)s (%(mode)s among %(pool)s).", user=user.name,
                   mode=_lt("in turn (round-robin)") if self.assign_mode == "round_robin" else _lt("fewest open leads"),
                   pool=self._assign_pool_name(lead))

    def _assign_team(self, lead):
        return self.assign_team_id or lead.team_id

    def _assign_pool_name(self, lead):
        """Who the leads are distributed among (a message when it is not a list of names)."""
        if self.assign_user_ids:
            return ", ".join(self.assign_user_ids.mapped("name"))
        team = self._assign_team(lead)
        return _lt("the members of “%(team)s”", team=team.name) if team else _lt("the members of the lead's sales team")

    def _assign_candidates(self, lead):
        """Active internal users the lead may go to, in a stable order."""
        if self.assign_user_ids:
            users = self.assign_user_ids
        else:
            members = self._assign_team(lead).crm_team_member_ids.filtered(lambda m: not m.assignment_optout)
            users = members.user_id
        return users.filtered(lambda user: user.active and not user.share).sorted("id")

    def _assign_rotation(self, candidates, last):
        """The candidates in turn, starting after the last one assigned."""
        if last not in candidates:
            return candidates
        position = list(candidates).index(last) + 1
        return candidates[position:] + candidates[:position]

    def _open_lead_counts(self, users, lead):
        """``{user: number of open leads and opportunities}`` (active, not won), ``lead`` excluded."""
        counts = self.env["crm.lead"]._read_group([
            ("user_id", "in", users.ids),
            ("id", "!=", lead.id),
            "|", ("stage_id", "=", False), ("stage_id.is_won", "=", False),
        ], ["user_id"], ["__count"])
        return dict(counts)
