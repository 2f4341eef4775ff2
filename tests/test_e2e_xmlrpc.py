"""End to end over XML-RPC against a live server: cron + queue_job runner execute a delayed rule.

The only real-time test of the suite: a rule one minute after entry must be
done within two minutes (the cron wakes at its trigger, Odoo polls cron
triggers every 60 s at worst, the job runner starts the job at once).
"""

import time
import uuid
from datetime import datetime, timedelta

DEADLINE_SECONDS = 150


def test_a_moved_lead_gets_its_immediate_activity_and_its_delayed_note(live_odoo):
    odoo = live_odoo.connect()
    env = odoo.env
    tag = uuid.uuid4().hex[:8]
    team = env["crm.team"].create({"name": f"E2E pipeline {tag}"})
    first = env["crm.stage"].create({"name": f"E2E in {tag}", "team_id": team, "sequence": 501})
    second = env["crm.stage"].create({"name": f"E2E call {tag}", "team_id": team, "sequence": 502})
    call_type = env.ref("mail.mail_activity_data_call").id
    Rule = env["stage.automation.rule"]
    Rule.create({"name": "Call now", "stage_id": second, "action": "activity", "activity_type_id": call_type,
                 "summary": "Call {{ object.name }}"})
    delayed = Rule.create({"name": "Note a minute later", "stage_id": second, "timing": "delay", "delay": 1,
                           "delay_unit": "minutes", "action": "note", "body": "One minute in stage"})
    Lead = env["crm.lead"]
    lead = Lead.create({"name": f"E2E lead {tag}", "type": "opportunity", "team_id": team, "stage_id": first,
                        "user_id": odoo.env.uid})

    Lead.write([lead], {"stage_id": second})
    moved_at = time.monotonic()

    activities = env["mail.activity"].search_read(
        [("res_model", "=", "crm.lead"), ("res_id", "=", lead)], ["summary", "activity_type_id"])
    assert [(a["summary"], a["activity_type_id"][0]) for a in activities] == [(f"Call E2E lead {tag}", call_type)]

    Run = env["stage.automation.run"]
    run = None
    while time.monotonic() - moved_at < DEADLINE_SECONDS:
        [run] = Run.search_read([("lead_id", "=", lead), ("rule_id", "=", delayed)],
                                ["state", "due_at", "done_at", "reason"])
        if run["state"] not in ("pending", "running"):
            break
        time.sleep(2)
    waited = time.monotonic() - moved_at
    assert run["state"] == "done", f"delayed run is {run['state']} after {waited:.0f} s: {run['reason']}"
    late = _parse(run["done_at"]) - _parse(run["due_at"])
    print(f"delayed rule done {waited:.0f} s after the move, {late.total_seconds():.0f} s after its due time")
    assert late <= timedelta(seconds=65)
    notes = env["mail.message"].search_read(
        [("model", "=", "crm.lead"), ("res_id", "=", lead), ("body", "ilike", "One minute in stage")], ["id"])
    assert len(notes) == 1


def _parse(value):
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
