import { Component, onWillStart, useRef, useState } from "@odoo/owl";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useSortable } from "@web/core/utils/sortable_owl";
import { Layout } from "@web/search/layout";
import { FormViewDialog } from "@web/views/view_dialogs/form_view_dialog";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { CopyDialog } from "./copy_dialog";
import { PickerDialog } from "./picker_dialog";

/**
 * The automation board of a pipeline: one column per stage, the triggers that
 * lead into it, then its rules in execution order. Rules and triggers are
 * added and edited in place (the model's own form views in a dialog, saved at
 * once), dragged to reorder or move them, and copied to other stages or
 * pipelines. The server decides what a user may do (see stage.automation.board).
 */
export class StageAutomationBoard extends Component {
    static template = "stage_automation.Board";
    static components = { Layout, Dropdown, DropdownItem };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.dialog = useService("dialog");
        this.state = useState({ board: null });
        this.rootRef = useRef("root");
        onWillStart(async () => {
            [this.catalog] = await Promise.all([
                this.orm.call("stage.automation.board", "get_catalog", []),
                this.load(this.initialTeamId()),
            ]);
        });
        useSortable({
            enable: () => Boolean(this.state.board?.can_edit),
            ref: this.rootRef,
            elements: ".o_sa_rule",
            groups: ".o_sa_rules",
            connectGroups: true,
            ignore: ".dropdown, button",
            cursor: "move",
            onDrop: (params) => this.onRuleDrop(params),
        });
    }

    /** The pipeline the board was opened for: the pipeline's kanban or the sales team form say which. */
    initialTeamId() {
        const context = this.props.action.context || {};
        if (context.active_model === "crm.team" && context.active_id) {
            return context.active_id;
        }
        return context.default_team_id || false;
    }

    get board() {
        return this.state.board;
    }

    async load(teamId) {
        this.state.board = await this.orm.call("stage.automation.board", "get_board", [teamId]);
    }

    reload() {
        return this.load(this.board.team?.id || false);
    }

    onChangeTeam(ev) {
        return this.load(parseInt(ev.target.value));
    }

    // Rules ------------------------------------------------------------

    addRule(stage) {
        const title = _t("Add a rule to “%(stage)s”", { stage: stage.name });
        this.dialog.add(PickerDialog, {
            title,
            groups: this.catalog.actions,
            onSelect: (action) =>
                this.openForm("stage.automation.rule", false, title, {
                    default_action: action.key,
                    default_name: action.name,
                    default_sequence: (stage.rules.at(-1)?.sequence ?? 0) + 10,
                    ...this.defaults(stage),
                }),
        });
    }

    addTrigger(stage) {
        const title = _t("Add a trigger moving leads to “%(stage)s”", { stage: stage.name });
        this.dialog.add(PickerDialog, {
            title,
            groups: [{ key: "events", name: _t("Events"), actions: this.catalog.triggers }],
            onSelect: (event) =>
                this.openForm("stage.automation.trigger", false, title, {
                    default_trigger_type: event.key,
                    default_name: event.name,
                    ...this.defaults(stage),
                }),
        });
    }

    defaults(stage) {
        return { default_stage_id: stage.id, default_team_id: this.board.team?.id || false };
    }

    /** The rule or trigger form in a dialog; what it saves is stored at once, and the board shows it. */
    openForm(resModel, resId, title, context = {}) {
        const viewId =
            resModel === "stage.automation.rule" ? this.board.rule_view_id : this.board.trigger_view_id;
        this.dialog.add(
            FormViewDialog,
            {
                resModel,
                resId,
                viewId,
                title,
                context,
                preventEdit: !this.board.can_edit,
            },
            { onClose: () => this.reload() }
        );
    }

    /** The simulation dialog on ``stage``: the person picks a lead of the pipeline and reads what would happen. */
    simulate(stage) {
        return this.actionService.doAction("stage_automation.stage_automation_simulation_wizard_action", {
            additionalContext: this.defaults(stage),
        });
    }

    async openPendingRuns(rule) {
        const action = await this.orm.call("stage.automation.board", "action_pending_runs", [
            rule.id,
            this.board.team.id,
        ]);
        return this.actionService.doAction(action);
    }

    /** A rule dropped in a column (``parent``), between two of its rules or at one end. */
    async onRuleDrop({ element, parent, previous, next }) {
        const ruleId = parseInt(element.dataset.id);
        const stage = this.board.stages.find((s) => s.id === parseInt(parent.dataset.stageId));
        const ids = stage.rules.map((rule) => rule.id).filter((id) => id !== ruleId);
        const isRule = (el) => el && el.classList.contains("o_sa_rule");
        let index = ids.length;
        if (isRule(previous)) {
            index = ids.indexOf(parseInt(previous.dataset.id)) + 1;
        } else if (isRule(next)) {
            index = ids.indexOf(parseInt(next.dataset.id));
        }
        ids.splice(index, 0, ruleId);
        try {
            await this.orm.call("stage.automation.board", "move_rule", [
                ruleId,
                this.board.team.id,
                stage.id,
                ids,
            ]);
        } finally {
            await this.reload();
        }
    }

    // Copies ------------------------------------------------------------

    /** Copy ``rule`` of ``stage``, or the rules of ``stage``, or (neither given) the whole pipeline. */
    openCopy({ rule, stage } = {}) {
        this.dialog.add(
            CopyDialog,
            { team: this.board.team, teams: this.board.teams, rule, stage },
            { onClose: () => this.reload() }
        );
    }

    // Export, import, gallery ---------------------------------------------

    /** Open the export or import dialog, or the scenario gallery, for the board's pipeline. */
    openTransfer(xmlid) {
        return this.actionService.doAction(xmlid, {
            additionalContext: { default_team_id: this.board.team?.id || false },
            onClose: () => this.reload(),
        });
    }
}

registry.category("actions").add("stage_automation_board", StageAutomationBoard);
