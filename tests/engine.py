"""The addon's pure engine (stage_automation/engine), imported as a package of its own, without Odoo.

Its modules import one another (``from .exceptions import …``), so they are
loaded inside a package rather than one file at a time.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "stage_automation" / "engine"
PACKAGE = "stage_automation_engine"


def load(name):
    """The engine module ``name`` (``timing``, ``lifecycle``, …)."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            PACKAGE, ENGINE / "__init__.py", submodule_search_locations=[str(ENGINE)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{PACKAGE}.{name}")
