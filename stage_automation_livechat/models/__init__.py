from . import discuss_channel
from . import stage_automation_rule
from . import stage_automation_trigger
