from odoo import models
from odoo.tools.rendering_tools import parse_inline_template

from ..engine import variables as engine


class StageAutomationRenderMixin(models.AbstractModel):
    """Texts of rules (and of their sub-records) rendered on the lead, with the variables.

    Rules are written by sales managers, who are not always "Mail Template
    Editor": in Odoo's restricted rendering mode they may only use the plain
    lead placeholders that ``crm.lead.mail_allowed_qweb_expressions`` lists.
    Reading a variable (``vars['code']``, ``constants.discount``) is as
    harmless — a lookup in a dictionary of JSON values — so it is allowed
    too when a rule is saved. Anything else stays with template editors.
    A model whose texts a rule renders inherits this mixin rather than
    ``mail.render.mixin``.
    """

    _name = "stage.automation.render.mixin"
    _description = "Stage Automation Texts"
    _inherit = ["mail.render.mixin"]
    # Checked on save (below), so the texts render for whoever moves the lead.
    _unrestricted_rendering = True

    def _compute_render_model(self):
        self.render_model = "crm.lead"

    def _has_unsafe_expression(self):
        """mail.render.mixin's check on save, on the stored texts, where a variable lookup is allowed too."""
        allowed = self.env["ir.qweb"]._is_expression_allowed
        for record in self.sudo():
            for name, field in record._fields.items():
                if not field.store or field.type not in ("char", "text", "html") or not record[name]:
                    continue
                if getattr(field, "render_engine", "inline_template") in ("qweb", "qweb_view"):
                    if record._has_unsafe_expression_template_qweb(record[name], record.render_model):
                        return True
                    continue
                for _text, expression, _default in parse_inline_template(str(record[name])):
                    if expression and not (engine.is_lookup(expression) or allowed(expression, record.render_model)):
                        return True
        return False
