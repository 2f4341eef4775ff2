{
    "name": "CRM Stage Automation - Invoices",
    "summary": "The automation rules' “Create from source” action makes a draft invoice of an opportunity",
    "version": "1.0.0",
    "category": "Sales/CRM",
    "author": "Stage Automation contributors",
    "website": "https://github.com/stage-automation/stage_automation",
    "license": "LGPL-3",
    "depends": ["stage_automation", "account"],
    "data": [
        "views/stage_automation_rule_views.xml",
        "views/account_move_views.xml",
        "views/crm_lead_views.xml",
    ],
    "auto_install": True,
}
