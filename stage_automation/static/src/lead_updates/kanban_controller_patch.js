import { crmKanbanView } from "@crm/views/crm_kanban/crm_kanban_view";
import { patch } from "@web/core/utils/patch";
import { useLeadUpdates } from "./lead_updates_hook";

/** The pipeline shows where rules moved a card and what they scheduled on it. */
patch(crmKanbanView.Controller.prototype, {
    setup() {
        super.setup(...arguments);
        useLeadUpdates(
            () => this.model.root.records.map((record) => record.resId),
            () => this.model.load()
        );
    },
});
