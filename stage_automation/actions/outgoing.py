import hashlib
import hmac
import json
import secrets

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

SIGNATURE_HEADER = "X-Stage-Automation-Signature"
IDEMPOTENCY_HEADER = "X-Stage-Automation-Idempotency-Key"
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
        string="Address", help="The receiver's URL (https://…). For robot calls, empty uses the provider address "
                               "of the system parameter stage_automation.robot_call_url.")
    webhook_field_ids = fields.Many2many(
        "ir.model.fields", "stage_automation_rule_webhook_field_rel", "rule_id", "field_id", string="Fields sent",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True)]",
        help="Fields of the lead sent in the JSON body; its id, name and stage always are.")
    webhook_secret = fields.Char(
        string="Signing secret", copy=False, default=lambda self: secrets.token_hex(32),
        groups="stage_automation.group_stage_automation_lead_update,"
               "stage_automation.group_stage_automation_opportunity_update",
        help=f"The receiver checks the header {SIGNATURE_HEADER}: the hexadecimal HMAC-SHA256 of the body "
             "with this secret.")
    webhook_timeout = fields.Integer(string="Timeout (seconds)", default=10)

    @api.constrains("action", "webhook_url", "webhook_timeout")
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

    def _run_action_webhook(self, run, lead):
        names = ["name", "stage_id", *self.webhook_field_ids.mapped("name")]
        values = lead.read(list(dict.fromkeys(names)))[0]
        payload = {"event": "stage_automation.rule", "rule": self.name, "rule_id": self.id, "run_id": run.id,
                   "lead_id": lead.id, "fields": values}
        status = self._post_signed(self.webhook_url, payload, run)
        return _("Sent to %(url)s (answer %(status)s).", url=self.webhook_url, status=status)

    def _run_action_robot_call(self, run, lead):
        partner = lead.partner_id
        number = lead.mobile or lead.phone or partner.mobile or partner.phone
        if not number:
            raise UserError(_("The customer has no phone number: no call was requested."))
        e164 = self._e164_or_fail(number, partner.country_id or lead.country_id or lead.company_id.country_id,
                                  _("the customer"))
        url = self.webhook_url or self._robot_call_url()
        payload = {"event": "stage_automation.robot_call", "to": e164, "message": self._render("body", lead),
                   "language": lead.lang_id.code or lead.user_id.lang, "lead_id": lead.id, "run_id": run.id}
        status = self._post_signed(url, payload, run)
        return _("Robot call to %(number)s requested (answer %(status)s).", number=e164, status=status)

    def _post_signed(self, url, payload, run):
        """POST ``payload`` as signed JSON; returns the status, raises for a retry or a failure."""
        body = json.dumps(payload, default=str, ensure_ascii=False, sort_keys=True).encode()
        secret = self.sudo().webhook_secret or ""
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            IDEMPOTENCY_HEADER: f"{self.env['ir.config_parameter'].sudo().get_param('database.uuid')}-{run.id}",
            "User-Agent": "Odoo stage_automation",
        }
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=self.webhook_timeout)
        except requests.RequestException as error:
            raise RetryableJobError(_("%(url)s could not be reached (%(error)s); trying again later.",
                                      url=url, error=error.__class__.__name__)) from error
        if answer.status_code >= 500:
            raise RetryableJobError(_("%(url)s answered %(status)s; trying again later.",
                                      url=url, status=answer.status_code))
        if answer.status_code >= 400:
            raise UserError(_("The receiver answered %(status)s: %(text)s", status=answer.status_code,
                              text=answer.text[:200].strip() or answer.reason))
        return answer.status_code
