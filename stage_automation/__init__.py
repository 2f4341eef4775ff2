from . import compat
from . import controllers
from . import models
from . import actions
from . import wizards
