import hashlib
import json
import re
from unittest.mock import patch

from markupsafe import Markup

from odoo.tests import Form, HttpCase, tagged

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.queue_job.job import Job

from .test_triggers import TriggerCase


@tagged("post_install", "-at_install", "stage_automation_triggers")
class TestTriggerHttp(HttpCase, TriggerCase, MockEmail):
    """The inbound HTTP entry points, through Odoo's HTTP layer."""

    def setUp(self):
        super().setUp()
        self.webhook = self.trigger(name="Webhook", code="hook", trigger_type="webhook")
        action = self.webhook.action_generate_token()
        self.token = action["context"]["default_token"]
        self.url = Form(self.env[action["res_model"]].with_context(**action["context"])).url

    def post(self, path, body, **kwargs):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.url_open(path, data=data, headers={"Content-Type": "application/json"}, **kwargs)

    def perform_form_jobs(self):
        """Run the jobs the form endpoint queued, as queue_job's runner does."""
        for stored in self.env["queue.job"].search([("method_name", "=", "_fire_form"), ("state", "=", "pending")]):
            job = Job.load(self.env, stored.uuid)
            job.perform()
            job.set_done()
            job.store()

    def test_token_is_shown_once_and_stored_hashed(self):
        self.assertGreaterEqual(len(self.token), 43, "32 random bytes, URL-safe")
        self.assertTrue(self.url.endswith(f"/stage_automation/webhook/{self.token}"))
        stored = self.webhook.sudo().read(["token_hash", "token_index"])[0]
        self.assertEqual(stored["token_hash"], hashlib.sha256(self.token.encode()).hexdigest())
        self.env.cr.execute("SELECT count(*) FROM stage_automation_trigger WHERE token_hash = %s OR token_index = %s",
                            [self.token, self.token])
        self.assertEqual(self.env.cr.fetchone()[0], 0, "the token itself is stored nowhere")
        self.assertFalse(self.env["stage.automation.trigger.token"].search_count([]), "nor is its dialog")
        self.assertNotIn("token_hash", self.webhook.with_user(self.manager).fields_get(),
                         "managers do not even see the hash")

    def test_webhook_moves_the_lead_named_by_id_email_or_phone(self):
        lead = self.lead(email_from="azure@example.com", phone="+32 470 12 34 56")
        answer = self.post(f"/stage_automation/webhook/{self.token}", {"lead_id": lead.id, "payload": {"a": 1}})
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json(), [{
            "lead_id": lead.id, "moved": True, "from_stage_id": self.stage_qualified.id,
            "to_stage_id": self.stage_proposal.id, "reason": False}])
        self.assertEqual(self.logs(lead).payload, {"a": 1})
        self.env.flush_all()  # the stage change's tracking message is written at the flush
        moved = lead.message_ids.filtered(lambda message: message.tracking_value_ids)[:1]
        self.assertEqual(moved.author_id, self.env.ref("base.partner_root"), "OdooBot's, not the public user's")
        self.assertEqual(moved.body, Markup(f"<p>Moved by trigger “{self.webhook.name}” (Webhook).</p>"))
        lead.stage_id = self.stage_qualified
        answer = self.post(f"/stage_automation/webhook/{self.token}", {"email": "azure@example.com"})
        self.assertTrue(answer.json()[0]["moved"])
        lead.stage_id = self.stage_qualified
        answer = self.post(f"/stage_automation/webhook/{self.token}", {"phone": "+32470123456"})
        self.assertTrue(answer.json()[0]["moved"])

    def test_webhook_status_codes(self):
        lead = self.lead()
        url = f"/stage_automation/webhook/{self.token}"
        cases = [
            (url, "{not json", 400, "not valid JSON"),
            (url, [1, 2], 400, "JSON object"),
            (url, {"lead_id": "12"}, 400, "must be an integer"),
            (url, {"payload": {}}, 400, "Name the lead"),
            (url, {"lead_id": lead.id, "payload": "text"}, 400, "“payload”"),
            (url, {"phone": "12"}, 400, "cannot be used"),
            (url, {"lead_id": 99999999}, 404, "No open lead"),
            (url, {"email": "nobody@example.com"}, 404, "No open lead"),
            ("/stage_automation/webhook/" + "x" * 43, {"lead_id": lead.id}, 403, "Unknown or revoked"),
        ]
        for path, body, status, error in cases:
            with self.subTest(body=body, status=status):
                answer = self.post(path, body)
                self.assertEqual(answer.status_code, status)
                self.assertEqual(answer.headers["Content-Type"], "application/json; charset=utf-8")
                self.assertIn(error, answer.json()["error"])
                self.assertNotIn("Traceback", answer.text)
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertFalse(self.logs(lead))

    def test_revoked_and_rotated_tokens_are_refused(self):
        lead = self.lead()
        old_token = self.token
        new_token = self.webhook.action_generate_token()["context"]["default_token"]
        self.assertEqual(self.post(f"/stage_automation/webhook/{old_token}", {"lead_id": lead.id}).status_code, 403)
        self.assertEqual(self.post(f"/stage_automation/webhook/{new_token}", {"lead_id": lead.id}).status_code, 200)
        self.webhook.action_revoke_token()
        lead.stage_id = self.stage_qualified
        self.assertEqual(self.post(f"/stage_automation/webhook/{new_token}", {"lead_id": lead.id}).status_code, 403)
        self.assertEqual(lead.stage_id, self.stage_qualified)

    def test_token_comparison_is_constant_time_even_without_candidate(self):
        with patch("odoo.addons.stage_automation.models.stage_automation_trigger.hmac.compare_digest",
                   return_value=False) as compare:
            self.assertFalse(self.Trigger._find_by_token("y" * 43))
            self.assertFalse(self.Trigger._find_by_token(self.token[:8] + "z" * 35))
        self.assertEqual(compare.call_count, 2, "one comparison whether a candidate exists or not")

    def test_body_over_one_mebibyte_is_refused(self):
        lead = self.lead()
        body = json.dumps({"lead_id": lead.id, "payload": {"blob": "x" * (1024 * 1024)}})
        answer = self.post(f"/stage_automation/webhook/{self.token}", body)
        self.assertEqual(answer.status_code, 413)
        self.assertIn("larger than 1 MiB", answer.json()["error"])
        self.assertEqual(lead.stage_id, self.stage_qualified)

    def test_form_endpoint(self):
        self.trigger(name="Form", code="form", trigger_type="form_submitted", form_name="pricing")
        self.trigger(name="Callback", code="cb", trigger_type="callback_request", stage_id=self.stage_won.id)
        lead = self.lead(email_from="azure@example.com")
        answer = self.post("/stage_automation/form", {"form": "pricing", "email": "azure@example.com", "name": "A"})
        self.assertEqual((answer.status_code, answer.json()), (202, {"status": "received"}))
        self.perform_form_jobs()
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.logs(lead).payload["name"], "A")
        self.post("/stage_automation/form", {"email": "azure@example.com", "callback": True})
        self.perform_form_jobs()
        self.assertEqual(lead.stage_id, self.stage_won)
        self.assertEqual(self.post("/stage_automation/form", {"form": "pricing"}).status_code, 400)

    def test_form_endpoint_tells_a_stranger_nothing_about_the_leads(self):
        self.trigger(name="Form", code="form", trigger_type="form_submitted")
        self.lead(email_from="azure@example.com")
        known = self.post("/stage_automation/form", {"email": "azure@example.com"})
        unknown = self.post("/stage_automation/form", {"email": "nobody@example.com"})
        self.assertEqual((known.status_code, known.json()), (unknown.status_code, unknown.json()))

    def test_email_viewed_and_link_clicked(self):
        self.trigger(name="Viewed", code="viewed", trigger_type="email_opened", stage_id=self.stage_proposal.id)
        self.trigger(name="Clicked", code="clicked", trigger_type="link_clicked", stage_id=self.stage_won.id,
                     link_url="pricing")
        rule = self.rule(stage_id=self.stage_qualified.id, action="email_customer", summary="Our prices",
                         body="See https://example.com/pricing")
        lead = self.lead(stage_id=self.stage_new.id)
        with self.mock_mail_gateway():
            lead.stage_id = self.stage_qualified
            self.send_emails()
        run = self.runs(lead, rule)
        # What leaves the server: the customer's notification e-mail, as built for the SMTP server.
        [sent] = [mail for mail in self._mails if lead.email_from in str(mail["email_to"])]
        body = sent["body"]
        self.assertEqual(body.count("/stage_automation/track/"), 1, "the rule's tracking, not the chatter's too")
        pixel = re.search(r'src="[^"]*(/stage_automation/track/[^"]+)"', body).group(1)
        link = re.search(r'href="[^"]*(/r/[^"]+)"', body).group(1)
        self.assertIn(f"/sa/{run.id}/", link)

        forged = pixel.replace(run._tracking_token(), "0" * 64)
        self.assertEqual(self.url_open(forged).status_code, 200)
        self.assertEqual(lead.stage_id, self.stage_qualified, "a forged pixel fires nothing")
        answer = self.url_open(pixel)
        self.assertEqual(answer.headers["Content-Type"], "image/gif")
        self.assertEqual(lead.stage_id, self.stage_proposal)

        answer = self.url_open(link, allow_redirects=False)
        self.assertEqual(answer.status_code, 301)
        self.assertEqual(answer.headers["Location"], "https://example.com/pricing")
        self.assertEqual(lead.stage_id, self.stage_won)
        self.assertEqual(self.env["link.tracker"].search([("url", "=", "https://example.com/pricing")]).count, 1)

    def _chatter_email(self, lead, *partners):
        """What a salesperson's e-mail from the lead's chatter sends each partner: ``{email: body}``."""
        with self.mock_mail_gateway():
            lead.with_user(self.salesman).message_post(
                body=Markup('<p>Our <a href="https://example.com/offer">offer</a></p>'),
                partner_ids=[partner.id for partner in partners], message_type="comment",
                subtype_xmlid="mail.mt_comment")
        return {partner.email: next(mail["body"] for mail in self._mails if partner.email in str(mail["email_to"]))
                for partner in partners}

    def test_an_email_to_the_customer_from_the_chatter_is_tracked_too(self):
        self.trigger(name="Viewed", code="viewed", trigger_type="email_opened", stage_id=self.stage_proposal.id)
        self.trigger(name="Clicked", code="clicked", trigger_type="link_clicked", stage_id=self.stage_won.id,
                     link_url="offer")
        lead = self.lead(stage_id=self.stage_new.id)
        customer = self.env["res.partner"].create({"name": "Azure", "email": "azure@example.com"})
        self.manager.notification_type = "email"
        bodies = self._chatter_email(lead, customer, self.manager.partner_id)
        self.assertNotIn("/stage_automation/track/", bodies["manager@example.com"], "an employee is not tracked")
        body = bodies["azure@example.com"]
        pixel = re.search(r'src="[^"]*(/stage_automation/track/message/[^"]+)"', body).group(1)
        link = re.search(r'href="[^"]*(/r/[^"]+/sam/[^"]+)"', body).group(1)

        message_id = int(pixel.split("/")[4])
        self.assertEqual(self.url_open(pixel.replace(f"/{message_id}/", f"/{message_id + 1}/")).status_code, 200)
        self.assertEqual(lead.stage_id, self.stage_new, "a pixel of another message with this token fires nothing")
        self.url_open(pixel)
        self.assertEqual(lead.stage_id, self.stage_proposal)
        answer = self.url_open(link, allow_redirects=False)
        self.assertEqual((answer.status_code, answer.headers["Location"]), (301, "https://example.com/offer"))
        self.assertEqual(lead.stage_id, self.stage_won)
        log = self.env["stage.automation.trigger.log"].search([("lead_id", "=", lead.id)], order="id desc", limit=1)
        self.assertIn("offer", str(log.payload))

    def test_a_company_can_leave_its_chatter_emails_untracked(self):
        lead = self.lead(stage_id=self.stage_new.id)
        with Form(self.env["res.config.settings"]) as settings:
            self.assertTrue(settings.stage_automation_track_emails, "tracked by default")
            settings.stage_automation_track_emails = False
        self.assertFalse(lead.company_id.stage_automation_track_emails)
        customer = self.env["res.partner"].create({"name": "Azure", "email": "azure@example.com"})
        body = self._chatter_email(lead, customer)["azure@example.com"]
        self.assertNotIn("/stage_automation/track/", body)
        self.assertIn("https://example.com/offer", body)
