from odoo import models


class MailRenderMixin(models.AbstractModel):
    """A rule's texts, and the mail and SMS templates chosen on it, read ``vars`` and ``constants``.

    The rule hands them over in the context (``stage_automation_variables``,
    see ``stage.automation.rule._with_variables``), one way for every
    renderer: ``mail.template`` renders through ``_generate_template`` and
    ``send_mail``, which take no extra rendering values.
    """

    _inherit = "mail.render.mixin"

    def _render_eval_context(self):
        render_context = super()._render_eval_context()
        render_context.update(self.env.context.get("stage_automation_variables") or {})
        return render_context
