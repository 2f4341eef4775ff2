"""Over XML-RPC against a live server: an outgoing webhook answered 500 then 200, retried by the real job runner.

The rule is configured and the lead moved by a client; the receiver is an
HTTP server of this test on 127.0.0.1. The move returns before any call (an
outgoing call never runs inside the person's save); the dispatcher cron hands
the run to a queue job, the runner performs it, queue_job postpones it after
the 500 (its retry pattern: 10 s) and the second attempt delivers it, with the
same idempotency key and a valid signature both times.
"""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEADLINE_SECONDS = 150


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((body, dict(self.headers)))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"busy" if status >= 500 else b"ok")

    def log_message(self, *args):
        pass


def test_a_webhook_answered_500_is_delivered_by_the_job_runner_s_retry(live_odoo, new_pipeline):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.requests, server.statuses = [], [500]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        odoo = live_odoo.connect()
        env = odoo.env
        pipeline = new_pipeline(env, "E2E webhook", "E2E in", "E2E hook", sequence=700)
        tag, team, (first, second) = pipeline.tag, pipeline.team, pipeline.stages
        # The receiver runs on this machine: the administrator allows the server's own network.
        env["ir.config_parameter"].set_param("stage_automation.webhook_allow_private", "True")
        revenue = env.ref("crm.field_crm_lead__expected_revenue").id
        Rule = env["stage.automation.rule"]
        rule = Rule.create({"name": "Tell the ERP", "stage_id": second, "action": "webhook",
                            "outgoing_url": f"http://127.0.0.1:{server.server_address[1]}/leads",
                            "webhook_field_ids": [(6, 0, [revenue])], "outgoing_timeout": 5})
        [secret] = [r["outgoing_secret"] for r in Rule.read([rule], ["outgoing_secret"])]
        Lead = env["crm.lead"]
        lead = Lead.create({"name": f"E2E lead {tag}", "type": "opportunity", "team_id": team, "stage_id": first,
                            "expected_revenue": 4200})

        Lead.write([lead], {"stage_id": second})
        moved_at = time.monotonic()
        assert not server.requests, "the person's save does not wait for the receiver"

        Run = env["stage.automation.run"]
        while time.monotonic() - moved_at < DEADLINE_SECONDS:
            [run] = Run.search_read([("lead_id", "=", lead), ("rule_id", "=", rule)], ["state", "reason", "attempts"])
            if run["state"] not in ("pending", "running"):
                break
            time.sleep(2)
        assert run["state"] == "done", f"{run['state']} after {time.monotonic() - moved_at:.0f} s: {run['reason']}"
        assert run["attempts"] == 2
        assert len(server.requests) == 2
        keys = set()
        for body, headers in server.requests:
            expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["X-Stage-Automation-Signature"], expected)
            keys.add(headers["X-Stage-Automation-Idempotency-Key"])
            payload = json.loads(body)
            assert (payload["lead_id"], payload["fields"]["expected_revenue"]) == (lead, 4200)
        assert len(keys) == 1 and keys.pop().endswith(f"-{payload['run_id']}")
    finally:
        server.shutdown()
        server.server_close()
