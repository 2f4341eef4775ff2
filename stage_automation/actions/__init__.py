"""The actions a rule can perform, one family per module.

Each module extends ``stage.automation.rule`` with its action keys
(``selection_add``), the parameters those actions need, and one method
``_run_action_<key>(run, lead)`` per key. Another addon adds an action the
same way, without touching this module.
"""

from . import activities, messages, records, codes, waits, documents, details, crm_read
