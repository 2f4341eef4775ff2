"""The pure variables engine: names, read-only lookups, and what restricted rendering lets through."""

import pytest
from engine import load

variables = load("variables")


@pytest.mark.parametrize("name", ["code", "discount_code", "a1", "Hotline"])
def test_valid_names(name):
    assert variables.is_valid_name(name)


@pytest.mark.parametrize("name", ["", "1st", "_code", "two words", "a__b", "items", "get", "é", "code-2"])
def test_invalid_names(name):
    assert not variables.is_valid_name(name)


@pytest.mark.parametrize("expression", [
    "vars.code", "vars['code']", 'vars["code"]', " constants.hotline ", "constants[ 'hotline' ]",
])
def test_lookups(expression):
    assert variables.is_lookup(expression)


@pytest.mark.parametrize("expression", [
    "vars", "vars.code.upper()", "vars.get('code')", "vars._values", "vars.__class__", "vars['a__b']",
    "vars[0]", "vars['code'] + 1", "object.name", "other.code", "vars['code\"]", "vars.items",
])
def test_not_lookups(expression):
    assert not variables.is_lookup(expression)


def test_values_read_by_key_or_attribute():
    found = variables.Variables("vars", {"code": "A1B2", "attachment_ids": [4, 5]})
    assert found["code"] == found.code == "A1B2"
    assert found.attachment_ids == [4, 5]
    assert dict(found) == {"code": "A1B2", "attachment_ids": [4, 5]}
    assert len(found) == 2 and "code" in found and "pin" not in found


def test_values_given_as_a_function_are_loaded_once_when_first_read():
    calls = []

    def load():
        calls.append(1)
        return {"code": "A1B2"}

    found = variables.Variables("vars", load)
    assert not calls, "a text that reads no variable costs nothing"
    assert found.code == found["code"] == "A1B2" and "pin" not in found
    assert len(calls) == 1


def test_an_unknown_name_raises_with_its_namespace():
    constants = variables.Variables("constants", {})
    with pytest.raises(variables.UnknownVariable) as raised:
        _ = constants.hotline
    assert (raised.value.namespace, raised.value.name) == ("constants", "hotline")
    with pytest.raises(KeyError):
        _ = constants["hotline"]
    with pytest.raises(AttributeError):
        _ = constants._private


def test_read_only():
    found = variables.Variables("vars", {"code": "1"})
    with pytest.raises(TypeError):
        found["code"] = "2"
