"""The wheels a user installs: one per addon of the repository, built by whool as the OCA builds theirs.

Each wheel lays its addon out as ``odoo/addons/<addon>`` (Odoo finds it
without an addons path) and requires what its manifest depends on that Odoo
does not ship.
"""

import ast
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ADDONS = sorted(path.parent.name for path in REPO.glob("*/pyproject.toml"))
WEBSITE = "https://github.com/stage-automation/stage_automation"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """``{addon: wheel path}``, built without network from the checkout (whool is in requirements.txt)."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dist),
         *(str(REPO / addon) for addon in ADDONS)],
        check=True, cwd=REPO)
    return {addon: next(dist.glob(f"odoo_addon_{addon}-18.0.*.whl")) for addon in ADDONS}


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
def test_wheel_requires_odoo_18_and_the_addons_odoo_does_not_ship(wheels, addon):
    info = metadata(wheels[addon])
    requires = set(info.get_all("Requires-Dist") or [])
    assert info["Name"] == f"odoo-addon-{addon}"
    assert info["Version"].startswith(manifest(addon)["version"])
    assert "odoo==18.0.*" in requires
    own = {f"odoo-addon-{name}==18.0.*" for name in manifest(addon)["depends"] if (REPO / name).is_dir()}
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


def test_main_wheel_requires_queue_job_and_phonenumbers(wheels):
    requires = set(metadata(wheels["stage_automation"]).get_all("Requires-Dist"))
    assert {"odoo-addon-queue_job==18.0.*", "phonenumbers"} <= requires
