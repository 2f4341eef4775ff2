import { registry } from "@web/core/registry";
import { openBoardSteps } from "./board_steps";

const RESULT = ".modal .o_sa_simulation";
const CALL = `${RESULT} .o_sa_simulation_rule:contains('Call the client')`;

/**
 * A sales manager asks, from a lead, what entering "Sim Qualified" would do: the call and its moment,
 * its rendered subject, the chained note and the trigger; then asks the same from the automation board,
 * picking the lead this time. Nothing is saved: the dialog is closed.
 */
registry.category("web_tour.tours").add("stage_automation_simulation_tour", {
    steps: () => [
        {
            content: "Simulate from the lead",
            trigger: ".o_form_view button[name='action_stage_automation_simulate']",
            run: "click",
        },
        {
            content: "The lead is already chosen",
            trigger: ".modal div[name='lead_id'] input:value(Sim Azure deal)",
        },
        {
            content: "Choose the stage it would enter",
            trigger: ".modal div[name='stage_id'] input",
            run: "edit Sim Qualified",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Sim Qualified')",
            run: "click",
        },
        {
            content: "The call runs in two days, with its subject rendered on the lead",
            trigger: `${CALL}[data-outcome='runs'] .o_sa_simulation_moment`,
        },
        {
            trigger: `${CALL} .o_sa_simulation_subject:contains('Call Azure Ltd')`,
        },
        {
            trigger: `${CALL} .o_sa_simulation_recipients:contains('Sim Salesman')`,
        },
        {
            content: "The chained note says it depends on the call",
            trigger: `${RESULT} .o_sa_simulation_rule:contains('Log the call') .o_sa_simulation_chain:contains('Call the client')`,
        },
        {
            content: "The trigger of the stage would move the lead",
            trigger: `${RESULT} .o_sa_simulation_triggers:contains('Form sent'):contains('Would move the lead now')`,
        },
        {
            content: "Close without saving anything",
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        ...openBoardSteps(),
        {
            trigger: ".o_sa_board_pipeline",
            run: "selectByLabel Sim pipeline",
        },
        {
            content: "Simulate a lead entering Sim Qualified from its column",
            trigger: ".o_sa_column:has(.o_sa_column_title:contains('Sim Qualified')) .o_sa_simulate",
            run: "click",
        },
        {
            trigger: ".modal div[name='stage_id'] input:value(Sim Qualified)",
        },
        {
            content: "Pick the lead",
            trigger: ".modal div[name='lead_id'] input",
            run: "edit Sim Azure",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Sim Azure deal')",
            run: "click",
        },
        {
            trigger: `${CALL} .o_sa_simulation_subject:contains('Call Azure Ltd')`,
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
