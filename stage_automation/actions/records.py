import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import _lt

_logger = logging.getLogger(__name__)


class StageAutomationRule(models.Model):
    """The lead itself: move it to another stage, edit its fields, delete it."""

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[
            ("change_stage", "Change stage"),
            ("write", "Edit the lead"),
            ("unlink", "Delete the lead"),
        ],
        ondelete={"change_stage": "cascade", "write": "cascade", "unlink": "cascade"},
    )
    target_stage_id = fields.Many2one("crm.stage", string="Move to stage", ondelete="cascade")

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "write": {"values"}}

    @api.constrains("action", "target_stage_id", "team_id", "stage_id")
    def _check_record_actions(self):
        for rule in self:
            if rule.action != "change_stage":
                continue
            target = rule.target_stage_id
            if not target:
                raise ValidationError(_("Rule “%(rule)s”: choose the stage to move the lead to.", rule=rule.name))
            rule._check_stage_reachable(target)
            if target == rule.stage_id:
                raise ValidationError(_("Rule “%(rule)s”: the lead is already in stage “%(stage)s”.",
                                        rule=rule.name, stage=target.name))

    @api.constrains("action", "value_ids")
    def _check_values(self):
        for rule in self.filtered(lambda r: r.action == "write" and not r.value_ids):
            raise ValidationError(_("Rule “%(rule)s”: add at least one field to set.", rule=rule.name))

    def _prepare_action_change_stage(self, run, lead):
        """The stage; the loop guard refuses one more automatic move of a lead moved too often lately."""
        target = self.target_stage_id
        if lead.stage_id != target:
            refused = lead._stage_automation_check_loop()
            if refused:
                raise UserError(refused)
        return {"stage": target, "leaves_stage": True, "details": [(_("Move to stage"), target.name)]}

    def _run_action_change_stage(self, run, lead):
        target = self._prepare_action(run, lead)["stage"]
        if lead.stage_id == target:
            return _lt("The lead is already in stage “%(stage)s”.", stage=target.name)
        old = lead.stage_id
        lead.write({"stage_id": target.id})
        return _lt("Moved from “%(old)s” to “%(new)s”.", old=old.name, new=target.name)

    def _run_action_write(self, run, lead):
        lead.write(self._prepare_action(run, lead)["values"])
        return _lt("Updated %(fields)s.", fields=", ".join(self.value_ids.field_id.mapped("field_description")))

    def _needs_own_transaction(self):
        return self.action == "unlink" or super()._needs_own_transaction()

    def _run_action_unlink(self, run, lead):
        """Delete the lead, as a person would, in a queue job of its own: the change that
        activated the rule is saved first (the lead must not vanish under the person's hands).

        The lead's runs are deleted with it, like its chatter, but not this
        one: it is detached from the lead first and stays in the log (rule,
        stage, moment, the lead's name and id) as the trace of the deletion.
        The later runs of the entry go with the lead, so nothing else runs.
        """
        name, lead_id = lead.name, lead.id
        run.write({"lead_id": False, "company_id": lead.company_id.id, "lead_type": lead.type})
        lead.unlink()
        _logger.info("Stage automation rule %s (run %s) deleted lead %s (%s).", self.id, run.id, lead_id, name)
        return _lt("Deleted the lead “%(lead)s” (id %(id)s).", lead=name, id=lead_id)
