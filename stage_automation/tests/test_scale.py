from contextlib import closing

from odoo.tests import tagged, warmup

from ..models.crm_lead import DEFAULT_INLINE_LIMIT
from .common import StageAutomationCase
from .series import UPDATE_BATCH_SIZE

# Both sizes are above the inline limit: a mass change, whose rules are all handed to the queue. The larger
# is the most crm's own write updates in one statement (Odoo's UPDATE_BATCH_SIZE): the same exact budget
# for both proves that the rules cost no query per lead (one per lead would be 79 more for the larger);
# larger sizes prove nothing more and only cost seconds (the test once moved 1,100 leads three times).
FEW = DEFAULT_INLINE_LIMIT + 1
MANY = UPDATE_BATCH_SIZE
# The move itself (crm's write, its recomputations), then for the batch: the stage's rules and what they
# read (working hours, the deadline field), the lead columns flushed for the INSERT, one INSERT per chain
# level (2 here: "Chained" waits for the run before it), what leaving the old stage cancels and closes (and
# carries over: the waits for that very exit), the earliest due moment, and the dispatcher's wake-up (its
# cron trigger and its queue job).
MOVE_QUERIES = 38


@tagged("post_install", "-at_install", "stage_automation_scale")
class TestScale(StageAutomationCase):
    """Entering a stage costs the same queries for a few leads as for many: per batch, never per lead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        note = {"stage_id": cls.stage_new.id, "action": "note", "body": "Hello {{ object.name }}"}
        cls.Rule.create([
            {**note, "name": "Now", "sequence": 1},
            {**note, "name": "Control", "sequence": 2, "timing": "delay", "delay": 3, "delay_unit": "days",
             "action": "notify", "body": "Still new"},
            {**note, "name": "Chained", "sequence": 3, "after_previous": True, "timing": "delay", "delay": 1,
             "delay_unit": "hours"},
            {**note, "name": "Deadline", "sequence": 4, "timing": "before_date", "delay": 1, "delay_unit": "days",
             "date_field_id": cls.field_deadline.id, "at_time": 9.0},
            {**note, "name": "Working hours", "sequence": 5, "timing": "delay", "delay": 2,
             "delay_unit": "work_days", "working_hours": True},
        ])

    def _leads(self, count):
        # Without followers and creation messages: crm's mail for each assigned lead would cost seconds here,
        # and says nothing about the rules.
        return self.env["crm.lead"].with_context(tracking_disable=True).create([
            {"name": f"Lead {n}", "type": "opportunity", "team_id": self.team.id, "user_id": self.salesman.id,
             "stage_id": self.stage_qualified.id}
            for n in range(count)
        ])

    @warmup
    def test_mass_write_schedules_with_the_same_queries_for_few_and_many_leads(self):
        queries = {}
        for count in (FEW, MANY):
            # Each size moves from the same state: no dispatcher job queued yet, nothing else scheduled.
            with self.subTest(leads=count), closing(self.env.cr.savepoint(flush=False)):
                leads = self._leads(count)
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                # crm's stage tracking posts a message per lead (8 queries each): crm's cost, not the rules'.
                with self.assertQueryCount(MOVE_QUERIES):
                    leads.with_context(mail_notrack=True).write({"stage_id": self.stage_new.id})
                queries[count] = self.cr.sql_log_count - before
                runs = self.Run.search([("lead_id", "in", leads.ids)])
                self.assertEqual(len(runs), 5 * count)
                self.assertEqual(set(runs.mapped("state")), {"pending", "waiting", "skipped"})
            self.env.invalidate_all()
        if self.warm:  # the warm-up's first size also fills Odoo's caches
            # Equal, not only within the budget: a cheaper engine must not hide a cost growing with the leads.
            self.assertEqual(queries[FEW], queries[MANY])
