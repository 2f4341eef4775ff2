from odoo import _, api, fields, models


class StageAutomationTriggerToken(models.TransientModel):
    """The dialog that shows a new webhook token, once.

    The trigger keeps only the token's hash: the token comes to the dialog
    in its context and the dialog is closed, not saved, so the token
    itself is written to no table.
    """

    _name = "stage.automation.trigger.token"
    _description = "Stage Automation Webhook Token"

    trigger_id = fields.Many2one("stage.automation.trigger", required=True, readonly=True, ondelete="cascade")
    token = fields.Char(readonly=True)
    url = fields.Char(string="Webhook address", compute="_compute_url")

    @api.depends("trigger_id", "token")
    def _compute_url(self):
        for wizard in self:
            wizard.url = wizard.token and f"{wizard.trigger_id.get_base_url()}/stage_automation/webhook/{wizard.token}"

    @api.model
    def _action_show(self, trigger, token):
        """The action that opens the dialog on the new ``token`` of ``trigger``."""
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": _("Webhook ready"),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_trigger_id": trigger.id, "default_token": token},
        }
