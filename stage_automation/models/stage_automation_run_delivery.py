from textwrap import shorten

from odoo import api, models
from odoo.tools.translate import _lt

from ..engine import lifecycle

# How far a message got, for each recipient: still queued, handed to the SMS provider (not confirmed), sent
# (an SMS: delivered), or failed.
QUEUED, HANDED, SENT, FAILED = "queued", "handed", "sent", "failed"
NOTIFICATION_STATUSES = {"pending": HANDED, "sent": SENT, "exception": FAILED, "bounce": FAILED}
MAIL_STATES = {"sent": SENT, "exception": FAILED}
REASON_LENGTH = 300


class StageAutomationRun(models.Model):
    """Delivery: a run that queued a message (an SMS, an e-mail) ends ``done`` saying it is queued; Odoo's
    queues, its SMS provider and the bounces then report how it went, and the run follows: sent or delivered,
    or ``failed`` with the reason (the rules chained after it have already run).

    Reported by ``mail.notification`` (SMS, bounces) and ``mail.mail`` (e-mails sent or not) for the
    run's ``message_id``: the notifications of its recipients, or for an e-mail of its own (to employees)
    its ``mail.mail``.
    """

    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _on_delivery(self, messages):
        """The delivery of ``messages`` changed: the runs that sent them say so."""
        if not messages:
            return self.browse()
        runs = self.search([("message_id", "in", messages.ids), ("state", "=", lifecycle.DONE)])
        for run in runs:
            run._follow_delivery()
        return runs

    def _follow_delivery(self):
        self.ensure_one()
        sms, deliveries = self._deliveries()
        failed = [(address, reason) for address, status, reason in deliveries if status == FAILED]
        statuses = {status for _address, status, _reason in deliveries}
        addresses = ", ".join(address for address, _status, _reason in deliveries if address)
        subject = self.message_id.subject or ""
        if failed:
            failed_addresses = ", ".join(address for address, _reason in failed if address)
            # A bounce's reason is the whole bounce e-mail: its first words say enough.
            reason = shorten(str(failed[0][1]), REASON_LENGTH, placeholder=" …")
            self._set_state(lifecycle.FAILED, _lt(
                "Failed: the SMS to %(numbers)s could not be delivered (%(reason)s).",
                numbers=failed_addresses, reason=reason) if sms else _lt(
                "Failed: the e-mail “%(subject)s” to %(email)s could not be delivered (%(reason)s).",
                subject=subject, email=failed_addresses, reason=reason))
        elif statuses == {SENT} and sms:
            self._set_reason(_lt("SMS delivered to %(numbers)s.", numbers=addresses))
        elif statuses == {SENT}:
            files = len(self.message_id.attachment_ids)
            self._set_reason(_lt(
                "E-mail “%(subject)s” sent to %(email)s with %(count)s attachment(s).",
                subject=subject, email=addresses, count=files) if files else _lt(
                "E-mail “%(subject)s” sent to %(email)s.", subject=subject, email=addresses))
        elif statuses and statuses <= {HANDED, SENT}:
            self._set_reason(_lt("SMS handed to the provider for %(numbers)s; its delivery is not confirmed yet.",
                                 numbers=addresses))

    def _deliveries(self):
        """``(sms, [(address, status, failure reason)])`` of the message the run sent, one per recipient."""
        message = self.message_id
        notifications = message.notification_ids.filtered(
            lambda n: n.notification_type in ("sms", "email")
            # The recipients the action chose, not the lead's followers the message notified too.
            and (not n.res_partner_id or n.res_partner_id in message.partner_ids))
        if notifications:
            return notifications[0].notification_type == "sms", [(
                n.sms_number if n.notification_type == "sms" else n.res_partner_id.email,
                NOTIFICATION_STATUSES.get(n.notification_status, QUEUED),
                # A failed connection to the mail server is told on the e-mail, not on its notifications.
                n.failure_reason or n.mail_mail_id.failure_reason or _label(n, "failure_type"),
            ) for n in notifications]
        mails = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        return False, [(
            ", ".join(filter(None, [*mail.recipient_ids.mapped("email"), mail.email_to])),
            MAIL_STATES.get(mail.state, QUEUED),
            mail.failure_reason or _label(mail, "failure_type"),
        ) for mail in mails]


def _label(record, field_name):
    """The label of a selection field's value, in the reader's language."""
    return dict(record._fields[field_name]._description_selection(record.env)).get(record[field_name]) \
        or record[field_name] or ""
