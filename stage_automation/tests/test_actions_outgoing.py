import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common_actions import ActionCase


class Receiver(BaseHTTPRequestHandler):
    """A receiving system on 127.0.0.1: records each request and answers the next planned status."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        secret = server.secret.encode()
        server.requests.append({
            "body": json.loads(body),
            "signature_ok": hmac.compare_digest(
                hmac.new(secret, body, hashlib.sha256).hexdigest(), self.headers["X-Stage-Automation-Signature"]),
            "key": self.headers["X-Stage-Automation-Idempotency-Key"],
        })
        status = server.statuses.pop(0) if server.statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"bad lead id" if status == 400 else b"ok")

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestOutgoingCalls(ActionCase):

    def setUp(self):
        super().setUp()
        self.server = HTTPServer(("127.0.0.1", 0), Receiver)
        self.server.requests, self.server.statuses = [], []
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def webhook_rule(self, **values):
        rule = self.rule(action="webhook", webhook_url=self.url, webhook_timeout=5,
                         webhook_field_ids=[(6, 0, [self.env.ref("crm.field_crm_lead__expected_revenue").id])],
                         **values)
        self.server.secret = rule.webhook_secret
        return rule

    def perform_once(self):
        """One attempt of each queued job, as queue_job's runner does; a retry request is noted, not raised."""
        retried = []
        for stored in self.queued_jobs():
            job = Job.load(self.env, stored.uuid)
            job.set_started()
            try:
                with self.env.cr.savepoint():
                    job.perform()
                    self.env.flush_all()
            except RetryableJobError as error:
                job.postpone(result=str(error))
                job.set_pending(reset_retry=False)
                retried.append(error)
            else:
                job.set_done()
            job.store()
        return retried

    def enter_queued(self, rule, **lead_values):
        lead, run = self.enter(rule, **lead_values)
        self.assertEqual(run.state, "pending", "an outgoing call never runs inside the person's save")
        with self.at("2026-03-04 10:00:05"):
            self.Run._cron_dispatch()
        return lead, run

    def test_webhook_500_then_200_is_delivered_once_with_the_same_key(self):
        rule = self.webhook_rule()
        self.server.statuses = [500, 200]
        lead, run = self.enter_queued(rule, expected_revenue=1200)
        retried = self.perform_once()
        self.assertEqual(len(retried), 1)
        self.assertEqual(run.state, "running", "still to do: queue_job tries again")
        self.assertFalse(self.perform_once())
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual(run.reason, f"Sent to {self.url} (answer 200).")
        first, second = self.server.requests
        self.assertTrue(first["signature_ok"] and second["signature_ok"])
        self.assertEqual(first["key"], second["key"])
        self.assertTrue(second["key"].endswith(f"-{run.id}"))
        self.assertEqual(second["body"]["lead_id"], lead.id)
        self.assertEqual(second["body"]["fields"]["expected_revenue"], 1200)
        self.assertEqual(run.attempts, 2)

    def test_webhook_400_fails_without_retry(self):
        rule = self.webhook_rule()
        self.server.statuses = [400]
        lead, run = self.enter_queued(rule)
        self.assertFalse(self.perform_once())
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason, "Failed: The receiver answered 400: bad lead id")
        self.assertEqual(len(self.server.requests), 1)
        self.assertFalse(self.queued_jobs())

    def test_unreachable_receiver_is_retried(self):
        rule = self.webhook_rule()
        rule.webhook_url = "http://127.0.0.1:9/unreachable"
        lead, run = self.enter_queued(rule)
        [error] = self.perform_once()
        self.assertIn("could not be reached", str(error))
        self.assertEqual(run.state, "running")

    def test_robot_call_sends_the_number_in_e164(self):
        rule = self.rule(action="robot_call", webhook_url=self.url, body="Hello {{ object.partner_name }}")
        self.server.secret = rule.webhook_secret
        lead, run = self.enter_queued(rule, mobile="0470 12 34 56", country_id=self.env.ref("base.be").id)
        self.perform_once()
        self.assertEqual(run.state, "done", run.reason)
        [request] = self.server.requests
        self.assertEqual((request["body"]["to"], request["body"]["message"]), ("+32470123456", "Hello Azure"))
        self.assertTrue(request["signature_ok"])

    def test_bad_configuration_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "receiver's address"):
            self.rule(action="webhook", webhook_url="ftp://example.com")
        with self.assertRaisesRegex(ValidationError, "between 1 and 120"):
            self.rule(action="webhook", webhook_url=self.url, webhook_timeout=0)
        with self.assertRaisesRegex(ValidationError, "receiver's address"):
            self.rule(action="robot_call", body="Hi")
