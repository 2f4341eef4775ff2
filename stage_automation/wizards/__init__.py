from . import stage_automation_trigger_token
from . import stage_automation_simulation_wizard
from . import stage_automation_export
from . import stage_automation_import
