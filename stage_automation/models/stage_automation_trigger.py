import hashlib
import hmac
import logging
import math
import re
import secrets
import unicodedata

from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .. import compat

_logger = logging.getLogger(__name__)

# The events of the core; the bridge addons add theirs with ``selection_add``.
TRIGGER_TYPES = [
    ("email_received", "E-mail received"),
    ("message_sent", "Message sent to the customer"),
    ("email_opened", "E-mail viewed"),
    ("link_clicked", "Link clicked"),
    ("incoming_call", "Incoming call"),
    ("missed_call", "Missed call"),
    ("form_submitted", "CRM form submitted"),
    ("callback_request", "Callback request"),
    ("webhook", "Webhook"),
    ("user_changed", "Responsible changed"),
    ("field_changed", "Field changed to a value"),
    ("resource_booked", "Resource booked"),
    ("application", "Application trigger"),
]
# Events reported without knowing the record: the caller names the customer by phone or e-mail.
CONTACT_EVENTS = ("incoming_call", "missed_call", "form_submitted", "callback_request")
# Fields a trigger may watch: the stage is what triggers change, never what they react to.
UNWATCHABLE_FIELDS = ("stage_id", "write_date", "write_uid", "__last_update")
TOKEN_BYTES = 32
TOKEN_INDEX_SIZE = 8
# What ``secrets.token_urlsafe(TOKEN_BYTES)`` makes: anything else is no token.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
# Leads the webhook and the form endpoint fire at most for one call, unless a system parameter says otherwise.
DEFAULT_INBOUND_MAX_LEADS = 20
# Event data: nesting deeper than this is refused, and so are the texts PostgreSQL cannot store.
MAX_JSON_DEPTH = 16
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
MAX_RECORD_ID = 2 ** 31 - 1


