import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";
import { useLeadUpdates } from "./lead_updates_hook";

/** A lead's form shows what its rules did (activities, messages, new values), unless it is being edited. */
patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        if (this.props.resModel !== "crm.lead") {
            return;
        }
        useLeadUpdates(
            () => (this.model.root.resId ? [this.model.root.resId] : []),
            async () => {
                if (!(await this.model.root.isDirty())) {
                    await this.model.load();
                }
            }
        );
    },
});
