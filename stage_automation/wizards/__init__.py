from . import stage_automation_trigger_token
