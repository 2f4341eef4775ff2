"""Every Odoo test class of the repository carries a feature tag that the README documents.

The tags let one area run alone (``--test-tags stage_automation_timing``); a
class without one would silently fall out of every area.
"""

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_FILES = sorted([*REPO.glob("*/tests/test_*.py"), *REPO.glob("tests/addons/*/tests/test_*.py")])
FEATURE = re.compile(r"^stage_automation_[a-z]+$")


def documented_tags():
    return set(re.findall(r"^\| `(stage_automation_[a-z]+)` \|", (REPO / "README.md").read_text(), re.MULTILINE))


def classes_of(path):
    """``{class name: its tags}`` of the ``Test*`` classes of ``path`` (``@tagged(...)``'s arguments)."""
    classes = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            classes[node.name] = {
                arg.value for decorator in node.decorator_list
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "tagged"
                for arg in decorator.args if isinstance(arg, ast.Constant)}
    return classes


def test_the_readme_documents_the_feature_tags():
    assert {"stage_automation_security", "stage_automation_timing", "stage_automation_bridges"} <= documented_tags()


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda path: str(path.relative_to(REPO)))
def test_every_test_class_has_a_documented_feature_tag(path):
    classes = classes_of(path)
    assert classes, "a test file without a test class"
    documented = documented_tags()
    for name, tags in classes.items():
        features = {tag for tag in tags if FEATURE.match(tag)}
        assert features, f"{name} has no feature tag (README, section Tests)"
        assert features <= documented, f"{name}: tags missing from the README: {features - documented}"
