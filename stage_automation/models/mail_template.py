from odoo import models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _check_can_be_rendered(self, fnames=None, render_options=None):
        """Odoo 19 renders a template on a record when it is saved: a template of rules reads ``vars`` and
        ``constants``, which only a rule's run has: the check gets the constants of the pipelines, and any
        other variable name reads as an empty text. (Odoo 18 does not check, and never calls this.)"""
        variables = self.env["stage.automation.rule"]._known_variables()
        return super(MailTemplate, self.with_context(stage_automation_variables=variables))._check_can_be_rendered(
            fnames=fnames, render_options=render_options)
