"""The automation file's checks: what a file must be before anything of it is read into a database."""

import copy
import json
import re
from pathlib import Path

import pytest
from engine import load

transfer = load("transfer")
Kind = transfer.Kind

GALLERY = Path(__file__).resolve().parents[1] / "stage_automation" / "data" / "gallery"
EXPRESSION = re.compile(r"\{\{\s*(.*?)\s*(?:\|\|\|.*?)?\}\}")  # the default after ||| is text, translated
RULE = {
    "name": Kind("text"), "action": Kind("selection", choices=frozenset({"note", "notify", "change_stage"})),
    "delay": Kind("integer"), "at_time": Kind("float"), "after_previous": Kind("boolean"),
    "timing": Kind("selection", choices=frozenset({"immediate", "delay"})),
    "date_field_id": Kind("field"), "recipient_user_ids": Kind("record", many=True),
    "target_stage_id": Kind("stage"), "cancel_booking_rule_id": Kind("rule"), "body": Kind("text"),
}
TRIGGER = {"name": Kind("text"), "code": Kind("text"),
           "trigger_type": Kind("selection", choices=frozenset({"webhook"}))}
SCHEMA = transfer.Schema(rule=RULE, trigger=TRIGGER, rule_translated=frozenset({"name", "body"}),
                         trigger_translated=frozenset({"name"}))
FILE = {
    "format": "stage_automation.pipeline", "version": 1, "pipeline": "Sales",
    "constants": [{"name": "shop", "value": "https://shop.example", "description": ""}],
    "stages": [
        {"name": "New", "translations": {"fr_FR": {"name": "Nouveau"}}, "triggers": [], "rules": [
            {"key": "a", "name": "Note", "action": "note", "body": "Hello", "delay": 0, "at_time": 9,
             "translations": {"pl_PL": {"body": "Dzień dobry"}}},
            {"key": "b", "name": "Tell", "action": "notify", "after_previous": True,
             "recipient_user_ids": [{"xmlid": "base.user_admin", "login": "admin", "name": "Mitchell Admin"}],
             "date_field_id": {"model": "crm.lead", "name": "date_deadline"},
             "values": [{"field": "priority", "value": "2"}]},
        ]},
        {"name": "Won", "is_won": True,
         "triggers": [{"key": "t", "name": "Paid", "code": "paid", "trigger_type": "webhook"}],
         "rules": [{"key": "c", "name": "Back", "action": "change_stage", "target_stage_id": {"stage": "New"},
                    "cancel_booking_rule_id": {"rule": "a"}}]},
    ],
}


def check(file):
    transfer.check_file(file, SCHEMA)


def changed(change):
    file = copy.deepcopy(FILE)
    change(file)
    return file


def test_a_complete_file_passes():
    check(FILE)
    check({"format": "stage_automation.pipeline", "version": 1, "stages": []})


@pytest.mark.parametrize("name", sorted(path.name for path in GALLERY.glob("*.json")))
def test_the_gallery_files_are_files_of_the_format(name):
    file = json.loads((GALLERY / name).read_text())
    assert (file["format"], file["version"]) == (transfer.FORMAT, 1)
    keys = [record["key"] for stage in file["stages"] for record in stage["rules"] + stage["triggers"]]
    assert len(keys) == len(set(keys)) and all(key.startswith("gallery.") for key in keys)
    for stage in file["stages"]:
        for record in [stage, *stage["rules"], *stage["triggers"]]:
            assert set(record["translations"]) == {"fr_FR", "pl_PL"}, f"{name}: {record['name']}"
            for texts in record["translations"].values():
                assert texts.keys() == {field for field in ("name", "summary", "body") if field in record}
                for field, text in texts.items():
                    assert sorted(EXPRESSION.findall(text)) == sorted(EXPRESSION.findall(record[field])), text


def rule(file):
    return file["stages"][0]["rules"][0]


