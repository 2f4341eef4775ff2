import { registry } from "@web/core/registry";

const WON = ".o_sa_column:has(.o_sa_column_title:contains('Won'))";
const QUALIFIED = ".o_sa_column:has(.o_sa_column_title:contains('Qualified'))";

/**
 * From the pipeline's kanban, a sales manager opens the board of their team,
 * adds a webhook trigger to Won and gets its token without saving twice,
 * copies a rule to another stage, opens the pending runs of a rule, and copies
 * the whole pipeline's automation to another pipeline.
 */
registry.category("web_tour.tours").add("stage_automation_board_trigger_tour", {
    steps: () => [
        {
            content: "Open the automation of the pipeline",
            trigger: ".o_control_panel .o_sa_open_board",
            run: "click",
        },
        {
            content: "The board shows the team's pipeline",
            trigger: ".o_sa_rule:contains('West reminder') .o_sa_rule_timing:contains('+1 day')",
        },
        {
            trigger: `${WON} .o_sa_column_menu`,
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Add a trigger')",
            run: "click",
        },
        {
            content: "Events are described too",
            trigger: ".o_sa_picker_item[data-key='webhook']:contains('secret address')",
            run: "click",
        },
        {
            trigger: ".modal div[name='name'] input",
            run: "edit Paid in the shop",
        },
        {
            trigger: ".modal div[name='code'] input",
            run: "edit shop_paid_board",
        },
        {
            content: "A new trigger gets its token at once",
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
            content: "Back on the trigger, saved, with its token",
            trigger: ".modal button[name='action_generate_token']:contains('Rotate the token')",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The trigger leads into Won on the board",
            trigger: `${WON} .o_sa_trigger:contains('Paid in the shop') .fa-plug`,
        },
        {
            content: "Copy a rule to another stage",
            trigger: ".o_sa_rule:contains('West reminder') .o_sa_rule_menu",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Copy to another stage')",
            run: "click",
        },
        {
            trigger: ".o_sa_copy_stage",
            run: "selectByLabel Qualified",
        },
        {
            trigger: ".o_sa_copy_confirm",
            run: "click",
        },
        {
            trigger: `${QUALIFIED} .o_sa_rule:contains('West reminder')`,
        },
        {
            content: "Open the pending runs of a rule",
            trigger: ".o_sa_rule:contains('West reminder') .o_sa_rule_pending:contains('1')",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('West reminder'):contains('Pending')",
        },
        {
            content: "Back to the board",
            trigger: ".o_breadcrumb a:contains('Automation')",
            run: "click",
        },
        {
            content: "Copy the whole pipeline's automation",
            trigger: ".o_sa_board_copy_pipeline",
            run: "click",
        },
        {
            trigger: ".o_sa_copy_pipeline",
            run: "selectByLabel Tour South",
        },
        {
            content: "Rules and triggers, stage by stage, are shown before anything is written",
            trigger: ".o_sa_copy_preview tr:contains('Won'):contains('Paid in the shop')",
        },
        {
            trigger: ".o_sa_copy_confirm",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('3 rules and triggers copied')",
        },
    ],
});

/** The sales team form opens the board of that team. */
registry.category("web_tour.tours").add("stage_automation_board_team_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .oe_stat_button:contains('Automation')",
            run: "click",
        },
        {
            trigger: ".o_sa_rule:contains('South only')",
        },
    ],
});
