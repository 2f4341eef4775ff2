{
    "name": "CRM Stage Automation: Live Chat",
    "summary": "Live-chat messages of a lead's customer fire stage automation triggers; rules write to the "
               "customer's live chat",
    "version": "1.1.0",
    "category": "Sales/CRM",
    "author": "Stage Automation contributors",
    "website": "https://github.com/stage-automation/stage_automation",
    "license": "LGPL-3",
    "depends": ["stage_automation", "im_livechat"],
    "data": ["views/stage_automation_rule_views.xml", "views/stage_automation_trigger_views.xml"],
    "auto_install": True,
}
