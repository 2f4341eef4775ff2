from . import stage_automation_rule
