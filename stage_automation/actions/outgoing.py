import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from urllib.parse import urlsplit

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import str2bool

from odoo.addons.queue_job.exception import RetryableJobError

SIGNATURE_HEADER = "X-Stage-Automation-Signature"
IDEMPOTENCY_HEADER = "X-Stage-Automation-Idempotency-Key"
ALLOW_PRIVATE_PARAM = "stage_automation.webhook_allow_private"
OUTGOING_ACTIONS = ("webhook", "robot_call")


class StageAutomationRule(models.Model):
    """Calls to other systems: the outgoing webhook, and robot calls handed to a telephony provider.

    Both POST signed JSON from a queue job: network errors and 5xx answers are
    retried by queue_job with its backoff (same idempotency key each time),
    4xx answers fail the run at once.
    """

    _inherit = "stage.automation.rule"

    action = fields.Selection(
        selection_add=[("webhook", "Webhook (outgoing)"), ("robot_call", "Robot call")],
        ondelete={"webhook": "cascade", "robot_call": "cascade"},
    )
    webhook_url = fields.Char(
        string="Address", help="The receiver's URL (https://…). For robot calls, empty uses the telephony provider "
                               "of the system parameters stage_automation.robot_call_url and "
                               "stage_automation.robot_call_secret (its signing secret).")
    webhook_field_ids = fields.Many2many(
        "ir.model.fields", "stage_automation_rule_webhook_field_rel", "rule_id", "field_id", string="Fields sent",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True), ('ttype', '!=', 'binary')]",
        help="Fields of the lead sent in the JSON body; its id, name and stage always are.")
    webhook_secret = fields.Char(
        string="Signing secret", copy=False, default=lambda self: secrets.token_hex(32),
        groups="stage_automation.group_stage_automation_lead_update,"
               "stage_automation.group_stage_automation_opportunity_update",
        help=f"The receiver checks the header {SIGNATURE_HEADER}: the hexadecimal HMAC-SHA256 of the body "
             "with this secret.")
    webhook_timeout = fields.Integer(string="Timeout (seconds)", default=10)

    @api.constrains("action", "webhook_url", "webhook_timeout", "body")
    def _check_outgoing(self):
        for rule in self.filtered(lambda r: r.action in OUTGOING_ACTIONS):
            url = rule.webhook_url or (rule.action == "robot_call" and rule._robot_call_url())
            if not url or not url.startswith(("http://", "https://")):
                raise ValidationError(_("Rule “%(rule)s”: give the receiver's address (http:// or https://).",
                                        rule=rule.name))
            if not 1 <= rule.webhook_timeout <= 120:
                raise ValidationError(_("Rule “%(rule)s”: the timeout is between 1 and 120 seconds.",
                                        rule=rule.name))
            if rule.action == "robot_call" and not rule.body:
                raise ValidationError(_("Rule “%(rule)s”: write what the robot says.", rule=rule.name))
            if rule.action == "robot_call" and not rule.webhook_url and not rule._robot_call_secret():
                raise ValidationError(_(
                    "Rule “%(rule)s”: the provider's address comes from the system parameters, so does its "
                    "signing secret: set stage_automation.robot_call_secret.", rule=rule.name))

    def action_regenerate_webhook_secret(self):
        self.check_access("write")
        for rule in self:
            rule.webhook_secret = secrets.token_hex(32)
        return True

    def _needs_own_transaction(self):
        # Retries exist only in a queue job; a person's save never waits on another system either.
        return self.action in OUTGOING_ACTIONS or super()._needs_own_transaction()

    def _robot_call_url(self):
        return self.env["ir.config_parameter"].sudo().get_param("stage_automation.robot_call_url")

    def _robot_call_secret(self):
        return self.env["ir.config_parameter"].sudo().get_param("stage_automation.robot_call_secret")

    def _run_action_webhook(self, run, lead):
        names = ["name", "stage_id", *self.webhook_field_ids.mapped("name")]
        values = lead.read(list(dict.fromkeys(names)))[0]
        payload = {"event": "stage_automation.rule", "rule": self.name, "rule_id": self.id, "run_id": run.id,
                   "lead_id": lead.id, "fields": values}
        self._check_receiver_address(self.webhook_url)
        status = self._post_signed(self.webhook_url, self.sudo().webhook_secret, payload, run)
        return _("Sent to %(url)s (answer %(status)s).", url=self.webhook_url, status=status)

    def _run_action_robot_call(self, run, lead):
        number = self._customer_number(lead, _("no call was requested"))
        if self.webhook_url:
            self._check_receiver_address(self.webhook_url)
            url, secret = self.webhook_url, self.sudo().webhook_secret
        else:
            url, secret = self._robot_call_url(), self._robot_call_secret()
            if not (url and secret):
                raise UserError(_("The telephony provider is not configured (system parameters "
                                  "stage_automation.robot_call_url and stage_automation.robot_call_secret): "
                                  "no call was requested."))
        payload = {"event": "stage_automation.robot_call", "to": number, "message": self._render("body", lead),
                   "language": lead.lang_id.code or lead.user_id.lang, "lead_id": lead.id, "run_id": run.id}
        status = self._post_signed(url, secret, payload, run)
        return _("Robot call to %(number)s requested (answer %(status)s).", number=number, status=status)

    def _check_receiver_address(self, url):
        """The address written on a rule must lead out of the server's own network.

        Rules are written by sales managers: without this, a rule could make
        the server call its own services (databases, admin pages, cloud
        metadata) and show the answers in the run's reason. An administrator
        who means to call internal systems allows it with the system parameter
        ``stage_automation.webhook_allow_private``; the telephony provider of
        the system parameters is the administrator's own choice and is not checked.
        """
        if str2bool(self.env["ir.config_parameter"].sudo().get_param(ALLOW_PRIVATE_PARAM, "False")):
            return
        host = urlsplit(url).hostname or ""
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
        except (socket.gaierror, UnicodeError) as error:
            raise RetryableJobError(_("%(url)s could not be reached (%(error)s)",
                                      url=url, error=error.__class__.__name__)) from error
        private = sorted(address for address in addresses
                         if not ipaddress.ip_address(address.split("%")[0]).is_global)
        if private:
            raise UserError(_("%(url)s leads to %(address)s, an address of the server's own network: nothing was "
                              "sent. An administrator can allow such addresses with the system parameter "
                              "%(param)s.", url=url, address=private[0], param=ALLOW_PRIVATE_PARAM))

    def _post_signed(self, url, secret, payload, run):
        """POST ``payload`` as JSON signed with ``secret``; returns the status, raises for a retry or a failure.

        Redirections are not followed: a POST would turn into a GET, the
        receiver's final address belongs on the rule.
        """
        body = json.dumps(payload, default=str, ensure_ascii=False, sort_keys=True).encode()
        secret = secret or ""
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            IDEMPOTENCY_HEADER: f"{self.env['ir.config_parameter'].sudo().get_param('database.uuid')}-{run.id}",
            "User-Agent": "Odoo stage_automation",
        }
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=self.webhook_timeout,
                                   allow_redirects=False)
        except requests.RequestException as error:
            raise RetryableJobError(_("%(url)s could not be reached (%(error)s)",
                                      url=url, error=error.__class__.__name__)) from error
        status = answer.status_code
        if status >= 500:
            raise RetryableJobError(_("%(url)s answered %(status)s", url=url, status=status))
        if status >= 400:
            raise UserError(_("The receiver answered %(status)s: %(text)s", status=status,
                              text=answer.text[:200].strip() or answer.reason))
        if status >= 300:
            raise UserError(_("The receiver answered %(status)s, a redirection to %(location)s: "
                              "put the final address on the rule.", status=status,
                              location=answer.headers.get("Location") or _("another address")))
        return status
