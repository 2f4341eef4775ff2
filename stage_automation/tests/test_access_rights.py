from xmlrpc.client import Fault

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import StageAutomationCase
from .series import RPC_FAULT_CODE_ACCESS_ERROR


@tagged("post_install", "-at_install", "stage_automation_security")
class TestAccessRights(StageAutomationCase):

    def test_salesman_sees_the_effects_not_the_configuration(self):
        rule = self.rule()
        lead = self.lead()
        lead.with_user(self.salesman).stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).state, "done")
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            self.Run.with_user(self.salesman).search([])

    def test_manager_updates_both_kinds(self):
        rule = self.Rule.with_user(self.manager).create({
            "name": "By the manager", "stage_id": self.stage_new.id, "action": "note", "body": "x"})
        rule.with_user(self.manager).write({"lead_type": "lead"})
        rule.with_user(self.manager).unlink()

    def test_managers_use_plain_placeholders_code_stays_with_template_editors(self):
        Rule = self.Rule.with_user(self.manager)
        values = {"name": "Placeholders", "stage_id": self.stage_new.id, "action": "note"}
        rule = Rule.create({**values, "body": "{{ object.partner_name }} ({{ object.stage_id.name }})"})
        lead = self.lead()
        lead.stage_id = self.stage_new
        self.assertIn("Azure (SA New)", self.notes(lead)[0].body)
        with self.assertRaises(AccessError):
            Rule.create({**values, "body": "{{ object.sudo().user_id.password }}"})
        with self.assertRaises(AccessError):
            rule.write({"summary": "{{ object.env.user.name }}"})

    def test_lead_groups_see_lead_rules_only(self):
        lead_reader = new_test_user(
            self.env, login="sa_lead_reader", groups="sales_team.group_sale_salesman,"
                                                     "stage_automation.group_stage_automation_lead_read")
        for_leads = self.rule(name="Leads", lead_type="lead")
        for_both = self.rule(name="Both", lead_type="both")
        self.rule(name="Opportunities", lead_type="opportunity")
        self.assertEqual(self.Rule.with_user(lead_reader).search([("stage_id", "=", self.stage_new.id)]),
                         for_leads | for_both)
        with self.assertRaises(AccessError):
            for_leads.with_user(lead_reader).write({"name": "Changed"})

    def test_lead_updater_cannot_touch_opportunity_rules(self):
        lead_updater = new_test_user(
            self.env, login="sa_lead_updater", groups="sales_team.group_sale_salesman,"
                                                      "stage_automation.group_stage_automation_lead_update")
        mine = self.rule(name="Leads", lead_type="lead")
        theirs = self.rule(name="Opportunities", lead_type="opportunity")
        mine.with_user(lead_updater).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            theirs.with_user(lead_updater).write({"name": "Changed"})

    def test_companies_never_mix(self):
        other_company = self.env["res.company"].create({"name": "Other company"})
        rule = self.rule(company_id=other_company.id)
        lead = self.lead()
        lead.stage_id = self.stage_new
        self.assertFalse(self.runs(lead, rule))
        self.assertNotIn(rule, self.Rule.with_user(self.manager).search([]))


@tagged("post_install", "-at_install", "stage_automation_security")
class TestAccessRightsOverRpc(HttpCase):

    def test_salesman_gets_access_error_reading_rules_over_xmlrpc(self):
        new_test_user(self.env, login="sa_rpc_salesman", password="sa_rpc_salesman_pw",
                      groups="sales_team.group_sale_salesman")
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, "sa_rpc_salesman", "sa_rpc_salesman_pw", {})
        with self.assertRaises(Fault) as caught:
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, uid, "sa_rpc_salesman_pw", "stage.automation.rule", "search_read", [[]])
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.assertIn("not allowed to access 'Stage Automation Rule'", caught.exception.faultString)
