import { registry } from "@web/core/registry";
import { openBoardSteps } from "./board_steps";
import { selectionSteps } from "@stage_automation/../tests/tours/tour_compat";

const QUALIFIED = ".o_sa_column:has(.o_sa_column_title:contains('Qualified'))";
const PROPOSITION = ".o_sa_column:has(.o_sa_column_title:contains('Proposition'))";

/**
 * A sales manager opens the automation board from the menu, picks the
 * "Tour North" pipeline, adds "2 days after entering Qualified, in working
 * hours, call the responsible" with the action picker (7 clicks), drags a
 * rule above another and a third one to the next stage, and copies the rules
 * of Qualified to "Tour South".
 */
registry.category("web_tour.tours").add("stage_automation_board_tour", {
    steps: () => [
        ...openBoardSteps(),
        {
            content: "Show the Tour North pipeline",
            trigger: ".o_sa_board_pipeline",
            run: "selectByLabel Tour North",
        },
        {
            trigger: `${QUALIFIED} .o_sa_rule:contains('First note') .o_sa_rule_timing:contains('now')`,
        },
        {
            content: "Click 1: add a rule to Qualified",
            trigger: `${QUALIFIED} .o_sa_add_rule`,
            run: "click",
        },
        {
            content: "The picker groups the actions and describes them",
            trigger: ".o_sa_picker .o_sa_picker_group:contains('Employees') .o_sa_picker_item[data-key='call']:contains('call the customer')",
        },
        {
            content: "Searching narrows the list",
            trigger: ".o_sa_picker_search",
            run: "edit call",
        },
        {
            trigger: ".o_sa_picker:not(:has(.o_sa_picker_item[data-key='note']))",
        },
        {
            content: "Click 2: schedule a call",
            trigger: ".o_sa_picker_item[data-key='call']",
            run: "click",
        },
        ...selectionSteps(".modal div[name='timing']", "delay", "After a delay", "Clicks 3-4: after a delay"),
        {
            content: "Click 5: 2 days",
            trigger: ".modal div[name='delay'] input",
            run: "edit 2",
        },
        {
            content: "Click 6: in working hours",
            trigger: ".modal div[name='working_hours'] input",
            run: "click",
        },
        {
            content: "The form says when it runs",
            trigger: ".modal div[name='when_text']:contains('2 days after entry, in working hours')",
        },
        {
            content: "Click 7: save",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The rule is on the board at once, with its badge",
            trigger: `${QUALIFIED} .o_sa_rule:contains('Schedule a call') .o_sa_rule_timing:contains('+2 days')`,
        },
        {
            content: "Drag the second note above the first",
            trigger: `${QUALIFIED} .o_sa_rule:contains('Second note')`,
            run: `drag_and_drop ${QUALIFIED} .o_sa_rule:contains('First note')`,
        },
        {
            trigger: `${QUALIFIED} .o_sa_rules > .o_sa_rule:first-child:contains('Second note')`,
        },
        {
            content: "Drag the first note to the empty Proposition stage",
            trigger: `${QUALIFIED} .o_sa_rule:contains('First note')`,
            run: `drag_and_drop ${PROPOSITION} .o_sa_rules`,
        },
        {
            trigger: `${PROPOSITION} .o_sa_rule:contains('First note')`,
        },
        {
            trigger: `${QUALIFIED}:not(:has(.o_sa_rule:contains('First note')))`,
        },
        {
            content: "Copy the rules of Qualified to another pipeline",
            trigger: `${QUALIFIED} .o_sa_column_menu`,
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Copy the rules to another pipeline')",
            run: "click",
        },
        {
            trigger: ".o_sa_copy_pipeline",
            run: "selectByLabel Tour South",
        },
        {
            content: "What would be copied is shown first",
            trigger: ".o_sa_copy_preview:contains('Second note'):contains('Schedule a call'):not(:contains('First note'))",
        },
        {
            trigger: ".o_sa_copy_confirm",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('2 rules and triggers copied')",
        },
        {
            content: "The other pipeline has them",
            trigger: ".o_sa_board_pipeline",
            run: "selectByLabel Tour South",
        },
        {
            trigger: `${QUALIFIED} .o_sa_rule:contains('Schedule a call')`,
        },
    ],
});
