import { Component, onWillStart, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";

/**
 * Copy a rule to a stage of any pipeline, or a stage's rules or a whole
 * pipeline's automation to another pipeline. A stage or pipeline copy keeps a
 * stage both pipelines use and matches the others by position: what it would
 * create is shown, and written only once confirmed.
 */
export class CopyDialog extends Component {
    static template = "stage_automation.CopyDialog";
    static components = { Dialog };
    static props = {
        team: Object,
        teams: Array,
        rule: { type: Object, optional: true },
        stage: { type: Object, optional: true },
        close: Function,
    };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        // A rule is copied within its pipeline unless told otherwise.
        const targetTeamId = this.props.rule ? this.props.team.id : this.targetTeams[0]?.id;
        this.state = useState({ targetTeamId, stages: [], stageId: false, preview: null });
        onWillStart(() => this.loadTarget());
    }

    get title() {
        if (this.props.rule) {
            return _t("Copy “%(rule)s”", { rule: this.props.rule.name });
        }
        if (this.props.stage) {
            return _t("Copy the rules of “%(stage)s”", { stage: this.props.stage.name });
        }
        return _t("Copy the automation of “%(pipeline)s”", { pipeline: this.props.team.name });
    }

    /** A rule may go to any stage, this pipeline's too; a stage or a pipeline goes to another pipeline. */
    get targetTeams() {
        return this.props.rule ? this.props.teams : this.props.teams.filter((t) => t.id !== this.props.team.id);
    }

    get canCopy() {
        return this.props.rule ? Boolean(this.state.stageId) : Boolean(this.state.preview?.count);
    }

    async loadTarget() {
        const teamId = this.state.targetTeamId;
        if (!teamId) {
            return;
        }
        if (this.props.rule) {
            this.state.stages = await this.orm.call("stage.automation.board", "get_stages", [teamId]);
            const same = this.state.stages.find((s) => s.id === this.props.stage.id);
            this.state.stageId = (same || this.state.stages[0])?.id || false;
        } else {
            this.state.preview = await this.orm.call("stage.automation.board", "preview_copy", [
                this.props.team.id,
                teamId,
                this.props.stage?.id || false,
            ]);
        }
    }

    onChangeTeam(ev) {
        this.state.targetTeamId = parseInt(ev.target.value);
        return this.loadTarget();
    }

    onChangeStage(ev) {
        this.state.stageId = parseInt(ev.target.value);
    }

    async confirm() {
        let message = _t("The rule was copied.");
        if (this.props.rule) {
            await this.orm.call("stage.automation.board", "copy_rule", [
                this.props.rule.id,
                this.props.team.id,
                this.state.targetTeamId,
                this.state.stageId,
            ]);
        } else {
            const count = await this.orm.call("stage.automation.board", "apply_copy", [
                this.props.team.id,
                this.state.targetTeamId,
                this.props.stage?.id || false,
            ]);
            message = _t("%(count)s rules and triggers copied.", { count });
        }
        this.notification.add(message, { type: "success" });
        this.props.close();
    }
}
