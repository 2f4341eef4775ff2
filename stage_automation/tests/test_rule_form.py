from odoo.tests import Form, tagged

from .common import StageAutomationCase

# The parts of the rule form several actions share.
SHARED_PARTS = ("recipient", "summary", "body", "value_ids", "variable_name")


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestRuleForm(StageAutomationCase):
    """The rule form shows each action's own parameters and the shared parts its family says it uses."""

    def form(self, action, **values):
        form = Form(self.Rule.with_context(default_stage_id=self.stage_new.id))
        form.name = "Rule"
        form.action = action
        for name, value in values.items():
            setattr(form, name, value)
        return form

    def visible(self, form, *names):
        return {name for name in names if not form._get_modifier(name, "invisible")}

    def test_each_action_shows_the_shared_parts_it_uses(self):
        expected = {
            "activity": {"recipient", "summary", "body"},
            "notify": {"recipient", "summary", "body"},
            "note": {"body"},
            "sms_customer": {"body"},
            "write": {"value_ids"},
            "partner_write": {"value_ids"},
            "generate_code": {"variable_name"},
            "crm_read": {"variable_name"},
            "change_stage": set(),
            "webhook": set(),
        }
        for action, parts in expected.items():
            with self.subTest(action=action):
                self.assertEqual(self.visible(self.form(action), *SHARED_PARTS), parts)

    def test_a_template_replaces_the_texts(self):
        leads = self.env["ir.model"]._get_id("crm.lead")
        form = self.form("email_responsible")
        self.assertEqual(self.visible(form, "mail_template_id", "summary", "body"),
                         {"mail_template_id", "summary", "body"})
        form.mail_template_id = self.env["mail.template"].create({"name": "Welcome", "model_id": leads})
        self.assertEqual(self.visible(form, "mail_template_id", "summary", "body"), {"mail_template_id"})
        form = self.form("sms_employees")
        form.sms_template_id = self.env["sms.template"].create({"name": "Hi", "model_id": leads, "body": "Hi"})
        self.assertEqual(self.visible(form, "recipient", "summary", "body"), {"recipient"})

    def test_a_family_shows_its_fields_for_the_actions_of_other_families_that_use_them(self):
        control = self.form("control", timing="delay", delay=1)
        self.assertEqual(self.visible(control, "control_activity", "activity_type_id"), {"control_activity"})
        control.control_activity = True
        self.assertEqual(self.visible(control, "activity_type_id", "activity_deadline_days", "event_start"),
                         {"activity_type_id", "activity_deadline_days"})
        # A meeting's activity is due on the day of the meeting.
        meeting = self.form("meeting")
        self.assertEqual(self.visible(meeting, "activity_type_id", "activity_deadline_days", "event_start"),
                         {"activity_type_id", "event_start"})
        crm_read = self.form("crm_read")
        self.assertEqual(self.visible(crm_read, "report_id", "read_printable", "document_name", "partner_target"),
                         {"report_id", "read_printable"})

    def test_an_action_requires_its_own_parameters_only(self):
        form = self.form("change_user")
        self.assertTrue(form._get_modifier("user_id", "required"))
        self.assertFalse(form._get_modifier("recipient", "required"))
        form.action = "notify"
        self.assertTrue(form._get_modifier("recipient", "required"))
        self.assertFalse(form._get_modifier("user_id", "required"))
