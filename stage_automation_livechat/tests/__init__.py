from . import test_livechat_message
