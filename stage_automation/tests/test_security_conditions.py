"""Conditions are data: a domain of literals, evaluated with plain values; nothing callable reaches a record."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StageAutomationSecurityCase
from .series import USER_GROUPS

ESCALATIONS = [
    "[('id', '=', user.write({'groups_id': [(4, %(admin)s)]}))]",
    "[('id', '=', user.sudo().write({'groups_id': [(4, %(admin)s)]}))]",
    "[('id', '=', env.user.sudo().write({'groups_id': [(4, %(admin)s)]}))]",
    "[('id', 'in', [context_today.__globals__])]",
    "[('id', '=', __import__('os').getpid())]",
    "[('id', '=', ref('base.user_admin'))]",
    "[('name', '=', datetime.datetime)]",
    "[('name', '=', dateutil.relativedelta)]",
    "[('name', '=', time)]",
    "[('name', '=', {'a': 1})]",
    "('name', '=', 'x')",
    "[('name', '=', 'x'), 'or']",
    "[('name', '=')]",
]
# The field of a user's groups on the running series.
ESCALATIONS = [text.replace("groups_id", USER_GROUPS) for text in ESCALATIONS]


@tagged("post_install", "-at_install", "stage_automation_security")
class TestConditionsAreData(StageAutomationSecurityCase):

    def test_code_in_a_rule_condition_is_refused_and_changes_nothing(self):
        admin_group = self.env.ref("base.group_system").id
        Rule = self.Rule.with_user(self.attacker)
        for text in ESCALATIONS:
            with self.subTest(condition=text), self.assertRaises(ValidationError):
                Rule.create({"name": "Escalate", "stage_id": self.stage_new.id, "action": "note", "body": "x",
                             "filter_domain": text % {"admin": admin_group}})
        self.assert_not_administrator(self.attacker)
        self.assertFalse(self.Rule.search([("name", "=", "Escalate")]))

    def test_code_in_a_trigger_condition_is_refused(self):
        admin_group = self.env.ref("base.group_system").id
        Trigger = self.env["stage.automation.trigger"].with_user(self.attacker)
        for text in ESCALATIONS[:3]:
            with self.subTest(condition=text), self.assertRaises(ValidationError):
                Trigger.create({"name": "Escalate", "stage_id": self.stage_proposal.id,
                                "filter_domain": text % {"admin": admin_group}})
        self.assert_not_administrator(self.attacker)

    def test_plain_values_still_work(self):
        """What Odoo's domain editor writes: the user, today, date arithmetic, the user's companies."""
        Rule = self.Rule.with_user(self.attacker)
        conditions = [
            "[('user_id', '=', uid)]",
            "[('company_id', 'in', company_ids + [False])]",
            "[('date_deadline', '<', (context_today() + relativedelta(days=3)).strftime('%Y-%m-%d'))]",
            "[('create_date', '>=', datetime.datetime.combine(context_today(), datetime.time(0, 0)))]",
            "['|', ('partner_name', 'ilike', 'azure'), '!', ('expected_revenue', '>', 10.5)]",
        ]
        for text in conditions:
            with self.subTest(condition=text):
                Rule.create({"name": "Plain", "stage_id": self.stage_new.id, "action": "note", "body": "x",
                             "filter_domain": text})

    def test_uid_is_the_author_when_the_rule_runs(self):
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Mine", "stage_id": self.stage_new.id, "action": "note", "body": "x",
            "filter_domain": "[('user_id', '=', uid)]"})
        mine, theirs = self.lead(user_id=self.attacker.id), self.lead()
        (mine | theirs).stage_id = self.stage_new
        self.assertEqual(self.runs(mine, rule).state, "done")
        self.assertEqual(self.runs(theirs, rule).state, "skipped")

    def test_code_written_behind_the_form_fails_the_run_and_escalates_nothing(self):
        """A condition stored by other means (SQL, an old version) is refused when the rule is about to run."""
        admin_group = self.env.ref("base.group_system").id
        rule = self.Rule.with_user(self.attacker).create({
            "name": "Sneaky", "stage_id": self.stage_new.id, "action": "note", "body": "x"})
        self.env.cr.execute("UPDATE stage_automation_rule SET filter_domain = %s WHERE id = %s",
                            (ESCALATIONS[1] % {"admin": admin_group}, rule.id))
        rule.invalidate_recordset()
        lead = self.lead()
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("can no longer be evaluated", run.reason)
        self.assert_not_administrator(self.attacker)
