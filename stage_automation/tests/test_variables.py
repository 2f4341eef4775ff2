import string

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import StageAutomationCase
from .series import MOBILE


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestVariables(StageAutomationCase):
    """Pipeline constants, outputs of earlier rules, and the "Generate code" action that publishes one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Constant = cls.env["stage.automation.constant"]
        cls.Constant.create([
            {"team_id": cls.team.id, "name": "discount", "value": "15%"},
            {"team_id": cls.team.id, "name": "hotline", "value": "+32 2 555 01 01"},
        ])
        cls.field_referred = cls.env.ref("crm.field_crm_lead__referred")

    def enter(self, *rules):
        lead = self.lead()
        lead.stage_id = self.stage_new
        return lead, [self.runs(lead, rule) for rule in rules]

    # Constants and vars in texts

    def test_constants_of_the_lead_pipeline_render_by_attribute_or_key(self):
        rule = self.rule(body="Discount {{ constants.discount }}, call {{ constants['hotline'] }}")
        lead, (run,) = self.enter(rule)
        self.assertEqual(run.state, "done")
        self.assertIn("Discount 15%, call +32 2 555 01 01", self.notes(lead)[0].body)

    def test_generated_code_is_stored_published_and_rendered_by_a_later_rule(self):
        generate = self.rule(name="Code", sequence=1, action="generate_code", body=False, code_length=8,
                             code_alphabet="both", code_field_id=self.field_referred.id)
        self.assertEqual(generate.variable_name, "code")
        note = self.rule(name="Note", sequence=2, after_previous=True, body="Your code: {{ vars.code }}")
        lead, (generated, noted) = self.enter(generate, note)
        code = generated.outputs["code"]
        self.assertEqual((generated.state, noted.state), ("done", "done"))
        self.assertEqual(len(code), 8)
        self.assertLessEqual(set(code), set(string.digits + string.ascii_uppercase))
        self.assertEqual(lead.referred, code)
        self.assertIn(f"Your code: {code}", self.notes(lead)[0].body)
        self.assertNotIn(code, generated.reason, "the code is a secret: the log does not show it")

    def test_code_alphabets_and_variable_name(self):
        digits = self.rule(name="Digits", sequence=1, action="generate_code", body=False, code_length=12,
                           variable_name="pin")
        letters = self.rule(name="Letters", sequence=2, action="generate_code", body=False, code_length=12,
                            code_alphabet="letters")
        _lead, (digits_run, letters_run) = self.enter(digits, letters)
        self.assertTrue(digits_run.outputs["pin"].isdigit())
        self.assertTrue(set(letters_run.outputs["code"]) <= set(string.ascii_uppercase))
        self.assertNotEqual(self.enter(digits)[1][0].outputs["pin"], digits_run.outputs["pin"])

    def test_generate_code_refuses_bad_settings(self):
        values = {"action": "generate_code", "body": False}
        for bad, message in (
            ({"code_length": 0}, "between 1 and 64"),
            ({"code_length": 65}, "between 1 and 64"),
            ({"variable_name": "2fa code"}, "cannot be a variable name"),
            ({"variable_name": "items"}, "cannot be a variable name"),
            ({"code_field_id": self.env.ref("crm.field_crm_lead__date_deadline").id}, "not a text field"),
        ):
            with self.subTest(bad=bad), self.assertRaisesRegex(ValidationError, message):
                self.rule(**values, **bad)

    def test_an_unknown_variable_fails_the_run_with_its_name(self):
        rule = self.rule(body="Code: {{ vars.code }}")
        lead, (run,) = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("The variable “code” is not set", run.reason)
        self.assertFalse(any("Code:" in note.body for note in self.notes(lead)))

    def template_rules(self, email_body, sms_body, sequence=2):
        """Rules e-mailing the customer and the responsible with one mail template, then texting the customer
        with an SMS template: the e-mails' subject is "Code {{ vars.code }}"."""
        lead_model = self.env.ref("crm.model_crm_lead")
        mail_template = self.env["mail.template"].create({
            "name": "Code by e-mail", "model_id": lead_model.id, "subject": "Code {{ vars.code }}",
            "body_html": email_body})
        sms_template = self.env["sms.template"].create({"name": "Code by SMS", "model_id": lead_model.id,
                                                        "body": sms_body})
        self.salesman.email = "salesman@example.com"
        return [
            self.rule(name="Customer", sequence=sequence, action="email_customer", mail_template_id=mail_template.id,
                      body=False),
            self.rule(name="Team", sequence=sequence + 1, action="email_responsible",
                      mail_template_id=mail_template.id, body=False),
            self.rule(name="SMS", sequence=sequence + 2, action="sms_customer", sms_template_id=sms_template.id,
                      body=False),
        ]

    def test_mail_and_sms_templates_read_the_variables_too(self):
        generate = self.rule(name="Code", sequence=1, action="generate_code", body=False)
        rules = self.template_rules(
            '<p>Discount <t t-out="constants.discount"/>, code <t t-out="vars[\'code\']"/></p>',
            "Code {{ vars.code }}, {{ constants.hotline }}")
        lead = self.lead(**{MOBILE: "+32 470 12 34 56"})
        lead.stage_id = self.stage_new
        code = self.runs(lead, generate).outputs["code"]
        self.assertEqual([self.runs(lead, rule).state for rule in rules], ["done"] * 3)
        customer_message = lead.message_ids.filtered(
            lambda m: m.subject == f"Code {code}" and m.message_type == "comment")
        self.assertIn(f"Discount 15%, code {code}", customer_message.body)
        self.assertTrue(self.env["mail.mail"].search([
            ("subject", "=", f"Code {code}"), ("recipient_ids", "=", self.salesman.partner_id.id)]))
        self.assertTrue(self.env["sms.sms"].search([("body", "=", f"Code {code}, +32 2 555 01 01")]))

    def test_a_template_reading_an_unset_variable_fails_the_run_and_sends_nothing(self):
        customer, team, sms = self.template_rules("<p>Hello</p>", "Code {{ vars.pin }}")
        lead = self.lead(**{MOBILE: "+32 470 12 34 56"})
        lead.stage_id = self.stage_new
        for rule, name in ((customer, "code"), (team, "code"), (sms, "pin")):
            with self.subTest(rule=rule.name):
                self.assertEqual(self.runs(lead, rule).reason, f"Failed: The variable “{name}” is not set: "
                                                               "no earlier rule of this stage entry published it.")
        self.assertFalse(self.env["mail.mail"].search([
            ("model", "=", "crm.lead"), ("res_id", "=", lead.id), ("subject", "like", "Code ")]))
        self.assertFalse(self.env["sms.sms"].search([("number", "=", "+32470123456"), ("body", "like", "Code ")]))

    def test_an_unknown_constant_fails_the_run_with_the_pipeline(self):
        rule = self.rule(body="{{ constants.vat_rate }}")
        _lead, (run,) = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("Pipeline “Automation pipeline” has no constant “vat_rate”", run.reason)

    def test_variables_of_another_entry_are_not_visible(self):
        generate = self.rule(name="Code", sequence=1, action="generate_code", body=False)
        lead, _runs = self.enter(generate)
        note = self.rule(name="Later", stage_id=self.stage_proposal.id, body="{{ vars.code }}")
        lead.stage_id = self.stage_proposal
        self.assertEqual(self.runs(lead, note).state, "failed")

    # Constants: the model and the pipeline form

    def test_constant_names_are_identifiers_unique_per_pipeline(self):
        for name in ("2nd", "with space", "items", "a__b", "_private", "é"):
            with self.subTest(name=name), self.assertRaisesRegex(ValidationError, "cannot be the name"):
                self.Constant.create({"team_id": self.team.id, "name": name})
        other_team = self.env["crm.team"].create({"name": "Other pipeline"})
        self.Constant.create({"team_id": other_team.id, "name": "discount", "value": "5%"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self.Constant.create({"team_id": self.team.id, "name": "discount"})

    def test_managers_edit_constants_in_the_pipeline_form_salesmen_do_not_see_them(self):
        with Form(self.team.with_user(self.manager)) as team_form:
            with team_form.stage_automation_constant_ids.new() as line:
                line.name = "signature"
                line.value = "The Azure team"
        self.assertEqual(self.team.stage_automation_constant_ids.mapped("name"),
                         ["discount", "hotline", "signature"])
        with self.assertRaises(AccessError):
            self.Constant.with_user(self.salesman).search([])
        self.assertNotIn("stage_automation_constant_ids", self.team.with_user(self.salesman).fields_get())

    # Restricted rendering: managers are not "Mail Template Editor"

    def test_managers_without_template_editor_right_use_variables_not_code(self):
        self.env["ir.config_parameter"].set_param("mail.restrict.template.rendering", True)
        self.assertFalse(self.manager.has_group("mail.group_mail_template_editor"))
        Rule = self.Rule.with_user(self.manager)
        generate = Rule.create({"name": "Code", "sequence": 1, "stage_id": self.stage_new.id,
                                "action": "generate_code"})
        note = Rule.create({
            "name": "Note", "sequence": 2, "stage_id": self.stage_new.id, "action": "note", "after_previous": True,
            "body": "{{ object.partner_name }}: {{ vars['code'] }} / {{ vars.code }} / {{ constants.discount }}",
        })
        write = Rule.create({
            "name": "Write", "sequence": 3, "stage_id": self.stage_new.id, "action": "write", "after_previous": True,
            "value_ids": [(0, 0, {"field_id": self.field_referred.id, "value": "code {{ vars[\"code\"] }}"})],
        })
        lead = self.lead()
        lead.with_user(self.salesman).stage_id = self.stage_new
        code = self.runs(lead, generate).outputs["code"]
        self.assertEqual(self.runs(lead, note).state, "done")
        self.assertIn(f"Azure: {code} / {code} / 15%", self.notes(lead)[0].body)
        self.assertEqual(lead.referred, f"code {code}")
        for expression in ("vars.get('code')", "vars._values", "vars.code.upper()", "constants.__class__",
                           "vars[0]", "object.env.user.name"):
            with self.subTest(expression=expression), self.assertRaises(AccessError):
                note.write({"body": f"{{{{ {expression} }}}}"})
        with self.assertRaises(AccessError):
            write.value_ids.write({"value": "{{ vars.code.lower() }}"})

    # What the rule form shows

    def test_rule_form_lists_constants_and_the_outputs_of_earlier_rules(self):
        generate = self.rule(name="Make a code", sequence=1, action="generate_code", body=False,
                             variable_name="pin")
        details = self.rule(name="Read partner", sequence=2, action="partner_read", body=False,
                            partner_field_ids=[self.env.ref("base.field_res_partner__city").id])
        later = self.rule(name="Later", sequence=5)
        after_later = self.rule(name="After later", sequence=9, action="generate_code", body=False)
        shown = later.available_variables
        for text in ("{{ constants.discount }}", "15%", "{{ vars.pin }}", "rule “Make a code”",
                     "{{ vars.partner_city }}", "rule “Read partner”"):
            self.assertIn(text, shown)
        self.assertNotIn("{{ vars.code }}", shown, "a later rule's output is not available yet")
        self.assertIn("{{ vars.pin }}", after_later.available_variables)
        self.assertNotIn("vars.", generate.available_variables)
        self.assertNotIn("vars.partner", details.available_variables)
        with Form(self.Rule.with_context(default_stage_id=self.stage_new.id, default_sequence=1)) as new_rule:
            new_rule.name = "New one"
            new_rule.action = "note"
            new_rule.body = "x"
            self.assertIn("{{ vars.pin }}", new_rule.available_variables)
            self.assertNotIn("{{ vars.partner_city }}", new_rule.available_variables)
