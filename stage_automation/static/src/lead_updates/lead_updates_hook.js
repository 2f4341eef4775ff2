import { onWillUnmount } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { useService } from "@web/core/utils/hooks";

/** Sent by the job that executed stage automation runs (models/stage_automation_run_execution.py). */
export const LEADS_CHANGED = "stage_automation/leads_changed";
/** A view reloads at most this often (ms): the jobs of a large drain each send their notification. */
export const RELOAD_INTERVAL = 2000;

/**
 * Reload a view when stage automation changed a lead it shows.
 *
 * Rules due when a lead enters a stage run in a job just after the save: the
 * request returns at once and the job tells the person who moved the lead, and
 * its salesperson, which leads changed. The first notification reloads at
 * once; those that follow within RELOAD_INTERVAL make one more reload at its end.
 *
 * @param {() => number[]} getLeadIds the ids of the leads the view shows
 * @param {() => Promise} reload
 */
export function useLeadUpdates(getLeadIds, reload) {
    const busService = useService("bus_service");
    let lastReload = -Infinity;
    let timeout = null;
    const reloadNow = async () => {
        timeout = null;
        lastReload = Date.now();
        await reload();
    };
    const onLeadsChanged = ({ lead_ids }) => {
        const shown = new Set(getLeadIds());
        if (timeout !== null || !lead_ids.some((id) => shown.has(id))) {
            return;
        }
        timeout = browser.setTimeout(reloadNow, Math.max(0, lastReload + RELOAD_INTERVAL - Date.now()));
    };
    busService.subscribe(LEADS_CHANGED, onLeadsChanged);
    onWillUnmount(() => {
        browser.clearTimeout(timeout);
        busService.unsubscribe(LEADS_CHANGED, onLeadsChanged);
    });
}
