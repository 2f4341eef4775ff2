"""The actions a rule can perform, one family per module.

Each module extends ``stage.automation.rule`` with its action keys
(``selection_add``), the parameters those actions need, and one method
``_run_action_<key>(run, lead)`` per key. Another addon adds an action the
same way, without touching this module.
"""

# Order matters: a module extending another one's action (assignment extends
# records' change_user) comes after it.
from . import activities, messages, records
from . import assignment, blacklist, calendar_events, control, conversion, crm_data
from . import customer_messages, outgoing, channels
from . import codes, waits, documents, details, crm_read
