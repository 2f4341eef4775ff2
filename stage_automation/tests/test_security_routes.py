import contextlib
import json
import random
import socket
from unittest.mock import patch
from urllib.parse import quote

from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME
from odoo.tools import mute_logger

from odoo.addons.queue_job.job import Job

from .test_triggers import TriggerCase

WEBHOOK_LIMIT = 1024 * 1024
FORM_LIMIT = 16 * 1024
JSON = "application/json"


class RequestFuzzer:
    """Random bodies and tokens for the public routes, drawn from one seeded generator."""

    def __init__(self, seed, known_ids, known_token):
        self.random = random.Random(seed)
        self.known_ids = known_ids
        self.known_token = known_token

    def text(self):
        alphabet = self.random.choice(["abc@.-_+ 0123456789", "\x00\x01\u00e9\u4e2d\ud800\udfff\U0001f600\\\"",
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"])
        return "".join(self.random.choice(alphabet) for _index in range(self.random.randint(0, 40)))

    def value(self, depth):
        kind = self.random.randint(0, 9 if depth < 24 else 5)
        if kind == 0:
            return None
        if kind == 1:
            return self.random.choice([True, False])
        if kind == 2:
            number = self.random.choice([-1, 0, 2 ** 31, 2 ** 63, 10 ** 30, self.random.randint(-10 ** 6, 10 ** 6)])
            return number if number not in self.known_ids else -number
        if kind == 3:
            return self.random.choice([0.5, -1e308, 1e-300])
        if kind in (4, 5):
            return self.text()
        if kind in (6, 7):
            return [self.value(depth + 1) for _index in range(self.random.randint(0, 3))]
        keys = ["lead_id", "email", "phone", "payload", "form", "callback", "country"]
        return {self.random.choice(keys + [self.text()]): self.value(depth + 1)
                for _index in range(self.random.randint(0, 4))}

    def body(self, limit):
        roll = self.random.random()
        if roll < 0.45:
            document = self.value(0)
            if isinstance(document, dict) and self.random.random() < 0.5:
                document["email"] = f"fuzz{self.random.randint(0, 999)}@example.invalid"
            data = json.dumps(document, ensure_ascii=self.random.random() < 0.5)
        elif roll < 0.55:
            depth = self.random.choice([10, 17, 30, 1000, 50000])
            data = "[" * depth + "]" * depth
        elif roll < 0.65:
            data = self.random.choice(['{"email": "a\\u0000@example.com"}', '{"x": "\\ud800"}',
                                       '{"x": "\\udc00\\ud800"}', '{"x": NaN}', '{"x": -Infinity}', '{"x": 1e400}',
                                       '{"x": 1' + "0" * 5000 + "}"])
        elif roll < 0.75:
            data = bytes(self.random.randrange(256) for _index in range(self.random.randint(0, 300)))
        elif roll < 0.82:
            data = json.dumps({"email": "fuzz@example.invalid", "x": self.text()}).encode(
                self.random.choice(["utf-16", "utf-32", "latin-1", "utf-8"]), "replace")
        else:
            # Around the route's limit: just under or just over it.
            size = self.random.randint(limit - 512, limit + 512)
            padding = "x" * max(size - 60, 0)
            data = json.dumps({"email": "fuzz@example.invalid", "payload": {"pad": padding}})
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        return data

    def token(self):
        roll = self.random.random()
        if roll < 0.5:
            return self.known_token
        if roll < 0.7:
            return "".join(self.random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                           for _index in range(43))
        return quote((self.text() or "x").encode("utf-8", "surrogatepass"), safe="")


@tagged("post_install", "-at_install", "stage_automation_security")
class TestSecurityRoutes(HttpCase, TriggerCase):
    """The public routes as an anonymous caller on the Internet: bad input gets a 4xx and changes
    nothing, anything else is bounded work."""

    def setUp(self):
        super().setUp()
        self.webhook = self.trigger(name="Webhook", code="hook", trigger_type="webhook")
        self.token = self.webhook.action_generate_token()["context"]["default_token"]
        self.webhook_path = f"/stage_automation/webhook/{self.token}"
        self.form_trigger = self.trigger(name="Form", code="form", trigger_type="form_submitted")
        self.customer = self.lead(email_from="azure@example.com")

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def send(self, method, path, data=None, content_type=JSON, headers=None):
        headers = {**({"Content-Type": content_type} if content_type else {}), **(headers or {})}
        return self.opener.request(method, self.base_url() + path, data=data, headers=headers, timeout=12,
                                   allow_redirects=False)

    def post(self, path, body, **kwargs):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.send("POST", path, data, **kwargs)

    def raw(self, head):
        """Send ``head`` (request line and headers) on a raw connection and return the status line."""
        host, port = "127.0.0.1", self.http_port()
        # Odoo 19 serves a test's requests inside allow_requests() only, each with the key it sets there.
        allow_requests = getattr(self, "allow_requests", contextlib.nullcontext)
        with allow_requests(), socket.create_connection((host, port), timeout=5) as connection:
            cookie = f"Cookie: {TEST_CURSOR_COOKIE_NAME}={self.http_request_key}\r\n"
            connection.sendall(head.replace("\r\n\r\n", f"\r\n{cookie}\r\n").encode())
            return connection.recv(4096).split(b"\r\n", 1)[0].decode()

    def state(self):
        """What no bad request may change: the leads and their stages, the trigger logs."""
        self.env.invalidate_all()
        leads = self.env["crm.lead"].with_context(active_test=False).search_read([], ["stage_id", "write_date"])
        return leads, self.Log.search_count([]), self.env["stage.automation.trigger.payload"].search_count([])

    def form_jobs(self):
        return self.env["queue.job"].search([("method_name", "=", "_fire_form")])

    def perform_form_jobs(self):
        for stored in self.form_jobs().filtered(lambda job: job.state == "pending"):
            job = Job.load(self.env, stored.uuid)
            job.perform()
            job.set_done()
            job.store()

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(f"stage_automation.{key}", value)

    # ------------------------------------------------------------
    # BAD INPUT
    # ------------------------------------------------------------

    def test_bad_requests_get_their_4xx_and_change_nothing(self):
        form = "/stage_automation/form"
        unknown = "/stage_automation/webhook/" + "A" * 43
        lead_body = json.dumps({"lead_id": self.customer.id})
        deep = "[" * 17 + "]" * 17
        cases = [
            # method, path, data, content type, status, error
            ("OPTIONS", self.webhook_path, lead_body, JSON, 405, "POST"),
            ("OPTIONS", form, "{}", JSON, 405, "POST"),
            ("POST", self.webhook_path, lead_body, "text/plain", 415, "Content-Type"),
            ("POST", self.webhook_path, lead_body, None, 415, "Content-Type"),
            ("POST", form, "email=azure%40example.com", "application/x-www-form-urlencoded", 415, "Content-Type"),
            ("POST", form, b"--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nazure@example.com\r\n--b--",
             "multipart/form-data; boundary=b", 415, "Content-Type"),
            ("POST", self.webhook_path, iter([lead_body.encode()]), JSON, 411, "Content-Length"),
            ("POST", self.webhook_path, b"{" + b" " * WEBHOOK_LIMIT + b"}", JSON, 413, "larger than 1 MiB"),
            ("POST", form, json.dumps({"email": "azure@example.com", "pad": "x" * FORM_LIMIT}), JSON, 413,
             "larger than 16 KiB"),
            ("POST", unknown, lead_body, JSON, 403, "Unknown or revoked"),
            ("POST", "/stage_automation/webhook/short", lead_body, JSON, 403, "Unknown or revoked"),
            ("POST", "/stage_automation/webhook/" + "!" * 43, lead_body, JSON, 403, "Unknown or revoked"),
            ("POST", "/stage_automation/webhook/" + self.token + "A", lead_body, JSON, 403, "Unknown or revoked"),
            ("POST", "/stage_automation/webhook/" + self.token[:42] + "%00", lead_body, JSON, 403, "Unknown"),
            ("POST", "/stage_automation/webhook/" + quote("é" * 43), lead_body, JSON, 403, "Unknown or revoked"),
            ("POST", self.webhook_path, b"\xff\xfe{}", JSON, 400, "not valid JSON"),
            ("POST", self.webhook_path, lead_body.encode("utf-16"), JSON, 400, "not valid JSON"),
            ("POST", self.webhook_path, "[" * 100000 + "]" * 100000, JSON, 400, "not valid JSON"),
            ("POST", self.webhook_path, '{"lead_id": 1, "x": NaN}', JSON, 400, "only texts, numbers"),
            ("POST", self.webhook_path, '{"lead_id": 1, "x": 1e999}', JSON, 400, "only texts, numbers"),
            ("POST", self.webhook_path, f'{{"lead_id": {self.customer.id}, "payload": {{"a": {deep}}}}}', JSON,
             400, "nested too deeply"),
            ("POST", self.webhook_path, '{"email": "azure@example.com\\u0000"}', JSON, 400, "NUL character"),
            ("POST", self.webhook_path, '{"payload": {"\\ud800": 1}, "lead_id": 1}', JSON, 400, "unpaired surrogate"),
            ("POST", self.webhook_path, '{"email": "a\\udfffb@example.com"}', JSON, 400, "unpaired surrogate"),
            ("POST", self.webhook_path, json.dumps({"lead_id": 2 ** 63}), JSON, 404, "No open lead"),
            ("POST", self.webhook_path, json.dumps({"lead_id": -1}), JSON, 404, "No open lead"),
            ("POST", self.webhook_path, json.dumps({"email": ["azure@example.com"]}), JSON, 400, "must be a text"),
            ("POST", self.webhook_path, json.dumps({"email": "x" * 5000}), JSON, 400, "not an e-mail address"),
            ("POST", form, '{"email": "azure@example.com", "name": "\\u0000"}', JSON, 400, "NUL character"),
            ("POST", form, '{"email": "azure@example.com", "name": "\\ud800"}', JSON, 400, "unpaired surrogate"),
            ("POST", form, f'{{"email": "azure@example.com", "a": {deep}}}', JSON, 400, "nested too deeply"),
            ("POST", form, json.dumps({"email": "not an address"}), JSON, 400, "not an e-mail address"),
            ("POST", form, json.dumps({"phone": "12"}), JSON, 400, "cannot be used"),
            ("POST", form, json.dumps(["azure@example.com"]), JSON, 400, "“email” or “phone”"),
            ("POST", form, "{not json", JSON, 400, "not valid JSON"),
        ]
        before = self.state()
        for method, path, data, content_type, status, error in cases:
            with self.subTest(method=method, path=path[:60], data=repr(data)[:60], content_type=content_type):
                answer = self.send(method, path, data, content_type)
                self.assertEqual(answer.status_code, status)
                self.assertEqual(answer.headers["Content-Type"], "application/json; charset=utf-8")
                self.assertIn(error, answer.json()["error"])
                if status == 405:
                    self.assertEqual(answer.headers["Allow"], "POST")
        for method in ("GET", "HEAD", "PUT", "DELETE", "PATCH"):
            for path in (self.webhook_path, form):
                with self.subTest(method=method, path=path):
                    self.assertEqual(self.send(method, path, lead_body).status_code, 405)
        self.assertEqual(self.state(), before)
        self.assertFalse(self.form_jobs(), "no form job was queued")

    def test_limits_are_enforced_on_the_headers_before_the_body_is_read(self):
        """The server answers at once although the announced body never comes: it did not wait for it."""
        head = ("POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{length}\r\n\r\n")
        too_long = f"Content-Length: {20 * 1024 * 1024}"
        self.assertIn(" 413 ", self.raw(head.format(path=self.webhook_path, length=too_long)))
        self.assertIn(" 413 ", self.raw(head.format(path="/stage_automation/form", length="Content-Length: 16385")))
        self.assertIn(" 411 ", self.raw(head.format(path=self.webhook_path, length="Transfer-Encoding: chunked")))
        self.assertIn(" 411 ", self.raw(head.format(path=self.webhook_path, length="Content-Length: many")))
        self.assertIn(" 405 ", self.raw(head.format(path=self.webhook_path, length=too_long)
                                        .replace("POST", "OPTIONS", 1)))

    def test_internal_failure_is_logged_undone_and_answered_without_details(self):
        lead = self.lead()
        Trigger = self.registry["stage.automation.trigger"]
        original_fire = Trigger._fire

        def fire_then_fail(triggers, leads, **kwargs):
            original_fire(triggers, leads, **kwargs)
            raise RuntimeError("boom")

        with patch.object(Trigger, "_fire", fire_then_fail), mute_logger("odoo.http"):
            answer = self.post(self.webhook_path, {"lead_id": lead.id})
        self.assertEqual(answer.status_code, 500)
        self.assertEqual(answer.json(), {"error": "Internal error: the event was not processed."})
        self.assertEqual(lead.stage_id, self.stage_qualified, "the move was rolled back")
        self.assertFalse(self.logs(lead))

    def test_tracking_routes_ignore_malformed_addresses(self):
        self.trigger(name="Viewed", code="viewed", trigger_type="email_opened")
        self.trigger(name="Clicked", code="clicked", trigger_type="link_clicked")
        record_id = 10 ** 20
        code = self.env["link.tracker"].create({"url": "https://example.com/pricing"}).code
        # A message of another model than leads, with its own valid token, fires nothing either.
        partner_message = self.env["res.partner"].create({"name": "Azure"}).message_post(body="Hello")
        token = partner_message._stage_automation_tracking_token()
        for pixel, link in (("/stage_automation/track/", "sa"), ("/stage_automation/track/message/", "sam")):
            for path in (f"{pixel}{record_id}/{'0' * 64}/blank.gif",
                         f"{pixel}1/{quote('é' * 64)}/blank.gif",
                         f"{pixel}-1/{'0' * 64}/blank.gif",
                         f"{pixel}1/%00/blank.gif",
                         f"{pixel}{partner_message.id}/{token}/blank.gif"):
                with self.subTest(path=path):
                    answer = self.send("GET", path, content_type=None)
                    self.assertEqual((answer.status_code, answer.headers["Content-Type"]), (200, "image/gif"))
            for path, status in ((f"/r/{code}/{link}/{record_id}/{'0' * 64}", 301),
                                 (f"/r/{code}/{link}/{partner_message.id}/{token}", 301),
                                 (f"/r/%00/{link}/1/{'0' * 64}", 404)):
                with self.subTest(path=path):
                    self.assertEqual(self.send("GET", path, content_type=None).status_code, status)
        self.assertFalse(self.Log.search_count([]))

    # ------------------------------------------------------------
    # BOUNDED WORK
    # ------------------------------------------------------------

    def test_form_work_runs_in_a_queue_job_and_stores_its_data_once(self):
        self.trigger(name="Form again", code="form2", trigger_type="form_submitted")
        leads = self.customer | self.lead(email_from="azure@example.com") | self.lead(email_from="azure@example.com")
        body = {"form": "pricing", "email": "azure@example.com", "message": "m" * 10000}
        Lead = self.registry["crm.lead"]
        with patch.object(Lead, "_stage_automation_match", autospec=True) as match:
            answers = [self.post("/stage_automation/form", body),
                       self.post("/stage_automation/form", {"email": "nobody@example.com"})]
        self.assertEqual([(a.status_code, a.json()) for a in answers], [(202, {"status": "received"})] * 2,
                         "a known and an unknown customer get the same answer")
        self.assertFalse(match.called, "no lead was looked for in the request: it costs the same time either way")
        self.assertEqual(leads.stage_id, self.stage_qualified)
        self.assertFalse(self.Log.search_count([]))
        jobs = self.form_jobs()
        self.assertEqual(jobs.mapped("state"), ["pending", "pending"])
        self.assertEqual(set(jobs.mapped("channel")), {"root.stage_automation"})
        self.assertIn(["form_submitted", body], jobs.mapped("args"))

        self.perform_form_jobs()
        self.assertEqual(leads.stage_id, self.stage_proposal)
        logs = self.Log.search([("lead_id", "in", leads.ids)])
        self.assertEqual(len(logs), 6, "3 leads × 2 triggers")
        self.assertEqual(len(logs.payload_id), 1, "the form is stored once")
        self.assertEqual(logs[0].payload, body)
        self.assertEqual(self.env["stage.automation.trigger.payload"].search_count([]), 1)

    def test_form_without_form_trigger_queues_nothing(self):
        self.form_trigger.active = False
        self.assertEqual(self.post("/stage_automation/form", {"email": "azure@example.com"}).status_code, 202)
        self.assertFalse(self.form_jobs())

    def test_webhook_and_form_fire_a_bounded_number_of_leads(self):
        self.set_param("inbound_max_leads", 5)
        crowd = self.customer
        for _index in range(7):
            crowd |= self.lead(email_from="azure@example.com")
        answer = self.post(self.webhook_path, {"email": "azure@example.com"})
        self.assertEqual(answer.status_code, 200)
        newest = crowd.sorted("id", reverse=True)[:5]
        self.assertEqual([result["lead_id"] for result in answer.json()], newest.ids, "the 5 most recent leads")
        self.assertEqual(self.Log.search([]).lead_id, newest)

        crowd.stage_id = self.stage_qualified
        self.post("/stage_automation/form", {"email": "azure@example.com"})
        self.perform_form_jobs()
        self.assertEqual(crowd.filtered(lambda lead: lead.stage_id == self.stage_proposal), newest)

    def test_webhook_of_one_company_fires_only_its_leads(self):
        other = self.env["res.company"].create({"name": "Other company"})
        self.webhook.company_id = other
        answer = self.post(self.webhook_path, {"email": "azure@example.com"})
        self.assertEqual((answer.status_code, answer.json()["error"]), (404, "No open lead matches."))
        self.assertEqual(self.customer.stage_id, self.stage_qualified)

    def test_form_rate_limit_per_client_address(self):
        self.set_param("form_rate_limit", 3)
        self.set_param("form_rate_period", 60)
        for _index in range(3):
            self.assertEqual(self.post("/stage_automation/form", {"email": "azure@example.com"}).status_code, 202)
        answer = self.post("/stage_automation/form", {"email": "azure@example.com"})
        self.assertEqual(answer.status_code, 429)
        self.assertTrue(1 <= int(answer.headers["Retry-After"]) <= 60)
        self.assertIn(f"try again in {answer.headers['Retry-After']} seconds", answer.json()["error"])
        self.assertEqual(len(self.form_jobs()), 3, "the refused form was not queued")
        RateLimit = self.env["stage.automation.rate.limit"]
        self.assertEqual(RateLimit.search_count([]), 3, "a refused request is not stored")

        # The window passes (moved back, rather than waited for).
        self.env.cr.execute("UPDATE stage_automation_rate_limit SET hit_date = hit_date - interval '61 seconds'")
        self.assertEqual(self.post("/stage_automation/form", {"email": "azure@example.com"}).status_code, 202)
        RateLimit._gc_old_hits()
        self.assertEqual(RateLimit.search_count([]), 1, "the autovacuum removed the rows of the past window")

    # ------------------------------------------------------------
    # FUZZ
    # ------------------------------------------------------------

    def test_fuzz_public_routes(self):
        """1,200 random requests (seeded): never a 5xx, no lead created or moved, no trigger log."""
        self.set_param("form_rate_limit", 100000)
        known_ids = set(self.env["crm.lead"].with_context(active_test=False).search([]).ids)
        fuzzer = RequestFuzzer(20261202, known_ids, self.token)
        fuzz = fuzzer.random
        statuses = {}
        before = self.state()
        content_types = [JSON] * 9 + ["application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", None,
                                      "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz"]
        for index in range(1200):
            if index % 2:
                path, limit = "/stage_automation/form", FORM_LIMIT
            else:
                path, limit = f"/stage_automation/webhook/{fuzzer.token()}", WEBHOOK_LIMIT
            method = "POST" if fuzz.random() < 0.8 else fuzz.choice(["GET", "PUT", "OPTIONS", "HEAD", "DELETE"])
            data = fuzzer.body(limit)
            if fuzz.random() < 0.08:
                data = iter([data[:len(data) // 2], data[len(data) // 2:]])  # chunked
            answer = self.send(method, path, data, fuzz.choice(content_types))
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            self.assertLess(answer.status_code, 500, f"request {index}: {method} {path[:80]}: {answer.text[:200]}")
            self.assertNotIn("Traceback", answer.text)
        self.assertEqual(self.state(), before)
        self.assertTrue({400, 403, 404, 405, 411, 413, 415, 202} <= statuses.keys(), statuses)
        self.perform_form_jobs()
        self.assertEqual(self.state(), before, "the queued forms matched no lead either")
