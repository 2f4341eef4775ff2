import { useComponent } from "@odoo/owl";
import { usePopover } from "@web/core/popover/popover_hook";
import { registry } from "@web/core/registry";
import { CharField, charField } from "@web/views/fields/char/char_field";
import { TextField, textField } from "@web/views/fields/text/text_field";
import { PlaceholderPopover } from "./placeholder_popover";

/**
 * The Insert button of a rule's text: opens the placeholders a rule may use
 * and puts the chosen one where the cursor was. The rule is the form's record
 * (for a field value line, the rule the line belongs to).
 */
/** The id of a many2one value: ``[id, name]`` on Odoo 18, ``{ id, display_name }`` on Odoo 19. */
function recordId(value) {
    return (Array.isArray(value) ? value[0] : value?.id) || false;
}

function usePlaceholderInsert(getInput) {
    const field = useComponent();
    const popover = usePopover(PlaceholderPopover, { popoverClass: "o_sa_placeholder_popover" });
    return (ev) => {
        const rule = field.props.record.model.root;
        popover.open(ev.currentTarget, {
            rule: {
                id: rule.resId || false,
                stageId: recordId(rule.data.stage_id),
                teamId: recordId(rule.data.team_id),
                sequence: rule.data.sequence || 0,
            },
            insert: (placeholder) => {
                const input = getInput();
                input.setRangeText(placeholder, input.selectionStart, input.selectionEnd, "end");
                field.props.record.update({ [field.props.name]: input.value });
                input.focus();
            },
        });
    };
}

export class PlaceholderCharField extends CharField {
    static template = "stage_automation.PlaceholderCharField";

    setup() {
        super.setup();
        this.openPlaceholders = usePlaceholderInsert(() => this.input.el);
    }
}

export class PlaceholderTextField extends TextField {
    static template = "stage_automation.PlaceholderTextField";

    setup() {
        super.setup();
        this.openPlaceholders = usePlaceholderInsert(() => this.textareaRef.el);
    }
}

registry.category("fields").add("stage_automation_placeholder_char", {
    ...charField,
    component: PlaceholderCharField,
});
registry.category("fields").add("stage_automation_placeholder_text", {
    ...textField,
    component: PlaceholderTextField,
});
