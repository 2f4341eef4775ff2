from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common_actions import ActionCase


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestAssignmentActions(ActionCase):
    """Change responsible by distribution, and the supervisor's control."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sellers = cls.salesman | cls.env["res.users"].concat(*(
            new_test_user(cls.env, login=f"sa_seller{n}", name=f"Seller {n}", groups="sales_team.group_sale_salesman")
            for n in (2, 3)))

    def enter_many(self, rule, count):
        leads = self.env["crm.lead"].concat(*(self.lead(name=f"Lead {n}") for n in range(count)))
        for lead in leads:
            lead.stage_id = rule.stage_id
        return leads

    def test_round_robin_among_users_goes_on_where_it_stopped(self):
        rule = self.rule(action="change_user", assign_mode="round_robin", assign_user_ids=self.sellers.ids)
        leads = self.enter_many(rule, 4)
        self.assertEqual(leads.mapped("user_id").ids, self.sellers.ids)
        self.assertEqual([lead.user_id for lead in leads], list(self.sellers) + [self.sellers[0]])
        self.assertEqual(rule.assign_last_user_id, self.sellers[0])
        self.assertIn("in turn", self.runs(leads[0], rule).reason)

    def test_round_robin_among_the_team_skips_who_opted_out(self):
        team = self.env["crm.team"].create({"name": "Hunters", "member_ids": self.sellers.ids})
        team.crm_team_member_ids.filtered(lambda m: m.user_id == self.sellers[1]).assignment_optout = True
        rule = self.rule(action="change_user", assign_mode="round_robin", assign_team_id=team.id)
        leads = self.enter_many(rule, 3)
        self.assertEqual([lead.user_id for lead in leads], [self.sellers[0], self.sellers[2], self.sellers[0]])

    def test_fewest_open_leads_wins_won_ones_do_not_count(self):
        busy, idle, winner = self.sellers
        for _n in range(2):
            self.lead(user_id=busy.id)
        for _n in range(3):
            self.lead(user_id=winner.id, stage_id=self.stage_won.id)
        self.lead(user_id=idle.id)
        rule = self.rule(action="change_user", assign_mode="least_loaded", assign_user_ids=self.sellers.ids)
        lead, run = self.enter(rule, user_id=False)
        self.assertEqual(lead.user_id, winner)
        self.assertEqual(run.state, "done")

    def test_distribution_among_nobody_fails_and_keeps_the_responsible(self):
        empty_team = self.env["crm.team"].create({"name": "Empty"})
        rule = self.rule(action="change_user", assign_mode="round_robin", assign_team_id=empty_team.id)
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("Nobody to distribute", run.reason)
        self.assertEqual(lead.user_id, self.salesman)
        self.assertFalse(rule.assign_last_user_id)

    def test_one_user_still_needs_the_user(self):
        with self.assertRaisesRegex(ValidationError, "choose the new responsible"):
            self.rule(action="change_user", assign_mode="fixed")

    def test_control_warns_the_team_leader_only_if_the_lead_is_still_there(self):
        self.team.user_id = self.manager
        rule = self.rule(action="control", recipient="team_leader", timing="delay", delay=3, delay_unit="days",
                         control_activity=True, body=False)
        stays, run = self.enter(rule)
        leaves, left_run = self.enter(rule, name="Moves on")
        leaves.stage_id = self.stage_proposal
        with self.at("2026-03-07 10:00:00"):
            self.dispatch()
        self.assertEqual(run.state, "done")
        self.assertEqual(left_run.state, "cancelled")
        warning = self.notifications(stays, "Still in “SA New”: Lead")
        self.assertEqual(warning.partner_ids, self.manager.partner_id)
        self.assertIn("is still in stage “SA New”, since", warning.body)
        self.assertEqual(stays.activity_ids.user_id, self.manager)
        self.assertFalse(self.notifications(leaves, "Still in “SA New”: Moves on"))
        self.assertFalse(leaves.activity_ids)

    def test_control_without_a_leader_fails(self):
        rule = self.rule(action="control", recipient="team_leader", timing="delay", delay=1, delay_unit="hours")
        lead, run = self.enter(rule)
        with self.at("2026-03-04 11:00:00"):
            self.dispatch()
        self.assertEqual(run.state, "failed")
        self.assertIn("Nobody to warn", run.reason)

    def test_control_must_be_delayed_and_do_something(self):
        with self.assertRaisesRegex(ValidationError, "choose a delay or a date"):
            self.rule(action="control")
        with self.assertRaisesRegex(ValidationError, "notification, schedule an activity"):
            self.rule(action="control", timing="delay", delay=1, control_notify=False)
