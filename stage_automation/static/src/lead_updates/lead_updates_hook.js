import { onWillUnmount } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";

/** Sent by the job that executed stage automation runs (models/stage_automation_run_execution.py). */
export const LEADS_CHANGED = "stage_automation/leads_changed";

/**
 * Reload a view when stage automation changed a lead it shows.
 *
 * Rules due when a lead enters a stage run in a job just after the save: the
 * request returns at once and the job tells the person who moved the lead, and
 * its salesperson, which leads changed. Several notifications in a row (a job
 * of many runs, a chain of jobs) reload once.
 *
 * @param {() => number[]} getLeadIds the ids of the leads the view shows
 * @param {() => Promise} reload
 */
export function useLeadUpdates(getLeadIds, reload) {
    const busService = useService("bus_service");
    let pending = null;
    const onLeadsChanged = ({ lead_ids }) => {
        const shown = new Set(getLeadIds());
        if (pending || !lead_ids.some((id) => shown.has(id))) {
            return;
        }
        pending = Promise.resolve()
            .then(reload)
            .finally(() => (pending = null));
    };
    busService.subscribe(LEADS_CHANGED, onLeadsChanged);
    onWillUnmount(() => busService.unsubscribe(LEADS_CHANGED, onLeadsChanged));
}
