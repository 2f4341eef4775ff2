from . import stage_automation_rule
from . import stage_automation_rule_value
from . import stage_automation_run
from . import crm_lead
from . import crm_stage
from . import mail_activity
