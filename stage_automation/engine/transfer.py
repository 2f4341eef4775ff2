"""The file a pipeline's automation is exported to and imported from: its format, its version, and the
checks a file passes before anything of it is read into a database.

Pure Python, no Odoo import. The transfer model describes the fields of
rules and triggers (:class:`Schema`, built from the models' fields) and
words the errors: :func:`check_file` raises :class:`FileError` with a code
and the place in the file, never a sentence.

A file is one JSON object::

    {"format": "stage_automation.pipeline", "version": 1, "pipeline": "Sales",
     "constants": [{"name", "value", "description"}],
     "stages": [{"name", "is_won", "translations", "triggers": [...], "rules": [...]}]}

A rule or a trigger is ``{"key": ..., <field>: <value>, ..., "translations": {lang: {field: text}}}``,
a rule also has ``"values"``: ``[{"field": name, "value": text}]``. References to other records are
objects: ``{"xmlid", "name", "login"}`` for a record, ``{"model", "name"}`` for a field,
``{"stage": name}`` for a stage of the file, ``{"rule": key}`` for a rule of the file.
"""

from dataclasses import dataclass, field

FORMAT = "stage_automation.pipeline"
# The major version this reader writes; it reads every version up to it (see readme/USAGE.md).
VERSION = 1

# Kinds of field values, and the keys of each kind of reference.
SCALARS = {
    "text": (str,),
    "integer": (int,),
    "float": (int, float),
    "boolean": (bool,),
    "selection": (str,),
}
REFERENCE_KEYS = {
    "record": {"xmlid", "name", "login"},
    "field": {"model", "name"},
    "stage": {"stage"},
    "rule": {"rule"},
}
FILE_KEYS = {"format", "version", "pipeline", "constants", "stages"}
STAGE_KEYS = {"name", "is_won", "translations", "triggers", "rules"}
CONSTANT_KEYS = {"name", "value", "description"}
VALUE_KEYS = {"field", "value"}
MAX_KEY_LENGTH = 64
INTEGERS = range(-(2 ** 31), 2 ** 31)  # what PostgreSQL stores in an integer column


class FileError(ValueError):
    """The file cannot be imported. ``code`` says why (the caller words it), ``path`` where
    (``stages[2].rules[0].delay``), ``detail`` the offending key or value.

    Codes: ``json`` (not JSON), ``object`` (not an object where one is expected), ``format`` (not a
    file of this format), ``version`` (not a version number), ``newer`` (written by a newer major
    version), ``missing`` (a required key is absent), ``unknown`` (a key this database does not
    know), ``type`` (a value of the wrong type), ``choice`` (a value outside the field's choices),
    ``action`` (an action this database does not have), ``duplicate`` (a key or a stage name given
    twice), ``reference`` (a reference without the keys of its kind).
    """

    def __init__(self, code, path="", detail=""):
        super().__init__(code, path, detail)
        self.code = code
        self.path = path
        self.detail = detail


@dataclass(frozen=True)
class Kind:
    """What one field of a rule or a trigger holds in the file: ``kind`` is a scalar (``text``,
    ``integer``, ``float``, ``boolean``, ``selection``) or a reference (``record``, ``field``,
    ``stage``, ``rule``); ``many`` for a list of references; ``choices`` of a selection."""

    kind: str
    many: bool = False
    choices: frozenset = frozenset()


@dataclass(frozen=True)
class Schema:
    """The fields rules and triggers have in this database, and those whose texts are translated."""

    rule: dict = field(default_factory=dict)
    trigger: dict = field(default_factory=dict)
    rule_translated: frozenset = frozenset()
    trigger_translated: frozenset = frozenset()


