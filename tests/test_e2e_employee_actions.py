"""Over XML-RPC: rules of the employee and CRM data families configured and run by a client.

A moved lead gets its contact created (and published to the next rule), a
meeting with that contact and a reminder, and its contact details on the
exception lists, in the job that starts as soon as the write is saved.
"""


def test_rules_create_the_contact_then_meet_it_then_blacklist_it(live_odoo, new_pipeline, settle):
    odoo = live_odoo.connect()
    env = odoo.env
    pipeline = new_pipeline(env, "E2E employees", "E2E new", "E2E meet", sequence=600)
    tag, team, (first, second) = pipeline.tag, pipeline.team, pipeline.stages
    reminder = env.ref("calendar.alarm_notif_1").id
    Rule = env["stage.automation.rule"]
    Rule.create({"name": "Contact", "stage_id": second, "sequence": 1, "action": "create_lead_contact"})
    meeting = Rule.create({
        "name": "Meet", "stage_id": second, "sequence": 2, "action": "meeting", "summary": "Demo {{ object.name }}",
        "event_delay": 2, "event_time": 10.0, "event_duration": 1.5, "event_alarm_ids": [(6, 0, [reminder])],
        "event_with_customer": True, "activity_important": True,
    })
    Rule.create({"name": "Exception list", "stage_id": second, "sequence": 3, "action": "blacklist",
                 "blacklist_reason": "E2E {{ object.name }}"})
    Lead = env["crm.lead"]
    email = f"ann.{tag}@example.com"
    lead = Lead.create({"name": f"E2E lead {tag}", "type": "opportunity", "team_id": team, "stage_id": first,
                        "user_id": env.uid, "contact_name": f"Ann {tag}", "email_from": email})

    Lead.write([lead], {"stage_id": second})
    settle(env, [lead])

    [moved] = Lead.read([lead], ["partner_id"])
    partner_id = moved["partner_id"][0]
    [run] = env["stage.automation.run"].search_read(
        [("lead_id", "=", lead), ("rule_id", "=", meeting)], ["state", "reason", "outputs"])
    assert run["state"] == "done", run["reason"]
    [event] = env["calendar.event"].read([run["outputs"]["meeting_event_id"]],
                                         ["partner_ids", "alarm_ids", "opportunity_id", "duration"])
    assert partner_id in event["partner_ids"] and len(event["partner_ids"]) == 2
    assert (event["alarm_ids"], event["opportunity_id"][0], event["duration"]) == ([reminder], lead, 1.5)
    activities = env["mail.activity"].search_read(
        [("res_model", "=", "crm.lead"), ("res_id", "=", lead)], ["calendar_event_id", "important"])
    assert [(a["calendar_event_id"][0], a["important"]) for a in activities] == [(event["id"], True)]
    assert env["mail.blacklist"].search_count([("email", "=", email)]) == 1
