"""Packages the addon as the wheel ``odoo-addon-stage_automation``, laid out the OCA way.

Name, version, summary and dependencies come from the addon's manifest. The
wheel installs ``odoo/addons/stage_automation`` into site-packages, where Odoo
finds it without any addons path. setuptools-odoo is not used: its latest
release (3.3.2) stops at Odoo 16.0 and rejects "18.0" ("Unsupported odoo
version"); the package name, version, requirements and layout are the ones it
would produce (and that the OCA's whool produces for 17.0 and later).
"""

import ast
from pathlib import Path

import setuptools

ADDON = "stage_automation"
SERIES = "18.0"
NEXT_SERIES = "18.1"
# Addons that Odoo itself does not ship, published by the OCA as odoo-addon-<name>, with the
# oldest version that will do (queue_job 18.0.3.3 brought the job failure callback used here).
OCA_DEPENDS = {"queue_job": "18.0.3.3"}


def addon_data_files():
    """Every file of the addon that is not Python code (views, data, assets, icons, translations...)."""
    return sorted(
        path.relative_to(ADDON).as_posix()
        for path in Path(ADDON).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc", ".pyo"} and "__pycache__" not in path.parts
    )


manifest = ast.literal_eval(Path(ADDON, "__manifest__.py").read_text(encoding="utf-8"))

setuptools.setup(
    name=f"odoo-addon-{ADDON}",
    version=manifest["version"],
    description=manifest["summary"],
    long_description=Path("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author=manifest["author"],
    license=manifest["license"],
    python_requires=">=3.10",
    install_requires=[
        f"odoo>={SERIES}a,<{NEXT_SERIES}dev",
        *(f"odoo-addon-{name}>={OCA_DEPENDS[name]},<{NEXT_SERIES}dev"
          for name in sorted(OCA_DEPENDS.keys() & set(manifest["depends"]))),
        *manifest.get("external_dependencies", {}).get("python", []),
    ],
    packages=[f"odoo.addons.{package}" for package in setuptools.find_packages(include=[ADDON, f"{ADDON}.*"])],
    package_dir={f"odoo.addons.{ADDON}": ADDON},
    package_data={f"odoo.addons.{ADDON}": addon_data_files()},
    classifiers=[
        "Programming Language :: Python",
        "Framework :: Odoo",
        f"Framework :: Odoo :: {SERIES}",
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
    ],
    zip_safe=False,
)
