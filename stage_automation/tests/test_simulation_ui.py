from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from .series import in_pipelines
from .test_simulation import TOUCHED_TABLES


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestSimulationUi(HttpCase):
    """The simulation in the browser and over JSON-RPC: what it shows, and that it leaves no trace once the
    requests are over (each request commits as it would on a server)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="sa_sim_manager", groups="sales_team.group_sale_manager",
                                    tz="Europe/Brussels")
        cls.salesman = new_test_user(cls.env, login="sa_sim_salesman", name="Sim Salesman",
                                     groups="sales_team.group_sale_salesman", tz="Europe/Brussels")
        cls.team = cls.env["crm.team"].create({"name": "Sim pipeline", "use_opportunities": True,
                                               "member_ids": [(4, cls.manager.id), (4, cls.salesman.id)]})
        Stage = cls.env["crm.stage"]
        cls.new = Stage.create({"name": "Sim New", "sequence": 201, **in_pipelines(cls.team)})
        cls.qualified = Stage.create({"name": "Sim Qualified", "sequence": 202, **in_pipelines(cls.team)})
        Rule = cls.env["stage.automation.rule"]
        cls.call = Rule.create({
            "name": "Call the client", "stage_id": cls.qualified.id, "team_id": cls.team.id, "action": "task",
            "summary": "Call {{ object.partner_name }}", "timing": "delay", "delay": 2, "delay_unit": "days"})
        Rule.create({"name": "Log the call", "stage_id": cls.qualified.id, "team_id": cls.team.id, "sequence": 20,
                     "action": "note", "body": "Called {{ object.partner_name }}", "after_previous": True})
        cls.env["stage.automation.trigger"].create({"name": "Form sent", "stage_id": cls.qualified.id,
                                                    "trigger_type": "form_submitted"})
        cls.lead = cls.env["crm.lead"].create({
            "name": "Sim Azure deal", "type": "opportunity", "team_id": cls.team.id, "user_id": cls.salesman.id,
            "stage_id": cls.new.id, "partner_name": "Azure Ltd", "email_from": "azure@example.com"})

    def counts(self, tables=TOUCHED_TABLES):
        self.env.flush_all()
        return {table: self.env.execute_query(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))[0][0]
                for table in tables}

    def test_manager_simulates_from_the_lead_and_from_the_board(self):
        if "odoobot_state" in self.manager._fields:
            self.manager.odoobot_state = "disabled"  # no welcome chat at the first login
        # A browser also makes its asset bundles and its presence: the rows of what it shows are left out.
        tables = [table for table in TOUCHED_TABLES if table not in ("ir_attachment", "bus_bus")]
        counts = self.counts(tables)
        self.start_tour(f"/odoo/crm/{self.lead.id}", "stage_automation_simulation_tour", login="sa_sim_manager")
        after = self.counts(tables)
        self.assertEqual({table: after[table] - counts[table] for table in counts if after[table] != counts[table]}, {})
        self.assertEqual(self.lead.stage_id, self.new)
        self.assertFalse(self.env["stage.automation.simulation.wizard"].search([]), "the dialog was never saved")

    def test_simulation_over_json_rpc_leaves_no_trace(self):
        self.authenticate("sa_sim_manager", "sa_sim_manager")
        counts = self.counts()
        result = self.make_jsonrpc_request("/web/dataset/call_kw/stage.automation.simulation/simulate", {
            "model": "stage.automation.simulation", "method": "simulate",
            "args": [self.lead.id, self.qualified.id], "kwargs": {}})
        self.assertEqual([row["outcome"] for row in result["rules"]], ["runs", "runs"])
        self.assertEqual(result["rules"][0]["subject"], "Call Azure Ltd")
        self.assertEqual(self.counts(), counts, "the request committed and wrote nothing")
