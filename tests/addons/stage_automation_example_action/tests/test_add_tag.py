from odoo.tests import TransactionCase, tagged

from odoo.addons.queue_job.job import Job
from odoo.addons.stage_automation.tests.series import in_pipelines


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestAddTag(TransactionCase):

    def test_a_rule_of_the_new_action_runs_when_the_lead_enters_its_stage(self):
        team = self.env["crm.team"].create({"name": "Example pipeline"})
        first = self.env["crm.stage"].create({"name": "Example first", **in_pipelines(team), "sequence": 701})
        second = self.env["crm.stage"].create({"name": "Example second", **in_pipelines(team), "sequence": 702})
        vip = self.env["crm.tag"].create({"name": "VIP"})
        rule = self.env["stage.automation.rule"].create({
            "name": "Tag VIP", "stage_id": second.id, "action": "add_tag", "tag_id": vip.id})
        untagged = self.env["stage.automation.rule"].create({
            "name": "No tag chosen", "stage_id": second.id, "action": "add_tag", "sequence": 20})
        lead = self.env["crm.lead"].create({"name": "Example", "team_id": team.id, "stage_id": first.id})
        lead.stage_id = second
        self.assertFalse(lead.tag_ids, "the rules run in a job just after the save")
        runs = self.env["stage.automation.run"].search([("lead_id", "=", lead.id)])
        [job_uuid] = set(runs.mapped("job_uuid"))
        Job.load(self.env, job_uuid).perform()  # what queue_job's runner does once the save is committed
        self.assertEqual(lead.tag_ids, vip)
        self.assertEqual(runs.filtered(lambda r: r.rule_id == rule).reason, "Tagged “VIP”.")
        self.assertEqual(runs.filtered(lambda r: r.rule_id == untagged).reason, "Failed: Choose the tag to add.")
