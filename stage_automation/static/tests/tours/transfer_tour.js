import { registry } from "@web/core/registry";

const PROPOSITION = ".o_sa_column:has(.o_sa_column_title:contains('Proposition'))";

/**
 * A sales manager opens the scenario gallery from the board, applies the
 * proposition follow-up chain to their pipeline (the stage mapping step
 * matches "Proposition" and shows what will be created), finds its rules on
 * the board, simulates what they would do for one of their leads, then
 * exports the pipeline's automation to a file.
 */
registry.category("web_tour.tours").add("stage_automation_transfer_tour", {
    steps: () => [
        {
            content: "The board of the manager's pipeline",
            trigger: `${PROPOSITION}:not(:has(.o_sa_rule:contains('E-mail the proposition')))`,
        },
        {
            trigger: ".o_sa_board_transfer",
            run: "click",
        },
        {
            trigger: ".o_sa_board_gallery",
            run: "click",
        },
        {
            content: "Each scenario says what it does",
            trigger: ".o_kanban_record:contains('Proposition follow-up chain'):contains('e-mailed at once')",
        },
        {
            trigger: ".o_kanban_record:contains('Proposition follow-up chain') .o_sa_scenario_apply",
            run: "click",
        },
        {
            content: "The scenario's stage is matched to the pipeline's by name",
            trigger: ".modal .o_sa_import_stages .o_data_row:contains('Proposition') td[name='stage_id']:contains('Proposition')",
        },
        {
            content: "What will be created is listed before anything is written",
            trigger: ".modal .o_sa_transfer_created:contains('E-mail the proposition'):contains('will be created')",
        },
        {
            trigger: ".modal .o_sa_import_apply",
            run: "click",
        },
        {
            trigger: ".modal .o_sa_transfer_summary:contains('3 created')",
        },
        {
            trigger: ".modal .o_sa_import_close",
            run: "click",
        },
        {
            content: "Back to the board",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The chain is on the board",
            trigger: `${PROPOSITION} .o_sa_rule:contains('E-mail the proposition')`,
        },
        {
            trigger: `${PROPOSITION} .o_sa_rule:contains('Call about the proposition') .o_sa_rule_timing:contains('after previous')`,
        },
        {
            content: "Before a lead meets it, simulate what the chain would do for one",
            trigger: `${PROPOSITION} .o_sa_simulate`,
            run: "click",
        },
        {
            trigger: ".modal div[name='lead_id'] input",
            run: "edit Gallery Azure",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Gallery Azure deal')",
            run: "click",
        },
        {
            content: "The e-mail goes at once, the call waits for it",
            trigger: `.modal .o_sa_simulation_rule[data-outcome='runs']:contains('E-mail the proposition')`,
        },
        {
            trigger: `.modal .o_sa_simulation_rule:contains('Call about the proposition') .o_sa_simulation_chain:contains('E-mail the proposition')`,
        },
        {
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            trigger: ".o_sa_board:not(:has(.modal))",
        },
        {
            trigger: ".o_sa_board_transfer",
            run: "click",
        },
        {
            trigger: ".o_sa_board_export",
            run: "click",
        },
        {
            trigger: ".modal .o_sa_export_button",
            run: "click",
        },
        {
            content: "The file is ready to download",
            trigger: ".modal .o_sa_export_file:contains('automation_tour_gallery.json')",
        },
        {
            trigger: ".modal div[name='summary']:contains('rules, '):contains('triggers, ')",
        },
        {
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            trigger: ".o_sa_board:not(:has(.modal))",
        },
    ],
});
