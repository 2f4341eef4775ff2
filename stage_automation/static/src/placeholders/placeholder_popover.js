import { Component, onWillStart, useState } from "@odoo/owl";
import { ModelFieldSelectorPopover } from "@web/core/model_field_selector/model_field_selector_popover";
import { useService } from "@web/core/utils/hooks";

const UNPRINTABLE_TYPES = ["one2many", "many2many", "boolean", "binary", "json", "properties"];

/**
 * What a rule's text can insert: a field of the lead, following its relations
 * (Customer ▸ Email; for those who are no template editors, only the paths
 * Odoo's restricted rendering lets them save), a constant of the pipeline, or
 * a variable published by an earlier rule of the stage.
 */
export class PlaceholderPopover extends Component {
    static template = "stage_automation.PlaceholderPopover";
    static components = { ModelFieldSelectorPopover };
    static props = {
        rule: Object,
        insert: Function,
        close: Function,
    };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ tab: "fields", constants: [], variables: [], allowed_expressions: [] });
        onWillStart(async () => {
            const { stageId, teamId, sequence, id } = this.props.rule;
            Object.assign(
                this.state,
                await this.orm.call("stage.automation.board", "get_placeholders", [stageId, teamId, sequence, id])
            );
        });
    }

    isAllowed(expression) {
        const allowed = this.state.allowed_expressions;
        return !allowed || allowed.includes(expression);
    }

    /** A field is offered when it prints as text and the user may save it, or follow it to one they may. */
    filterField(fieldDef, path) {
        if (UNPRINTABLE_TYPES.includes(fieldDef.type) || fieldDef.type === "separator") {
            return false;
        }
        const expression = `object${path ? `.${path}` : ""}.${fieldDef.name}`;
        const allowed = this.state.allowed_expressions;
        return !allowed || allowed.some((e) => e === expression || e.startsWith(`${expression}.`));
    }

    /** A record prints as its name: a many2one chosen itself inserts its display name when allowed. */
    insertField(path, fieldDef) {
        if (!fieldDef) {
            return;
        }
        let expression = `object.${path}`;
        if (fieldDef.type === "many2one") {
            expression = [`${expression}.display_name`, `${expression}.name`, expression].find((e) =>
                this.isAllowed(e)
            );
        }
        this.props.insert(`{{ ${expression} }}`);
    }

    insertName(namespace, name) {
        this.props.insert(`{{ ${namespace}.${name} }}`);
        this.props.close();
    }
}
