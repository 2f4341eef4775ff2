from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.queue_job.job import Job

from .common import StageAutomationCase

BROKEN_TEMPLATE = """<t t-name="stage_automation.test_broken_report">
    <t t-call="web.html_container">
        <t t-foreach="docs" t-as="o"><p t-out="o.no_such_field"/></t>
    </t>
</t>"""


@tagged("post_install", "-at_install", "stage_automation_documents")
class TestDocuments(HttpCase, StageAutomationCase):
    """"Create a document": a real PDF printed by wkhtmltopdf (an HTTP case, so that it loads the
    report's styles from the test server), attached to the lead, with a public link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.summary = cls.env.ref("stage_automation.action_report_crm_lead_summary")
        cls.proposal = cls.env.ref("stage_automation.action_report_crm_lead_proposal")
        cls.customer = cls.env["res.partner"].create({
            "name": "Ann Azure", "street": "12 Harbour Road", "city": "Brighton", "zip": "BN1 1AA"})
        cls.issuer = cls.env["res.company"].create({"name": "Issuing Branch Ltd", "street": "1 Branch Street"})

    def document_rule(self, **values):
        return self.rule(**{"name": "Document", "sequence": 10, "action": "document", "body": False,
                            "report_id": self.summary.id, **values})

    def enter(self, **lead_values):
        """Enter the stage asking for real PDFs: in test mode Odoo prints HTML unless told otherwise."""
        lead = self.lead(**lead_values)
        lead.with_context(force_report_rendering=True).stage_id = self.stage_new
        return lead

    def attachments(self, lead):
        return self.env["ir.attachment"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])

    def test_pdf_attached_to_the_lead_with_a_public_link(self):
        rule = self.document_rule(document_public_link=True)
        lead = self.enter(name="Big deal", expected_revenue=12000)
        run = self.runs(lead, rule)
        attachment = self.attachments(lead)
        self.assertEqual(run.state, "done")
        self.assertEqual(attachment.name, "Summary - Big deal.pdf")
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(run.outputs["attachment_ids"], attachment.ids)
        self.assertEqual(run.outputs["document_name"], "Summary - Big deal.pdf")
        url = run.outputs["document_url"]
        self.assertIn(f"/web/content/{attachment.id}?download=true&access_token={attachment.access_token}", url)
        response = self.url_open(url)  # not logged in: the token opens it
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertEqual(self.url_open(url.split("&access_token")[0]).status_code, 404, "no token, no document")

    def test_the_e_mail_to_the_customer_attaches_the_documents_of_the_entry(self):
        first = self.document_rule(name="Offer", sequence=1, document_name="Offer {{ object.name }}")
        second = self.document_rule(name="Summary", sequence=2, after_previous=True)
        then = self.rule(name="E-mail", sequence=3, after_previous=True, action="email_customer",
                         email_attach_documents=True, summary="Your documents",
                         body="Also at {{ vars.document_url }} ({{ vars.document_name }})")
        lead = self.enter()
        offer_run, summary_run = self.runs(lead, first), self.runs(lead, second)
        offer = self.attachments(lead).filtered(lambda a: a.name == "Offer Lead.pdf")
        summary = self.attachments(lead).filtered(lambda a: a.name == "Summary - Lead.pdf")
        self.assertEqual((offer_run.outputs["attachment_ids"], summary_run.outputs["attachment_ids"]),
                         (offer.ids, summary.ids))
        self.assertNotIn("access_token", offer_run.outputs["document_url"], "no public link was asked for")
        self.assertEqual(self.runs(lead, then).state, "done", self.runs(lead, then).reason)
        message = lead.message_ids.filtered(lambda m: m.subject == "Your documents")
        self.assertEqual(message.attachment_ids, offer | summary)
        self.assertIn("(Summary - Lead.pdf)", message.body)

    def broken_report(self):
        view = self.env["ir.ui.view"].create({
            "name": "stage_automation.test_broken_report", "type": "qweb", "arch": BROKEN_TEMPLATE,
            "key": "stage_automation.test_broken_report"})
        return self.env["ir.actions.report"].create({
            "name": "Broken", "model": "crm.lead", "report_type": "qweb-pdf", "report_name": view.key})

    def test_a_report_that_fails_to_render_fails_the_run_and_attaches_nothing(self):
        rule = self.document_rule(report_id=self.broken_report().id)
        then = self.rule(name="Then", sequence=20, after_previous=True)
        lead = self.enter()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("The report “Broken” could not be printed", run.reason)
        self.assertIn("no_such_field", run.reason)
        self.assertFalse(self.attachments(lead))
        self.assertEqual(self.runs(lead, then).state, "skipped")

    def test_a_file_name_that_cannot_be_computed_fails_the_run(self):
        self.summary.print_report_name = "object.no_such_field"
        rule = self.document_rule()
        lead = self.enter()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("file name", run.reason)
        self.assertFalse(self.attachments(lead))

    def test_without_waiting_the_pdf_is_made_by_a_job_and_the_next_rules_do_not_wait(self):
        rule = self.document_rule(document_wait=False)
        then = self.rule(name="Then", sequence=20, after_previous=True, body="Next")
        self.assertNotIn("vars.attachment_ids", then.available_variables)
        lead = self.enter()
        run = self.runs(lead, rule)
        self.assertEqual((run.state, self.runs(lead, then).state), ("done", "done"))
        self.assertIn("in the background", run.reason)
        self.assertFalse(self.attachments(lead))
        forced = self.env(context=dict(self.env.context, force_report_rendering=True))
        for stored in self.queued_jobs():
            Job.load(forced, stored.uuid).perform()
        attachment = self.attachments(lead)
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(run.outputs["attachment_ids"], attachment.ids)
        self.assertEqual(run.reason, "Document “Summary - Lead.pdf” attached to the lead.")

    def test_a_background_document_that_fails_is_reported_on_the_run_and_the_lead(self):
        rule = self.document_rule(report_id=self.broken_report().id, document_wait=False)
        lead = self.enter()
        self.perform_jobs()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("Failed to create the document: The report “Broken” could not be printed", run.reason)
        self.assertFalse(self.attachments(lead))
        self.assertIn("Automation rule “Document” failed", self.notes(lead)[0].body)

    def test_get_crm_data_with_a_printable_form(self):
        rule = self.rule(name="Read", action="crm_read", body=False, report_id=self.summary.id,
                         document_public_link=True,
                         crm_read_field_ids=[self.env.ref("crm.field_crm_lead__partner_name").id])
        lead = self.enter()
        run = self.runs(lead, rule)
        attachment = self.attachments(lead)
        self.assertEqual(run.state, "done")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(run.outputs["crm_partner_name"], "Azure")
        self.assertEqual(run.outputs["attachment_ids"], attachment.ids)
        self.assertIn(f"access_token={attachment.access_token}", run.outputs["document_url"])
        self.assertIn("Printed “Summary - Lead.pdf”", run.reason)

    def proposal_html(self, rule, lead):
        """The proposal the rule attached when printed as tests print by default: the report's HTML."""
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "done", run.reason)
        attachment = self.attachments(lead)
        self.assertEqual(attachment.name, f"Proposal - {lead.name}.html")
        return attachment.raw.decode()

    def test_the_commercial_proposal_is_headed_by_the_issuing_company_and_addressed_to_the_customer(self):
        rule = self.document_rule(report_id=self.proposal.id, document_company_id=self.issuer.id)
        lead = self.lead(name="Big deal", partner_id=self.customer.id, expected_revenue=12000)
        html = self.proposal_html(rule, lead)
        self.assertIn("Commercial proposal", html)
        self.assertIn("Issuing Branch Ltd", html)
        self.assertIn("1 Branch Street", html)
        self.assertNotIn(lead.company_id.name, html, "the lead's company does not head it")
        self.assertIn("12 Harbour Road", html)
        self.assertIn("12,000.00", html)
        self.assertEqual(rule._prepare_action(self.Run.new({}), lead)["details"][-1],
                         ("Issued by", "Issuing Branch Ltd"))

    def test_the_commercial_proposal_is_issued_by_the_leads_company_by_default(self):
        rule = self.document_rule(report_id=self.proposal.id)
        lead = self.lead(name="Small deal", partner_id=self.customer.id)
        html = self.proposal_html(rule, lead)
        self.assertIn(lead.company_id.name, html)
        self.assertNotIn("Issuing Branch Ltd", html)

    def test_the_commercial_proposal_as_a_pdf(self):
        rule = self.document_rule(report_id=self.proposal.id, document_company_id=self.issuer.id,
                                  document_public_link=True)
        lead = self.enter(name="Big deal", partner_id=self.customer.id, expected_revenue=12000)
        attachment = self.attachments(lead)
        self.assertEqual(self.runs(lead, rule).state, "done")
        self.assertEqual(attachment.name, "Proposal - Big deal.pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertEqual(self.url_open(self.runs(lead, rule).outputs["document_url"]).status_code, 200)

    def test_documents_are_issued_only_in_the_name_of_the_authors_companies(self):
        author = new_test_user(
            self.env, login="sa_one_company", name="One Company Manager", tz="UTC",
            groups="sales_team.group_sale_manager")
        rule = self.Rule.with_user(author).create({
            "name": "Document", "stage_id": self.stage_new.id, "action": "document",
            "report_id": self.proposal.id})
        rule.sudo().document_company_id = self.issuer  # e.g. over RPC: the field is not checked on save
        lead = self.enter()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("One Company Manager, whose rights the rule uses, is not allowed to do this. Documents cannot "
                      "be issued in the name of “Issuing Branch Ltd”", run.reason)
        self.assertFalse(self.attachments(lead))

    def test_the_report_must_be_a_pdf_report_of_leads(self):
        with self.assertRaisesRegex(ValidationError, "choose the report to print"):
            self.document_rule(report_id=False)
        other = self.env["ir.actions.report"].search([("model", "!=", "crm.lead"),
                                                      ("report_type", "=", "qweb-pdf")], limit=1)
        with self.assertRaisesRegex(ValidationError, "is not a PDF report of Lead"):
            self.document_rule(report_id=other.id)
