from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    stage_automation_track_emails = fields.Boolean(
        string="Track e-mails to customers", default=True,
        help="The e-mails sent to customers from leads' chatter carry a tracking pixel and tracked links, so that "
             "the triggers “E-mail viewed” and “Link clicked” fire for them as for the rules' own e-mails.")
