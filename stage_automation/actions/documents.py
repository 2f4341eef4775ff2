from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time
from odoo.tools.translate import _lt

from .. import compat


class StageAutomationRule(models.Model):
    """"Create a document": a PDF report printed and attached to the lead.

    Actions that print a report (here, and "Get CRM data") use the part
    ``report`` and say of which model (``report_model``).
    """

    _inherit = "stage.automation.rule"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(selection_add=[("document", "Create a document")], ondelete={"document": "cascade"})
    action_uses_report = fields.Boolean(compute="_compute_action_uses")
    report_id = fields.Many2one(
        "ir.actions.report", ondelete="set null",
        domain="[('model', '=', report_model), ('report_type', '=', 'qweb-pdf')]",
        help="The PDF report to print; it is attached to the lead.")
    document_name = fields.Char(
        string="File name", translate=True,
        help="Name of the PDF; placeholders such as {{ object.name }} are rendered on the lead. "
             "Empty: the report's own file name.")
    document_public_link = fields.Boolean(
        string="Create a public link",
        help="A link anyone can open to download the document (e.g. to send it to the client).")
    document_company_id = fields.Many2one(
        "res.company", string="Issued by", ondelete="set null",
        help="The company in whose name the document is printed: its header, address and logo. "
             "Empty: the lead's company.")
    document_wait = fields.Boolean(
        string="Wait for the PDF before the next rule", default=True,
        help="Set: the PDF is created by the rule itself; the rules chained after it start once it is "
             "attached and can use it (vars.attachment_ids, vars.document_url). Not set: the PDF is created "
             "by a separate job and the next rules start at once, without it.")

    @api.model
    def _action_parts(self):
        return {**super()._action_parts(), "document": {"report"}}

    def _compute_report_model(self):
        result = super()._compute_report_model()
        for rule in self.filtered(lambda r: r.action == "document"):
            rule.report_model = "crm.lead"
        return result

    @api.constrains("action", "report_id")
    def _check_report(self):
        for rule in self.filtered(lambda r: r.action == "document" or r.report_id):
            report = rule.report_id
            if rule.action == "document" and not report:
                raise ValidationError(_("Rule “%(rule)s”: choose the report to print.", rule=rule.name))
            if report and (report.model != rule.report_model or report.report_type != "qweb-pdf"):
                raise ValidationError(_(
                    "Rule “%(rule)s”: “%(report)s” is not a PDF report of %(model)s.",
                    rule=rule.name, report=report.name,
                    model=self.env["ir.model"]._get(rule.report_model).name or rule.report_model))

    def _stage_automation_output_names(self):
        names = super()._stage_automation_output_names()
        if self.action == "document" and self.document_wait:
            names.update(self._document_output_names())
        return names

    def _document_output_names(self):
        return {
            "attachment_ids": _("id of the document, in a list (what e-mails to the customer attach)"),
            "document_url": _("download link of the document (public when the rule creates a public link)"),
            "document_name": _("file name of the document"),
        }

    def _prepare_action_document(self, run, lead):
        if not self.report_id:
            raise UserError(_("The report this rule printed was deleted: choose another one."))
        records = self._document_records(lead)
        name = self._document_name(lead, records)
        return {"records": records, "name": name,
                "details": [(_("Report"), self.report_id.name),
                            (_("File name"), name),
                            # Named even to an author outside it, whom printing then refuses with this name.
                            (_("Issued by"), self._document_company(lead).sudo().name)]}

    def _run_action_document(self, run, lead):
        plan = self._prepare_action(run, lead)
        if self.document_wait:
            attachment = self._create_document(run, lead, plan["records"], plan["name"])
            return _lt("Document “%(name)s” attached to the lead.", name=attachment.name)
        run.with_delay(description=_("Stage automation: document of %(run)s", run=run.display_name)
                       )._create_document_in_background()
        return _lt("The document “%(report)s” is being created in the background; the next rules do not wait for it.",
                   report=self.report_id.name)

    def _document_records(self, lead):
        """Records the report of a "Create a document" rule prints for ``lead``.

        The lead itself for a report of leads; a bridge addon returns e.g. the
        lead's quotation for a report of quotations (and widens ``report_model``).
        """
        self.ensure_one()
        if self.report_id.model == "crm.lead":
            return lead
        raise UserError(_("Reports of %(model)s cannot be printed from a lead.", model=self.report_id.model))

    def _create_document(self, run, lead, record, name=None):
        """Print the rule's report of ``record`` to PDF, attach it to ``lead`` and publish it as variables;
        ``name``: the file's, when already rendered."""
        self.ensure_one()
        report = self.report_id
        company = self._document_company(lead)
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(_("Documents cannot be issued in the name of “%(company)s”, a company they do not "
                                "belong to.", company=company.sudo().name))
        try:
            # The company leads the environment (formats, currency, the author's right to act in its name)
            # and is the one web.external_layout heads the page with, whatever the record's own company.
            content, extension = self.env["ir.actions.report"].with_company(company)._render_qweb_pdf(
                report, record.ids, data={"company_id": company})
        except (UserError, compat.QWEB_ERROR) as error:
            raise UserError(_("The report “%(report)s” could not be printed: %(error)s",
                              report=report.name, error=_printing_error(error))) from error
        name = name or self._document_name(lead, record)
        if not name.endswith(f".{extension}"):
            name = f"{name}.{extension}"
        attachment = self.env["ir.attachment"].create({
            "name": name,
            "raw": content,
            "res_model": lead._name,
            "res_id": lead.id,
        })
        url = f"{lead.get_base_url()}/web/content/{attachment.id}?download=true"
        if self.document_public_link:
            url += f"&access_token={attachment.generate_access_token()[0]}"
        run._set_outputs({"attachment_ids": attachment.ids, "document_url": url, "document_name": name})
        return attachment

    def _document_company(self, lead):
        """The company issuing the document: the rule's, else the lead's (that of the rule's environment)."""
        return self.document_company_id or lead.company_id or self.env.company

    def _document_name(self, lead, record):
        """The file name of the document of ``record`` (before its extension): the rule's, else the report's."""
        return self._render("document_name", lead) or self._report_file_name(self.report_id, record)

    def _report_file_name(self, report, record):
        """The file name Odoo gives the report when printed by hand (as mail templates do)."""
        if not report.print_report_name:
            return f"{report.name} - {record.display_name}"
        try:
            return safe_eval(report.print_report_name, {"object": record, "time": safe_time})
        except ValueError as error:
            raise UserError(_("The file name of the report “%(report)s” cannot be computed: %(error)s",
                              report=report.name, error=error)) from error


