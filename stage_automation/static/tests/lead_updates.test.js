import { crmModels } from "@crm/../tests/crm_test_helpers";
import {
    contains,
    insertText,
    openFormView,
    openKanbanView,
    start,
    startServer,
} from "@mail/../tests/mail_test_helpers";
import { describe, expect, test } from "@odoo/hoot";
import { advanceTime } from "@odoo/hoot-mock";
import { defineModels, onRpc, serverState } from "@web/../tests/web_test_helpers";
import { RELOAD_INTERVAL } from "@stage_automation/lead_updates/lead_updates_hook";

describe.current.tags("desktop");

class CrmLead extends crmModels.CrmLead {
    _views = {
        form: `<form><sheet><field name="name"/></sheet></form>`,
        kanban: `<kanban js_class="crm_kanban">
                    <templates><t t-name="card"><field name="name"/></t></templates>
                 </kanban>`,
        search: `<search/>`,
    };
}
defineModels({ ...crmModels, CrmLead });

/** What the job that executed a lead's runs sends to the person who moved it (LEADS_CHANGED). */
function leadsChanged(pyEnv, leadIds) {
    const [partner] = pyEnv["res.partner"].read(serverState.partnerId);
    pyEnv["bus.bus"]._sendone(partner, "stage_automation/leads_changed", { lead_ids: leadIds });
}

test("an open lead shows what its rules did once their job is done", async () => {
    const pyEnv = await startServer();
    const leadId = pyEnv["crm.lead"].create({ name: "Azure" });
    await start();
    await openFormView("crm.lead", leadId);
    await contains(".o_field_widget[name=name] input", { value: "Azure" });
    pyEnv["crm.lead"].write([leadId], { name: "Azure (called)" });
    leadsChanged(pyEnv, [leadId]);
    await contains(".o_field_widget[name=name] input", { value: "Azure (called)" });
});

test("a lead being edited is not reloaded under the person's hands", async () => {
    const pyEnv = await startServer();
    const leadId = pyEnv["crm.lead"].create({ name: "Azure" });
    await start();
    await openFormView("crm.lead", leadId);
    await insertText(".o_field_widget[name=name] input", " typing", { replace: false });
    let reads = 0;
    onRpc("crm.lead", "web_read", () => {
        reads++;
    });
    pyEnv["crm.lead"].write([leadId], { name: "Azure (called)" });
    leadsChanged(pyEnv, [leadId]);
    leadsChanged(pyEnv, [leadId]);
    await contains(".o_field_widget[name=name] input", { value: "Azure typing" });
    expect(reads).toBe(0);
});

test("the pipeline reloads for its own cards only", async () => {
    const pyEnv = await startServer();
    const [shownId, otherId] = pyEnv["crm.lead"].create([{ name: "Shown" }, { name: "Other" }]);
    await start();
    await openKanbanView("crm.lead", { domain: [["id", "=", shownId]] });
    await contains(".o_kanban_record", { text: "Shown" });
    let searches = 0;
    onRpc("crm.lead", "web_search_read", () => {
        searches++;
    });
    leadsChanged(pyEnv, [otherId]);
    pyEnv["crm.lead"].write([shownId], { name: "Shown (moved on)" });
    leadsChanged(pyEnv, [shownId]);
    await contains(".o_kanban_record", { text: "Shown (moved on)" });
    expect(searches).toBe(1);
});

test("a burst of notifications reloads at once, then once more when the interval is over", async () => {
    const pyEnv = await startServer();
    const leadId = pyEnv["crm.lead"].create({ name: "Azure" });
    await start();
    await openFormView("crm.lead", leadId);
    await contains(".o_field_widget[name=name] input", { value: "Azure" });
    let reads = 0;
    onRpc("crm.lead", "web_read", () => {
        reads++;
    });
    pyEnv["crm.lead"].write([leadId], { name: "Azure (1)" });
    leadsChanged(pyEnv, [leadId]);
    await contains(".o_field_widget[name=name] input", { value: "Azure (1)" });
    pyEnv["crm.lead"].write([leadId], { name: "Azure (3)" });
    leadsChanged(pyEnv, [leadId]);
    leadsChanged(pyEnv, [leadId]);
    await advanceTime(1000);
    expect(reads).toBe(1);
    await advanceTime(RELOAD_INTERVAL);
    await contains(".o_field_widget[name=name] input", { value: "Azure (3)" });
    expect(reads).toBe(2);
});
