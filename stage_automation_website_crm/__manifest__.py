{
    "name": "CRM Stage Automation: Website",
    "summary": "The website contact form and the visits of a lead's customer fire stage automation triggers",
    "version": "1.1.0",
    "category": "Sales/CRM",
    "author": "Stage Automation contributors",
    "website": "https://github.com/stage-automation/stage_automation",
    "license": "LGPL-3",
    "depends": ["stage_automation", "website_crm"],
    "data": ["views/stage_automation_trigger_views.xml"],
    "auto_install": True,
}
