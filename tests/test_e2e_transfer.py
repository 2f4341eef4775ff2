"""A pipeline's automation exported over XML-RPC from the live server's database and imported into a
fresh database of its own, served by a second server: the file format as integrators use it.

The fresh database is a copy ``make test`` made before any test ran, or one this module installs (about a
minute) and drops at its end.
"""

import copy
import os
import subprocess
import uuid
import xmlrpc.client

import pytest
from conftest import LiveOdoo, _install_database


@pytest.fixture(scope="module")
def fresh_odoo(addons_path, tmp_path_factory):
    """A second server, on a database where the addons were just installed: ``STAGE_AUTOMATION_FRESH_DB``
    (``make test`` copies its database before any test runs), else one installed here and dropped after."""
    given = os.environ.get("STAGE_AUTOMATION_FRESH_DB")
    db = given or f"stage_automation_fresh_{uuid.uuid4().hex[:8]}"
    workdir = tmp_path_factory.mktemp("fresh_odoo")
    server = None
    try:
        if not given:
            _install_database(db, addons_path, workdir / "install.log")
        server = LiveOdoo(db, addons_path, workdir, name="fresh")
        server.start()
        server.wait_until_up()
        yield server
    finally:
        if server:
            server.stop()
        if not given:
            subprocess.run(["dropdb", "--if-exists", db], check=False)


def export_over_xmlrpc(server, team):
    """``export_pipeline`` called as a deployment script does, with Python's own XML-RPC client."""
    common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
    uid = common.authenticate(server.db, "admin", "admin", {})
    models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)
    return models.execute_kw(server.db, uid, "admin", "stage.automation.transfer", "export_pipeline", [team])


def stage(file, name):
    return next(stage for stage in file["stages"] if stage["name"] == name)


def created(report, tag):
    """What the import created of this test's pipeline (the shared stages' rules are the database's own)."""
    return [item["name"] for item in report["items"]
            if item["status"] == "created" and (item["type"] == "constant" or item["stage"].endswith(tag))]


def test_a_pipeline_travels_to_a_fresh_database_and_back(live_odoo, fresh_odoo, new_pipeline):
    source = live_odoo.connect().env
    pipeline = new_pipeline(source, "Transfer source", "Lead in", "Offer", "Paid", sequence=520)
    tag, team, (lead_in, offer, paid) = pipeline.tag, pipeline.team, pipeline.stages
    ghost = source["res.users"].create({"name": f"Ghost {tag}", "login": f"ghost_{tag}"})
    admin = source.ref("base.user_admin").id
    Rule = source["stage.automation.rule"]
    Rule.create({"name": "Call", "stage_id": lead_in, "team_id": team, "action": "activity",
                 "activity_type_id": source.ref("mail.mail_activity_data_call").id,
                 "summary": "Call {{ object.name }}"})
    control = Rule.create({
        "name": "Still here", "stage_id": lead_in, "team_id": team, "sequence": 20, "action": "control",
        "timing": "delay", "delay": 3, "delay_unit": "days", "recipient": "users",
        "recipient_user_ids": [(6, 0, [admin, ghost])]})
    deadline = source["ir.model.fields"].search([("model", "=", "crm.lead"), ("name", "=", "date_deadline")])[0]
    Rule.create({"name": "Reminder", "stage_id": offer, "team_id": team, "action": "note", "body": "Pay tomorrow",
                 "timing": "before_date", "delay": 1, "date_field_id": deadline, "at_time": 9.0})
    Rule.create({"name": "Win", "stage_id": offer, "team_id": team, "sequence": 20, "action": "change_stage",
                 "target_stage_id": paid})
    source["stage.automation.trigger"].create({"name": "Paid online", "code": f"paid_{tag}", "stage_id": paid,
                                               "team_id": team, "trigger_type": "webhook"})
    source["stage.automation.constant"].create({"team_id": team, "name": "shop", "value": "https://shop.example"})
    file = export_over_xmlrpc(live_odoo, team)
    assert file["version"] == 1
    ghost_reference = {"login": f"ghost_{tag}", "name": f"Ghost {tag}"}
    assert ghost_reference in stage(file, f"Lead in {tag}")["rules"][1]["recipient_user_ids"]
    Rule.write([control], {"recipient_user_ids": [(6, 0, [admin])]})
    clean_file = export_over_xmlrpc(live_odoo, team)

    # Into a pipeline of the same stages: the same file comes back, and importing it again changes nothing.
    target = fresh_odoo.connect().env
    Transfer = target["stage.automation.transfer"]
    same = new_pipeline(target, "Transfer same", "Lead in", "Offer", "Paid", sequence=520)
    for stage_id, name in zip(same.stages, ("Lead in", "Offer", "Paid"), strict=True):
        target["crm.stage"].write([stage_id], {"name": f"{name} {tag}"})
    first = Transfer.import_pipeline(same.team, clean_file)
    assert created(first, tag) == ["shop", "Paid online", "Call", "Still here", "Reminder", "Win"]
    assert export_over_xmlrpc(fresh_odoo, same.team) == dict(clean_file, pipeline=f"Transfer same {same.tag}")
    again = Transfer.import_pipeline(same.team, clean_file)
    assert again["counts"]["created"] == again["counts"]["updated"] == 0

    # Into a pipeline that calls the offer stage "Proposal", in a database without user Ghost: what
    # cannot be mapped is reported before anything is written.
    renamed = new_pipeline(target, "Transfer target", "Lead in", "Proposal", "Paid", sequence=520)
    for stage_id, name in zip(renamed.stages, ("Lead in", "Proposal", "Paid"), strict=True):
        target["crm.stage"].write([stage_id], {"name": f"{name} {tag}"})
    preview = Transfer.import_preview(renamed.team, file)
    assert {"name": f"Offer {tag}", "target_id": False, "target": False} in preview["stages"]
    assert f"Still here: Users “Ghost {tag}” was not found: imported archived, without it." in preview["problems"]
    assert f"Reminder: its stage “Offer {tag}” is not mapped to a stage of the pipeline." in preview["problems"]
    assert not target["stage.automation.rule"].search([("team_id", "=", renamed.team), ("active", "in", [True, False])])

    report = Transfer.import_pipeline(renamed.team, file, {f"Offer {tag}": renamed.stages[1]})
    assert created(report, tag) == ["shop", "Paid online", "Call", "Still here", "Reminder", "Win"]
    assert (f"Paid online: the code “paid_{tag}” is used by another trigger: integrations must use this "
            f"trigger's own code.") in report["problems"]
    [trigger] = target["stage.automation.trigger"].search_read([("team_id", "=", renamed.team)], ["code"])
    expected = copy.deepcopy(file)
    expected["pipeline"] = f"Transfer target {renamed.tag}"
    stage(expected, f"Offer {tag}")["name"] = f"Proposal {tag}"
    stage(expected, f"Paid {tag}")["triggers"][0]["code"] = trigger["code"]
    still_here = stage(expected, f"Lead in {tag}")["rules"][1]
    still_here["recipient_user_ids"].remove(ghost_reference)
    still_here["active"] = False
    assert export_over_xmlrpc(fresh_odoo, renamed.team) == expected