@pytest.mark.parametrize(("file", "code", "path", "detail"), [
    ([], "object", "", None),
    (changed(lambda f: f.update(format="odoo.pipeline")), "format", "format", "odoo.pipeline"),
    (changed(lambda f: f.pop("format")), "format", "format", None),
    (changed(lambda f: f.update(version=0)), "version", "version", 0),
    (changed(lambda f: f.update(version=True)), "version", "version", True),
    (changed(lambda f: f.update(version=2)), "newer", "version", 2),
    (changed(lambda f: f.pop("stages")), "missing", "", "stages"),
    (changed(lambda f: f.update(extra=1)), "unknown", "", "extra"),
    (changed(lambda f: f["constants"].append({"name": "shop"})), "duplicate", "constants", "shop"),
    (changed(lambda f: f["constants"][0].update(value=3)), "type", "constants[0].value", 3),
    (changed(lambda f: f["stages"].append({"name": "New"})), "duplicate", "stages", "New"),
    (changed(lambda f: f["stages"][1].update(is_won="yes")), "type", "stages[1].is_won", "yes"),
    (changed(lambda f: rule(f).pop("key")), "missing", "stages[0].rules[0]", "key"),
    (changed(lambda f: rule(f).update(key=" ")), "type", "stages[0].rules[0].key", " "),
    (changed(lambda f: rule(f).pop("action")), "missing", "stages[0].rules[0]", "action"),
    (changed(lambda f: rule(f).update(action="teleport")), "action", "stages[0].rules[0].action", "teleport"),
    (changed(lambda f: rule(f).update(timing="later")), "choice", "stages[0].rules[0].timing", "later"),
    (changed(lambda f: rule(f).update(delay=1.5)), "type", "stages[0].rules[0].delay", 1.5),
    (changed(lambda f: rule(f).update(delay=True)), "type", "stages[0].rules[0].delay", True),
    (changed(lambda f: rule(f).update(delay=2 ** 31)), "type", "stages[0].rules[0].delay", 2 ** 31),
    (changed(lambda f: rule(f).update(after_previous=1)), "type", "stages[0].rules[0].after_previous", 1),
    (changed(lambda f: rule(f).update(secret="x")), "unknown", "stages[0].rules[0]", "secret"),
    (changed(lambda f: rule(f).update(recipient_user_ids={"login": "admin"})), "type",
     "stages[0].rules[0].recipient_user_ids", {"login": "admin"}),
    (changed(lambda f: rule(f).update(recipient_user_ids=[{"id": 2}])), "reference",
     "stages[0].rules[0].recipient_user_ids[0]", "id"),
    (changed(lambda f: rule(f).update(date_field_id={"name": "date_deadline"})), "reference",
     "stages[0].rules[0].date_field_id", "field"),
    (changed(lambda f: rule(f).update(target_stage_id={"stage": 3})), "type",
     "stages[0].rules[0].target_stage_id.stage", 3),
    (changed(lambda f: rule(f).update(values=[{"field": "priority", "value": 2}])), "type",
     "stages[0].rules[0].values[0].value", 2),
    (changed(lambda f: rule(f).update(translations={"fr_FR": {"delay": "3"}})), "unknown",
     "stages[0].rules[0].translations.fr_FR", "delay"),
    (changed(lambda f: f["stages"][0]["rules"].append(copy.deepcopy(rule(f)))), "duplicate", "rules", "a"),
    (changed(lambda f: f["stages"][1]["triggers"][0].update(values=[])), "unknown", "stages[1].triggers[0]", "values"),
])
def test_bad_files_are_refused_saying_why_and_where(file, code, path, detail):
    with pytest.raises(transfer.FileError) as caught:
        check(file)
    assert (caught.value.code, caught.value.path) == (code, path)
    if detail is not None:
        assert caught.value.detail == detail


def test_empty_values_pass_as_empty():
    check(changed(lambda f: rule(f).update(body=False, date_field_id=None, recipient_user_ids=None)))


def test_texts_are_read_in_the_language_else_in_another_variant_of_it():
    translations = {"fr_FR": {"name": "Relance"}, "pl_PL": {"name": "Przypomnienie"}}
    assert transfer.texts_in(translations, "pl_PL") == {"name": "Przypomnienie"}
    assert transfer.texts_in(translations, "fr_BE") == {"name": "Relance"}
    assert transfer.texts_in(translations, "de_DE") == {}
    assert transfer.texts_in(None, "fr_FR") == {}
