import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """An inbound e-mail from an address on the exception list creates no lead, whichever way it is
        routed (an alias, a mail server's default model): that route is dropped, without a bounce (the
        sender is often a spammer) nor an error (the mail server would fetch it again). A reply to an
        existing lead still reaches it."""
        routes = super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values)
        new_leads = [route for route in routes if route[0] == "crm.lead" and not route[1]]
        if new_leads and self.env["crm.lead"]._stage_automation_exclusion(email=message_dict.get("email_from")):
            _logger.info("Routing mail from %s with Message-Id %s: the sender is on the exception list, no lead "
                         "created", message_dict.get("email_from"), message_dict.get("message_id"))
            return [route for route in routes if route not in new_leads]
        return routes
