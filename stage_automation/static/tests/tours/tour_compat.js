/**
 * What the tours do differently on Odoo 18 and 19, in one place.
 *
 * A selection field is a <select> on Odoo 18 and a dropdown menu (SelectMenu) on Odoo 19: the first step
 * chooses the value in the <select>, or opens the menu; the second, on 19 only, clicks the item (on 18
 * its trigger is the <select> again, already set, and it does nothing).
 */

/**
 * @param {string} field the field's element, e.g. ".modal div[name='timing']"
 * @param {string} value the technical value ("delay")
 * @param {string} label what the menu shows ("After a delay")
 * @param {string} [content] the tour's comment of the step
 */
export function selectionSteps(field, value, label, content) {
    return [
        {
            content: content || `Choose “${label}”`,
            trigger: `${field} select, ${field} .o_select_menu_toggler, ${field} input`,
            async run(helpers) {
                if (this.anchor.tagName === "SELECT") {
                    // Odoo 18 keeps each option's value as JSON.
                    await helpers.select(JSON.stringify(value));
                } else {
                    await helpers.click();
                }
            },
        },
        {
            content: `“${label}” chosen`,
            trigger: `${field} select, .o_select_menu_item:contains("${label}")`,
            async run(helpers) {
                if (this.anchor.tagName !== "SELECT") {
                    await helpers.click();
                }
            },
        },
    ];
}
