/** The steps of a tour that opens the automation board from CRM's configuration menu. */
export function openBoardSteps() {
    return [
        {
            content: "Open CRM's configuration menu",
            trigger: "[data-menu-xmlid='crm.crm_menu_config']",
            run: "click",
        },
        {
            content: "Open the automation board",
            trigger: "[data-menu-xmlid='stage_automation.stage_automation_board_menu']",
            run: "click",
        },
    ];
}
