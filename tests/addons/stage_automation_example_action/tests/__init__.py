from . import test_add_tag
