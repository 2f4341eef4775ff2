from . import test_add_tag
from . import test_add_tag_form
