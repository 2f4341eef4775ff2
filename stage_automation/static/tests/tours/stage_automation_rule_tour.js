import { registry } from "@web/core/registry";
import { selectionSteps } from "@stage_automation/../tests/tours/tour_compat";

/**
 * A sales manager opens the Proposition stage, adds a rule "2 days after
 * entry, log a note" from the stage form (the form shows what a note uses),
 * and saves.
 */
registry.category("web_tour.tours").add("stage_automation_rule_tour", {
    url: "/odoo/action-crm.crm_stage_action",
    steps: () => [
        {
            content: "Open the Proposition stage",
            trigger: ".o_data_row td[name='name']:contains('Proposition')",
            run: "click",
        },
        {
            content: "Add an automation rule",
            trigger: "div[name='stage_automation_rule_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal div[name='name'] input",
            run: "edit Remind the customer",
        },
        ...selectionSteps(".modal div[name='timing']", "delay", "After a delay", "Run it after a delay"),
        {
            trigger: ".modal div[name='delay'] input",
            run: "edit 2",
        },
        ...selectionSteps(".modal div[name='action']", "note", "Log a note"),
        {
            content: "The summary says when it runs",
            trigger: ".modal div[name='when_text']:contains('2 days after entry')",
        },
        {
            content: "A note shows its text only: no subject, no recipients",
            trigger: ".modal .o_form_view:not(:has(div[name='summary'])):not(:has(div[name='recipient'])) div[name='body']",
        },
        {
            trigger: ".modal div[name='body'] textarea",
            run: "edit Remind {{ object.partner_name }} of our proposal",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The rule is listed on the stage",
            trigger: "div[name='stage_automation_rule_ids'] .o_data_row:contains('Remind the customer'):contains('2 days after entry')",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});
