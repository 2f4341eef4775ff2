from . import crm_lead
from . import project_task
from . import stage_automation_rule
from . import stage_automation_run