def check_file(data, schema):
    """Raise :class:`FileError` unless ``data`` (parsed JSON) is a file this database can import.

    Everything is checked before anything is read: the format and version,
    every key and the type of every value, the actions and choices, the
    references' shape, and that keys and stage names are unique.
    """
    _check_object(data, "")
    if data.get("format") != FORMAT:
        raise FileError("format", "format", data.get("format"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FileError("version", "version", version)
    if version > VERSION:
        raise FileError("newer", "version", version)
    _check_keys(data, FILE_KEYS, "", required={"stages"})
    if data.get("pipeline") is not None:
        _check_type(data["pipeline"], (str,), "pipeline")
    for index, constant in enumerate(_list(data, "constants", "")):
        path = f"constants[{index}]"
        _check_object(constant, path)
        _check_keys(constant, CONSTANT_KEYS, path, required={"name"})
        for key in CONSTANT_KEYS & constant.keys():
            _check_optional(constant[key], (str,), f"{path}.{key}")
    _unique([constant["name"] for constant in data.get("constants") or []], "constants")
    rule_keys, trigger_keys, names = [], [], []
    for index, stage in enumerate(_list(data, "stages", "")):
        path = f"stages[{index}]"
        _check_object(stage, path)
        _check_keys(stage, STAGE_KEYS, path, required={"name"})
        _check_type(stage["name"], (str,), f"{path}.name")
        names.append(stage["name"])
        if "is_won" in stage:
            _check_type(stage["is_won"], (bool,), f"{path}.is_won")
        _check_translations(stage, {"name"}, path)
        for position, trigger in enumerate(_list(stage, "triggers", path)):
            trigger_keys.append(_check_record(
                trigger, schema.trigger, schema.trigger_translated, f"{path}.triggers[{position}]", set()))
        for position, rule in enumerate(_list(stage, "rules", path)):
            rule_path = f"{path}.rules[{position}]"
            rule_keys.append(_check_record(rule, schema.rule, schema.rule_translated, rule_path, {"values"}))
            if "action" not in rule:
                raise FileError("missing", rule_path, "action")
            for line_index, line in enumerate(_list(rule, "values", rule_path)):
                line_path = f"{rule_path}.values[{line_index}]"
                _check_object(line, line_path)
                _check_keys(line, VALUE_KEYS, line_path, required={"field"})
                _check_type(line["field"], (str,), f"{line_path}.field")
                _check_optional(line.get("value"), (str,), f"{line_path}.value")
    _unique(names, "stages")
    _unique(rule_keys, "rules")
    _unique(trigger_keys, "triggers")


def texts_in(translations, lang):
    """The texts of a record's ``translations`` (``{lang: {field: text}}``) in ``lang``, else in another
    variant of its language (fr_FR for fr_BE); empty when the file has none."""
    translations = translations or {}
    return translations.get(lang) or next(
        (texts for code, texts in translations.items() if code.split("_")[0] == lang.split("_")[0]), {})


def _check_record(record, fields, translated, path, extra):
    """A rule or a trigger (``extra``: its keys besides its fields): its key, its known fields with
    values of their kind; returns its key."""
    _check_object(record, path)
    _check_keys(record, set(fields) | {"key", "translations"} | extra, path, required={"key", "name"})
    key = record["key"]
    _check_type(key, (str,), f"{path}.key")
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise FileError("type", f"{path}.key", key)
    for name, value in record.items():
        if name in fields:
            _check_value(value, fields[name], f"{path}.{name}", action=name == "action")
    _check_translations(record, translated, path)
    return key


def _check_value(value, kind, path, action=False):
    if value is None or value is False and kind.kind != "boolean":
        return  # empty
    if kind.kind in SCALARS:
        _check_type(value, SCALARS[kind.kind], path)
        if kind.kind == "integer" and value not in INTEGERS:
            raise FileError("type", path, value)
        if kind.kind == "selection" and value not in kind.choices:
            raise FileError("action" if action else "choice", path, value)
        return
    if kind.many:
        _check_type(value, (list,), path)
        for index, reference in enumerate(value):
            _check_reference(reference, kind.kind, f"{path}[{index}]")
    else:
        _check_reference(value, kind.kind, path)


def _check_reference(reference, kind, path):
    _check_object(reference, path)
    keys = REFERENCE_KEYS[kind]
    if not reference or reference.keys() - keys:
        raise FileError("reference", path, ", ".join(sorted(reference.keys() - keys)) or kind)
    if kind == "field" and set(reference) != keys:
        raise FileError("reference", path, kind)
    for key, value in reference.items():
        _check_type(value, (str,), f"{path}.{key}")


def _check_translations(record, translated, path):
    translations = record.get("translations")
    if translations is None:
        return
    _check_object(translations, f"{path}.translations")
    for lang, texts in translations.items():
        lang_path = f"{path}.translations.{lang}"
        _check_object(texts, lang_path)
        _check_keys(texts, translated, lang_path)
        for name, text in texts.items():
            _check_type(text, (str,), f"{lang_path}.{name}")


def _check_object(value, path):
    if not isinstance(value, dict):
        raise FileError("object", path)


def _check_keys(record, allowed, path, required=()):
    for key in required:
        if key not in record:
            raise FileError("missing", path, key)
    unknown = sorted(key for key in record if key not in allowed)
    if unknown:
        raise FileError("unknown", path, unknown[0])


def _check_type(value, types, path):
    if not isinstance(value, types) or isinstance(value, bool) and bool not in types:
        raise FileError("type", path, value)


def _check_optional(value, types, path):
    if value is not None and value is not False:
        _check_type(value, types, path)


def _list(record, key, path):
    value = record.get(key)
    if value is None:
        return []
    _check_type(value, (list,), f"{path}.{key}" if path else key)
    return value


def _unique(values, path):
    seen = set()
    for value in values:
        if value in seen:
            raise FileError("duplicate", path, value)
        seen.add(value)
