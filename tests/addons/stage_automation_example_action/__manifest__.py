{
    "name": "Stage Automation: example action",
    "summary": "How another addon adds an action to stage_automation: a rule that tags the lead",
    "version": "1.0.0",
    "category": "Hidden",
    "author": "Stage Automation contributors",
    "website": "https://github.com/stage-automation/stage_automation",
    "license": "LGPL-3",
    "depends": ["stage_automation"],
    "data": ["views/stage_automation_rule_views.xml"],
}
