"""Multi-company: a rule or trigger acts in its company, chosen among its author's; "every company" is for
those allowed in every company."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import StageAutomationSecurityCase


@tagged("post_install", "-at_install", "stage_automation_security")
class TestCompanies(StageAutomationSecurityCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.team_b = cls.env["crm.team"].create({"name": "Pipeline B", "company_id": cls.company_b.id})
        cls.attacker.write({"company_ids": [(6, 0, cls.company_a.ids)], "company_id": cls.company_a.id})
        cls.everywhere = new_test_user(
            cls.env, login="sa_everywhere", name="Everywhere Manager", tz="UTC",
            company_ids=[(6, 0, (cls.company_a | cls.company_b).ids)], company_id=cls.company_a.id,
            groups="sales_team.group_sale_salesman_all_leads,"
                   "stage_automation.group_stage_automation_lead_update,"
                   "stage_automation.group_stage_automation_opportunity_update")

    def values(self, **values):
        return {"name": "Rule", "stage_id": self.stage_new.id, "action": "note", "body": "{{ object.partner_name }}",
                **values}

    def test_a_user_of_one_company_cannot_make_a_rule_for_every_company(self):
        Rule = self.Rule.with_user(self.attacker)
        with self.assertRaisesRegex(ValidationError, "choose the company"):
            Rule.create(self.values(company_id=False))
        with self.assertRaises(UserError):
            Rule.create(self.values(company_id=self.company_b.id))
        rule = Rule.create(self.values())
        self.assertEqual(rule.company_id, self.company_a, "the default is the user's company")
        with self.assertRaisesRegex(ValidationError, "choose the company"):
            rule.write({"company_id": False})

    def test_triggers_follow_the_same_rule(self):
        Trigger = self.env["stage.automation.trigger"].with_user(self.attacker)
        with self.assertRaisesRegex(ValidationError, "choose the company"):
            Trigger.create({"name": "Everywhere", "stage_id": self.stage_proposal.id, "company_id": False})
        self.assertEqual(Trigger.create({"name": "Mine", "stage_id": self.stage_proposal.id}).company_id,
                         self.company_a)

    def test_a_user_of_every_company_may_leave_it_empty(self):
        rule = self.Rule.with_user(self.everywhere).create(self.values())
        self.assertFalse(rule.company_id)

    def test_a_rule_of_company_a_never_runs_on_company_b(self):
        rule = self.Rule.with_user(self.attacker).create(self.values())
        lead = self.lead(company_id=self.company_b.id, team_id=self.team_b.id, user_id=False,
                         partner_name="B's secret customer")
        lead.stage_id = self.stage_new
        self.assertFalse(self.runs(lead, rule))

    def test_an_author_who_lost_a_company_no_longer_acts_there(self):
        rule = self.Rule.with_user(self.everywhere).create(self.values())
        self.everywhere.write({"company_ids": [(6, 0, self.company_a.ids)]})
        lead = self.lead(company_id=self.company_b.id, team_id=self.team_b.id, user_id=False,
                         partner_name="B's secret customer")
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("not allowed in company “Company B”", run.reason)
        self.assertNotIn("B's secret customer", "".join(self.notes(lead).mapped("body")))
