import json
import uuid

from markupsafe import Markup

from odoo import Command, _, api, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.models import MAGIC_COLUMNS
from odoo.tools import clean_context

from ..engine import transfer as engine

# Fields that place a rule or a trigger in a database (pipeline, stage, company, order) rather than say
# what it does: the file gives them by its structure, the import by the target pipeline.
PLACEMENT_FIELDS = {"stage_id", "team_id", "company_id", "sequence", "value_ids"}
SCALAR_KINDS = {"char": "text", "text": "text", "html": "text", "integer": "integer", "float": "float",
                "boolean": "boolean"}
REFERENCE_KINDS = {"crm.stage": "stage", "stage.automation.rule": "rule", "ir.model.fields": "field"}
RULE = "stage.automation.rule"
TRIGGER = "stage.automation.trigger"


class _DryRun(Exception):  # noqa: N818 - a signal that rolls the preview back
    """Raised at the end of a preview to roll back what it wrote, carrying the report."""

    def __init__(self, report):
        super().__init__()
        self.report = report


class StageAutomationTransfer(models.AbstractModel):
    """A pipeline's automation as one versioned JSON file: its stages' rules in order with their
    parameters, its triggers (never their secrets) and its constants (format: ``engine/transfer.py``,
    readme/USAGE.md).

    Everything runs with the caller's rights: the rule and trigger models'
    own checks apply to what an import writes, as if the caller typed it.
    An import maps stages by name (or as the caller says), other records by
    external id then by name, and matches the rules and triggers already
    imported by their key, so that importing a file again updates them.
    A preview is the import itself, rolled back: it reports exactly what
    the import would do.
    """

    _name = "stage.automation.transfer"
    _description = "Stage Automation Export and Import"

    # ------------------------------------------------------------
    # PUBLIC API (board, wizards, XML-RPC)
    # ------------------------------------------------------------

    @api.model
    def export_pipeline(self, team_id):
        """The automation of pipeline ``team_id`` as the file's JSON object."""
        self = self.with_context(clean_context(self.env.context))
        board = self.env["stage.automation.board"]
        self.env[RULE].check_access("read")
        team = board._pipeline(team_id)
        stages = board._stages(team).with_context(lang="en_US")
        rules = board._rules(team, stages).with_context(lang="en_US")
        triggers = board._triggers(team, stages).with_context(lang="en_US")
        constants = self.env["stage.automation.constant"].search([("team_id", "=", team.id)])
        return {
            "format": engine.FORMAT,
            "version": engine.VERSION,
            "pipeline": team.with_context(lang="en_US").name,
            "constants": [{
                "name": constant.name, "value": constant.value or "", "description": constant.description or "",
            } for constant in constants],
            "stages": [self._export_stage(stage, rules, triggers) for stage in stages],
        }

    @api.model
    def _dumps(self, data):
        """The file's text: indented JSON, in UTF-8 characters."""
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @api.model
    def import_preview(self, team_id, data, stage_map=None):
        """What :meth:`import_pipeline` would do, and what it could not map; nothing is written.

        :param data: the file (its JSON text or the object)
        :param stage_map: ``{stage name of the file: stage id of the pipeline, or False to leave it out}``;
          stages left out of it are matched by name
        :return: the report (see :meth:`_import`)
        """
        try:
            with self.env.cr.savepoint():
                raise _DryRun(self._import(team_id, data, stage_map))
        except _DryRun as dry_run:
            return dry_run.report

    @api.model
    def import_pipeline(self, team_id, data, stage_map=None):
        """Import the file into pipeline ``team_id``; returns the report of what was done.

        :raise UserError: the file is not one this database can read; nothing is written
        :raise AccessError: the caller may not create what the file holds; nothing is written
        """
        with self.env.cr.savepoint():
            return self._import(team_id, data, stage_map)

    @api.model
    def read_file(self, data):
        """The file's object, checked; ``data`` is its JSON text or the object.

        :raise UserError: with a sentence saying what is wrong and where
        """
        if isinstance(data, bytes):
            data = data.decode("utf-8", errors="replace")
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError as error:
                raise UserError(_("The file is not JSON: %(error)s.", error=error)) from error
        try:
            engine.check_file(data, self._schema())
        except engine.FileError as error:
            raise UserError(self._file_error_message(error)) from error
        return data

    # ------------------------------------------------------------
    # EXPORT
    # ------------------------------------------------------------

    def _export_stage(self, stage, rules, triggers):
        entry = {"name": stage.name}
        if stage.is_won:
            entry["is_won"] = True
        entry.update(self._translations(stage, ["name"]))
        entry["triggers"] = [self._export_record(trigger) for trigger in triggers if trigger.stage_id == stage]
        entry["rules"] = [self._export_record(rule) for rule in rules if rule.stage_id == stage]
        return entry

    def _export_record(self, record):
        """A rule or a trigger (read in English) as the file holds it: its key, then each field that
        differs from a new record's default (the name and the action always), its value lines and
        translations."""
        fields = self._transfer_fields(record._name)
        defaults = self._defaults(record._name)
        entry = {"key": self._key(record)}
        for name, field in fields.items():
            if name in ("name", "action") or not self._is_default(record, field, defaults.get(name)):
                entry[name] = self._export_value(record, field)
        if record._name == RULE and record.value_ids:
            entry["values"] = [{"field": line.field_id.name, "value": line.value or ""} for line in record.value_ids]
        entry.update(self._translations(record, [name for name, field in fields.items()
                                                 if field.translate and name in entry]))
        return entry

    def _export_value(self, record, field):
        value = record[field.name]
        if field.type == "many2one":
            return self._reference(field, value) if value else None
        if field.type == "many2many":
            return [self._reference(field, one) for one in value]
        return value

    def _reference(self, field, record):
        """How the file names ``record``: a stage or a rule of the file, a field, or a record by its
        external id and names (read above the exporter's rights: only what the rule already shows)."""
        kind = REFERENCE_KINDS.get(field.comodel_name, "record")
        if kind == "stage":
            return {"stage": record.with_context(lang="en_US").name}
        if kind == "rule":
            return {"rule": self._key(record)}
        if kind == "field":
            return {"model": record.model, "name": record.name}
        record = record.sudo().with_context(lang="en_US")
        reference = {}
        xmlid = _external_id(record)
        if xmlid:
            reference["xmlid"] = xmlid
        if record._name == "res.users":
            reference["login"] = record.login
        reference["name"] = record.display_name
        return reference

    def _translations(self, record, names):
        """``{"translations": {lang: {field: text}}}`` of ``record`` (read in English) for the installed
        languages whose text differs from the English one (nothing when none does)."""
        translations = {}
        for lang in self._other_languages():
            translated = record.with_context(lang=lang)
            texts = {name: translated[name] for name in names if translated[name] and translated[name] != record[name]}
            if texts:
                translations[lang] = texts
        return {"translations": translations} if translations else {}

    def _other_languages(self):
        return [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]

    def _key(self, record):
        """The stable key of a rule or a trigger: the one it was imported with, else its external id (the
        same in every database that loaded it: a rule of the demo data, of another addon), else one made
        from the database and its id (the same at each export)."""
        if record.transfer_key:
            return record.transfer_key
        xmlid = _external_id(record)
        if xmlid:
            return xmlid
        database = uuid.UUID(self.env["ir.config_parameter"].sudo().get_param("database.uuid"))
        return str(uuid.uuid5(database, f"{record._name},{record.id}"))

    def _is_default(self, record, field, default):
        """Whether the record holds what an import fills in when the file leaves the field out."""
        return _same_value(record, field, _default_value(field, default))

    # ------------------------------------------------------------
    # SCHEMA: which fields travel, and what they hold
    # ------------------------------------------------------------

    def _transfer_fields(self, model):
        """``{name: field}`` of what a rule or a trigger does: the stored fields a copy keeps (so the
        fields of actions other addons add travel too), without placement; a trigger's code too. Secrets
        (tokens, signing secrets) and history are never copied, so never exported."""
        fields = {}
        for name, field in self.env[model]._fields.items():
            travels = field.copy or (model == TRIGGER and name == "code")
            if field.store and travels and name not in MAGIC_COLUMNS and name not in PLACEMENT_FIELDS \
                    and (field.type in SCALAR_KINDS or field.type in ("selection", "many2one", "many2many")):
                fields[name] = field
        return fields

    def _schema(self):
        rule_fields = self._transfer_fields(RULE)
        trigger_fields = self._transfer_fields(TRIGGER)
        return engine.Schema(
            rule={name: self._kind(field) for name, field in rule_fields.items()},
            trigger={name: self._kind(field) for name, field in trigger_fields.items()},
            rule_translated=frozenset(name for name, field in rule_fields.items() if field.translate),
            trigger_translated=frozenset(name for name, field in trigger_fields.items() if field.translate),
        )

    def _kind(self, field):
        if field.type in ("many2one", "many2many"):
            return engine.Kind(REFERENCE_KINDS.get(field.comodel_name, "record"), many=field.type == "many2many")
        if field.type == "selection":
            return engine.Kind("selection", choices=frozenset(field.get_values(self.env)))
        return engine.Kind(SCALAR_KINDS[field.type])

    def _defaults(self, model):
        return self.env[model].with_context(clean_context(self.env.context)).default_get(
            list(self._transfer_fields(model)))

    def _file_error_message(self, error):
        """The sentence for an :class:`engine.FileError`."""
        where, detail = error.path or _("the file"), error.detail
        messages = {
            "object": _("%(where)s must be a JSON object.", where=where),
            "format": _("This is not an automation file of Stage Automation (its format is “%(format)s”).",
                        format=detail),
            "version": _("The file has no valid version number."),
            "newer": _("The file was written by a newer version of Stage Automation (file version %(version)s, "
                       "this database reads up to %(supported)s): update the module first.",
                       version=detail, supported=engine.VERSION),
            "missing": _("%(where)s: “%(key)s” is missing.", where=where, key=detail),
            "unknown": _("%(where)s: “%(key)s” is not known in this database (is the module that provides it "
                         "installed?).", where=where, key=detail),
            "type": _("%(where)s: “%(value)s” is not a value of the expected type.", where=where, value=detail),
            "choice": _("%(where)s: “%(value)s” is not one of the choices of this field.", where=where, value=detail),
            "action": _("%(where)s: the action “%(value)s” does not exist in this database (is the module that "
                        "provides it installed?).", where=where, value=detail),
            "duplicate": _("%(where)s: “%(value)s” is given twice.", where=where, value=detail),
            "reference": _("%(where)s: not a reference to a record (%(detail)s).", where=where, detail=detail),
        }
        return messages.get(error.code) or _("%(where)s: the file cannot be read.", where=where)

    # ------------------------------------------------------------
    # IMPORT
    # ------------------------------------------------------------

    def _import(self, team_id, data, stage_map):
        """Write the file into pipeline ``team_id``; returns the report::

            {"pipeline": name,
             "stages": [{"name": file's stage, "target_id": id or False, "target": name or False}],
             "items": [{"type": "rule"|"trigger"|"constant", "name", "stage", "status", "active", "notes"}],
             "problems": [sentence], "counts": {status: number}}

        ``status`` is ``created``, ``updated``, ``unchanged`` or ``skipped``; ``active`` False for a
        rule or trigger imported archived because a reference of it was not found; ``notes`` say why.
        """
        self = self.with_context(clean_context(self.env.context))
        data = self.read_file(data)
        board = self.env["stage.automation.board"]
        team = board._pipeline(team_id)
        self.env[RULE].check_access("create")
        if any(stage.get("triggers") for stage in data["stages"]):
            self.env[TRIGGER].check_access("create")
        if data.get("constants"):
            self.env["stage.automation.constant"].check_access("create")
        stages = board._stages(team)
        mapping = self._map_stages(data, stages, stage_map or {})
        report = {
            "pipeline": team.name,
            "stages": [{"name": stage["name"], "target_id": mapping[stage["name"]].id,
                        "target": mapping[stage["name"]].name or False} for stage in data["stages"]],
            "items": [],
            "problems": [],
        }
        plan = _ImportPlan(self, team, stages, mapping, data)
        for constant in data.get("constants") or []:
            report["items"].append(self._import_constant(team, constant))
        for stage in data["stages"]:
            for trigger in stage.get("triggers") or []:
                report["items"].append(self._import_record(plan, TRIGGER, stage, trigger))
        for stage in data["stages"]:
            for rule in stage.get("rules") or []:
                report["items"].append(self._import_record(plan, RULE, stage, rule))
        report["problems"] = [f"{item['name']}: {note}" for item in report["items"] for note in item["notes"]]
        counts = dict.fromkeys(("created", "updated", "unchanged", "skipped"), 0)
        for item in report["items"]:
            counts[item["status"]] += 1
        report["counts"] = counts
        return report

    def _map_stages(self, data, stages, stage_map):
        """``{file's stage name: stage of the pipeline or an empty record}``: as ``stage_map`` says, else
        the stage of the same name (in English or in the user's language), else for a won stage the
        pipeline's won stage."""
        if not isinstance(stage_map, dict):
            raise UserError(_("The stage mapping must map the stage names of the file to stage ids."))
        names = {stage["name"] for stage in data["stages"]}
        unknown = sorted(map(str, set(stage_map) - names))
        if unknown:
            raise UserError(_("The file has no stage “%(stage)s”.", stage=unknown[0]))
        mapping = {}
        for stage in data["stages"]:
            name = stage["name"]
            if name in stage_map:
                target = stage_map[name] and stages.filtered(lambda s, target_id=stage_map[name]: s.id == target_id)
                if stage_map[name] and not target:
                    raise UserError(_("Stage %(id)s is not a stage of the pipeline.", id=stage_map[name]))
                mapping[name] = target or stages.browse()
            else:
                mapping[name] = self._stage_named(stages, stage)
        return mapping

    def _stage_named(self, stages, stage):
        """The stage of ``stages`` a stage of the file stands for, by name (the pipeline's own stages before
        the shared ones), or an empty record."""
        wanted = {stage["name"].casefold()} | {
            texts["name"].casefold() for texts in (stage.get("translations") or {}).values() if texts.get("name")}
        for candidate in stages.sorted(lambda s: not s.stage_automation_team_ids):
            names = {candidate.with_context(lang="en_US").name.casefold(), candidate.name.casefold()}
            if names & wanted:
                return candidate
        if stage.get("is_won"):
            return stages.filtered("is_won")[:1]
        return stages.browse()

    def _import_constant(self, team, constant):
        Constant = self.env["stage.automation.constant"]
        values = {"value": constant.get("value") or False, "description": constant.get("description") or False}
        existing = Constant.search([("team_id", "=", team.id), ("name", "=", constant["name"])])
        item = {"type": "constant", "name": constant["name"], "stage": False, "active": True, "notes": []}
        if not existing:
            self._save(item, lambda: Constant.create({"team_id": team.id, "name": constant["name"], **values}))
            return dict(item, status=item.get("status", "created"))
        if existing.value == values["value"] and existing.description == values["description"]:
            return dict(item, status="unchanged")
        self._save(item, lambda: existing.write(values))
        return dict(item, status=item.get("status", "updated"))

    def _import_record(self, plan, model, stage, entry):
        """Create or update one rule or trigger of the file; returns its line of the report."""
        item = {"type": "rule" if model == RULE else "trigger", "name": self._label(entry),
                "stage": self._label(stage), "active": True, "notes": []}
        target_stage = plan.mapping[stage["name"]]
        if not target_stage:
            return dict(item, status="skipped", notes=[_("its stage “%(stage)s” is not mapped to a stage of the "
                                                         "pipeline.", stage=stage["name"])])
        existing = plan.existing(model, entry["key"])
        if existing and not existing.team_id:
            return dict(item, status="skipped", notes=[_("it already applies to every pipeline: left as it is.")])
        values, notes = plan.values(model, entry, existing)
        if model == RULE:
            lines, line_notes = plan.value_lines(entry, existing)
            notes += line_notes
            if lines is not None:
                values["value_ids"] = lines
        if notes:
            values["active"] = False
        item["notes"] = notes
        item["active"] = values.get("active", existing.active if existing else True)
        placement = {}
        if not existing or existing.stage_id != target_stage:
            placement["stage_id"] = target_stage.id
        if model == RULE:
            sequence = plan.next_sequence(target_stage)
            if not existing or existing.sequence != sequence:
                placement["sequence"] = sequence
        else:
            values.pop("code", None)
            values.update(plan.trigger_code(entry, existing, item))
        translations = plan.translations(model, entry, existing)
        if existing and not values and not placement and not translations:
            plan.imported(model, entry["key"], existing)
            return dict(item, status="unchanged")

        def write():
            if existing:
                record = existing
                record.write({**values, **placement})
            else:
                record = self.env[model].with_context(lang="en_US").create({
                    **plan.company_values(), **values, **placement,
                    "team_id": plan.team.id, "transfer_key": entry["key"],
                })
            for (name, lang), text in translations.items():
                record.update_field_translations(name, {lang: text})
            plan.imported(model, entry["key"], record)

        self._save(item, write)
        if model == TRIGGER and item.get("status") != "skipped" and entry.get("trigger_type") == "webhook":
            item["notes"].append(_("generate its token on the trigger: tokens are never exported."))
        return dict(item, status=item.get("status") or ("updated" if existing else "created"))

    def _label(self, entry):
        """The name of a stage, rule or trigger of the file in the user's language, when the file has it."""
        return engine.texts_in(entry.get("translations"), self.env.lang or "en_US").get("name") or entry["name"]

    def _save(self, item, write):
        """Run ``write`` in a savepoint: a record the models refuse (a constraint, a missing parameter)
        is skipped with the reason, the others are written; a missing right stops the whole import."""
        try:
            with self.env.cr.savepoint():
                write()
        except AccessError:
            raise
        except (UserError, ValidationError) as error:
            item["status"] = "skipped"
            item["notes"].append(error.args[0])

    # ------------------------------------------------------------
    # REPORT
    # ------------------------------------------------------------

    @api.model
    def _report_html(self, report, preview=True):
        """The report as the wizard shows it: what each rule, trigger and constant becomes, and why."""
        statuses = {
            "created": _("will be created") if preview else _("created"),
            "updated": _("will be updated") if preview else _("updated"),
            "unchanged": _("unchanged"),
            "skipped": _("will be skipped") if preview else _("skipped"),
        }
        kinds = {"rule": _("Rule"), "trigger": _("Trigger"), "constant": _("Constant")}
        rows = Markup("").join(
            Markup("<tr class='%s'><td>%s</td><td>%s</td><td>%s</td><td>%s%s</td><td>%s</td></tr>") % (
                f"o_sa_transfer_{item['status']}", kinds[item["type"]], item["name"], item["stage"] or "",
                statuses[item["status"]],
                _(", archived") if not item["active"] and item["status"] != "skipped" else "",
                Markup("<br/>").join(item["notes"]))
            for item in report["items"])
        counts = report["counts"]
        summary = _("%(created)s to create, %(updated)s to update, %(unchanged)s unchanged, %(skipped)s skipped.",
                    **counts) if preview else \
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s skipped.", **counts)
        head = Markup("<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            _("Type"), _("Name"), _("Stage of the file"), _("Result"), _("Notes"))
        return Markup("<p class='o_sa_transfer_summary'>%s</p>"
                      "<table class='table table-sm o_sa_transfer_report'><thead>%s</thead><tbody>%s</tbody></table>"
                      ) % (summary, head, rows)


class _ImportPlan:
    """What one import knows while it writes: the target pipeline and its stages, the mapping, the rules
    and triggers already there (by key), the sequences given, the references found."""

    def __init__(self, transfer, team, stages, mapping, data):
        self.transfer = transfer
        self.env = transfer.env
        self.team = team
        self.stages = stages
        self.mapping = mapping
        board = self.env["stage.automation.board"]
        self.records = {
            RULE: {transfer._key(rule): rule for rule in board._rules(team, stages)},
            TRIGGER: {transfer._key(trigger): trigger for trigger in board._triggers(team, stages)},
        }
        self.fields = {model: transfer._transfer_fields(model) for model in (RULE, TRIGGER)}
        self.defaults = {model: transfer._defaults(model) for model in (RULE, TRIGGER)}
        self.done = {RULE: {}, TRIGGER: {}}
        self.sequences = {}
        self.languages = transfer._other_languages()
        keys = {rule["key"] for stage in data["stages"] for rule in stage.get("rules") or []}
        matched = [rule for key, rule in self.records[RULE].items() if key in keys]
        self.sequence_base = {}
        for rule in self.records[RULE].values():
            if rule not in matched:
                self.sequence_base[rule.stage_id] = max(self.sequence_base.get(rule.stage_id, 0), rule.sequence)

    def existing(self, model, key):
        return self.records[model].get(key)

    def imported(self, model, key, record):
        self.done[model][key] = record

    def next_sequence(self, stage):
        """Rules of the file follow the stage's other rules, in the file's order."""
        self.sequences[stage] = self.sequences.get(stage, self.sequence_base.get(stage, 0)) + 10
        return self.sequences[stage]

    def company_values(self):
        """A new rule or trigger belongs to the pipeline's company."""
        company = self.team.company_id
        return {"company_id": company.id} if company else {}

    # Values ----------------------------------------------------------------

    def values(self, model, entry, existing):
        """``(values to write, notes)``: the file's values mapped to this database (the defaults for
        what it leaves out), only those that differ from ``existing``; a note per reference not found."""
        values, notes = {}, []
        for name, field in self.fields[model].items():
            if name in entry:
                value = self._value(field, entry[name], notes)
            elif field.compute:
                continue  # left to compute (a variable name made from the action)
            else:
                value = _default_value(field, self.defaults[model].get(name))
            if not existing or not _same_value(existing, field, value):
                values[name] = [Command.set(value)] if field.type == "many2many" else value
        return values, notes

    def _value(self, field, value, notes):
        if field.type == "many2one":
            return self._resolve(field, value, notes).id if value else False
        if field.type == "many2many":
            return [record.id for one in value or [] for record in [self._resolve(field, one, notes)] if record]
        return value if value is not None else False

    def _resolve(self, field, reference, notes):
        """The record a reference of the file names, or an empty record and a note."""
        Model = self.env[field.comodel_name]
        kind = REFERENCE_KINDS.get(field.comodel_name, "record")
        if kind == "stage":
            found = self.mapping.get(reference["stage"]) or self.transfer._stage_named(
                self.stages, {"name": reference["stage"]})
        elif kind == "rule":
            # An earlier rule of the file, or one the pipeline has.
            found = self.done[RULE].get(reference["rule"]) or self.records[RULE].get(reference["rule"])
        elif kind == "field":
            found = Model.search([("model", "=", reference["model"]), ("name", "=", reference["name"])])
        else:
            found = self._find_record(Model, reference)
        if not found:
            notes.append(_("%(field)s “%(name)s” was not found: imported archived, without it.",
                           field=field._description_string(self.env), name=_reference_name(reference)))
        return found

    def _find_record(self, Model, reference):
        """By external id, then (users) by login, then by name; only records the importer may see."""
        if "." in reference.get("xmlid", ""):
            record = self.env.ref(reference["xmlid"], raise_if_not_found=False)
            if record is not None and record._name == Model._name:
                found = Model.search([("id", "=", record.id)])
                if found:
                    return found
        if Model._name == "res.users" and reference.get("login"):
            found = Model.search([("login", "=", reference["login"])])
            if found:
                return found
        name = reference.get("name")
        if name:
            found = Model.search([("display_name", "=", name)], limit=2).filtered(
                lambda record: record.display_name == name)
            if len(found) == 1:
                return found
        return Model.browse()

    def value_lines(self, entry, existing):
        """``(commands or None when unchanged, notes)`` for the rule's field value lines."""
        if "values" not in entry and not (existing and existing.value_ids):
            return None, []
        model = self.env[RULE].new({"action": entry["action"]})._value_model()
        lines, notes = [], []
        for line in entry.get("values") or []:
            field = self.env["ir.model.fields"].search([("model", "=", model), ("name", "=", line["field"])])
            if not field:
                notes.append(_("the field “%(field)s” of %(model)s was not found: imported archived, without "
                               "that line.", field=line["field"], model=model))
                continue
            lines.append((field, line.get("value") or False))
        if existing and [(line.field_id, line.value or False) for line in existing.value_ids] == lines:
            return None, notes
        return [Command.clear()] + [Command.create({"field_id": field.id, "value": value})
                                    for field, value in lines], notes

    def translations(self, model, entry, existing):
        """``{(field, lang): text}`` to write: for each installed language, the file's text in that
        language (or in another variant of it: fr_FR for fr_BE), when the record does not say it already."""
        result = {}
        for lang in self.languages:
            for name, text in engine.texts_in(entry.get("translations"), lang).items():
                if not existing or existing.with_context(lang=lang)[name] != text:
                    result[name, lang] = text
        return result

    def trigger_code(self, entry, existing, item):
        """The file's code for the trigger, unless another trigger has it: then a new one is made from the
        name (a new trigger), or the trigger keeps its own, said in the notes."""
        code = entry.get("code")
        if not code or existing and existing.code == code:
            return {}
        Trigger = self.env[TRIGGER].sudo().with_context(active_test=False)
        company = self.team.company_id
        domain = [("code", "=", code), ("id", "!=", existing.id if existing else 0)]
        if company:
            domain += ["|", ("company_id", "=", False), ("company_id", "=", company.id)]
        if not Trigger.search_count(domain):
            return {"code": code}
        item["notes"].append(_("the code “%(code)s” is used by another trigger: integrations must use this "
                               "trigger's own code.", code=code))
        return {}


def _default_value(field, default):
    """The value a new record gets for a field a file leaves out (``default``: from ``default_get``)."""
    if field.type == "many2many":
        return []
    return default if default is not None else False


def _same_value(record, field, value):
    """Whether ``record`` holds ``value`` (an id, a list of ids or a scalar, as the import writes it)."""
    current = record[field.name]
    if field.type == "many2one":
        return current.id == value
    if field.type == "many2many":
        return set(current.ids) == set(value)
    if field.type == "float":
        return abs((current or 0.0) - (value or 0.0)) < 1e-9
    return (current or False) == (value or False)


def _external_id(record):
    """The external id of ``record`` given by a module's data, if any (not one made by an export)."""
    return next((xmlid for xmlid in record.sudo()._get_external_ids().get(record.id, [])
                 if not xmlid.startswith("__")), None)


def _reference_name(reference):
    return reference.get("name") or reference.get("login") or reference.get("xmlid") \
        or reference.get("stage") or reference.get("rule") or ""
