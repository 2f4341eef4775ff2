import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.addons.queue_job.job import Job

from .common_actions import ActionCase
from .series import MOBILE


class Receiver(BaseHTTPRequestHandler):
    """A receiving system on 127.0.0.1: records each request and answers the next planned status, with
    the reason phrase ``server.phrase`` (the standard one if None) and the body ``server.answer``."""

    def do_GET(self):
        self.server.requests.append({"method": "GET", "path": self.path})
        self.send_response(200)
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        secret = server.secret.encode()
        server.requests.append({
            "method": "POST",
            "path": self.path,
            "host": self.headers["Host"],
            "body": json.loads(body),
            "signature_ok": hmac.compare_digest(
                hmac.new(secret, body, hashlib.sha256).hexdigest(), self.headers["X-Stage-Automation-Signature"]),
            "key": self.headers["X-Stage-Automation-Idempotency-Key"],
        })
        status = server.statuses.pop(0) if server.statuses else 200
        self.send_response(status, server.phrase)
        if status == 302:
            self.send_header("Location", "/elsewhere")
        self.end_headers()
        self.wfile.write(server.answer)

    def log_message(self, *args):
        pass


class OutgoingCase(ActionCase):
    """Outgoing calls to a receiver of the test on 127.0.0.1 (``self.server``, at ``self.url``)."""

    def setUp(self):
        super().setUp()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        self.server.requests, self.server.statuses = [], []
        self.server.phrase, self.server.answer = None, b"ok"
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        # The receiver of these tests runs on this machine: allow the server's own network.
        self.env["ir.config_parameter"].set_param("stage_automation.webhook_allow_private", "True")

    def webhook_rule(self, **values):
        rule = self.rule(**{
            "action": "webhook", "outgoing_url": self.url, "outgoing_timeout": 5,
            "webhook_field_ids": [(6, 0, [self.env.ref("crm.field_crm_lead__expected_revenue").id])],
            **values,
        })
        self.server.secret = rule.outgoing_secret
        return rule

    def perform_once(self):
        """One attempt of each queued job, as queue_job's runner does: a retry request postpones the job
        (its work rolled back), retries exhausted fail it and call its failure method."""
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
            except FailedJobError as error:
                failure = {"exc_name": type(error).__name__, "exc_message": error.args[0], "exc_info": ""}
                job.set_failed(**failure)
                job.on_fail(failure)
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


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestOutgoingCalls(OutgoingCase):

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
        self.server.statuses, self.server.answer = [400], b"bad lead id"
        lead, run = self.enter_queued(rule)
        self.assertFalse(self.perform_once())
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason, "Failed: The receiver answered HTTP 400 Bad Request.")
        self.assertEqual(len(self.server.requests), 1)
        self.assertFalse(self.queued_jobs())

    def test_unreachable_receiver_is_retried(self):
        rule = self.webhook_rule()
        rule.outgoing_url = "http://127.0.0.1:9/unreachable"
        lead, run = self.enter_queued(rule)
        [error] = self.perform_once()
        self.assertIn("could not be reached", str(error))
        self.assertEqual(run.state, "running")

    def test_webhook_retried_until_the_queue_gives_up_fails_the_run(self):
        rule = self.webhook_rule()
        self.server.statuses = [503] * 5
        lead, run = self.enter_queued(rule)
        for _attempt in range(4):
            self.assertEqual(len(self.perform_once()), 1)
        self.assertFalse(self.perform_once(), "the fifth answer 503 is the last one")
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.reason,
                         f"Failed: the job queue gave up (Max. retries (5) reached: {self.url} answered "
                         "HTTP 503 Service Unavailable).")
        self.assertEqual(len(self.server.requests), 5)
        self.assertEqual(len({request["key"] for request in self.server.requests}), 1)

    def test_webhook_redirection_is_not_followed(self):
        rule = self.webhook_rule()
        self.server.statuses = [302]
        lead, run = self.enter_queued(rule)
        self.assertFalse(self.perform_once())
        self.assertEqual(run.reason, "Failed: The receiver answered HTTP 302 Found, a redirection to /elsewhere: "
                                     "put the final address on the rule.")
        self.assertEqual([request["method"] for request in self.server.requests], ["POST"])

    def test_webhook_after_a_rule_done_in_a_job_gets_a_job_of_its_own(self):
        note = self.rule(name="Note", timing="delay", delay=1, delay_unit="minutes", body="Before the call")
        hook = self.webhook_rule(name="Hook", sequence=20, after_previous=True)
        self.server.statuses = [500, 200]
        lead = self.lead()
        with self.at("2026-03-04 10:00:00"):
            lead.stage_id = self.stage_new
        with self.at("2026-03-04 10:01:05"):
            self.Run._cron_dispatch()
        self.perform_once()
        self.assertFalse(self.server.requests, "the note's job does not call the receiver")
        self.assertEqual((self.runs(lead, note).state, self.runs(lead, hook).state), ("done", "pending"))
        self.Run._cron_dispatch()
        self.assertEqual(len(self.perform_once()), 1)
        self.assertFalse(self.perform_once())
        self.assertEqual(self.runs(lead, hook).state, "done")
        self.assertEqual(len(self.notes(lead).filtered(lambda m: "Before the call" in m.body)), 1,
                         "the retry of the webhook does not repeat the note")

    def test_signing_secret_is_for_rule_editors_and_can_be_renewed(self):
        rule = self.webhook_rule()
        self.assertRegex(rule.outgoing_secret, "^[0-9a-f]{64}$")
        reader = new_test_user(self.env, login="sa_secret_reader", groups="sales_team.group_sale_salesman,"
                               "stage_automation.group_stage_automation_opportunity_read")
        with self.assertRaises(AccessError):
            rule.with_user(reader).read(["outgoing_secret"])
        with self.assertRaises(AccessError):
            rule.with_user(reader).action_regenerate_outgoing_secret()
        old = rule.outgoing_secret
        rule.with_user(self.manager).action_regenerate_outgoing_secret()
        self.assertNotEqual(rule.outgoing_secret, old)
        self.assertNotEqual(rule.copy().outgoing_secret, rule.outgoing_secret, "a copy gets a secret of its own")

    def test_robot_call_sends_the_number_in_e164(self):
        rule = self.rule(action="robot_call", outgoing_url=self.url, body="Hello {{ object.partner_name }}")
        self.server.secret = rule.outgoing_secret
        lead, run = self.enter_queued(rule, **{MOBILE: "0470 12 34 56"}, country_id=self.env.ref("base.be").id)
        self.perform_once()
        self.assertEqual(run.state, "done", run.reason)
        [request] = self.server.requests
        self.assertEqual((request["body"]["to"], request["body"]["message"]), ("+32470123456", "Hello Azure"))
        self.assertTrue(request["signature_ok"])

    def test_robot_call_through_the_provider_of_the_system_parameters(self):
        params = self.env["ir.config_parameter"]
        params.set_param("stage_automation.robot_call_url", self.url)
        params.set_param("stage_automation.robot_call_secret", "provider-secret")
        self.server.secret = "provider-secret"
        rule = self.rule(action="robot_call", body="Your order is ready")
        lead, run = self.enter_queued(rule, **{MOBILE: False, "phone": "06 12 34 56 78"},
                                      country_id=self.env.ref("base.fr").id)
        self.perform_once()
        self.assertEqual(run.reason, "Robot call to +33612345678 requested (answer 200).")
        [request] = self.server.requests
        self.assertTrue(request["signature_ok"], "signed with the provider's secret")
        self.assertEqual(request["body"]["event"], "stage_automation.robot_call")

    def test_robot_call_without_a_usable_number_calls_nothing(self):
        rule = self.rule(action="robot_call", outgoing_url=self.url, body="Hello")
        self.server.secret = rule.outgoing_secret
        for values, reason in [
            ({MOBILE: False, "phone": False}, "Failed: The customer has no phone number: no call was requested."),
            ({MOBILE: "0470", "country_id": self.env.ref("base.be").id},
             "Failed: The phone number of the customer, “0470”, cannot be used (“0470” is not a valid phone number): "
             "no call was requested."),
        ]:
            with self.subTest(values=values):
                lead, run = self.enter_queued(rule, **values)
                self.perform_once()
                self.assertEqual(run.reason, reason)
        self.assertFalse(self.server.requests)

    def test_robot_call_to_a_number_on_the_exception_list_calls_nothing(self):
        rule = self.rule(action="robot_call", outgoing_url=self.url, body="Hello")
        self.env["phone.blacklist"]._add(["+32470123456"])
        lead, run = self.enter_queued(rule, **{MOBILE: "0470 12 34 56"}, country_id=self.env.ref("base.be").id)
        self.perform_once()
        self.assertEqual(run.reason, "Skipped: +32470123456 is on the exception list; no call was requested.")
        self.assertFalse(self.server.requests)

    def test_addresses_of_the_server_s_own_network_are_refused_unless_allowed(self):
        self.env["ir.config_parameter"].set_param("stage_automation.webhook_allow_private", "False")
        for url in (self.url, "http://localhost/hook", "http://10.0.0.1/hook", "http://169.254.169.254/latest"):
            with self.subTest(url=url):
                rule = self.rule(action="webhook", outgoing_url=url, name=url)
                lead, run = self.enter_queued(rule, name=url)
                self.perform_once()
                self.assertEqual(run.state, "failed")
                self.assertIn("an address of the server's own network: nothing was sent", run.reason)
        rule = self.rule(action="robot_call", outgoing_url=self.url, body="Hello")
        lead, run = self.enter_queued(rule, **{MOBILE: "+32 470 12 34 56"})
        self.perform_once()
        self.assertIn("an address of the server's own network", run.reason)
        self.assertFalse(self.server.requests)


        with self.assertRaisesRegex(ValidationError, "ftp://example.com is not an http:// or https:// address"):
            self.rule(action="webhook", outgoing_url="ftp://example.com")
        with self.assertRaisesRegex(ValidationError, "between 1 and 120"):
            self.rule(action="webhook", outgoing_url=self.url, outgoing_timeout=0)
        with self.assertRaisesRegex(ValidationError, "receiver's address"):
            self.rule(action="robot_call", body="Hi")
        self.env["ir.config_parameter"].set_param("stage_automation.robot_call_url", self.url)
        with self.assertRaisesRegex(ValidationError, "stage_automation.robot_call_secret"):
            self.rule(action="robot_call", body="Hi")
