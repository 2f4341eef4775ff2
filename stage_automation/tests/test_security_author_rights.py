"""A run acts with the rights of its rule's author: what they could not do by hand, the rule does not do."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StageAutomationSecurityCase


@tagged("post_install", "-at_install", "stage_automation_security")
class TestAuthorRights(StageAutomationSecurityCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_partner = cls.admin.partner_id
        cls.admin_email = cls.admin_partner.email

    def partner_field(self, name):
        return self.env.ref(f"base.field_res_partner__{name}").id

    def lead_field(self, name):
        return self.env.ref(f"crm.field_crm_lead__{name}").id

    def enter(self, **lead_values):
        lead = self.lead(**lead_values)
        lead.stage_id = self.stage_new
        return lead

    def test_author_is_who_last_changed_the_rule(self):
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Mine", "stage_id": self.stage_new.id, "action": "note", "body": "x"})
        self.assertEqual(rule.author_id, self.attacker)
        rule.with_user(self.manager).write({"body": "y"})
        self.assertEqual(rule.author_id, self.manager)

    def test_changing_a_value_line_of_an_administrators_rule_makes_it_yours(self):
        """The lines of an administrator's rule, changed over RPC, do not borrow the administrator's rights."""
        rule = self.Rule.with_user(self.admin).create({
            "name": "Admin's", "stage_id": self.stage_new.id, "action": "partner_write", "body": False,
            "value_ids": [Command.create({"field_id": self.partner_field("function"), "value": "Buyer"})]})
        self.assertEqual(rule.author_id, self.admin)
        rule.value_ids.with_user(self.attacker).write({"value": "Hacked"})
        self.assertEqual(rule.author_id, self.attacker)

    def test_modify_details_cannot_take_over_an_internal_users_contact(self):
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Take over", "stage_id": self.stage_new.id, "action": "partner_write", "body": False,
            "value_ids": [Command.create({"field_id": self.partner_field("email"), "value": "evil@example.com"})]})
        lead = self.enter(partner_id=self.admin_partner.id, email_from=self.admin_email)
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("Restricted Manager, whose rights the rule uses, is not allowed", run.reason)
        self.assertIn("User", run.reason)  # the right it lacks: modifying users (Administration)
        self.assertEqual(self.admin_partner.email, self.admin_email)

    def test_an_administrators_rule_still_does_it(self):
        rule = self.Rule.with_user(self.admin).create({
            "name": "Admin's", "stage_id": self.stage_new.id, "action": "partner_write", "body": False,
            "value_ids": [Command.create({"field_id": self.partner_field("function"), "value": "Chief"})]})
        lead = self.enter(partner_id=self.manager.partner_id.id)
        self.assertEqual(self.runs(lead, rule).state, "done")
        self.assertEqual(self.manager.partner_id.function, "Chief")

    def test_value_lookup_finds_only_what_the_author_sees(self):
        other = self.env["res.company"].create({"name": "Hidden Company"})
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Move company", "stage_id": self.stage_new.id, "action": "write", "body": False,
            "value_ids": [Command.create({"field_id": self.lead_field("company_id"), "value": str(other.id)})]})
        lead = self.enter()
        company = lead.company_id
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("No single record", run.reason)
        self.assertEqual(lead.company_id, company)

    def test_get_details_reads_only_what_the_author_may_read(self):
        hidden = self.env["res.partner"].create({"name": "Hidden", "city": "Secret City"})
        self.env["ir.rule"].create({
            "name": "Salespeople do not see this contact", "model_id": self.env.ref("base.model_res_partner").id,
            "domain_force": f"[('id', '!=', {hidden.id})]",
            "groups": [Command.link(self.env.ref("sales_team.group_sale_salesman").id)]})
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Read", "stage_id": self.stage_new.id, "action": "partner_read", "body": False,
            "partner_field_ids": [Command.set([self.partner_field("city")])]})
        lead = self.enter(partner_id=hidden.id)
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("Restricted Manager, whose rights the rule uses, is not allowed", run.reason)
        self.assertFalse(run.outputs)

    def test_notifications_in_someone_elses_name_are_for_administrators(self):
        values = {"name": "As admin", "stage_id": self.stage_new.id, "action": "notify", "body": "Hi",
                  "notify_author": "user", "notify_author_user_id": self.admin.id}
        with self.assertRaisesRegex(ValidationError, "only an administrator"):
            self.Rule.with_user(self.attacker).create(values)
        own = self.Rule.with_user(self.attacker).create(dict(values, notify_author_user_id=self.attacker.id))
        self.assertEqual(own.notify_author_user_id, self.attacker)
        by_admin = self.Rule.with_user(self.admin).create(values)
        lead = self.enter()
        self.assertEqual(self.runs(lead, by_admin).state, "done")

    def test_notification_author_chosen_by_an_administrator_fails_once_someone_else_edits_the_rule(self):
        rule = self.Rule.with_user(self.admin).create({
            "name": "As admin", "stage_id": self.stage_new.id, "action": "notify", "body": "Hi",
            "notify_author": "user", "notify_author_user_id": self.admin.id})
        rule.with_user(self.attacker).write({"body": "Send me your password"})
        lead = self.enter()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("only an administrator may", run.reason)
        self.assertFalse(self.notifications(lead, lead.name))

    def test_archived_author_fails_the_run_with_a_sentence(self):
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Mine", "stage_id": self.stage_new.id, "action": "note", "body": "x"})
        self.attacker.active = False
        lead = self.enter()
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("who is archived", run.reason)

    def test_edit_the_lead_as_the_author_still_works(self):
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Edit", "stage_id": self.stage_new.id, "action": "write", "body": False,
            "value_ids": [Command.create({"field_id": self.lead_field("priority"), "value": "3"})]})
        lead = self.enter()
        self.assertEqual(self.runs(lead, rule).state, "done")
        self.assertEqual(lead.priority, "3")
