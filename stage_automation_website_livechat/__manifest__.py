{
    "name": "CRM Stage Automation: Website Live Chat",
    "summary": "Live-chat messages of a website visitor fire the stage automation triggers of the visitor's leads",
    "version": "1.0.0",
    "category": "Sales/CRM",
    "author": "Stage Automation contributors",
    "website": "https://github.com/stage-automation/stage_automation",
    "license": "LGPL-3",
    "depends": ["stage_automation_livechat", "website_crm_livechat"],
    "auto_install": True,
}
