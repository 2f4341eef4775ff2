from . import test_livechat_message, test_livechat_rule
