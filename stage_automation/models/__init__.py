from . import stage_automation_render_mixin
from . import stage_automation_rule
from . import stage_automation_rule_value
from . import stage_automation_run
from . import stage_automation_constant
from . import crm_lead
from . import crm_stage
from . import crm_team
