from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from .. import compat
from ..engine.phone import PhoneError, national_digits, to_e164

# The leads triggers may still move, as a domain (see ``_stage_automation_open``).
OPEN_DOMAIN = ["|", ("stage_id", "=", False), ("stage_id.is_won", "=", False)]
READ_GROUPS = ("stage_automation.group_stage_automation_lead_read,"
               "stage_automation.group_stage_automation_opportunity_read")


class CrmLead(models.Model):
    """Where the events of the customer reach the triggers, and the API integrators call."""

    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    stage_automation_trigger_log_ids = fields.One2many(
        "stage.automation.trigger.log", "lead_id", string="Trigger log", groups=READ_GROUPS)
    stage_automation_trigger_log_count = fields.Integer(
        compute="_compute_stage_automation_trigger_log_count", string="Triggers", groups=READ_GROUPS)

    def _compute_stage_automation_trigger_log_count(self):
        counts = dict(self.env["stage.automation.trigger.log"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]))
        for lead in self:
            lead.stage_automation_trigger_log_count = counts.get(lead, 0)

    # ------------------------------------------------------------
    # PUBLIC API
    # ------------------------------------------------------------

    def stage_automation_fire(self, code, payload=None):
        """Fire the trigger ``code`` for these leads (XML-RPC / JSON-RPC).

        :return: one dict per lead: ``lead_id``, ``moved``, ``from_stage_id``, ``to_stage_id``
            and ``reason`` (why it was not moved; ``False`` when it was)
        """
        Trigger = self.env["stage.automation.trigger"]
        Trigger._check_fire_access()
        if payload is not None:
            Trigger._check_event_values(payload, _("The payload"))
        missing = self - self.exists()
        if missing:
            raise UserError(_("These leads do not exist: %(ids)s.", ids=", ".join(map(str, sorted(missing.ids)))))
        # The code names one trigger per company: each lead is fired by the one of its company (or shared).
        triggers = {
            company: Trigger.search([("code", "=", code), ("company_id", "in", [company.id, False])],
                                    order="company_id", limit=1)
            for company in self.company_id | self.env.company
        } if isinstance(code, str) and code else {}
        if not any(triggers.values()):
            raise UserError(_("No active trigger has the code “%(code)s”.", code=code))
        self.check_access("write")
        results = {}
        for company, leads in self.grouped(lambda lead: lead.company_id or self.env.company).items():
            trigger = triggers[company]
            if trigger:
                results.update((result["lead_id"], result)
                               for result in trigger.sudo()._fire(leads, payload=payload, explicit=True))
            else:
                results.update((lead.id, {
                    "lead_id": lead.id, "moved": False, "from_stage_id": lead.stage_id.id,
                    "to_stage_id": lead.stage_id.id,
                    "reason": _("Not moved: no trigger “%(code)s” in company “%(company)s”.",
                                code=code, company=company.name),
                }) for lead in leads)
        return [results[lead.id] for lead in self]

    @api.model
    def _stage_automation_match(self, email=None, phone=None, country_code=None, limit=None):
        """Open leads (not won, not lost, not archived) of the customer with this e-mail or phone.

        A phone written in a national format is read as a number of
        ``country_code`` (ISO), else of the company's country.

        The phone is compared in E.164: the caller's number, and the phone and
        mobile of each lead and of its customer, each read with its own
        country. Candidates are found first by their last digits (Odoo's
        indexed phone search), then compared exactly.

        :param limit: at most this many leads, the most recent ones (the work of an inbound call is bounded)
        """
        normalized, number = self._stage_automation_contact(email, phone, country_code)
        Lead = self.sudo()
        Partner = self.env["res.partner"].sudo()
        leads = Lead.browse()
        if normalized:
            leads |= Lead.search(OPEN_DOMAIN + [("email_normalized", "=", normalized)], limit=limit, order="id desc")
            partners = Partner.search([("email_normalized", "=", normalized)], limit=limit)
            leads |= Lead.search(
                OPEN_DOMAIN + [("partner_id", "in", partners.ids)], limit=limit, order="id desc") if partners else Lead
        if number:
            tail = "%" + national_digits(number)
            candidates = Lead.search(
                OPEN_DOMAIN + [("phone_mobile_search", "=like", tail)], limit=limit, order="id desc")
            partners = Partner.search([("phone_mobile_search", "=like", tail)], limit=limit)
            candidates |= Lead.search(
                OPEN_DOMAIN + [("partner_id", "in", partners.ids)], limit=limit, order="id desc") if partners else Lead
            leads |= candidates.filtered(lambda lead: number in lead._stage_automation_numbers())
        return leads.sorted("id", reverse=True)[:limit] if limit else leads

    @api.model
    def _stage_automation_contact(self, email=None, phone=None, country_code=None):
        """The normalized e-mail and the E.164 phone (``None`` when not given) of a customer named by
        an integration or a form.

        :raise UserError: a value is not a text, or is no e-mail address or usable phone number
        """
        if isinstance(phone, int) and not isinstance(phone, bool):
            phone = str(phone)  # telephony systems often send the digits as a number
        for name, value in (("email", email), ("phone", phone), ("country", country_code)):
            if value and not isinstance(value, str):
                raise UserError(_("“%(name)s” must be a text.", name=name))
        normalized = number = None
        if email:
            normalized = email_normalize(email)
            if not normalized:
                raise UserError(_("“%(email)s” is not an e-mail address.", email=email))
        if phone:
            country = self.env["res.country"].search([("code", "=ilike", country_code)], limit=1) \
                if country_code else self.env.company.country_id
            number = self._stage_automation_e164(phone, country)
        return normalized, number

    def _stage_automation_open(self):
        """These leads but the won, lost and archived ones: the leads triggers may still move."""
        return self.filtered(lambda lead: lead.active and not lead.stage_id.is_won)

    def _stage_automation_numbers(self):
        """The lead's and its customer's phone and mobile, in E.164 (the unusable ones left out)."""
        self.ensure_one()
        numbers = set()
        for record in (self, self.partner_id):
            country = record.country_id or self.country_id or self.company_id.country_id
            for number in (record[fname] for fname in compat.PHONE_FIELDS):
                if number:
                    try:
                        numbers.add(to_e164(number, country.code))
                    except PhoneError:
                        continue
        return numbers

    @api.model
    def _stage_automation_e164(self, number, country):
        try:
            return to_e164(number, country.code)
        except PhoneError as error:
            raise UserError(_("The phone number “%(number)s” cannot be used: %(error)s.",
                              number=number, error=error)) from error

    # ------------------------------------------------------------
    # EVENTS OF THE RECORD
    # ------------------------------------------------------------

    def write(self, vals):
        # The fields written, and the computed ones the write may change (the sales team follows the
        # responsible, the e-mail the customer…): a trigger watches the value, however it changed.
        watched = {name for name in self.env["stage.automation.trigger"]._watched_fields()
                   if name in vals or self._fields[name].compute}
        if not watched:
            return super().write(vals)
        before = {lead.id: {name: lead[name] for name in watched} for lead in self}
        result = super().write(vals)
        Trigger = self.env["stage.automation.trigger"]
        for lead in self:
            changed = {name for name in watched if lead[name] != before[lead.id][name]}
            if "user_id" in changed:
                Trigger._fire_event_safely("user_changed", lead, event={"fields": ["user_id"]})
            if changed:
                Trigger._fire_event_safely("field_changed", lead, event={"fields": sorted(changed)})
        return result

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        lead = super().message_new(msg_dict, custom_values=custom_values)
        lead._stage_automation_email_received(msg_dict)
        return lead

    def message_update(self, msg_dict, update_vals=None):
        result = super().message_update(msg_dict, update_vals=update_vals)
        self._stage_automation_email_received(msg_dict)
        return result

    def _stage_automation_email_received(self, msg_dict):
        """An e-mail of the customer reached the lead; an employee answering by e-mail is not the customer."""
        if self.env["res.partner"].sudo().browse(msg_dict.get("author_id")).exists()._stage_automation_is_employee():
            return
        sender = msg_dict.get("email_from") or msg_dict.get("from")
        self.env["stage.automation.trigger"]._fire_event_safely(
            "email_received", self, payload={"from": sender, "subject": msg_dict.get("subject")},
            refusal=self._stage_automation_exclusion(email=sender))

    def _message_post_after_hook(self, message, msg_vals):
        """A discussion message (not a note) written by an employee that reaches the customer: "message sent"."""
        result = super()._message_post_after_hook(message, msg_vals)
        if message.message_type == "comment" and not message.subtype_id.internal \
                and message.author_id._stage_automation_is_employee() \
                and self._stage_automation_reaches_customer(message):
            self.env["stage.automation.trigger"]._fire_event_safely(
                "message_sent", self, payload={"message_id": message.id, "subject": message.subject or ""})
        return result

    def _stage_automation_reaches_customer(self, message):
        """Whether someone outside the company gets ``message``: a recipient, or a follower of the lead,
        who is not an employee."""
        recipients = (message.sudo().partner_ids | self.sudo().message_partner_ids) - message.author_id
        return any(not partner._stage_automation_is_employee() for partner in recipients)

    def _stage_automation_auto_move_count(self, since):
        return super()._stage_automation_auto_move_count(since) + self.env["stage.automation.trigger.log"].sudo(
        ).search_count([("lead_id", "=", self.id), ("moved", "=", True), ("create_date", ">=", since)])

    def action_view_stage_automation_trigger_log(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("stage_automation.stage_automation_trigger_log_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
