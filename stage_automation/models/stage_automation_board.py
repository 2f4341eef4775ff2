from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import format_duration

from ..engine.lifecycle import OPEN_STATES
from .stage_automation_catalog import DEFAULT_ACTION_ICON, DEFAULT_TRIGGER_ICON


class StageAutomationBoard(models.AbstractModel):
    """The automation board of a pipeline: its stages in order, with the triggers leading into each and
    its rules in execution order, and the moves and copies made on it.

    Everything runs with the user's own rights: a reader gets the board, only
    those who may change rules move or copy them. A stage copy or a pipeline
    copy matches stages by position, and is previewed before it is applied.
    """

    _name = "stage.automation.board"
    _description = "Stage Automation Board"

    # ------------------------------------------------------------
    # READING
    # ------------------------------------------------------------

    @api.model
    def get_board(self, team_id=False):
        """Everything the board shows for pipeline ``team_id`` (the user's own, else the first, by default)."""
        Rule = self.env["stage.automation.rule"]
        Rule.check_access("read")
        teams = self.env["crm.team"].search([])
        team = self._pipeline(team_id) if team_id else (self.env.user.sale_team_id or teams[:1])
        stages = self._stages(team)
        rules = self._rules(team, stages)
        triggers = self._triggers(team, stages)
        rule_cards = self._rule_cards(rules, self._pending_counts(team, rules))
        trigger_cards = self._trigger_cards(triggers)
        return {
            "team": {"id": team.id, "name": team.name} if team else False,
            "teams": [{"id": t.id, "name": t.name} for t in teams],
            "can_edit": Rule.has_access("create"),
            "rule_view_id": self.env.ref("stage_automation.stage_automation_rule_view_form_board").id,
            "trigger_view_id": self.env.ref("stage_automation.stage_automation_trigger_view_form_board").id,
            "stages": [{
                "id": stage.id,
                "name": stage.name,
                "triggers": [card for card in trigger_cards if card["stage_id"] == stage.id],
                "rules": [card for card in rule_cards if card["stage_id"] == stage.id],
            } for stage in stages],
        }

    @api.model
    def get_catalog(self):
        """The actions and events the pickers offer, in groups, with a line of description each."""
        return {
            "actions": self.env["stage.automation.rule"]._action_picker_groups(),
            "triggers": self.env["stage.automation.trigger"]._trigger_picker_items(),
        }

    @api.model
    def get_stages(self, team_id):
        """The stages of pipeline ``team_id`` in its order, to choose where a rule is copied."""
        return [{"id": stage.id, "name": stage.name} for stage in self._stages(self._pipeline(team_id))]

    @api.model
    def get_placeholders(self, stage_id, team_id=False, sequence=10, rule_id=False):
        """What the texts of a rule at ``sequence`` in ``stage_id`` (``rule_id`` once saved) may insert: the
        lead's field paths the user may save (all of them for template editors), the constants of the
        pipeline and the variables the earlier rules of the stage publish."""
        Rule = self.env["stage.automation.rule"]
        Rule.check_access("read")
        stage = self._existing("crm.stage", stage_id)
        team = self._pipeline(team_id) if team_id else self.env["crm.team"]
        origin = self._existing("stage.automation.rule", rule_id) if rule_id else None
        rule = Rule.new({"stage_id": stage.id, "team_id": team.id, "sequence": sequence or 0}, origin=origin)
        is_editor = self.env.user.has_group("mail.group_mail_template_editor")
        return {
            # What Odoo's restricted rendering lets a non-editor save (see stage.automation.render.mixin).
            "allowed_expressions": False if is_editor else list(self.env["crm.lead"].mail_allowed_qweb_expressions()),
            "constants": [{"name": constant.name, "value": constant.value or "",
                           "description": constant.description or constant.team_id.name}
                          for constant in rule._pipeline_constants()],
            "variables": [{"name": name, "description": description, "rule": earlier.name}
                          for earlier in rule._earlier_rules()
                          for name, description in earlier._stage_automation_output_names().items()],
        }

    @api.model
    def action_pending_runs(self, rule_id, team_id):
        """The pending runs of a rule for the leads of the pipeline, as its card counts them."""
        rule = self._existing("stage.automation.rule", rule_id)
        action = self.env["ir.actions.actions"]._for_xml_id("stage_automation.stage_automation_run_action")
        action["domain"] = self._pending_domain(self._pipeline(team_id), rule)
        action["name"] = _("Pending runs of “%(rule)s”", rule=rule.name)
        action["context"] = {"create": False}
        return action

    def _pipeline(self, team_id):
        return self._existing("crm.team", team_id)

    def _existing(self, model, record_id):
        """The record ``record_id`` of ``model``, refused clearly when it is not one (deleted, mistyped)."""
        record = self.env[model].browse(record_id).exists() if isinstance(record_id, int) else None
        if not record:
            raise UserError(_("Record %(id)s does not exist (any more): reload the page.", id=record_id))
        record.check_access("read")
        return record

    def _stages(self, team):
        """The stages the pipeline shows, in its order (as its kanban lists them)."""
        return self.env["crm.stage"].search(
            ["|", ("stage_automation_team_ids", "=", False), ("stage_automation_team_ids", "in", team.ids)])

    def _rules(self, team, stages):
        """The rules of those stages that apply to the pipeline's leads, archived ones too, in execution order."""
        return self.env["stage.automation.rule"].with_context(active_test=False).search(
            [("stage_id", "in", stages.ids), ("team_id", "in", [False, team.id])])

    def _triggers(self, team, stages):
        return self.env["stage.automation.trigger"].with_context(active_test=False).search(
            [("stage_id", "in", stages.ids), ("team_id", "in", [False, team.id])])

    def _pending_domain(self, team, rules):
        return [("rule_id", "in", rules.ids), ("state", "in", OPEN_STATES), ("lead_id.team_id", "=", team.id)]

    def _pending_counts(self, team, rules):
        if not rules:
            return {}
        groups = self.env["stage.automation.run"]._read_group(
            self._pending_domain(team, rules), ["rule_id"], ["__count"])
        return {rule.id: count for rule, count in groups}

    def _rule_cards(self, rules, pending_counts):
        icons = {key: icon for key, (_group, icon, _description) in rules._action_catalog().items()}
        actions = dict(rules._fields["action"]._description_selection(self.env))
        return [{
            "id": rule.id,
            "stage_id": rule.stage_id.id,
            "name": rule.name,
            "sequence": rule.sequence,
            "active": rule.active,
            "action": actions.get(rule.action, rule.action),
            "icon": icons.get(rule.action, DEFAULT_ACTION_ICON),
            "timing": self._timing_badge(rule),
            "when": rule.when_text,
            "working_hours": rule.working_hours,
            "condition": rule._has_condition() and rule.filter_domain,
            "recipients": self._recipients_text(rule),
            "every_pipeline": not rule.team_id,
            "pending_count": pending_counts.get(rule.id, 0),
        } for rule in rules]

    def _trigger_cards(self, triggers):
        icons = {key: icon for key, (icon, _description) in triggers._trigger_catalog().items()}
        types = dict(triggers._fields["trigger_type"]._description_selection(self.env))
        return [{
            "id": trigger.id,
            "stage_id": trigger.stage_id.id,
            "name": trigger.name,
            "active": trigger.active,
            "type": types.get(trigger.trigger_type, trigger.trigger_type),
            "icon": icons.get(trigger.trigger_type, DEFAULT_TRIGGER_ICON),
            "allow_backward": trigger.allow_backward,
            "every_pipeline": not trigger.team_id,
        } for trigger in triggers]

    def _timing_badge(self, rule):
        """When the rule runs, as short as a card allows: "now", "+2 days", "1 day before Expected Closing,
        09:00", "after previous" (the rule's form has the sentence)."""
        parts = [_("after previous")] if rule.after_previous else []
        amount = rule._delay_text()
        date_name = rule.date_field_id.field_description or _("a date")
        if rule.timing == "delay":
            parts.append(f"+{amount}")
        elif rule.timing == "before_date":
            parts.append(_("%(amount)s before %(date)s", amount=amount, date=date_name))
        elif rule.timing == "after_date":
            parts.append(_("%(amount)s after %(date)s", amount=amount, date=date_name))
        elif not rule.after_previous:
            parts.append(_("now"))
        if rule._timing().uses_time_of_day:
            parts.append(format_duration(rule.at_time))
        return ", ".join(parts)

    def _recipients_text(self, rule):
        """Who receives what the rule does, for the actions that have recipients."""
        if not rule.action_uses_recipients:
            return False
        if rule.recipient == "users":
            names = rule.recipient_user_ids.mapped("name")
        elif rule.recipient == "field":
            names = [rule.recipient_field_id.field_description]
        else:
            names = [dict(rule._fields["recipient"]._description_selection(self.env)).get(rule.recipient, "")]
        return ", ".join(names + rule.recipient_extra_user_ids.mapped("name"))

    # ------------------------------------------------------------
    # MOVING AND COPYING
    # ------------------------------------------------------------

    @api.model
    def move_rule(self, rule_id, team_id, stage_id, ordered_ids):
        """Put rule ``rule_id`` in stage ``stage_id`` of pipeline ``team_id``, at its place in
        ``ordered_ids`` (the stage's rules as the board now shows them, the moved one included).

        Only the moved rule gets a new sequence when its neighbours leave room;
        otherwise the stage's rules are renumbered, those already in place left
        untouched (each rule written gets the mover as its author). A rule for
        every pipeline of its stage, moved into a stage that pipelines it did not
        reach use too, becomes a rule of the board's pipeline.
        """
        self.env["stage.automation.rule"].check_access("write")
        team = self._pipeline(team_id)
        rule = self._board_rule(team, rule_id)
        stage = self._pipeline_stage(team, stage_id)
        column = self._rules(team, stage) - rule
        by_id = {other.id: other for other in column}
        ordered_ids = ordered_ids if isinstance(ordered_ids, list) else []
        unknown = [other_id for other_id in ordered_ids if other_id != rule.id and other_id not in by_id]
        if unknown or rule.id not in ordered_ids or len(set(ordered_ids)) != len(ordered_ids):
            raise UserError(_("The board is out of date: reload it and move the rule again."))
        ordered = [by_id[other_id] if other_id != rule.id else rule for other_id in ordered_ids]
        ordered += [other for other in column if other not in ordered]
        values = self._sequences(ordered, rule)
        if stage != rule.stage_id:
            moved = values.setdefault(rule, {})
            moved["stage_id"] = stage.id
            before, after = rule.stage_id.stage_automation_team_ids, stage.stage_automation_team_ids
            if not rule.team_id and before and (not after or after - before):
                moved["team_id"] = team.id  # a stage other pipelines use too: the rule reaches no new one
        for record, vals in values.items():
            record.write(vals)
        return True

    def _sequences(self, ordered, moved):
        """``{rule: {"sequence": n}}`` that puts the rules in ``ordered`` order, writing as few as possible."""
        index = ordered.index(moved)
        low = ordered[index - 1].sequence if index > 0 else None
        high = ordered[index + 1].sequence if index + 1 < len(ordered) else None
        if high is None:
            values = {moved: {"sequence": low + 10}} if low is not None and moved.sequence <= low else {}
        elif low is None and high > 0:
            values = {moved: {"sequence": high - 1}} if moved.sequence >= high else {}
        elif low is not None and low < moved.sequence < high:
            values = {}
        elif low is not None and high - low >= 2:
            values = {moved: {"sequence": (low + high) // 2}}
        else:
            values = {rule: {"sequence": (position + 1) * 10} for position, rule in enumerate(ordered)
                      if rule.sequence != (position + 1) * 10}
        return values

    @api.model
    def copy_rule(self, rule_id, team_id, target_team_id, stage_id):
        """Copy one rule of pipeline ``team_id`` to the end of stage ``stage_id`` of pipeline ``target_team_id``."""
        self.env["stage.automation.rule"].check_access("create")
        rule = self._board_rule(self._pipeline(team_id), rule_id)
        target_team = self._pipeline(target_team_id)
        stage = self._pipeline_stage(target_team, stage_id)
        return self._copy_rules(rule, stage, target_team).id

    @api.model
    def preview_copy(self, team_id, target_team_id, stage_id=False):
        """What copying the automation of pipeline ``team_id`` (or only the rules of its stage ``stage_id``)
        to pipeline ``target_team_id`` would write; nothing is written.

        A stage both pipelines use is its own counterpart; the others are matched
        by position, the n-th of one pipeline's own stages with the n-th of the
        other's. Returns ``{lines: [{stage, target_stage, rules,
        triggers}], skipped: [sentence], count}``.
        """
        plan = self._copy_plan(team_id, target_team_id, stage_id)
        lines = [{
            "stage": source.name,
            "target_stage": target.name if target else False,
            "rules": rules.mapped("name"),
            "triggers": triggers.mapped("name"),
        } for source, target, rules, triggers in plan["lines"]]
        return {"lines": lines, "skipped": plan["skipped"],
                "count": sum(len(rules) + len(triggers) for _s, target, rules, triggers in plan["lines"] if target)}

    @api.model
    def apply_copy(self, team_id, target_team_id, stage_id=False):
        """Copy what :meth:`preview_copy` shows; returns the number of rules and triggers created."""
        plan = self._copy_plan(team_id, target_team_id, stage_id)
        target_team = plan["target_team"]
        count = 0
        for _source, target, rules, triggers in plan["lines"]:
            if target:
                count += len(self._copy_rules(rules, target, target_team))
                count += len(self._copy_triggers(triggers, target, target_team))
        return count

    def _copy_plan(self, team_id, target_team_id, stage_id):
        """The stage pairs of a copy and what each copies; a rule or a trigger that already applies to
        every pipeline in a stage both pipelines share is left out, said in ``skipped``."""
        self.env["stage.automation.rule"].check_access("create")
        team = self._pipeline(team_id)
        target_team = self._pipeline(target_team_id)
        if target_team == team:
            raise UserError(_("Choose another pipeline to copy to."))
        stages = self._stages(team)
        target_stages = self._stages(target_team)
        sources = self._pipeline_stage(team, stage_id) if stage_id else stages
        rules = self._rules(team, stages)
        triggers = self.env["stage.automation.trigger"] if stage_id else self._triggers(team, stages)
        counterparts = {stage: stage for stage in stages & target_stages}
        counterparts.update(zip(stages - target_stages, target_stages - stages, strict=False))  # the shorter ends it
        lines, skipped = [], []
        for source in sources:
            target = counterparts.get(source)
            stage_rules = rules.filtered(lambda r, s=source: r.stage_id == s)
            stage_triggers = triggers.filtered(lambda t, s=source: t.stage_id == s)
            shared_rules, shared_triggers = rules.browse(), triggers.browse()
            if target == source:  # what applies to every pipeline already applies in a stage both share
                shared_rules = stage_rules.filtered(lambda r: not r.team_id)
                shared_triggers = stage_triggers.filtered(lambda t: not t.team_id)
            skipped += [self.env._("“%(name)s” already applies to every pipeline in stage “%(stage)s”.",
                                   name=record.name, stage=source.name)
                        for record in (*shared_rules, *shared_triggers)]
            lines.append((source, target, stage_rules - shared_rules, stage_triggers - shared_triggers))
            if not target:
                skipped.append(_("Stage “%(stage)s” has no counterpart in pipeline “%(pipeline)s”: nothing of it "
                                 "is copied.", stage=source.name, pipeline=target_team.name))
        return {"target_team": target_team, "lines": lines, "skipped": skipped}

    def _copy_rules(self, rules, stage, team):
        """Copies of ``rules`` at the end of ``stage``, for pipeline ``team``, in their order."""
        last = self._rules(team, stage)[-1:].sequence or 0
        copies = self.env["stage.automation.rule"]
        for position, rule in enumerate(rules, start=1):
            copies |= rule.copy({"stage_id": stage.id, "team_id": team.id, "sequence": last + 10 * position})
        return copies

    def _copy_triggers(self, triggers, stage, team):
        copies = self.env["stage.automation.trigger"]
        for trigger in triggers:
            copies |= trigger.copy({"stage_id": stage.id, "team_id": team.id})
        return copies

    def _board_rule(self, team, rule_id):
        """Rule ``rule_id``, refused unless the board of ``team`` shows it."""
        rule = self._existing("stage.automation.rule", rule_id)
        if rule.team_id not in (team, self.env["crm.team"]) or rule.stage_id not in self._stages(team):
            raise UserError(_("Rule “%(rule)s” is not part of pipeline “%(pipeline)s”.",
                              rule=rule.name, pipeline=team.name))
        return rule

    def _pipeline_stage(self, team, stage_id):
        """Stage ``stage_id``, refused unless pipeline ``team`` uses it."""
        stage = self._existing("crm.stage", stage_id)
        if stage not in self._stages(team):
            raise UserError(_("Stage “%(stage)s” is not a stage of pipeline “%(pipeline)s”.",
                              stage=stage.name, pipeline=team.name))
        return stage
