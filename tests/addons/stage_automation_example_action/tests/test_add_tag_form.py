from odoo.tests import Form, TransactionCase, tagged


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestAddTagForm(TransactionCase):
    """The new action's form comes from its own declarations, the core form unchanged."""

    def test_the_rule_form_shows_its_tag_and_the_body_it_declares(self):
        form = Form(self.env["stage.automation.rule"])
        form.action = "add_tag"
        invisible = {name for name in ("tag_id", "body", "summary", "recipient", "value_ids")
                     if form._get_modifier(name, "invisible")}
        self.assertEqual(invisible, {"summary", "recipient", "value_ids"})
        self.assertTrue(form._get_modifier("tag_id", "required"))
        form.action = "note"
        self.assertTrue(form._get_modifier("tag_id", "invisible"))
        self.assertFalse(form._get_modifier("tag_id", "required"))
