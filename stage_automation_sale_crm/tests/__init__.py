from . import test_quotation_action
