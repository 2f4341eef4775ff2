from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StageAutomationCase
from .series import in_pipelines


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestRuleValidation(StageAutomationCase):
    """Bad configuration is refused with a message naming the problem, and nothing is saved."""

    def assertRefused(self, message_part, **values):
        count = self.Rule.search_count([])
        with self.assertRaises(ValidationError) as caught:
            self.rule(**values)
        self.assertIn(message_part, str(caught.exception))
        self.assertEqual(self.Rule.search_count([]), count)

    def test_domain_that_does_not_parse(self):
        self.assertRefused("not a valid domain", filter_domain="[('priority', '=', ")

    def test_domain_on_an_unknown_field(self):
        self.assertRefused("not a valid domain", filter_domain="[('no_such_field', '=', 1)]")

    def test_negative_delay(self):
        self.assertRefused("negative", timing="delay", delay=-1)

    def test_date_field_that_is_not_a_date_of_leads(self):
        self.assertRefused("not a date field of leads", timing="before_date",
                           date_field_id=self.env.ref("crm.field_crm_lead__name").id)
        self.assertRefused("not a date field of leads", timing="before_date",
                           date_field_id=self.env["ir.model.fields"]._get("res.partner", "create_date").id)

    def test_date_timing_without_date_field(self):
        self.assertRefused("choose the date field", timing="after_date")

    def test_target_stage_of_another_pipeline(self):
        other = self.env["crm.team"].create({"name": "Other"})
        foreign = self.env["crm.stage"].create({"name": "Foreign", **in_pipelines(other)})
        self.assertRefused("belongs to pipeline “Other”", action="change_stage", target_stage_id=foreign.id)

    def test_after_previous_on_the_first_rule(self):
        self.assertRefused("is the first rule", after_previous=True)
        self.rule(name="First", sequence=1)
        self.assertTrue(self.rule(name="Second", sequence=2, after_previous=True))

    def test_time_of_day_on_a_delay_in_hours(self):
        self.assertRefused("time of day", timing="delay", delay=2, delay_unit="hours", at_time=9.0)

    def test_time_of_day_out_of_range(self):
        self.assertRefused("between 00:00 and 23:59", timing="delay", delay=1, at_time=25.0)

    def test_action_parameters_are_required(self):
        self.assertRefused("type of the activity", action="activity")
        self.assertRefused("new responsible", action="change_user")
        self.assertRefused("text of the message", action="note", body=False)
        self.assertRefused("at least one field", action="write")
        self.assertRefused("how to assign", action="change_user", assign_mode=False)
        self.assertRefused("who receives it", action="notify", recipient=False)
        self.assertRefused("what to wait for", action="wait", wait_mode=False)
        self.assertRefused("when the event starts", action="book_resource", event_start=False)

    def test_parameters_of_other_actions_are_not_required(self):
        rule = self.rule(action="note", recipient=False, assign_mode=False, wait_mode=False, event_start=False,
                         notify_author=False, channel_target=False)
        self.assertEqual((rule.action, rule.recipient, rule.assign_mode), ("note", False, False))

    def test_summary_of_the_timing(self):
        self.rule(name="First")
        rule = self.rule(name="Second", sequence=20, timing="delay", delay=1, delay_unit="work_days", at_time=9.5,
                         after_previous=True, working_hours=True)
        self.assertEqual(rule.when_text, "1 working day after the previous rule at 09:30, in working hours")
