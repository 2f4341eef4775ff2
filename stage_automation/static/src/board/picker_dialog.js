import { Component, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { useAutofocus } from "@web/core/utils/hooks";

/**
 * Choose what to add: the actions (or trigger events) in their groups, each
 * with a line saying what it does, and a search box over names and lines.
 * Enter picks the first one shown.
 */
export class PickerDialog extends Component {
    static template = "stage_automation.PickerDialog";
    static components = { Dialog };
    static props = {
        title: String,
        groups: Array,
        onSelect: Function,
        close: Function,
    };

    setup() {
        this.state = useState({ search: "" });
        useAutofocus();
    }

    get shownGroups() {
        const words = this.state.search.toLowerCase().split(/\s+/).filter(Boolean);
        if (!words.length) {
            return this.props.groups;
        }
        const matches = (item) => {
            const text = `${item.name} ${item.description}`.toLowerCase();
            return words.every((word) => text.includes(word));
        };
        return this.props.groups
            .map((group) => ({ ...group, actions: group.actions.filter(matches) }))
            .filter((group) => group.actions.length);
    }

    select(item) {
        this.props.close();
        this.props.onSelect(item);
    }

    onSearchKeydown(ev) {
        const first = this.shownGroups[0]?.actions[0];
        if (ev.key === "Enter" && first) {
            this.select(first);
        }
    }
}
