from . import test_invoice_action
