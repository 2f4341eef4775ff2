from . import test_task_action
