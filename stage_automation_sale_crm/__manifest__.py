{
    "name": "CRM Stage Automation - Quotations",
    "summary": "The automation rules' “Create from source” action makes a quotation of an opportunity",
    "version": "1.0.0",
    "category": "Sales/CRM",
    "author": "Stage Automation contributors",
    "website": "https://github.com/stage-automation/stage_automation",
    "license": "LGPL-3",
    "depends": ["stage_automation", "sale_crm"],
    "data": ["data/crm_lead_report.xml"],
    "auto_install": True,
}
