#!/usr/bin/env python3
"""The wheels of the repository's addons for each Odoo series: ``python3 scripts/build_wheels.py``.

One tree serves Odoo 18.0 and 19.0, so a manifest's version has no series (``1.3.0``; Odoo reads it as
``18.0.1.3.0`` or ``19.0.1.3.0``). whool takes the series from the version: each series' wheels are built
from a copy of the addon's tracked files whose pyproject sets ``odoo_version_override`` and whose PKG-INFO
gives the version Odoo reads, ``<series>.<version>`` (with whool's git post-version): the wheel of
``stage_automation`` for 19.0 is ``odoo_addon_stage_automation-19.0.1.3.0.N``, requiring ``odoo==19.0.*``.

    python3 scripts/build_wheels.py                   # every series, into dist/<series>/
    python3 scripts/build_wheels.py --series 19.0 -w dist19

Needs whool (requirements.txt) and git.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from manifestoo_core.metadata import metadata_from_addon_dir

REPO = Path(__file__).resolve().parents[1]
#: The Odoo series the addons claim (scripts/common.sh's CLAIMED_SERIES says the same).
SERIES = ("18.0", "19.0")


def addons():
    """The addons of the repository that have a wheel (a pyproject.toml)."""
    return sorted(path.parent for path in REPO.glob("*/pyproject.toml"))


def tracked_files(addon_dir):
    listed = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=addon_dir, check=True,
                            capture_output=True).stdout.decode().split("\0")
    return [name for name in listed if name]


def prepare(addon_dir, series, build_dir):
    """A copy of the addon, in ``build_dir/<addon>``, that whool packages for ``series``."""
    copy = build_dir / addon_dir.name
    for name in tracked_files(addon_dir):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(addon_dir / name, target)
    options = {"odoo_version_override": series}
    metadata = metadata_from_addon_dir(addon_dir, options)  # the version with the git post-version
    (copy / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["whool"]\nbuild-backend = "whool.buildapi"\n\n'
        f'[tool.whool]\nodoo_version_override = "{series}"\n', encoding="utf-8")
    (copy / "PKG-INFO").write_text(
        f"Metadata-Version: 2.1\nName: {metadata['Name']}\nVersion: {series}.{metadata['Version']}\n",
        encoding="utf-8")
    return copy


def build(series_list, wheel_dir):
    """Build every addon's wheel for each series; returns ``{series: [wheel paths]}``."""
    built = {}
    for series in series_list:
        target = Path(wheel_dir) / series if len(series_list) > 1 else Path(wheel_dir)
        target.mkdir(parents=True, exist_ok=True)
        before = set(target.glob("*.whl"))
        with tempfile.TemporaryDirectory() as tmp:
            copies = [prepare(addon_dir, series, Path(tmp)) for addon_dir in addons()]
            subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                            "-w", str(target), *map(str, copies)], check=True, cwd=tmp)
        built[series] = sorted(set(target.glob("*.whl")) - before) or sorted(target.glob(f"*-{series}.*.whl"))
    return built


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", action="append", choices=SERIES,
                        help="an Odoo series to build for (repeatable; default: all of them)")
    parser.add_argument("-w", "--wheel-dir", default=str(REPO / "dist"),
                        help="where the wheels go (one folder per series when several)")
    args = parser.parse_args()
    for series, wheels in build(args.series or list(SERIES), args.wheel_dir).items():
        print(f"Odoo {series}: {len(wheels)} wheels")
        for wheel in wheels:
            print(f"  {wheel}")


if __name__ == "__main__":
    main()
