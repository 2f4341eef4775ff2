"""An integrator drives leads over XML-RPC with odoorpc: fire a trigger by code, report a call by number.

Also the README's webhook example, with a real HTTP POST to the live server.
"""

import json
import urllib.error
import urllib.request

import pytest


@pytest.fixture
def pipeline(live_odoo, new_pipeline, user_groups):
    """As admin: a pipeline Incoming → Answered → Called, its triggers and rules, a lead and an integrator."""
    admin = live_odoo.connect()
    env = admin.env
    created = new_pipeline(env, "Integrators", "Incoming", "Answered", "Called", sequence=600)
    tag, team, (incoming, answered, called) = created.tag, created.team, created.stages
    digits = f"{int(tag, 16) % 10**6:06d}"  # a phone number of this test's own on a shared server
    Trigger = env["stage.automation.trigger"]
    Trigger.create({"name": "Answered", "code": f"answered-{tag}", "stage_id": answered,
                    "trigger_type": "application"})
    Trigger.create({"name": "Called us", "code": f"called-{tag}", "stage_id": called,
                    "trigger_type": "incoming_call"})
    webhook = Trigger.create({"name": "Shop", "code": f"shop-{tag}", "stage_id": called, "trigger_type": "webhook",
                              "allow_backward": True})
    token = Trigger.browse(webhook).action_generate_token()["context"]["default_token"]
    Rule = env["stage.automation.rule"]
    Rule.create({"name": "Thank", "stage_id": answered, "action": "note", "body": "Answered via {{ object.name }}"})
    Rule.create({"name": "Call back", "stage_id": called, "action": "activity", "summary": "Call back",
                 "activity_type_id": env.ref("mail.mail_activity_data_call").id})
    lead = env["crm.lead"].create({
        "name": f"Integrator lead {tag}", "type": "opportunity", "team_id": team, "stage_id": incoming,
        "user_id": admin.env.uid, "phone": f"+32 470 {digits[:2]} {digits[2:4]} {digits[4:]}",
        "country_id": env.ref("base.be").id})
    password = f"integrator-{tag}"
    groups = [env.ref("sales_team.group_sale_salesman_all_leads").id,
              env.ref("stage_automation.group_stage_automation_opportunity_read").id]
    env["res.users"].create({"name": "Integrator", "login": f"integrator-{tag}", "password": password,
                             **user_groups(env, groups)})
    env["res.users"].create({"name": "Plain salesman", "login": f"salesman-{tag}", "password": password,
                             **user_groups(env, [env.ref("sales_team.group_sale_salesman").id])})
    return {"tag": tag, "lead": lead, "answered": answered, "called": called, "password": password,
            "token": token, "phone": f"+32470{digits}"}


def test_integrator_fires_by_code_then_reports_a_call(live_odoo, pipeline, settle):
    tag, lead = pipeline["tag"], pipeline["lead"]
    odoo = live_odoo.connect(f"integrator-{tag}", pipeline["password"])
    admin = live_odoo.connect().env

    [result] = odoo.execute_kw("crm.lead", "stage_automation_fire", [[lead], f"answered-{tag}"],
                               {"payload": {"order": "SO042"}})
    assert result["moved"] is True
    assert result["to_stage_id"] == pipeline["answered"]
    settle(admin, [lead])
    notes = odoo.env["mail.message"].search_read(
        [("model", "=", "crm.lead"), ("res_id", "=", lead), ("body", "ilike", "Answered via")], ["id"])
    assert len(notes) == 1, "the target stage's immediate rule ran"

    results = odoo.execute_kw("stage.automation.trigger", "stage_automation_event",
                              ["incoming_call", {"phone": pipeline["phone"].replace("+32", "+32 (0)"), "duration": 42}])
    assert [(r["lead_id"], r["moved"], r["to_stage_id"]) for r in results] == [(lead, True, pipeline["called"])]
    settle(admin, [lead])
    activities = odoo.env["mail.activity"].search_read(
        [("res_model", "=", "crm.lead"), ("res_id", "=", lead)], ["summary"])
    assert [a["summary"] for a in activities] == ["Call back"]

    [again] = odoo.execute_kw("crm.lead", "stage_automation_fire", [[lead], f"answered-{tag}"])
    assert again["moved"] is False and "only moves forward" in again["reason"]


def test_errors_reach_the_caller_as_odoo_errors(live_odoo, pipeline):
    import odoorpc

    tag, lead = pipeline["tag"], pipeline["lead"]
    odoo = live_odoo.connect(f"integrator-{tag}", pipeline["password"])
    with pytest.raises(odoorpc.error.RPCError, match="No active trigger has the code “missing”"):
        odoo.execute_kw("crm.lead", "stage_automation_fire", [[lead], "missing"])
    salesman = live_odoo.connect(f"salesman-{tag}", pipeline["password"])
    with pytest.raises(odoorpc.error.RPCError, match="not allowed to fire"):
        salesman.execute_kw("crm.lead", "stage_automation_fire", [[lead], f"answered-{tag}"])


def test_webhook_with_curl_like_post(live_odoo, pipeline):
    def post(token, body):
        request = urllib.request.Request(
            f"{live_odoo.url}/stage_automation/webhook/{token}", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    status, body = post(pipeline["token"], {"phone": pipeline["phone"], "payload": {"cart": 3}})
    assert status == 200
    assert body[0]["lead_id"] == pipeline["lead"]
    assert post("not-a-token-" + "x" * 40, {"lead_id": pipeline["lead"]})[0] == 403
