import logging

from odoo.tests import tagged

from .common import StageAutomationCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install", "stage_automation_scale")
class TestScale(StageAutomationCase):
    """Entering a stage costs a bounded number of queries per batch, not per lead."""

    def _queries(self, leads, stage):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        leads.write({"stage_id": stage.id})
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _overhead(self, count):
        """Queries a stage change on ``count`` leads costs with rules, minus the same change without."""
        leads = self.env["crm.lead"].create([
            {"name": f"Lead {n}", "type": "opportunity", "team_id": self.team.id, "user_id": self.salesman.id,
             "stage_id": self.stage_qualified.id}
            for n in range(count)
        ])
        baseline = self._queries(leads, self.stage_won.browse(self.stage_proposal.id))
        self._queries(leads, self.stage_qualified)
        with_rules = self._queries(leads, self.stage_new)
        return with_rules - baseline

    def test_mass_write_schedules_with_a_bounded_number_of_queries(self):
        self.rule(name="Now", sequence=1)
        self.rule(name="Control", sequence=2, timing="delay", delay=3, delay_unit="days", action="notify",
                  body="Still new")
        self.rule(name="Chained", sequence=3, after_previous=True, timing="delay", delay=1, delay_unit="hours")
        self.rule(name="Deadline", sequence=4, timing="before_date", delay=1, delay_unit="days",
                  date_field_id=self.field_deadline.id, at_time=9.0)
        self.rule(name="Working hours", sequence=5, timing="delay", delay=2, delay_unit="work_days",
                  working_hours=True)
        small = self._overhead(100)
        large = self._overhead(1000)
        _logger.info("Stage change with 5 rules: %s extra queries for 100 leads, %s for 1000 leads", small, large)
        runs = self.Run.search([("rule_id.stage_id", "=", self.stage_new.id)])
        self.assertEqual(len(runs), 5 * 1100)
        # One INSERT per chain level, a few reads and the dispatcher's wake-up (cron trigger and queue job):
        # the same for 100 leads as for 1000 (5 rules x 1000 leads one by one would be 5000 round trips).
        self.assertLessEqual(small, 30)
        self.assertLessEqual(large, small + 5)
