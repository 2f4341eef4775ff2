from lxml import html as lxml_html

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext, plaintext2html
from odoo.tools.translate import _lt

from ..engine import lifecycle
from ..engine import timing as engine
from ..engine.exceptions import SkipRun
from ..models.stage_automation_rule import DELAY_UNITS

# How a client gets in touch, ending a wait for them: keys of message types, of live chat and of the
# contact events of triggers.
CONTACTS = [
    ("email", "E-mail"), ("comment", "Comment"), ("chat", "Live chat"), ("incoming_call", "Incoming call"),
    ("missed_call", "Missed call"), ("form_submitted", "Form"), ("callback_request", "Callback request"),
]
# Waits for something that happens to the lead itself: it leaves its stage for the awaited one, is won, is lost.
LEAD_WAITS = ("stage", "won", "lost")


class StageAutomationRule(models.Model):
    """"Wait": the rules chained after this one wait for a period, until the client gets in touch, or until the
    lead reaches a stage, is won or is lost (the seeds' "wait for the status")."""

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(selection_add=[("wait", "Wait")], ondelete={"wait": "cascade"})
    wait_mode = fields.Selection(
        [("period", "For a period"), ("reply", "Until the client gets in touch"),
         ("stage", "Until the lead reaches a stage"), ("won", "Until the lead is won"),
         ("lost", "Until the lead is lost")],
        string="Wait", default="period",
        help="For a period: the rules chained after this one start when the period is over. "
             "Until the client gets in touch: they start when the client writes on the lead (an e-mail, a "
             "portal comment; with live chat, in a chat), or calls, sends a form or asks to be called back "
             "(as the telephony, the website or an integration reports it). "
             "Until the lead reaches a stage, is won or is lost: they start when the lead leaves this stage for "
             "that one, or is won or lost, and then run although the lead left this stage; a move to any other "
             "stage cancels them, as leaving the stage always does.")
    wait_delay = fields.Integer(
        string="Wait for", default=1,
        help="The period; when waiting for the client or the lead, the longest wait (0: no limit).")
    wait_unit = fields.Selection(DELAY_UNITS, string="Wait unit", default="days")
    wait_timeout = fields.Selection(
        [("continue", "Go on with the next rules"), ("stop", "Stop: the next rules do not run")],
        string="If the client does not get in touch", default="continue",
        help="What happens when the longest wait is over and what it waited for did not happen.")
    wait_stage_id = fields.Many2one(
        "crm.stage", string="Awaited stage", ondelete="restrict",
        help="The wait ends when the lead moves from the rule's stage to this one.")

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "wait": {"body"}}

    @api.constrains("action", "wait_mode", "wait_delay", "wait_unit", "wait_timeout")
    def _check_wait(self):
        for rule in self.filtered(lambda r: r.action == "wait"):
            if not rule.wait_mode:
                raise ValidationError(_("Rule “%(rule)s”: choose what to wait for.", rule=rule.name))
            no_period = rule.wait_mode == "period" and not rule.wait_delay
            if rule.wait_delay < 0 or no_period or (rule.wait_delay and not rule.wait_unit):
                raise ValidationError(_("Rule “%(rule)s”: say how long to wait.", rule=rule.name))
            if rule.wait_mode == "reply" and rule.wait_delay and not rule.wait_timeout:
                raise ValidationError(_("Rule “%(rule)s”: say what happens if the client does not write.",
                                        rule=rule.name))
            if rule.wait_mode in LEAD_WAITS and rule.wait_delay and not rule.wait_timeout:
                raise ValidationError(_("Rule “%(rule)s”: say what happens if the lead does not get there in time.",
                                        rule=rule.name))

    @api.constrains("action", "wait_mode", "wait_stage_id", "stage_id", "team_id")
    def _check_wait_event(self):
        """What the wait awaits must be able to happen to a lead of the rule's stage."""
        for rule in self.filtered(lambda r: r.action == "wait"):
            stage = rule.wait_stage_id
            if rule.wait_mode == "stage" and not stage:
                raise ValidationError(_("Rule “%(rule)s”: choose the stage to wait for.", rule=rule.name))
            if rule.wait_mode == "stage" and stage == rule.stage_id:
                raise ValidationError(_(
                    "Rule “%(rule)s”: the lead is already in stage “%(stage)s”; choose another stage to wait for.",
                    rule=rule.name, stage=stage.name))
            if rule.wait_mode == "stage":
                rule._check_stage_reachable(stage)
            if rule.wait_mode == "won" and rule.stage_id.is_won:
                raise ValidationError(_("Rule “%(rule)s”: a lead in stage “%(stage)s” is already won.",
                                        rule=rule.name, stage=rule.stage_id.name))

    def _stage_automation_output_names(self):
        names = super()._stage_automation_output_names()
        if self.action == "wait" and self.wait_mode == "reply":
            names["client_replied"] = _("whether the client got in touch before the end of the wait")
            names["client_reply"] = _("the text of the client's message, without the quoted text")
            names["client_contact"] = _("how the client got in touch: e-mail, comment, chat, call, form, callback")
        return names

    def _prepare_action_wait(self, run, lead):
        """When the wait ends at the latest (``ends_at``; ``False``: no limit), and the comment logged."""
        until = self._wait_until(run, lead) if self.wait_delay else False
        plan = {"ends_at": until, "body": plaintext2html(self._render("body", lead)) if self.body else ""}
        if until:
            plan["details"] = [(_("Until"), self._format_start(lead, until))]
        return plan

    def _run_action_wait(self, run, lead):
        if run.paused_at:
            return self._end_wait(run, lead)
        plan = self._prepare_action(run, lead)
        until = plan["ends_at"]
        if plan["body"]:
            lead.message_post(body=plan["body"], subtype_xmlid="mail.mt_note")
        if self.wait_mode == "period":
            reason = _lt("Waiting until %(moment)s.", moment=until)
        elif self.wait_mode in LEAD_WAITS and until:
            reason = _lt("Waiting for the lead %(event)s, until %(moment)s at the latest.",
                         event=self._awaited_event(), moment=until)
        elif self.wait_mode in LEAD_WAITS:
            reason = _lt("Waiting for the lead %(event)s.", event=self._awaited_event())
        elif until:
            reason = _lt("Waiting for the client to get in touch, until %(moment)s at the latest.", moment=until)
        else:
            reason = _lt("Waiting for the client to get in touch.")
        run._pause(until, reason)
        return reason

    def _wait_until(self, run, lead):
        timing = engine.Timing(kind=engine.DELAY, delay=self.wait_delay, unit=self.wait_unit)
        try:
            return self._compute_due(lead, run._action_moment(), {}, timing=timing)
        except engine.TimingError as error:
            raise UserError(_("Cannot compute the end of the wait: %(error)s.",
                              error=self._message_text(error.args[0]))) from error

    def _awaited_event(self):
        """What a wait for the lead awaits, ending "Waiting for the lead …": a message."""
        if self.wait_mode == "won":
            return _lt("to be won")
        if self.wait_mode == "lost":
            return _lt("to be lost")
        return _lt("to reach stage “%(stage)s”", stage=self.wait_stage_id.name)

    def _end_wait(self, run, lead):
        """The paused run is due again: its period is over, the client wrote, the lead reached what the wait
        awaited, or the longest wait is over."""
        delay = self._delay_message(self.wait_delay, self.wait_unit)
        if self.wait_mode == "period":
            return _lt("Waited %(delay)s.", delay=delay)
        if self.wait_mode in LEAD_WAITS:
            return self._end_lead_wait(run, delay)
        message, contact = run.wait_reply_message_id, run.wait_contact
        if not contact and self.wait_timeout == "stop":
            raise SkipRun(_lt("Skipped: the client did not get in touch within %(delay)s; the next rules do not "
                              "run.", delay=delay))
        run._set_outputs({"client_replied": bool(contact), "client_reply": _reply_text(message.body),
                          "client_contact": contact or ""})
        if message:
            return _lt("The client wrote on %(moment)s: the next rules go on.", moment=message.date)
        if contact:
            return _lt("The client got in touch (%(how)s) on %(moment)s: the next rules go on.",
                       how=dict(CONTACTS)[contact], moment=run.wait_contact_at)
        return _lt("The client did not get in touch within %(delay)s: the next rules go on.", delay=delay)

    def _end_lead_wait(self, run, delay):
        moment = run.wait_reached_at
        if moment and self.wait_mode == "won":
            return _lt("The lead was won on %(moment)s: the next rules go on.", moment=moment)
        if moment and self.wait_mode == "lost":
            return _lt("The lead was lost on %(moment)s: the next rules go on.", moment=moment)
        if moment:
            return _lt("The lead reached stage “%(stage)s” on %(moment)s: the next rules go on.",
                       stage=self.wait_stage_id.name, moment=moment)
        if self.wait_timeout == "stop":
            raise SkipRun(_lt("Skipped: the wait for the lead %(event)s ended after %(delay)s; the next rules do "
                              "not run.", event=self._awaited_event(), delay=delay))
        return _lt("The wait for the lead %(event)s ended after %(delay)s: the next rules go on.",
                   event=self._awaited_event(), delay=delay)


