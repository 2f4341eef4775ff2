import { registry } from "@web/core/registry";
import { selectionSteps } from "@stage_automation/../tests/tours/tour_compat";

/**
 * A sales manager adds a webhook trigger to the Won stage from the stage
 * form, opens it from the Triggers menu and generates its token, which is
 * shown once in a dialog.
 */
registry.category("web_tour.tours").add("stage_automation_trigger_tour", {
    url: "/odoo/action-crm.crm_stage_action",
    steps: () => [
        {
            content: "Open the Won stage",
            trigger: ".o_data_row td[name='name']:contains('Won')",
            run: "click",
        },
        {
            content: "Add a trigger",
            trigger: "div[name='stage_automation_trigger_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal div[name='name'] input",
            run: "edit Paid in the shop",
        },
        ...selectionSteps(".modal div[name='trigger_type']", "webhook", "Webhook", "Fired by the shop's webhook"),
        {
            trigger: ".modal div[name='code'] input",
            run: "edit shop_paid",
        },
        {
            content: "A new trigger has no token until it is saved",
            trigger: ".modal:contains('No token yet')",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The trigger is listed on the stage",
            trigger: "div[name='stage_automation_trigger_ids'] .o_data_row:contains('Paid in the shop'):contains('Webhook')",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Open the trigger",
            trigger: "div[name='stage_automation_trigger_ids'] .o_data_row:contains('Paid in the shop') td[name='name']",
            run: "click",
        },
        {
            content: "Generate its token",
            trigger: ".modal button[name='action_generate_token']:contains('Generate a token')",
            run: "click",
        },
        {
            content: "The address with the token is shown once",
            trigger: ".modal div[name='url']:contains('/stage_automation/webhook/')",
        },
        {
            trigger: ".modal button:contains('Done')",
            run: "click",
        },
        {
            content: "Back on the trigger: the token exists and can be rotated",
            trigger: ".modal button[name='action_generate_token']:contains('Rotate the token')",
        },
    ],
});
