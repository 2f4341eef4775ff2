from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    important = fields.Boolean(
        help="Marked important, e.g. by an automation rule (Bitrix24's “important activity”): "
             "starred in the lists of activities and found with the “Important” filter.")
