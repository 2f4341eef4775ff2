"""The wheels a user installs: one per addon of the repository and Odoo series, built by whool as the OCA
builds theirs (scripts/build_wheels.py).

Each wheel lays its addon out as ``odoo/addons/<addon>`` (Odoo finds it
without an addons path), is versioned as its series' Odoo reads the manifest
(``19.0.1.3.0``) and requires that series' Odoo and what its manifest depends
on that Odoo does not ship. Installed by pip, the running series' wheels are the addons its Odoo finds.
"""

import ast
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ADDONS = sorted(path.parent.name for path in REPO.glob("*/pyproject.toml"))
WEBSITE = "https://github.com/stage-automation/stage_automation"
_spec = importlib.util.spec_from_file_location("build_wheels", REPO / "scripts" / "build_wheels.py")
build_wheels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_wheels)
SERIES = build_wheels.SERIES


@pytest.fixture(scope="module")
def all_wheels(tmp_path_factory):
    """``{series: {addon: wheel path}}``, built without network from the checkout (whool is in
    requirements.txt) by the project's packaging script."""
    built = build_wheels.build(list(SERIES), tmp_path_factory.mktemp("dist"))
    return {series: {addon: next(wheel for wheel in built[series] if wheel.name.startswith(f"odoo_addon_{addon}-"))
                     for addon in ADDONS} for series in SERIES}


@pytest.fixture(scope="module", params=SERIES)
def series(request):
    return request.param


@pytest.fixture
def wheels(all_wheels, series):
    return all_wheels[series]


def test_each_series_has_its_own_wheels(all_wheels):
    names = [wheel.name for built in all_wheels.values() for wheel in built.values()]
    assert len(set(names)) == len(SERIES) * len(ADDONS), "no two series share a wheel's name"
    for series, built in all_wheels.items():
        for addon, wheel in built.items():
            assert wheel.name.startswith(f"odoo_addon_{addon}-{series}.{manifest(addon)['version']}")


def manifest(addon):
    return ast.literal_eval((REPO / addon / "__manifest__.py").read_text(encoding="utf-8"))


def metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode())


def test_every_addon_with_a_manifest_is_packaged():
    with_manifest = {path.parent.name for path in REPO.glob("*/__manifest__.py")}
    assert set(ADDONS) == with_manifest
    assert {"stage_automation", "stage_automation_website_crm", "stage_automation_livechat"} <= set(ADDONS)


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_holds_the_whole_addon_under_odoo_addons(wheels, addon):
    with zipfile.ZipFile(wheels[addon]) as archive:
        names = set(archive.namelist())
    tracked = subprocess.run(["git", "ls-files", addon], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    expected = {f"odoo/addons/{path}" for path in tracked if not path.endswith("pyproject.toml")}
    assert expected - names == set(), "files of the addon missing from its wheel"
    assert f"odoo/addons/{addon}/__manifest__.py" in names


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_requires_its_series_odoo_and_the_addons_odoo_does_not_ship(wheels, series, addon):
    info = metadata(wheels[addon])
    requires = set(info.get_all("Requires-Dist") or [])
    assert info["Name"] == f"odoo-addon-{addon}"
    assert info["Version"].startswith(f"{series}.{manifest(addon)['version']}")
    assert f"odoo=={series}.*" in requires
    own = {f"odoo-addon-{name}=={series}.*" for name in manifest(addon)["depends"] if (REPO / name).is_dir()}
    assert own <= requires, "a bridge requires the addon it extends"
    python = set(manifest(addon).get("external_dependencies", {}).get("python", []))
    assert python <= requires


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_describes_the_addon_with_its_readme_and_the_projects_website(wheels, addon):
    info = metadata(wheels[addon])
    assert info["Home-page"] == WEBSITE
    assert info["License"] == "LGPL-3"
    assert info["Description-Content-Type"] == "text/x-rst"
    assert info.get_payload().startswith((REPO / addon / "README.rst").read_text(encoding="utf-8").strip()[:200])


def test_every_manifest_names_the_same_author_website_and_license():
    for path in [*REPO.glob("*/__manifest__.py"), *REPO.glob("tests/addons/*/__manifest__.py")]:
        values = ast.literal_eval(path.read_text(encoding="utf-8"))
        assert (values["author"], values["website"], values["license"]) == (
            "Stage Automation contributors", WEBSITE, "LGPL-3"), path.parent.name


def test_main_wheel_requires_queue_job_and_phonenumbers(wheels, series):
    requires = set(metadata(wheels["stage_automation"]).get_all("Requires-Dist"))
    assert {f"odoo-addon-queue_job=={series}.*", "phonenumbers"} <= requires


def test_the_running_odoo_finds_its_series_wheels_installed_by_pip(all_wheels, tmp_path):
    """pip installs the running series' wheels (``make test`` runs these tests with each series' interpreter);
    Odoo, given no addons path, finds every addon there and reads the version of its series."""
    from odoo.release import version_info

    series = f"{version_info[0]}.0"
    site = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target",
                    str(site), *map(str, all_wheels[series].values())], check=True)
    probe = """
import json, sys
from odoo.modules.module import get_manifest, get_module_path
print(json.dumps({addon: [get_module_path(addon), get_manifest(addon).get("version")] for addon in sys.argv[1:]}))
"""
    found = json.loads(subprocess.run(
        [sys.executable, "-c", probe, *ADDONS], check=True, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path).stdout)
    for addon in ADDONS:
        path, version = found[addon]
        assert path == str(site / "odoo" / "addons" / addon), f"{addon} is found in its wheel's files"
        assert version == f"{series}.{manifest(addon)['version']}"