class StageAutomationRun(models.Model):
    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    wait_reply_message_id = fields.Many2one(
        "mail.message", string="Client's message", ondelete="set null", readonly=True,
        help="The message from the client that ended the wait.")
    wait_contact = fields.Selection(CONTACTS, string="Client got in touch by", readonly=True,
                                    help="How the client got in touch, ending the wait.")
    wait_contact_at = fields.Datetime(string="Client got in touch on", readonly=True)
    wait_reached_at = fields.Datetime(
        string="Awaited event on", readonly=True,
        help="When the lead reached the awaited stage, was won or was lost, ending the wait.")

    @api.model
    def _has_client_waits(self):
        """Whether any run waits for a client's message: a channel that sees a client write looks here first."""
        return bool(self.search_count([("state", "=", "paused"), ("rule_id.action", "=", "wait"),
                                       ("rule_id.wait_mode", "=", "reply")], limit=1))

    @api.model
    def _on_client_message(self, leads, message):
        """A client wrote on these leads: the waits for their answer end."""
        contact = "chat" if message.model == "discuss.channel" else message.message_type
        return self._on_client_contact(leads, contact, message=message)

    @api.model
    def _on_client_contact(self, leads, contact, message=None):
        """A client got in touch about these leads (``contact``, a key of ``CONTACTS``): the waits for them end."""
        runs = self.search([
            ("lead_id", "in", leads.ids),
            ("state", "=", "paused"),
            ("rule_id.action", "=", "wait"),
            ("rule_id.wait_mode", "=", "reply"),
            ("wait_contact", "=", False),
        ])
        runs.write({"wait_reply_message_id": message.id if message else False, "wait_contact": contact,
                    "wait_contact_at": fields.Datetime.now()})
        return runs._resume()

    @api.model
    def _carry_over(self, leads, new_stage=None, lost=False):
        """The leads left their stage for what paused waits of theirs awaited (``new_stage``, won when it is a
        won stage, or ``lost``): those waits end now, and they and the rules chained after them go on in
        the lead's new state instead of being cancelled."""
        carried = super()._carry_over(leads, new_stage=new_stage, lost=lost)
        if lost:
            awaited = [("rule_id.wait_mode", "=", "lost")]
        elif new_stage:
            modes = ["won"] if new_stage.is_won else []
            awaited = ["|", ("rule_id.wait_mode", "in", modes),
                       "&", ("rule_id.wait_mode", "=", "stage"), ("rule_id.wait_stage_id", "=", new_stage.id)]
        else:
            return carried
        reached = self.search([
            ("lead_id", "in", leads.ids),
            ("state", "=", lifecycle.PAUSED),
            ("rule_id.action", "=", "wait"),
            ("wait_reached_at", "=", False),
            *awaited,
        ])
        if not reached:
            return carried
        reached.wait_reached_at = fields.Datetime.now()
        chain, followers = reached, reached._followers()
        while followers:
            chain |= followers
            followers = followers._followers()
        chain.carried_over = True
        reached._resume()
        return carried | chain


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self._stage_automation_is_client_message(message):
            self.env["stage.automation.run"].sudo()._on_client_message(self, message)
        return result

    def _stage_automation_is_client_message(self, message):
        """An e-mail received on the lead or a comment, written by someone who is not an employee."""
        message = message.sudo()
        if message.message_type not in ("email", "comment") or message.subtype_id.internal:
            return False
        return not message.author_id._stage_automation_is_employee()


def _reply_text(body):
    """Plain text of a message body, without the quoted earlier messages Odoo marks when it receives an e-mail."""
    if not body:
        return ""
    tree = lxml_html.fragment_fromstring(str(body), create_parent="div")
    for quote in tree.xpath("//*[@data-o-mail-quote]"):
        quote.drop_tree()
    return html2plaintext(lxml_html.tostring(tree, encoding="unicode")).strip()
