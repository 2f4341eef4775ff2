"""Outgoing calls cannot be turned against the server's own network (SSRF), nor leak what it answers.

The receiver is an HTTP server of the test on 127.0.0.1; host names are
resolved by a fake resolver, and every request the rules send is recorded by
Odoo's test guard of outgoing requests, which lets only those to 127.0.0.1
leave: no packet goes to any other address.
"""

import re
import socket
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.stage_automation.engine import outbound

from .test_actions_outgoing import OutgoingCase

OWN_NETWORK = "an address of the server's own network: nothing was sent"
PUBLIC = "93.184.216.34"  # answered by the fake resolver; never contacted (see _request_handler)


@tagged("post_install", "-at_install", "stage_automation_security")
class TestOutgoingCallsStayOutside(OutgoingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sent = []

    @classmethod
    def _request_handler(cls, session, request, **kwargs):
        """Record each request where its connection goes (its URL) and its Host header; Odoo's guard
        then lets only those to 127.0.0.1 through."""
        cls.sent.append((request.url, request.headers.get("Host")))
        return super()._request_handler(session, request, **kwargs)

    def setUp(self):
        super().setUp()
        self.sent.clear()
        self.port = self.server.server_address[1]
        self.env["ir.config_parameter"].set_param("stage_automation.webhook_allow_private", "False")
        self.dns, self.lookups = {}, []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            """``self.dns[host]``: the answers of the successive lookups (the last one stays)."""
            if host not in self.dns:
                return real(host, port, *args, **kwargs)
            self.lookups.append(host)
            answers = self.dns[host]
            answer = answers.pop(0) if len(answers) > 1 else answers[0]
            return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (address, port)) for address in answer]

        resolver = patch.object(outbound.socket, "getaddrinfo", getaddrinfo)
        resolver.start()
        self.addCleanup(resolver.stop)

    def stored_webhook(self, url):
        """A webhook rule whose address ``url`` was stored without the checks of the form (an older version,
        an import): the run checks it again."""
        rule = self.webhook_rule(name=url)
        self.env.cr.execute("UPDATE stage_automation_rule SET outgoing_url = %s WHERE id = %s", (url, rule.id))
        rule.invalidate_recordset(["outgoing_url"])
        return rule

    def assert_refused(self, rule, reason):
        lead, run = self.enter_queued(rule, name=rule.name)
        self.assertFalse(self.perform_once(), "refused at once, not retried")
        self.assertEqual(run.state, "failed")
        self.assertIn(reason, run.reason)
        self.assertFalse(self.server.requests)
        self.assertFalse(self.sent, "nothing was sent anywhere")
        rule.active = False  # the next lead entering the stage runs the next rule only

    def test_spellings_that_hide_the_host_are_refused_on_save_and_at_run_time(self):
        port = self.port
        for url, reason in [
            (f"http://example.com@127.0.0.1:{port}/hook", "holds a user name or a password before “@”"),
            (f"http://user:password@127.0.0.1:{port}/hook", "holds a user name or a password before “@”"),
            (f"https://127.0.0.1:{port}%2f@example.com/hook", "holds a user name or a password before “@”"),
            (f"http://127.0.0.1:{port}\\@example.com/hook", "holds a backslash, a space or a control character"),
            (f"http://example.com\\.127.0.0.1:{port}/hook", "holds a backslash, a space or a control character"),
            (f"http://127.0.0.1:{port}/hook\r\nX-Injected: 1", "holds a backslash, a space or a control character"),
            (f" http://127.0.0.1:{port}/hook", "holds a backslash, a space or a control character"),
            ("http://127.0.0.1:0/hook", "cannot be read as an address: check its host name and its port (1 to 65535)"),
            ("http://127.0.0.1:65536/hook", "cannot be read as an address"),
            (f"http://:{port}/hook", "has no host name"),
            (f"gopher://127.0.0.1:{port}/_", "is not an http:// or https:// address"),
        ]:
            with self.subTest(url=url):
                with self.assertRaisesRegex(ValidationError, re.escape(reason)), self.env.cr.savepoint():
                    self.webhook_rule(name=url, outgoing_url=url)
                self.assert_refused(self.stored_webhook(url), reason)
        with self.assertRaisesRegex(ValidationError, "holds a user name or a password"), self.env.cr.savepoint():
            self.rule(action="robot_call", body="Hi", outgoing_url=f"http://a@127.0.0.1:{port}/")

    def test_addresses_leading_to_the_server_itself_are_refused(self):
        self.dns.update({"inside.test": [["127.0.0.1"]], "both.test": [[PUBLIC, "127.0.0.1"]],
                         "metadata.test": [["169.254.169.254"]], "lan.test": [["::ffff:10.0.0.5"]]})
        for host in ("2130706433", "0177.0.0.1", "0x7f.1", "0x7f000001", "127.1", "0.0.0.0", "0", "[::]", "[::1]",
                     "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "localhost", "LocalHost", "inside.test", "both.test",
                     "metadata.test", "lan.test"):
            url = f"http://{host}:{self.port}/hook"
            with self.subTest(url=url):
                self.assert_refused(self.webhook_rule(name=url, outgoing_url=url), OWN_NETWORK)

    def test_dns_rebinding_reaches_the_checked_address_never_the_loopback(self):
        self.dns["rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
        url = f"http://rebind.test:{self.port}/hook"
        lead, run = self.enter_queued(self.webhook_rule(outgoing_url=url))
        [error] = self.perform_once()
        self.assertIn("could not be reached", str(error))
        self.assertEqual(self.sent, [(f"http://{PUBLIC}:{self.port}/hook", f"rebind.test:{self.port}")],
                         "the connection goes to the address that was checked (and no further in a test)")
        self.assertEqual(self.lookups, ["rebind.test"], "one lookup: the check's")
        self.assertFalse(self.perform_once(), "the next attempt is checked again and refused")
        self.assertEqual(run.state, "failed")
        self.assertIn(f"leads to 127.0.0.1, {OWN_NETWORK}", run.reason)
        self.assertEqual(len(self.sent), 1)
        self.assertFalse(self.server.requests)

    def test_when_allowed_the_call_goes_to_the_checked_address_with_the_host_name(self):
        self.env["ir.config_parameter"].set_param("stage_automation.webhook_allow_private", "True")
        self.dns["erp.test"] = [["127.0.0.1"], ["10.9.9.9"]]
        url = f"http://erp.test:{self.port}/hook?source=odoo"
        lead, run = self.enter_queued(self.webhook_rule(outgoing_url=url))
        self.assertFalse(self.perform_once())
        self.assertEqual(run.state, "done", run.reason)
        self.assertEqual(run.reason, f"Sent to {url} (answer 200).")
        [request] = self.server.requests
        self.assertEqual((request["host"], request["path"]), (f"erp.test:{self.port}", "/hook?source=odoo"))
        self.assertTrue(request["signature_ok"])
        self.assertEqual(self.sent, [(f"http://127.0.0.1:{self.port}/hook?source=odoo", f"erp.test:{self.port}")])
        self.assertEqual(self.lookups, ["erp.test"])

    def test_the_receiver_s_answer_is_not_told_only_its_status_line(self):
        self.env["ir.config_parameter"].set_param("stage_automation.webhook_allow_private", "True")
        secret = b"root:x:0:0 db_password=hunter2"
        self.server.answer = secret
        for statuses, phrase, reason in [
            ([403], None, "Failed: The receiver answered HTTP 403 Forbidden."),
            ([500] * 5, None, f"Failed: the job queue gave up (Max. retries (5) reached: {self.url} answered "
                              "HTTP 500 Internal Server Error)."),
            ([418], "x" * 500, f"Failed: The receiver answered HTTP 418 {'x' * 191}."),
        ]:
            with self.subTest(statuses=statuses):
                self.server.statuses, self.server.phrase = statuses, phrase
                rule = self.webhook_rule()
                lead, run = self.enter_queued(rule)
                while self.perform_once():
                    pass
                rule.active = False
                self.assertEqual(run.reason, reason)
                jobs = self.env["queue.job"].search([("model_name", "=", "stage.automation.run")])
                for text in [run.reason, *self.notes(lead).mapped("body"), *jobs.mapped("result"),
                             *jobs.mapped("exc_message"), *jobs.mapped("exc_info")]:
                    self.assertNotIn("hunter2", text or "")
