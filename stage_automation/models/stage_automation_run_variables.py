from odoo import models

from ..engine import lifecycle


class StageAutomationRun(models.Model):
    """Variables: what an action produces (a code, a created record, values read) and the later rules
    of the same stage entry read as ``vars['name']``."""

    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    def _set_outputs(self, values):
        """Publish what the action produced, under names the later rules use as ``vars['name']``."""
        self.ensure_one()
        self.outputs = dict(self.outputs or {}, **values)

    def _entry_variables(self):
        """Outputs of the completed runs of the same stage entry, earlier ones overridden by later ones.

        A simulated run (never saved) has none: the simulation hands over what the earlier rules would publish.
        """
        self.ensure_one()
        if not self.id:
            return self.env.context.get("stage_automation_simulated_variables") or {}
        earlier = self.search([
            ("lead_id", "=", self.lead_id.id),
            ("stage_id", "=", self.stage_id.id),
            ("entered_at", "=", self.entered_at),
            ("state", "=", lifecycle.DONE),
            ("id", "!=", self.id),
        ], order="done_at, id")
        variables = {}
        for run in earlier:
            variables.update(run.outputs or {})
        return variables
