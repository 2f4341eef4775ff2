"""What triggers cost: firing against a plain stage write, call matching, and lead writes while fields are watched.

    python3 benchmarks/triggers.py [--db NAME] [--sizes 1000,10000] [--port 0]

For each size N (open leads with phone numbers in one pipeline):

- firing a trigger by code for one lead (``stage_automation_fire``) against
  the plain ``write({"stage_id": …})`` it performs (baseline);
- reporting a call (``stage_automation_event("incoming_call", …)``, number in
  a national spelling: finding the lead, comparing in E.164, moving it and
  running the target stage's rule) against Odoo's own phone search for that
  number (``phone_mobile_search``), the first step of the match;
- writing an unwatched field of 100 leads one by one while "field changed"
  and "responsible changed" triggers exist, against the same writes without
  any trigger.

Medians of 5 passes in one transaction, rolled back at the end, on the
database of ``performance.py`` (created or updated likewise).
"""

import argparse

from performance import REPO, ensure_database, free_port, measure

PASSES = 5


def run(env, sizes):
    quiet = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    env = env(context=dict(env.context, **quiet))
    Stage, Lead, Trigger = env["crm.stage"], env["crm.lead"], env["stage.automation.trigger"]
    belgium = env.ref("base.be")
    team = env["crm.team"].create({"name": "Trigger benchmark"})
    first = Stage.create({"name": "Bench first", "team_id": team.id, "sequence": 950})
    target = Stage.create({"name": "Bench target", "team_id": team.id, "sequence": 951})
    Trigger.create({"name": "Bench fire", "code": "bench-fire", "stage_id": target.id})
    Trigger.create({"name": "Bench call", "code": "bench-call", "stage_id": target.id,
                    "trigger_type": "incoming_call"})
    env["stage.automation.rule"].create({"name": "Bench note", "stage_id": target.id, "action": "note",
                                         "body": "Moved"})
    print(f"{'leads':>7} | {'fire vs plain write (1 lead)':>32} | {'call reported vs phone search':>32} | "
          f"{'100 writes, watched vs none':>30}")
    created = 0
    for size in sizes:
        Lead.create([{"name": f"Bench {n}", "type": "opportunity", "team_id": team.id, "stage_id": first.id,
                      "country_id": belgium.id, "phone": f"0470 {n // 10000:02d} {n % 10000:04d}"}
                     for n in range(created, size)])
        created = size
        lead = Lead.search([("team_id", "=", team.id)], limit=1, order="id desc")
        number = lead.phone

        plain_ms, plain_q = measure(env, lambda lead=lead: lead.write({"stage_id": target.id}), PASSES)
        fire_ms, fire_q = measure(env, lambda lead=lead: lead.stage_automation_fire("bench-fire"), PASSES)

        digits = "".join(char for char in number if char.isdigit()).lstrip("0")
        search_ms, search_q = measure(env, lambda digits=digits: Lead.search(
            [("phone_mobile_search", "=like", f"%{digits}")]), PASSES)
        match_ms, match_q = measure(env, lambda number=number: Trigger.stage_automation_event(
            "incoming_call", {"phone": number, "country": "BE"}), PASSES)

        sample = Lead.search([("team_id", "=", team.id)], limit=100)

        def write_each(sample=sample):
            for record in sample:
                record.write({"description": "benchmark"})

        none_ms, none_q = measure(env, write_each, PASSES)
        watchers = Trigger.create([
            {"name": "Bench priority", "code": "bench-priority", "stage_id": target.id,
             "trigger_type": "field_changed", "field_id": env.ref("crm.field_crm_lead__priority").id,
             "field_value": "3"},
            {"name": "Bench user", "code": "bench-user", "stage_id": target.id, "trigger_type": "user_changed"},
        ])
        watched_ms, watched_q = measure(env, write_each, PASSES)
        watchers.unlink()
        print(f"{size:>7} | {fire_ms:>6.1f} ms {fire_q:>3} q vs {plain_ms:>5.1f} ms {plain_q:>3} q "
              f"({fire_ms / plain_ms:.1f}x) | {match_ms:>6.1f} ms {match_q:>3} q vs {search_ms:>6.1f} ms "
              f"{search_q:>2} q | {watched_ms:>6.1f} ms vs {none_ms:>6.1f} ms ({watched_ms / none_ms:.2f}x, "
              f"+{watched_q - none_q} q)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="stage_automation_perf")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--port", type=int, default=0, help="HTTP port of the server updating the database")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config([f"--addons-path={REPO}", "--log-level=warn"])
    ensure_database(args.db, args.port or free_port(), update=True)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        try:
            run(api.Environment(cr, SUPERUSER_ID, {}), sorted(int(size) for size in args.sizes.split(",")))
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
