import hashlib
import hmac
import json
import secrets

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import str2bool
from odoo.tools.translate import _lt

from odoo.addons.queue_job.exception import RetryableJobError

from ..engine import outbound

SIGNATURE_HEADER = "X-Stage-Automation-Signature"
IDEMPOTENCY_HEADER = "X-Stage-Automation-Idempotency-Key"
ALLOW_PRIVATE_PARAM = "stage_automation.webhook_allow_private"
OUTGOING_ACTIONS = ("webhook", "robot_call")


class StageAutomationRule(models.Model):
    """Calls to other systems: the outgoing webhook, and robot calls handed to a telephony provider.

    Both POST signed JSON from a queue job: network errors and 5xx answers are
    retried by queue_job with its backoff (same idempotency key each time),
    4xx answers fail the run at once. Their address, secret and timeout are
    the family's (``outgoing_*``); the fields sent are the webhook's own.
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[("webhook", "Webhook (outgoing)"), ("robot_call", "Robot call")],
        ondelete={"webhook": "cascade", "robot_call": "cascade"},
    )
    outgoing_url = fields.Char(
        string="Address", help="The receiver's URL (https://…). For robot calls, empty uses the telephony provider "
                               "of the system parameters stage_automation.robot_call_url and "
                               "stage_automation.robot_call_secret (its signing secret).")
    webhook_field_ids = fields.Many2many(
        "ir.model.fields", "stage_automation_rule_webhook_field_rel", "rule_id", "field_id", string="Fields sent",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True), ('ttype', '!=', 'binary')]",
        help="Fields of the lead sent in the JSON body; its id, name and stage always are.")
    outgoing_secret = fields.Char(
        string="Signing secret", copy=False, default=lambda self: secrets.token_hex(32),
        groups="stage_automation.group_stage_automation_lead_update,"
               "stage_automation.group_stage_automation_opportunity_update",
        help=f"The receiver checks the header {SIGNATURE_HEADER}: the hexadecimal HMAC-SHA256 of the body "
             "with this secret.")
    outgoing_timeout = fields.Integer(string="Timeout (seconds)", default=10)

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "robot_call": {"body"}}

    @api.constrains("action", "outgoing_url", "outgoing_timeout", "body")
    def _check_outgoing(self):
        for rule in self.filtered(lambda r: r.action in OUTGOING_ACTIONS):
            url = rule.outgoing_url or (rule.action == "robot_call" and rule._robot_call_url())
            if not url:
                raise ValidationError(_("Rule “%(rule)s”: give the receiver's address (http:// or https://).",
                                        rule=rule.name))
            try:
                outbound.parse(url)
            except outbound.AddressError as error:
                raise ValidationError(_("Rule “%(rule)s”: %(problem)s", rule=rule.name,
                                        problem=rule._address_problem(url, error))) from error
            if not 1 <= rule.outgoing_timeout <= 120:
                raise ValidationError(_("Rule “%(rule)s”: the timeout is between 1 and 120 seconds.",
                                        rule=rule.name))
            if rule.action == "robot_call" and not rule.body:
                raise ValidationError(_("Rule “%(rule)s”: write what the robot says.", rule=rule.name))
            if rule.action == "robot_call" and not rule.outgoing_url and not rule._robot_call_secret():
                raise ValidationError(_(
                    "Rule “%(rule)s”: the provider's address comes from the system parameters, so does its "
                    "signing secret: set stage_automation.robot_call_secret.", rule=rule.name))

    def action_regenerate_outgoing_secret(self):
        self.check_access("write")
        for rule in self:
            rule.outgoing_secret = secrets.token_hex(32)
        return True

    def _needs_own_transaction(self):
        # Retries exist only in a queue job; a person's save never waits on another system either.
        return self.action in OUTGOING_ACTIONS or super()._needs_own_transaction()

    def _robot_call_url(self):
        return self.env["ir.config_parameter"].sudo().get_param("stage_automation.robot_call_url")

    def _robot_call_secret(self):
        return self.env["ir.config_parameter"].sudo().get_param("stage_automation.robot_call_secret")

    def _prepare_action_webhook(self, run, lead):
        """The fields sent are read when the rule runs."""
        fields_sent = ", ".join(["name", "stage_id", *self.webhook_field_ids.mapped("name")])
        return {"to": self.outgoing_url, "details": [(_("Fields sent"), fields_sent)]}

    def _run_action_webhook(self, run, lead):
        url = self._prepare_action(run, lead)["to"]
        names = ["name", "stage_id", *self.webhook_field_ids.mapped("name")]
        values = lead.read(list(dict.fromkeys(names)))[0]
        payload = {"event": "stage_automation.rule", "rule": self.name, "rule_id": self.id, "run_id": run.id,
                   "lead_id": lead.id, "fields": values}
        status = self._post_signed(url, self.sudo().outgoing_secret, payload, run,
                                   allow_private=self._private_addresses_allowed())
        return _lt("Sent to %(url)s (answer %(status)s).", url=url, status=status)

    def _prepare_action_robot_call(self, run, lead):
        """The customer's number, what the robot says, and the provider called."""
        number = self._customer_number(lead, _lt("no call was requested"))
        if self.outgoing_url:
            url, secret = self.outgoing_url, self.sudo().outgoing_secret
            allow_private = self._private_addresses_allowed()
        else:
            # The telephony provider of the system parameters is the administrator's own choice.
            url, secret, allow_private = self._robot_call_url(), self._robot_call_secret(), True
            if not (url and secret):
                raise UserError(_("The telephony provider is not configured (system parameters "
                                  "stage_automation.robot_call_url and stage_automation.robot_call_secret): "
                                  "no call was requested."))
        return {"to": number, "body": self._render("body", lead), "url": url, "secret": secret,
                "allow_private": allow_private, "details": [(_("Provider"), url)]}

    def _run_action_robot_call(self, run, lead):
        plan = self._prepare_action(run, lead)
        payload = {"event": "stage_automation.robot_call", "to": plan["to"], "message": plan["body"],
                   "language": lead.lang_id.code or lead.user_id.lang, "lead_id": lead.id, "run_id": run.id}
        status = self._post_signed(plan["url"], plan["secret"], payload, run, allow_private=plan["allow_private"])
        return _lt("Robot call to %(number)s requested (answer %(status)s).", number=plan["to"], status=status)

    def _private_addresses_allowed(self):
        """Whether the addresses written on rules may lead into the server's own network.

        Rules are written by sales managers: without this check, a rule could
        make the server call its own services (databases, admin pages, cloud
        metadata). An administrator who means to call internal systems allows
        it with the system parameter ``stage_automation.webhook_allow_private``.
        """
        return str2bool(self.env["ir.config_parameter"].sudo().get_param(ALLOW_PRIVATE_PARAM, "False"))

    def _address_problem(self, url, error):
        """The sentence telling what is wrong with ``url`` (an :class:`outbound.AddressError`)."""
        return {
            "characters": _("%(url)s holds a backslash, a space or a control character: write the address "
                            "without them.", url=url),
            "malformed": _("%(url)s cannot be read as an address: check its host name and its port "
                           "(1 to 65535).", url=url),
            "scheme": _("%(url)s is not an http:// or https:// address.", url=url),
            "userinfo": _("%(url)s holds a user name or a password before “@”: such addresses are not called.",
                          url=url),
            "host": _("%(url)s has no host name.", url=url),
            "private": _("%(url)s leads to %(address)s, an address of the server's own network: nothing was "
                         "sent. An administrator can allow such addresses with the system parameter "
                         "%(param)s.", url=url, address=error.address, param=ALLOW_PRIVATE_PARAM),
        }[error.code]

    def _post_signed(self, url, secret, payload, run, allow_private):
        """POST ``payload`` as JSON signed with ``secret``; returns the status, raises for a retry or a failure.

        The connection goes to the address the host name resolved to when it
        was checked (engine/outbound.py), so that neither the URL's
        spelling nor a second DNS answer leads elsewhere. Redirections are not
        followed: a POST would turn into a GET, the receiver's final address
        belongs on the rule. Of the answer, only the status line is told: its
        body may come from an internal service.
        """
        try:
            target = outbound.parse(url)
            address = outbound.resolve(target, allow_private)
        except outbound.AddressError as error:
            raise UserError(self._address_problem(url, error)) from error
        except OSError as error:
            raise RetryableJobError(_("%(url)s could not be reached (%(error)s)",
                                      url=url, error=error.__class__.__name__)) from error
        body = json.dumps(payload, default=str, ensure_ascii=False, sort_keys=True).encode()
        secret = secret or ""
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            IDEMPOTENCY_HEADER: f"{self.env['ir.config_parameter'].sudo().get_param('database.uuid')}-{run.id}",
            "User-Agent": "Odoo stage_automation",
        }
        try:
            answer = outbound.post(target, address, body, headers, self.outgoing_timeout)
        except requests.RequestException as error:
            raise RetryableJobError(_("%(url)s could not be reached (%(error)s)",
                                      url=url, error=error.__class__.__name__)) from error
        status, status_line = answer.status_code, outbound.status_line(answer)
        if status >= 500:
            raise RetryableJobError(_("%(url)s answered %(status)s", url=url, status=status_line))
        if status >= 400:
            raise UserError(_("The receiver answered %(status)s.", status=status_line))
        if status >= 300:
            location = (answer.headers.get("Location") or "")[:outbound.ANSWER_TEXT_LIMIT]
            raise UserError(_("The receiver answered %(status)s, a redirection to %(location)s: "
                              "put the final address on the rule.", status=status_line,
                              location=location or _("another address")))
        return status
