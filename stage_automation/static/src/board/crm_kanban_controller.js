import { onWillStart } from "@odoo/owl";
import { crmKanbanView } from "@crm/views/crm_kanban/crm_kanban_view";
import { user } from "@web/core/user";
import { patch } from "@web/core/utils/patch";

/** The pipeline's kanban opens the automation board of the pipeline it shows (its team, else the user's). */
patch(crmKanbanView.Controller, { template: "stage_automation.CrmKanbanView" });

patch(crmKanbanView.Controller.prototype, {
    setup() {
        super.setup(...arguments);
        onWillStart(async () => {
            const groups = await Promise.all([
                user.hasGroup("stage_automation.group_stage_automation_lead_read"),
                user.hasGroup("stage_automation.group_stage_automation_opportunity_read"),
            ]);
            this.canSeeStageAutomation = groups.some(Boolean);
        });
    },

    openStageAutomationBoard() {
        return this.actionService.doAction("stage_automation.stage_automation_board_action", {
            additionalContext: { default_team_id: this.props.context.default_team_id || false },
        });
    },
});
