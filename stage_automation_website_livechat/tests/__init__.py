from . import test_visitor_chat
