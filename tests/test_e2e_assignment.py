"""Round-robin under concurrent stage changes, against a live threaded server.

Two clients move leads at the same moment into a stage whose rule hands
them out in turn. Each move is its own transaction and they overlap (the
server log counts the ones PostgreSQL made retry); no move may fail and the
turn must come out as if they had queued: every user gets the same number
of leads.
"""

import threading
from collections import Counter

CLIENTS = 2
MOVES_PER_CLIENT = 6
USERS = 3


def test_concurrent_moves_are_shared_out_in_turn(live_odoo, new_pipeline, settle, user_groups):
    env = live_odoo.connect().env
    pipeline = new_pipeline(env, "E2E round-robin", "E2E in", "E2E assign", sequence=700)
    tag, team, (first, second) = pipeline.tag, pipeline.team, pipeline.stages
    salesman = env.ref("sales_team.group_sale_salesman").id
    users = [env["res.users"].create({"name": f"Seller {n} {tag}", "login": f"seller-{n}-{tag}",
                                      **user_groups(env, [salesman])}) for n in range(USERS)]
    env["stage.automation.rule"].create({"name": "Share out", "stage_id": second, "action": "change_user",
                                         "assign_mode": "round_robin", "assign_user_ids": [(6, 0, users)]})
    Lead = env["crm.lead"]
    batches = [[Lead.create({"name": f"E2E turn {client}-{n} {tag}", "type": "opportunity", "team_id": team,
                             "stage_id": first, "user_id": False}) for n in range(MOVES_PER_CLIENT)]
               for client in range(CLIENTS)]
    start, errors = threading.Barrier(CLIENTS), []

    def move(leads):
        client = live_odoo.connect().env["crm.lead"]
        start.wait()
        try:
            for lead in leads:
                client.write([lead], {"stage_id": second})
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=move, args=(leads,)) for leads in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not errors, errors
    leads = [lead for batch in batches for lead in batch]
    settle(env, leads)
    owners = Counter(record["user_id"][0] for record in Lead.read(leads, ["user_id"]) if record["user_id"])
    assert owners == dict.fromkeys(users, CLIENTS * MOVES_PER_CLIENT // USERS), owners
    runs = env["stage.automation.run"].search_read([("lead_id", "in", leads)], ["state"])
    assert [run["state"] for run in runs] == ["done"] * len(leads)
    retries = live_odoo.log().count("tries left, try again")
    print(f"{len(leads)} concurrent moves shared {dict(Counter(owners.values()))}; "
          f"transactions retried on the server so far: {retries}")
