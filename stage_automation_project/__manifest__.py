{
    "name": "CRM Stage Automation - Project tasks",
    "summary": "The automation rules' “Task” action creates a project task linked to the lead",
    "version": "1.0.0",
    "category": "Sales/CRM",
    "author": "Stage Automation contributors",
    "website": "https://github.com/stage-automation/stage_automation",
    "license": "LGPL-3",
    "depends": ["stage_automation", "project"],
    "data": [
        "views/stage_automation_rule_views.xml",
        "views/project_task_views.xml",
        "views/crm_lead_views.xml",
    ],
    "auto_install": True,
}
