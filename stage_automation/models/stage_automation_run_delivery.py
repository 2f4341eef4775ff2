from odoo import api, models
from odoo.tools.translate import _lt

from ..engine import lifecycle


class StageAutomationRun(models.Model):
    """Delivery: a run that queued an SMS ends ``done`` saying it is queued; Odoo's SMS queue and its
    provider then report the delivery on the message's notifications, and the run follows: delivered, or
    ``failed`` with the provider's reason (the rules chained after it have already run)."""

    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _on_delivery(self, messages):
        runs = self.search([("message_id", "in", messages.ids), ("state", "=", lifecycle.DONE)])
        for run in runs:
            notifications = run.message_id.notification_ids.filtered(lambda n: n.notification_type == "sms")
            failed = notifications.filtered(lambda n: n.notification_status in ("exception", "bounce"))
            numbers = ", ".join(filter(None, notifications.mapped("sms_number")))
            if failed:
                reason = failed[0].failure_reason or dict(
                    failed._fields["failure_type"]._description_selection(self.env)).get(failed[0].failure_type)
                run._set_state(lifecycle.FAILED, _lt(
                    "Failed: the SMS to %(numbers)s could not be delivered (%(reason)s).",
                    numbers=", ".join(filter(None, failed.mapped("sms_number"))),
                    reason=reason or failed[0].failure_type))
            elif notifications and all(n.notification_status == "sent" for n in notifications):
                run._set_reason(_lt("SMS delivered to %(numbers)s.", numbers=numbers))
            elif notifications and all(n.notification_status in ("pending", "sent") for n in notifications):
                run._set_reason(_lt("SMS handed to the provider for %(numbers)s; its delivery is not confirmed yet.",
                                    numbers=numbers))
        return runs
