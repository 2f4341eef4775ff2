"""End to end over XML-RPC against a live server: cron + queue_job runner execute a delayed rule.

The only real-time test of the suite: a rule one minute after entry must be
done within two minutes (the cron wakes at its trigger, Odoo polls cron
triggers every 60 s at worst, the job runner starts the job at once). Its lead
is moved when the session starts (the ``real_cron`` marker), and the test
itself runs after the other tests of the shared server: the minute passes
while they run, and is waited for once.
"""

import time
from datetime import datetime, timedelta

import pytest
from conftest import settle

DEADLINE_SECONDS = 150


def move_a_lead_into_a_stage_with_a_delayed_rule(env, new_pipeline):
    """A stage with an immediate activity and a note one minute after entry; a lead moved into it."""
    pipeline = new_pipeline(env, "E2E pipeline", "E2E in", "E2E call")
    tag, team, (first, second) = pipeline.tag, pipeline.team, pipeline.stages
    call_type = env.ref("mail.mail_activity_data_call").id
    Rule = env["stage.automation.rule"]
    Rule.create({"name": "Call now", "stage_id": second, "action": "activity", "activity_type_id": call_type,
                 "summary": "Call {{ object.name }}"})
    delayed = Rule.create({"name": "Note a minute later", "stage_id": second, "timing": "delay", "delay": 1,
                           "delay_unit": "minutes", "action": "note", "body": "One minute in stage"})
    Lead = env["crm.lead"]
    lead = Lead.create({"name": f"E2E lead {tag}", "type": "opportunity", "team_id": team, "stage_id": first,
                        "user_id": env.uid})

    Lead.write([lead], {"stage_id": second})
    moved_at = time.monotonic()

    # Done in a job just after the write: checked as soon as it is.
    settle(env, [lead])
    activities = env["mail.activity"].search_read(
        [("res_model", "=", "crm.lead"), ("res_id", "=", lead)], ["summary", "activity_type_id"])
    assert [(a["summary"], a["activity_type_id"][0]) for a in activities] == [(f"Call E2E lead {tag}", call_type)]
    return {"moved_at": moved_at, "lead": lead, "delayed": delayed}


@pytest.mark.real_cron.with_args(move_a_lead_into_a_stage_with_a_delayed_rule)
def test_a_moved_lead_gets_its_immediate_activity_and_its_delayed_note(live_odoo, real_cron_start):
    """The immediate activity is checked by the start function, right after the move."""
    env = live_odoo.connect().env
    lead, delayed, moved_at = (real_cron_start[key] for key in ("lead", "delayed", "moved_at"))

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
    print(f"delayed rule done {late.total_seconds():.0f} s after its due time; checked {waited:.0f} s after "
          f"the move")
    assert late <= timedelta(seconds=65)
    notes = env["mail.message"].search_read(
        [("model", "=", "crm.lead"), ("res_id", "=", lead), ("body", "ilike", "One minute in stage")], ["id"])
    assert len(notes) == 1


def _parse(value):
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


def test_a_chain_waits_for_the_client_and_goes_on_when_they_write(live_odoo, new_pipeline):
    """Rules created over XML-RPC: a code, a wait for the client, a note with the answer and a constant.

    The client's message posted over XML-RPC ends the wait; the live cron and
    job runner carry the chain on (the dispatcher is woken at once).
    """
    odoo = live_odoo.connect()
    env = odoo.env
    pipeline = new_pipeline(env, "E2E wait", "E2E start", "E2E code", sequence=510)
    tag, team, (first, second) = pipeline.tag, pipeline.team, pipeline.stages
    env["stage.automation.constant"].create({"team_id": team, "name": "hotline", "value": "+32 2 555 01 01"})
    Rule = env["stage.automation.rule"]
    generate = Rule.create({"name": "Code", "stage_id": second, "sequence": 1, "action": "generate_code",
                            "code_length": 5})
    wait = Rule.create({"name": "Wait", "stage_id": second, "sequence": 2, "after_previous": True,
                        "action": "wait", "wait_mode": "reply", "wait_delay": 0})
    note = Rule.create({"name": "Note", "stage_id": second, "sequence": 3, "after_previous": True,
                        "action": "note",
                        "body": "Answer {{ vars.client_reply }} to {{ vars.code }}; {{ constants.hotline }}"})
    Lead = env["crm.lead"]
    lead = Lead.create({"name": f"E2E lead {tag}", "type": "opportunity", "team_id": team, "stage_id": first,
                        "user_id": odoo.env.uid})
    Lead.write([lead], {"stage_id": second})
    settle(env, [lead])
    Run = env["stage.automation.run"]
    [code_run] = Run.search_read([("lead_id", "=", lead), ("rule_id", "=", generate)], ["outputs"])
    code = code_run["outputs"]["code"]
    assert Run.search_read([("lead_id", "=", lead), ("rule_id", "=", wait)], ["state"])[0]["state"] == "paused"

    client = env["res.partner"].create({"name": f"Client {tag}", "email": f"client-{tag}@example.com"})
    Lead.browse(lead).message_post(body="Yes please", message_type="comment", subtype_xmlid="mail.mt_comment",
                                   author_id=client)
    written_at = time.monotonic()
    run = None
    while time.monotonic() - written_at < DEADLINE_SECONDS:
        [run] = Run.search_read([("lead_id", "=", lead), ("rule_id", "=", note)], ["state", "reason"])
        if run["state"] not in ("waiting", "pending", "running"):
            break
        time.sleep(2)
    assert run["state"] == "done", f"the note after the wait is {run['state']}: {run['reason']}"
    print(f"chain went on {time.monotonic() - written_at:.0f} s after the client wrote")
    notes = env["mail.message"].search_read(
        [("model", "=", "crm.lead"), ("res_id", "=", lead), ("body", "ilike", f"Answer Yes please to {code}")],
        ["body"])
    assert len(notes) == 1 and "+32 2 555 01 01" in notes[0]["body"]
