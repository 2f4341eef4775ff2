from . import crm_lead
from . import stage_automation_trigger
from . import website_visitor
