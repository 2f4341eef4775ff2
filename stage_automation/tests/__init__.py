from . import test_rule_timing
from . import test_rule_validation
from . import test_run_lifecycle
from . import test_actions
from . import test_scale
from . import test_access_rights
from . import test_ui