@compat.sql_constraints(
    ("code_company_uniq", "unique (code, company_id)", "The code of a trigger must be unique per company."),
)
class StageAutomationTrigger(models.Model):
    """A trigger: an event of the customer (or of an integration) that moves a lead to this stage.

    It moves only forward in the pipeline unless told otherwise, never a
    lead already there, won, lost or archived; only the rules of the stage it
    moves to run. Every firing leaves a line in the trigger log.
    """

    _name = "stage.automation.trigger"
    _description = "Stage Automation Trigger"
    _inherit = ["stage.automation.scope"]
    _order = "stage_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    code = fields.Char(
        required=True, copy=False, compute="_compute_code", store=True, readonly=False, precompute=True,
        help="Identifier integrations use to fire this trigger (unique per company); made from the name "
             "unless you write one.")
    stage_id = fields.Many2one(
        string="Move to stage",
        help="The stage the lead is moved to when the event happens; only its rules run.")
    trigger_type = fields.Selection(TRIGGER_TYPES, string="Event", required=True, default="application")
    allow_backward = fields.Boolean(
        string="Allow moving back",
        help="Also move leads that are further in the pipeline back to this stage.")
    filter_domain = fields.Char(
        help="The lead is moved only when it matches this condition at the time of the event.")

    # Filters on the event, by event type
    form_name = fields.Char(
        string="Form", help="Only for this form (the name the form sends); empty for every form.")
    link_url = fields.Char(string="Link", help="Only when the clicked address contains this text; empty for any link.")
    field_id = fields.Many2one(
        "ir.model.fields", ondelete="cascade",
        domain=[("model", "=", "crm.lead"), ("store", "=", True), ("name", "not in", UNWATCHABLE_FIELDS)])
    field_value = fields.Char(
        string="New value",
        help="Fires when the field takes this value (text, number, yes/no, a selection key, the name or id "
             "of a record); empty for any change.")
    user_id = fields.Many2one(
        "res.users", string="New responsible", domain=[("share", "=", False)],
        help="Only when the lead is given to this user; empty for any change of responsible.")

    # Inbound webhook token: only its hash is kept
    token_index = fields.Char(readonly=True, copy=False, index="btree_not_null", groups="base.group_system")
    token_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    has_token = fields.Boolean(compute="_compute_has_token", string="Token set")
    token_date = fields.Datetime(string="Token created on", readonly=True, copy=False)

    transfer_key = fields.Char(
        readonly=True, copy=False, index="btree_not_null",
        help="Key of the trigger in the file it was imported from: importing that file again updates the trigger.")
    log_ids = fields.One2many("stage.automation.trigger.log", "trigger_id", string="Firings")
    log_count = fields.Integer(compute="_compute_log_count", string="Firing count")

    @api.depends("name")
    def _compute_code(self):
        """A code made from the name, numbered (``webhook_2``) when another trigger has it already:
        a user who names two triggers alike, or duplicates one, never meets a clash they did not type."""
        taken = set()
        for trigger in self.filtered(lambda t: not t.code and t.name):
            ascii_name = unicodedata.normalize("NFKD", trigger.name).encode("ascii", "ignore").decode()
            base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "trigger"
            taken |= set(self.sudo().with_context(active_test=False).search(
                [("code", "=like", f"{base}%")]).mapped("code"))
            code, number = base, 1
            while code in taken:
                number += 1
                code = f"{base}_{number}"
            taken.add(code)
            trigger.code = code

    @api.depends("token_date")
    def _compute_has_token(self):
        for trigger in self:
            trigger.has_token = bool(trigger.token_date)

    def _compute_log_count(self):
        counts = dict(self.env["stage.automation.trigger.log"]._read_group(
            [("trigger_id", "in", self.ids)], ["trigger_id"], ["__count"]))
        for trigger in self:
            trigger.log_count = counts.get(trigger, 0)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("code", "company_id")
    def _check_code(self):
        for trigger in self:
            if not trigger.code.strip() or trigger.code != trigger.code.strip():
                raise ValidationError(_("Trigger “%(trigger)s”: the code cannot be empty or start or end with "
                                        "spaces.", trigger=trigger.name))
            # Unique constraints treat empty companies as distinct: a code valid everywhere is checked here.
            domain = [("id", "!=", trigger.id), ("code", "=", trigger.code)]
            if trigger.company_id:
                domain += ["|", ("company_id", "=", False), ("company_id", "=", trigger.company_id.id)]
            clash = self.sudo().with_context(active_test=False).search_count(domain)
            if clash:
                raise ValidationError(_("The code “%(code)s” is already used by another trigger.", code=trigger.code))

    @api.constrains("trigger_type", "field_id", "field_value")
    def _check_field(self):
        for trigger in self.filtered(lambda t: t.trigger_type == "field_changed"):
            if not trigger.field_id:
                raise ValidationError(_("Trigger “%(trigger)s”: choose the field to watch.", trigger=trigger.name))
            if trigger.field_id.name in UNWATCHABLE_FIELDS:
                raise ValidationError(_("Trigger “%(trigger)s”: the field “%(field)s” cannot be watched.",
                                        trigger=trigger.name, field=trigger.field_id.field_description))
            if trigger.field_value:
                try:
                    trigger._expected_value()
                except UserError as error:
                    raise ValidationError(_("Trigger “%(trigger)s”: %(error)s", trigger=trigger.name,
                                            error=error.args[0])) from error

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        triggers = super().create(vals_list)
        self.env.registry.clear_cache()
        return triggers

    def write(self, vals):
        result = super().write(vals)
        if {"active", "trigger_type", "field_id"} & vals.keys():
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache()
    def _active_types(self):
        """Event types some active trigger waits for: the other events cost no query."""
        return frozenset(self.sudo().search([]).mapped("trigger_type"))

    @api.model
    @tools.ormcache()
    def _watched_fields(self):
        """Lead fields whose writes may fire a trigger: lead writes look here before anything else."""
        triggers = self.sudo().search([("trigger_type", "in", ("field_changed", "user_changed"))])
        names = set(triggers.field_id.mapped("name"))
        if "user_changed" in triggers.mapped("trigger_type"):
            names.add("user_id")
        return frozenset(names)

    # ------------------------------------------------------------
    # WEBHOOK TOKEN
    # ------------------------------------------------------------

    def action_generate_token(self):
        """Create (or replace) the webhook token and show it once: only its hash is stored."""
        self.ensure_one()
        self.check_access("write")
        if self.trigger_type != "webhook":
            raise UserError(_("Only webhook triggers have a token."))
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.sudo().write({
            "token_index": token[:TOKEN_INDEX_SIZE],
            "token_hash": _hash_token(token),
            "token_date": fields.Datetime.now(),
        })
        return self.env["stage.automation.trigger.token"]._action_show(self, token)

    def action_revoke_token(self):
        self.check_access("write")
        self.sudo().write({"token_index": False, "token_hash": False, "token_date": False})
        return True

    @api.model
    def _find_by_token(self, token):
        """The active webhook trigger of ``token``, or an empty recordset.

        The hash of the given token is compared in constant time with each
        candidate, and a dummy comparison runs when there is none, so that the
        answer takes the same time whatever the token. A malformed token
        (length, characters) goes the same way as an unknown one.
        """
        if not (isinstance(token, str) and TOKEN_PATTERN.fullmatch(token)):
            token = "." * TOKEN_BYTES  # no stored token has a dot
        digest = _hash_token(token)
        candidates = self.sudo().search([
            ("token_index", "=", token[:TOKEN_INDEX_SIZE]), ("trigger_type", "=", "webhook"),
        ])
        found = self.sudo()
        for trigger in candidates:
            if hmac.compare_digest(trigger.token_hash or "", digest):
                found = trigger
        if not candidates:
            hmac.compare_digest(digest, _hash_token("-"))
        return found

    # ------------------------------------------------------------
    # FIRING
    # ------------------------------------------------------------

    def _expected_value(self):
        """The value ``field_value`` stands for, in the type of the watched field."""
        line = self.env["stage.automation.rule.value"].new({"field_id": self.field_id.id})
        return line._convert(self.field_value)

    def _matches_event(self, lead, event):
        """Whether the event's details pass this trigger's filter (which form, link, field, user)."""
        self.ensure_one()
        if self.trigger_type in ("form_submitted", "callback_request") and self.form_name:
            return self.form_name.casefold() in (event.get("form") or "").casefold()
        if self.trigger_type == "link_clicked" and self.link_url:
            return self.link_url.casefold() in (event.get("url") or "").casefold()
        if self.trigger_type == "user_changed" and self.user_id:
            return lead.user_id == self.user_id
        if self.trigger_type == "field_changed":
            if self.field_id.name not in event.get("fields", ()):
                return False
            if not self.field_value:
                return True
            expected, current = self._expected_value(), lead[self.field_id.name]
            if self.field_id.ttype == "many2many":
                return bool(expected) and not (expected - current)
            return current == expected
        return True

    def _applies_to(self, lead):
        self.ensure_one()
        pipelines = self._pipelines()
        return (
            (not pipelines or lead.team_id in pipelines)
            and (not self.company_id or self.company_id == lead.company_id)
            and self.lead_type in ("both", lead.type)
        )

    def _refusal(self, lead):
        """Why this trigger does not move ``lead`` (a sentence), or ``None`` when it does."""
        self.ensure_one()
        target, current = self.stage_id, lead.stage_id
        if not lead.active:
            return _("Not moved: the lead is lost or archived.")
        if current.is_won:
            return _("Not moved: the lead is won.")
        if current == target:
            return _("Not moved: the lead is already in stage “%(stage)s”.", stage=target.name)
        if not self._applies_to(lead):
            return _("Not moved: the trigger does not apply to this lead (pipeline, company or type).")
        if not self.allow_backward and current and _stage_order(target) < _stage_order(current):
            return _("Not moved: stage “%(target)s” comes before “%(current)s” and the trigger only moves forward.",
                     target=target.name, current=current.name)
        if not self._matches_condition(lead):
            return _("Not moved: the lead does not match the trigger's condition.")
        return lead._stage_automation_check_loop()

    def _fire(self, leads, payload=None, event=None, explicit=False, refusal=None):
        """Fire these triggers (all of one event) for ``leads``.

        Each lead goes to the furthest target stage among the triggers that
        may move it; every trigger considered leaves a log line, and the log
        lines share the ``payload``, stored once. A trigger fired
        ``explicit``-ly, by its code, skips its event filter (which form,
        link, field…): the caller names the trigger, not an event.

        ``refusal`` (a sentence) moves no lead and is logged for every trigger:
        the event is one the triggers must not act on (e.g. of an address on
        the exception list).

        :return: one dict per lead: ``lead_id``, ``moved``, ``from_stage_id``, ``to_stage_id``, ``reason``
        """
        event = event or {}
        Log = self.env["stage.automation.trigger.log"].sudo()
        stored_payload = self.env["stage.automation.trigger.payload"].sudo()
        results = []
        for lead in leads.sudo():
            candidates = self if explicit else self.filtered(
                lambda trigger, lead=lead: trigger._matches_event(lead, event))
            candidates = candidates.sorted(lambda trigger: _stage_order(trigger.stage_id), reverse=True)
            from_stage = lead.stage_id
            refusals = {trigger: refusal or trigger._refusal(lead) for trigger in candidates}
            chosen = next((trigger for trigger in candidates if not refusals[trigger]), None)
            if chosen:
                chosen._move(lead)
            if payload and candidates and not stored_payload:
                stored_payload = stored_payload.create({"payload": payload})
            log_vals = []
            for trigger in candidates:
                reason = refusals[trigger]
                if chosen and trigger != chosen:
                    reason = _("Not moved by this trigger: trigger “%(trigger)s” of the same event moved the lead "
                               "to “%(stage)s”.", trigger=chosen.name, stage=chosen.stage_id.name)
                log_vals.append({
                    "trigger_id": trigger.id, "lead_id": lead.id, "moved": trigger == chosen,
                    "from_stage_id": from_stage.id, "to_stage_id": trigger.stage_id.id,
                    "reason": reason or _("Moved from “%(old)s” to “%(new)s”.",
                                          old=from_stage.name, new=trigger.stage_id.name),
                    "payload_id": stored_payload.id,
                })
            Log.create(log_vals)
            if chosen:
                reason = False
            elif candidates:
                reason = refusals[candidates[0]]
            else:
                reason = _("Not moved: no trigger matches the event's details.")
            results.append({
                "lead_id": lead.id,
                "moved": bool(chosen),
                "from_stage_id": from_stage.id,
                "to_stage_id": lead.stage_id.id,
                "reason": reason,
            })
        return results

    def _move(self, lead):
        """Move ``lead`` to this trigger's stage. The stage change in its chatter is OdooBot's and names the
        trigger and its event, whoever reported the event (a webhook comes as the public user)."""
        self.ensure_one()
        event = dict(self._fields["trigger_type"]._description_selection(self.env))[self.trigger_type]
        lead._track_set_author(self.env.ref("base.partner_root"))
        lead._track_set_log_message(Markup("<p>%s</p>") % _(
            "Moved by trigger “%(trigger)s” (%(event)s).", trigger=self.name, event=event))
        lead.write({"stage_id": self.stage_id.id})

    @api.model
    def _fire_event(self, trigger_type, leads, payload=None, event=None, refusal=None):
        """An event of ``trigger_type`` happened for ``leads``: fire the active triggers of that type
        (``refusal``: see :meth:`_fire`)."""
        if not leads or trigger_type not in self._active_types():
            return []
        triggers = self.sudo().search([("trigger_type", "=", trigger_type)])
        return triggers._fire(leads, payload=payload, event=event, refusal=refusal)

    @api.model
    def _fire_event_safely(self, trigger_type, leads, payload=None, event=None, refusal=None):
        """``_fire_event`` from inside what someone else is doing (a customer viewing a page, chatting,
        sending a form or an e-mail; an employee saving a lead or booking a meeting).

        A failure is logged and undone, never passed on: the page, message,
        form, e-mail or save goes through whatever happens to the automation.
        Concurrency errors still propagate, for Odoo to retry the request.
        """
        if not leads or trigger_type not in self._active_types():
            return []
        try:
            with self.env.cr.savepoint():
                return self._fire_event(trigger_type, leads, payload=payload, event=event, refusal=refusal)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:
            # The savepoint flushed what was pending before it: only the firing's own changes are forgotten.
            self.env.invalidate_all(flush=False)
            _logger.exception("Stage automation: firing the “%s” triggers of leads %s failed", trigger_type, leads.ids)
            return []

    # ------------------------------------------------------------
    # INBOUND HTTP CALLS
    # ------------------------------------------------------------

    @api.model
    def _inbound_max_leads(self):
        """Leads one webhook call or form fires at most: the most recent open leads of the customer."""
        return int(self.env["ir.config_parameter"].sudo().get_param(
            "stage_automation.inbound_max_leads", DEFAULT_INBOUND_MAX_LEADS))

    def _fire_webhook(self, body):
        """Fire this webhook trigger for the lead(s) named by ``body``, the JSON of an inbound call;
        ``payload`` is kept in the log.

        :raise UserError: the body is malformed (nothing was changed)
        :raise MissingError: no open lead matches (nothing was changed)
        :return: one dict per lead, as :meth:`_fire`
        """
        self.ensure_one()
        if not isinstance(body, dict):
            raise UserError(_("The body must be a JSON object."))
        self._check_event_values(body, _("The body"))
        payload = body.get("payload")
        if payload is not None and not isinstance(payload, dict):
            raise UserError(_("“payload” must be a JSON object."))
        leads = self._webhook_leads(body)
        if not leads:
            raise MissingError(_("No open lead matches."))
        return self._fire(leads, payload=payload)

    def _webhook_leads(self, body):
        """The leads a webhook call names: the lead ``lead_id``, or the open leads of the customer
        with that ``email`` or ``phone``; of this trigger's company only when it has one, as a token
        speaks for its trigger's company and other companies' leads are not its callers' business.

        :raise UserError: the body names no lead, or names it badly
        """
        Lead = self.env["crm.lead"].sudo()
        lead_id = body.get("lead_id")
        if lead_id is not None:
            if not isinstance(lead_id, int) or isinstance(lead_id, bool):
                raise UserError(_("“lead_id” must be an integer."))
            leads = Lead.browse(lead_id).exists() if 0 < lead_id <= MAX_RECORD_ID else Lead
        elif body.get("email") or body.get("phone"):
            leads = Lead._stage_automation_match(body.get("email"), body.get("phone"),
                                                 limit=self._inbound_max_leads())
        else:
            raise UserError(_("Name the lead with “lead_id”, “email” or “phone”."))
        if self.company_id:
            leads = leads.filtered(lambda lead: not lead.company_id or lead.company_id == self.company_id)
        return leads

    @api.model
    def _submit_form(self, values):
        """A form was posted to the public endpoint: check it now, fire it later, in a queue job.

        The job finds the customer's leads: the answer, and the time it
        takes, are the same whether the customer is known or not.

        :param values: ``email`` and/or ``phone``, ``form`` (its name), ``callback`` (``true`` for a
            callback request), anything else the form holds: all of it kept as the event's data
        :raise UserError: the form is malformed
        """
        if not isinstance(values, dict) or not (values.get("email") or values.get("phone")):
            raise UserError(_("Send a JSON object with the customer's “email” or “phone”."))
        self._check_event_values(values, _("The form"))
        self.env["crm.lead"]._stage_automation_contact(values.get("email"), values.get("phone"))
        event = "callback_request" if values.get("callback") is True else "form_submitted"
        if event in self._active_types():
            self.sudo().with_delay(description=_("Stage automation: a form was submitted"))._fire_form(event, values)

    @api.model
    def _fire_form(self, event, values):
        """Queue job of :meth:`_submit_form`: fire the open leads of the form's customer."""
        leads = self.env["crm.lead"].sudo()._stage_automation_match(
            values.get("email"), values.get("phone"), limit=self._inbound_max_leads())
        form = values.get("form")
        return self._fire_contact_event(event, leads, values, {"form": form if isinstance(form, str) else None})

    @api.model
    def _fire_contact_event(self, event, leads, values, details, country_code=None):
        """Fire ``event`` of the customer named by ``values`` (``email``, ``phone``) for their ``leads``.

        An address or number on the exception list moves nothing (the logs
        say why); otherwise a call, a form or a callback request also ends the
        waits for the client, whether a trigger moves the lead or not.
        """
        Lead = self.env["crm.lead"]
        email, number = Lead._stage_automation_contact(values.get("email"), values.get("phone"), country_code)
        refusal = Lead._stage_automation_exclusion(email=email, number=number)
        if event in CONTACT_EVENTS and not refusal:
            self.env["stage.automation.run"].sudo()._on_client_contact(leads, event)
        return self._fire_event(event, leads, payload=values, event=details, refusal=refusal)

    # ------------------------------------------------------------
    # PUBLIC API
    # ------------------------------------------------------------

    @api.model
    def stage_automation_event(self, event, values):
        """Report an event without knowing the record: the open leads of that phone or e-mail are fired.

        :param event: a trigger type among ``incoming_call``, ``missed_call``, ``form_submitted``,
            ``callback_request`` and ``application``
        :param values: ``phone`` and/or ``email`` (``country``, an ISO code, reads a phone written
            in a national format; the company's country by default), and the event's details
            (``form`` for forms), kept as the payload of the firing
        :return: one dict per matching lead, as ``crm.lead.stage_automation_fire``
        """
        allowed = (*CONTACT_EVENTS, "application")
        if event not in allowed:
            raise UserError(_("Unknown event “%(event)s”: use one of %(events)s.",
                              event=event, events=", ".join(allowed)))
        if not isinstance(values, dict) or not (values.get("phone") or values.get("email")):
            raise UserError(_("Name the customer of the event with “phone” or “email”."))
        self._check_fire_access()
        self._check_event_values(values, _("The event's values"))
        leads = self.env["crm.lead"]._stage_automation_match(
            values.get("email"), values.get("phone"), values.get("country"))
        # Only the leads the caller may change: the match itself looks at every company's leads.
        leads = leads.with_env(self.env)._filtered_access("write").sudo()
        details = {key: value for key, value in values.items() if key not in ("phone", "email", "country")}
        return self._fire_contact_event(event, leads, values, details, country_code=values.get("country"))

    @api.model
    def _check_event_values(self, values, what):
        """``values`` must be a dictionary of JSON values PostgreSQL can store (no NUL character, no
        unpaired surrogate, no infinite number): it is kept as the firing's event data. Its nesting is
        bounded, and walked without recursion: the caller may be anyone on the Internet."""
        if not isinstance(values, dict):
            raise UserError(_("%(what)s must be a dictionary of values.", what=what))
        stack = [(values, 1)]
        while stack:
            value, depth = stack.pop()
            if isinstance(value, (dict, list, tuple)):
                if depth > MAX_JSON_DEPTH:
                    raise UserError(_("%(what)s is nested too deeply: at most %(depth)s levels.",
                                      what=what, depth=MAX_JSON_DEPTH))
                if isinstance(value, dict):
                    stack.extend((key, depth) for key in value)
                    value = value.values()
                stack.extend((item, depth + 1) for item in value)
            elif isinstance(value, str):
                if UNSTORABLE_TEXT.search(value):
                    raise UserError(_("%(what)s holds a NUL character or an unpaired surrogate, which cannot be "
                                      "stored.", what=what))
            elif not (value is None or isinstance(value, (bool, int))
                      or isinstance(value, float) and math.isfinite(value)):
                raise UserError(_("%(what)s must hold only texts, numbers, booleans, lists and dictionaries "
                                  "(%(error)s).", what=what, error=repr(value)[:40]))

    @api.model
    def _check_fire_access(self):
        """Firing is for users who may see the automation (integrators hold the Read group)."""
        if not self.env.su and not self.has_access("read"):
            raise AccessError(_("You are not allowed to fire stage automation triggers."))


def _stage_order(stage):
    """Where a stage stands in its pipeline, as ``crm.stage._order`` lists them (sequence, name, id)."""
    return stage.sequence, stage.name or "", stage.id


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()
