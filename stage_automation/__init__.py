from . import models
from . import actions
