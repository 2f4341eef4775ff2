"""A person moves a lead on a live server, as the web client does: the save returns before the stage's
immediate rules run, and the job that runs them just after tells the person's open views through Odoo's bus
(static/src/lead_updates reloads them)."""

import time

from conftest import BusTab

RULES = 10


def test_the_person_s_open_views_hear_of_the_rules_run_after_their_save(live_odoo, new_pipeline):
    env = live_odoo.connect().env
    pipeline = new_pipeline(env, "E2E bus", "E2E in", "E2E calls", sequence=800)
    tag, team, (first, second) = pipeline.tag, pipeline.team, pipeline.stages
    call_type = env.ref("mail.mail_activity_data_call").id
    for n in range(RULES):
        env["stage.automation.rule"].create({"name": f"Call {n}", "stage_id": second, "sequence": n,
                                             "action": "activity", "activity_type_id": call_type,
                                             "summary": f"Call {n}"})
    lead = env["crm.lead"].create({"name": f"E2E lead {tag}", "type": "opportunity", "team_id": team,
                                   "stage_id": first, "user_id": env.uid})
    tab = BusTab(live_odoo)
    try:
        started = time.monotonic()
        tab.call("crm.lead", "write", [lead], {"stage_id": second})
        saved = time.monotonic()
        activities = env["mail.activity"].search_count([("res_model", "=", "crm.lead"), ("res_id", "=", lead)])
        _payload, heard = tab.wait_for("stage_automation/leads_changed", lambda payload: lead in payload["lead_ids"])
    finally:
        tab.close()
    done = env["mail.activity"].search_count([("res_model", "=", "crm.lead"), ("res_id", "=", lead)])
    assert done == RULES, "the notification comes once the job committed its work"
    print(f"save returned in {(saved - started) * 1000:.0f} ms with {activities} of the {RULES} activities; "
          f"their job announced them {heard - saved:.2f} s after")