class StageAutomationRun(models.Model):
    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    def _create_document_in_background(self):
        """Queue job of a "Create a document" rule that does not wait for the PDF.

        The run was done when the job was queued and its followers have
        started; a report that fails turns the run to failed, with the reason
        and a note on the lead, so that the runs list does not claim a document
        that does not exist.
        """
        self.ensure_one()
        if not self.lead_id:
            return _("Nothing to do: the lead was deleted.")
        try:
            with self.env.cr.savepoint():
                rule = self.rule_id.with_context(stage_automation_run_id=self.id)._robot(self.lead_id)
                run, lead = self.with_env(rule.env).sudo(), self.lead_id.with_env(rule.env)
                attachment = rule._create_document(run, lead, rule._document_records(lead))
        except UserError as error:
            message = error.args[0]
            self._set_state("failed", _lt("Failed to create the document: %(message)s", message=message))
            self.lead_id.message_post(
                body=_("Automation rule “%(rule)s” failed: %(message)s", rule=self.rule_id.name, message=message),
                subtype_xmlid="mail.mt_note")
            return self.reason
        self._set_reason(_lt("Document “%(name)s” attached to the lead.", name=attachment.name))
        return self.reason


def _printing_error(error):
    """What went wrong in a report, in one line: the error inside the template, or Odoo's message."""
    details = compat.qweb_error_details(error)
    if details:
        detail, template = details
        return f"{detail} (template {template})" if template else detail
    return error.args[0] if error.args else str(error)
