from datetime import date, datetime

from odoo.tests import tagged

from .common import StageAutomationCase
from .series import shared_by

T0 = "2026-03-04 10:00:00"  # a Wednesday


@tagged("post_install", "-at_install", "stage_automation_timing")
class TestRuleTiming(StageAutomationCase):
    """One test per row of "When it runs"."""

    def test_immediate_runs_on_entry_in_sequence_order(self):
        second = self.rule(name="Second", sequence=20, body="second")
        first = self.rule(name="First", sequence=10, body="first")
        lead = self.lead()
        with self.at(T0):
            lead.stage_id = self.stage_new
        runs = self.runs(lead)
        self.assertEqual(runs.mapped("state"), ["done", "done"])
        self.assertEqual(self.runs(lead, first).due_at, datetime(2026, 3, 4, 10, 0))
        bodies = [m.body for m in self.notes(lead).sorted("id")]
        self.assertEqual([b.striptags() for b in bodies[-2:]], ["first", "second"])
        self.assertLess(self.runs(lead, first).id, self.runs(lead, second).id)

    def test_created_in_the_stage_is_an_entry(self):
        rule = self.rule()
        lead = self.lead(stage_id=self.stage_new.id)
        self.assertEqual(self.runs(lead, rule).state, "done")

    def test_staying_in_the_stage_does_not_activate_again_but_reentering_does(self):
        rule = self.rule()
        lead = self.lead(stage_id=self.stage_new.id)
        lead.write({"stage_id": self.stage_new.id, "name": "Renamed"})
        self.assertEqual(len(self.runs(lead, rule)), 1)
        lead.stage_id = self.stage_qualified
        lead.stage_id = self.stage_new
        self.assertEqual(len(self.runs(lead, rule)), 2)

    def test_delay_in_minutes_hours_and_days(self):
        cases = [("minutes", 30, datetime(2026, 3, 4, 10, 30)),
                 ("hours", 5, datetime(2026, 3, 4, 15, 0)),
                 ("days", 2, datetime(2026, 3, 6, 10, 0))]
        for unit, delay, expected in cases:
            with self.subTest(unit=unit):
                rule = self.rule(timing="delay", delay=delay, delay_unit=unit)
                lead = self.lead()
                with self.at(T0):
                    lead.stage_id = self.stage_new
                run = self.runs(lead, rule)
                self.assertEqual((run.state, run.due_at), ("pending", expected))
                rule.active = False

    def test_delayed_rule_runs_when_due_not_before(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="hours")
        lead = self.lead()
        with self.at(T0):
            lead.stage_id = self.stage_new
        with self.at("2026-03-04 10:59:00"):
            self.assertFalse(self.dispatch())
        self.assertEqual(self.runs(lead, rule).state, "pending")
        with self.at("2026-03-04 11:00:00"):
            self.assertEqual(self.dispatch(), self.runs(lead, rule))
        run = self.runs(lead, rule)
        self.assertEqual((run.state, run.done_at, run.attempts), ("done", datetime(2026, 3, 4, 11, 0), 1))
        self.assertIn("Hello Lead", self.notes(lead)[0].body)

    def test_delay_in_working_days_skips_the_weekend(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="work_days")
        lead = self.lead()
        with self.at("2026-03-06 14:00:00"):  # Friday
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).due_at, datetime(2026, 3, 9, 14, 0))  # Monday

    def test_before_a_date_at_a_time_of_day(self):
        rule = self.rule(timing="before_date", delay=1, delay_unit="days",
                         date_field_id=self.field_deadline.id, at_time=9.0)
        lead = self.lead(date_deadline=date(2026, 3, 20))
        with self.at(T0):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).due_at, datetime(2026, 3, 19, 9, 0))

    def test_time_of_day_is_taken_in_the_responsibles_time_zone(self):
        self.salesman.tz = "Europe/Warsaw"  # UTC+1 in March
        rule = self.rule(timing="before_date", delay=1, delay_unit="days",
                         date_field_id=self.field_deadline.id, at_time=9.5)
        lead = self.lead(date_deadline=date(2026, 3, 20))
        with self.at(T0):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).due_at, datetime(2026, 3, 19, 8, 30))

    def test_after_a_date(self):
        field = self.env.ref("crm.field_crm_lead__date_open")
        rule = self.rule(timing="after_date", delay=3, delay_unit="hours", date_field_id=field.id)
        lead = self.lead()
        lead.date_open = datetime(2026, 3, 10, 12, 0)
        with self.at(T0):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).due_at, datetime(2026, 3, 10, 15, 0))

    def test_delay_in_days_at_a_time_of_day(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="days", at_time=9.0)
        lead = self.lead()
        with self.at(T0):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).due_at, datetime(2026, 3, 5, 9, 0))

    def test_late_entry_runs_at_once(self):
        rule = self.rule(timing="before_date", delay=2, delay_unit="days", date_field_id=self.field_deadline.id)
        lead = self.lead(date_deadline=date(2026, 3, 5))
        with self.at(T0):
            lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual((run.state, run.due_at), ("done", datetime(2026, 3, 4, 10, 0)))

    def test_empty_date_skips_with_a_reason(self):
        rule = self.rule(timing="before_date", delay=1, delay_unit="days", date_field_id=self.field_deadline.id)
        lead = self.lead(date_deadline=False)
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "skipped")
        self.assertIn("Expected Closing", run.reason)
        self.assertIn("empty", run.reason)

    def test_date_change_reschedules_and_emptying_it_skips(self):
        rule = self.rule(timing="before_date", delay=1, delay_unit="days", date_field_id=self.field_deadline.id)
        lead = self.lead(date_deadline=date(2026, 3, 20))
        with self.at(T0):
            lead.stage_id = self.stage_new
            lead.date_deadline = date(2026, 3, 25)
        run = self.runs(lead, rule)
        self.assertEqual((run.state, run.due_at), ("pending", datetime(2026, 3, 24, 0, 0)))
        with self.at(T0):
            lead.date_deadline = False
        self.assertEqual(run.state, "skipped")
        self.assertIn("empty", run.reason)

    def test_after_previous_counts_from_the_previous_completion(self):
        first = self.rule(name="First", sequence=10, timing="delay", delay=1, delay_unit="hours")
        second = self.rule(name="Second", sequence=20, after_previous=True, timing="delay", delay=2,
                           delay_unit="hours")
        third = self.rule(name="Third", sequence=30, after_previous=True)
        lead = self.lead()
        with self.at(T0):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, second).state, "waiting")
        self.assertFalse(self.runs(lead, second).due_at)
        with self.at("2026-03-04 11:30:00"):  # the first rule runs half an hour late
            self.dispatch()
        self.assertEqual(self.runs(lead, first).state, "done")
        self.assertEqual(self.runs(lead, second).due_at, datetime(2026, 3, 4, 13, 30))
        self.assertEqual(self.runs(lead, third).state, "waiting")
        with self.at("2026-03-04 13:30:00"):
            self.dispatch()
        # The third rule is immediate after the second: it ran in the same job.
        self.assertEqual((self.runs(lead, second) | self.runs(lead, third)).mapped("state"), ["done", "done"])

    def test_after_previous_immediate_chain_runs_at_once(self):
        self.rule(name="First", sequence=10)
        chained = self.rule(name="Then", sequence=20, after_previous=True)
        lead = self.lead()
        lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, chained).state, "done")

    def test_chain_stops_when_the_previous_rule_did_not_run(self):
        first = self.rule(name="First", sequence=10, filter_domain="[('priority', '=', '3')]")
        second = self.rule(name="Second", sequence=20, after_previous=True)
        third = self.rule(name="Third", sequence=30, after_previous=True, timing="delay", delay=1)
        lead = self.lead(priority="0")
        lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, first).state, "skipped")
        for rule in (second, third):
            run = self.runs(lead, rule)
            self.assertEqual(run.state, "skipped")
            self.assertIn("did not run", run.reason)

    def test_chain_stops_when_the_previous_rule_failed(self):
        self.rule(name="First", sequence=10, action="change_user", user_id=self.manager.id)
        second = self.rule(name="Second", sequence=20, after_previous=True)
        self.manager.active = False
        lead = self.lead()
        lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, second).state, "skipped")

    def test_working_hours_across_a_weekend(self):
        calendar = self.env.ref("resource.resource_calendar_std")  # Mon-Fri 8-12, 13-17
        calendar.tz = "Europe/Brussels"
        self.salesman.tz = "Europe/Brussels"
        self.env.company.resource_calendar_id = calendar
        rule = self.rule(timing="delay", delay=3, delay_unit="hours", working_hours=True)
        lead = self.lead()
        with self.at("2026-03-06 15:00:00"):  # Friday 16:00 in Brussels: +3h is Friday 19:00
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).due_at, datetime(2026, 3, 9, 7, 0))  # Monday 08:00 Brussels

    def test_working_days_skip_company_leaves(self):
        calendar = self.env.ref("resource.resource_calendar_std")
        calendar.tz = "UTC"
        self.env.company.resource_calendar_id = calendar
        self.env["resource.calendar.leaves"].create({
            "name": "Public holiday", "calendar_id": calendar.id,
            "date_from": datetime(2026, 3, 9, 0, 0), "date_to": datetime(2026, 3, 9, 23, 59),
        })
        rule = self.rule(timing="delay", delay=1, delay_unit="work_days", working_hours=True)
        lead = self.lead()
        with self.at("2026-03-06 14:00:00"):  # Friday; Monday is off
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).due_at, datetime(2026, 3, 10, 14, 0))

    def test_condition_is_checked_when_the_rule_runs_not_at_entry(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="hours", filter_domain="[('priority', '=', '3')]")
        lead = self.lead(priority="0")
        with self.at(T0):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, rule).state, "pending")
        lead.priority = "3"
        with self.at("2026-03-04 11:00:00"):
            self.dispatch()
        self.assertEqual(self.runs(lead, rule).state, "done")

    def test_false_condition_skips_with_a_reason(self):
        rule = self.rule(filter_domain="['|', ('priority', '=', '3'), ('expected_revenue', '>', 1000)]")
        lead = self.lead(priority="1", expected_revenue=10)
        lead.stage_id = self.stage_new
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "skipped")
        self.assertIn("condition", run.reason)

    def test_pipeline_and_lead_type_filters(self):
        other_team = self.env["crm.team"].create({"name": "Other pipeline"})
        self.stage_new.write(shared_by(self.team, other_team))
        for_team = self.rule(name="Team", team_id=other_team.id)
        for_leads = self.rule(name="Leads only", lead_type="lead")
        for_all = self.rule(name="All")
        lead = self.lead(type="opportunity")
        lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead).rule_id, for_all)
        self.assertFalse(self.runs(lead, for_team) | self.runs(lead, for_leads))

    def test_delayed_work_wakes_the_cron_at_the_due_moment(self):
        self.rule(timing="delay", delay=90, delay_unit="minutes")
        cron = self.env.ref("stage_automation.ir_cron_dispatch_runs")
        lead = self.lead()
        with self.at(T0):
            lead.stage_id = self.stage_new
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertIn(datetime(2026, 3, 4, 11, 30), triggers.mapped("call_at"))
