from odoo import _, api, models

# The groups of the action picker, in the seeds' order; an action no addon places is listed under Custom.
ACTION_GROUPS = ("employees", "customers", "documents", "crm", "custom")
DEFAULT_ACTION_ICON = "fa-puzzle-piece"
DEFAULT_TRIGGER_ICON = "fa-bolt"


class StageAutomationRule(models.Model):
    _inherit = "stage.automation.rule"

    @api.model
    def _action_group_names(self):
        return {
            "employees": _("Employees"),
            "customers": _("Customers"),
            "documents": _("Documents"),
            "crm": _("CRM data"),
            "custom": _("Custom"),
        }

    @api.model
    def _action_catalog(self):
        """How the board presents each action: ``{action key: (group, icon, one-line description)}``.

        An addon adding an action extends this with ``super()`` to place it in
        a group of :data:`ACTION_GROUPS`; an action it leaves out still shows,
        under *Custom*, with its name only.
        """
        return {
            "activity": ("employees", "fa-tasks", _("Schedules an activity of a chosen type for the recipients.")),
            "task": ("employees", "fa-check-square-o", _("Gives the recipients a to-do with a deadline.")),
            "call": ("employees", "fa-phone", _("Asks the recipients to call the customer on a given day.")),
            "meeting": ("employees", "fa-users", _("Books a meeting in the calendars, with the meeting activity.")),
            "notify": ("employees", "fa-bell", _("Sends the recipients a notification in their inbox.")),
            "post": ("employees", "fa-comments", _("Posts a message in the lead's chatter for its followers.")),
            "note": ("employees", "fa-sticky-note", _("Logs an internal note on the lead.")),
            "log": ("employees", "fa-history", _("Writes an entry in the lead's history, notifying nobody.")),
            "email_responsible": ("employees", "fa-envelope", _("E-mails the responsible or other employees.")),
            "sms_employees": ("employees", "fa-mobile", _("Texts the recipients at their mobile number.")),
            "change_user": ("employees", "fa-user", _("Gives the lead to a user, in turn or to the least loaded.")),
            "change_stage": ("employees", "fa-arrow-right", _("Moves the lead to another stage.")),
            "control": ("employees", "fa-eye", _("Warns if the lead is still in the stage after a while.")),
            "convert": ("employees", "fa-exchange", _("Makes an opportunity, a contact or a company from the lead.")),
            "write": ("employees", "fa-pencil", _("Sets fields of the lead to the given values.")),
            "unlink": ("employees", "fa-trash", _("Deletes the lead.")),
            "generate_code": ("employees", "fa-barcode", _("Draws a random code for the later rules and texts.")),
            "wait": ("employees", "fa-hourglass-half",
                     _("Pauses the chain for a while, until the customer writes or until the lead reaches a stage.")),
            "blacklist": ("employees", "fa-ban", _("Puts the lead's e-mail and phone on the exception list.")),
            "book_resource": ("employees", "fa-calendar-plus-o", _("Books the time of employees in their calendars.")),
            "cancel_booking": ("employees", "fa-calendar-times-o", _("Cancels a booking made by an earlier rule.")),
            "email_customer": ("customers", "fa-envelope-o", _("E-mails the customer, from a template or a text.")),
            "sms_customer": ("customers", "fa-commenting", _("Texts the customer's mobile number.")),
            "robot_call": ("customers", "fa-volume-control-phone", _("Has the telephony provider call the customer.")),
            "channel_message": ("customers", "fa-comment", _("Posts in a Discuss channel or the customer's chat.")),
            "document": ("documents", "fa-file-pdf-o", _("Prints a report to PDF and attaches it to the lead.")),
            "partner_write": ("documents", "fa-address-card", _("Changes the address or details of the customer.")),
            "partner_read": ("documents", "fa-address-card-o", _("Reads the customer's details into variables.")),
            "create_company": ("crm", "fa-building", _("Creates a company.")),
            "create_contact": ("crm", "fa-user-plus", _("Creates a contact.")),
            "create_lead_contact": ("crm", "fa-user-plus", _("Gives the lead its customer; marks repeat leads.")),
            "create_lead": ("crm", "fa-star-o", _("Creates a new lead.")),
            "create_opportunity": ("crm", "fa-star", _("Creates a new opportunity.")),
            "repeat_lead": ("crm", "fa-repeat", _("Creates a new lead for the same customer.")),
            "crm_read": ("crm", "fa-database", _("Reads fields of the lead or a related record into variables.")),
            "webhook": ("custom", "fa-plug", _("Sends the lead's fields to another system, signed.")),
        }

    @api.model
    def _action_picker_groups(self):
        """The actions of the selection in their picker groups: ``[{key, name, actions: [{key, name, icon,
        description}]}]``, groups and actions in catalog order, actions of other addons included."""
        catalog = self._action_catalog()
        group_names = self._action_group_names()
        names = dict(self._fields["action"]._description_selection(self.env))
        keys = [key for key in catalog if key in names] + [key for key in names if key not in catalog]
        actions = {group: [] for group in ACTION_GROUPS}
        for key in keys:
            group, icon, description = catalog.get(key, ("custom", DEFAULT_ACTION_ICON, ""))
            actions.setdefault(group, []).append(
                {"key": key, "name": names[key], "icon": icon, "description": description})
        return [
            {"key": group, "name": group_names.get(group, group), "actions": group_actions}
            for group, group_actions in actions.items() if group_actions
        ]


class StageAutomationTrigger(models.Model):
    _inherit = "stage.automation.trigger"

    @api.model
    def _trigger_catalog(self):
        """How the board presents each event: ``{trigger type: (icon, one-line description)}``; bridge
        addons extend it with ``super()``, an event left out shows with its name only."""
        return {
            "email_received": ("fa-envelope", _("The customer's e-mail reaches the lead.")),
            "message_sent": ("fa-paper-plane", _("An e-mail is sent to the customer from the lead.")),
            "email_opened": ("fa-envelope-open", _("The customer opens an e-mail sent by a rule.")),
            "link_clicked": ("fa-mouse-pointer", _("The customer clicks a link of an e-mail sent by a rule.")),
            "incoming_call": ("fa-phone", _("The telephony reports a call from the customer.")),
            "missed_call": ("fa-phone-square", _("The telephony reports a missed call from the customer.")),
            "form_submitted": ("fa-list-alt", _("The customer fills in a CRM form.")),
            "callback_request": ("fa-reply", _("The customer asks to be called back.")),
            "webhook": ("fa-plug", _("Another system calls the trigger's secret address.")),
            "user_changed": ("fa-user", _("The lead is given to another responsible.")),
            "field_changed": ("fa-pencil", _("A field of the lead takes a given value.")),
            "resource_booked": ("fa-calendar-check-o", _("A rule books a resource for the lead.")),
            "application": ("fa-code", _("Another application fires it through the API.")),
        }

    @api.model
    def _trigger_picker_items(self):
        """The events of the selection for the board's picker: ``[{key, name, icon, description}]``."""
        catalog = self._trigger_catalog()
        items = []
        for key, name in self._fields["trigger_type"]._description_selection(self.env):
            icon, description = catalog.get(key, (DEFAULT_TRIGGER_ICON, ""))
            items.append({"key": key, "name": name, "icon": icon, "description": description})
        return items
