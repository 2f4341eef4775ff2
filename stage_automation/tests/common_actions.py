from .common import StageAutomationCase

ENTRY = "2026-03-04 10:00:00"  # a Wednesday


class ActionCase(StageAutomationCase):
    """Rules on "SA New" entered by a lead at ``ENTRY``."""

    def enter(self, rule, **lead_values):
        """A lead entering the rule's stage at ``ENTRY``; returns the lead and the rule's run."""
        lead = self.lead(**lead_values)
        with self.at(ENTRY):
            lead.stage_id = rule.stage_id
        return lead, self.runs(lead, rule)
