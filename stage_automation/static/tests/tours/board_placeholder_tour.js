import { registry } from "@web/core/registry";

/**
 * On the board, a sales manager opens a rule and builds its text with the
 * Insert button: a variable of an earlier rule, then the customer's e-mail
 * (Customer ▸ Email), each put where the cursor is; then a constant of the
 * pipeline in a field value of another rule.
 */
registry.category("web_tour.tours").add("stage_automation_board_placeholder_tour", {
    steps: () => [
        {
            trigger: ".o_sa_rule:contains('Mail the code')",
            run: "click",
        },
        {
            trigger: ".modal div[name='body'] textarea",
            run: "edit Your code:",
        },
        {
            content: "Insert beside the text",
            trigger: ".modal div[name='body'] .o_sa_insert",
            run: "click",
        },
        {
            trigger: ".o_sa_placeholders_values",
            run: "click",
        },
        {
            content: "The pipeline's constants are offered",
            trigger: ".o_sa_placeholder_constant:contains('discount_code'):contains('SPRING')",
        },
        {
            content: "So is the variable of the earlier rule",
            trigger: ".o_sa_placeholder_variable:contains('code'):contains('Give a code')",
            run: "click",
        },
        {
            trigger: ".modal div[name='body'] .o_sa_insert",
            run: "click",
        },
        {
            content: "Follow the customer",
            trigger: ".o_model_field_selector_popover_item[data-name='partner_id'] .o_model_field_selector_popover_item_relation",
            run: "click",
        },
        {
            content: "Its e-mail",
            trigger: ".o_model_field_selector_popover_item[data-name='email'] .o_model_field_selector_popover_item_name",
            run: "click",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o_sa_rule:contains('Set the city')",
            run: "click",
        },
        {
            content: "Edit the field value line",
            trigger: ".modal div[name='value_ids'] .o_data_row td[name='value']",
            run: "click",
        },
        {
            trigger: ".modal div[name='value_ids'] .o_data_row .o_sa_insert",
            run: "click",
        },
        {
            trigger: ".o_sa_placeholders_values",
            run: "click",
        },
        {
            trigger: ".o_sa_placeholder_constant:contains('discount_code')",
            run: "click",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
