from . import account_move
from . import crm_lead
from . import stage_automation_rule
