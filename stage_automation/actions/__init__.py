"""The actions a rule can perform, one family per module.

A family extends ``stage.automation.rule`` with, for its action keys:

- the keys themselves: ``action = fields.Selection(selection_add=[...], ondelete={...})``;
- the parameters those actions need (fields named after the family), and a
  ``@api.constrains`` method that refuses a rule missing what its action needs;
- the shared parts of the rule form they use (recipients, summary, body, field
  value lines, variable name): ``_action_parts()`` extended with ``super()``;
- one method ``_run_action_<key>(run, lead)`` per key, returning what was done
  as a message (``_lt``) for the run's reason; it starts from what
  ``_prepare_action_<key>(run, lead)`` computes without doing anything
  (recipients, rendered texts…), which the simulation shows;
- its form fragment: a view inheriting ``stage_automation_rule_view_form`` that
  puts its parameters before the variable name (``views/actions/<family>_views.xml``).

Families only extend the hooks of the rule model (``_action_parts``,
``_compute_action_uses``, ``_value_model``, ``_close_created_records``, ...),
never one another's methods, so these imports need no order. Another addon
adds an action the same way, without touching this one (see
``tests/addons/stage_automation_example_action``).
"""

from . import activities
from . import assignment
from . import blacklist
from . import calendar_events
from . import channels
from . import codes
from . import control
from . import conversion
from . import crm_data
from . import crm_read
from . import customer_messages
from . import details
from . import documents
from . import messages
from . import outgoing
from . import records
from . import waits
