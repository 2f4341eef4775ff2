from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .. import compat
from ..engine import variables as engine


@compat.sql_constraints(
    ("name_team_unique", "UNIQUE(team_id, name)", "A pipeline cannot have two constants of the same name."),
)
class StageAutomationConstant(models.Model):
    """A value of a pipeline that every rule text of that pipeline can use as ``{{ constants.name }}``."""

    _name = "stage.automation.constant"
    _description = "Stage Automation Constant"
    _order = "team_id, name"

    team_id = fields.Many2one("crm.team", string="Pipeline", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="team_id.company_id", store=True, index=True)
    name = fields.Char(
        required=True,
        help="Used in rule texts as {{ constants.name }}: letters, digits and underscores, "
             "starting with a letter.")
    value = fields.Char(help="Plain text, rendered as it is.")
    description = fields.Char(help="What the value is for, shown to the authors of rules.")

    @api.constrains("name")
    def _check_name(self):
        for constant in self:
            if not engine.is_valid_name(constant.name):
                raise ValidationError(_(
                    "“%(name)s” cannot be the name of a constant: use letters, digits and underscores, "
                    "starting with a letter (e.g. discount_code); get, items, keys and values are taken.",
                    name=constant.name))
