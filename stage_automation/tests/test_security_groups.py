"""The four automation groups, in every combination: each group does exactly what its name says."""

from itertools import product

from odoo import Command
from odoo.exceptions import AccessError, MissingError
from odoo.tests import new_test_user, tagged

from .common import StageAutomationSecurityCase

GROUP = "stage_automation.group_stage_automation_%s_%s"
KINDS = ("lead", "opportunity")
LEVELS = (None, "read", "update")


class Undo(Exception):
    """Rolls back what an allowed operation did, so that every combination meets the same records."""


@tagged("post_install", "-at_install", "stage_automation_security")
class TestGroupCombinations(StageAutomationSecurityCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {}
        for lead_level, opportunity_level in product(LEVELS, LEVELS):
            levels = zip(KINDS, (lead_level, opportunity_level), strict=True)
            groups = ["sales_team.group_sale_salesman_all_leads"] + [
                GROUP % (kind, level) for kind, level in levels if level]
            cls.users[lead_level, opportunity_level] = new_test_user(
                cls.env, login=f"sa_groups_{lead_level}_{opportunity_level}", groups=",".join(groups))
        field = cls.env.ref("crm.field_crm_lead__priority").id
        cls.rules = {
            lead_type: cls.env["stage.automation.rule"].create({
                "name": f"For {lead_type}", "stage_id": cls.stage_new.id, "lead_type": lead_type,
                "company_id": cls.env.company.id, "action": "write",
                "value_ids": [Command.create({"field_id": field, "value": "1"})]})
            for lead_type in ("lead", "opportunity", "both")
        }
        cls.triggers = {
            lead_type: cls.env["stage.automation.trigger"].create({
                "name": f"For {lead_type}", "stage_id": cls.stage_proposal.id, "lead_type": lead_type,
                "company_id": cls.env.company.id})
            for lead_type in ("lead", "opportunity", "both")
        }

    @staticmethod
    def expected(levels, lead_type, operation):
        """What a user with ``levels`` = {kind: level} may do to a record for ``lead_type``."""
        kinds = KINDS if lead_type == "both" else (lead_type,)
        if operation == "read":
            return any(levels[kind] for kind in kinds)
        return all(levels[kind] == "update" for kind in kinds)

    def allowed(self, record, operation, user, values=None):
        """Whether ``user`` may do ``operation`` on ``record``; whatever it did is undone."""
        self.env.invalidate_all()
        record = record.with_user(user)
        try:
            with self.env.cr.savepoint():
                if operation == "read":
                    record.read(["display_name"])
                elif operation == "write":
                    record.write(values or {"name": "Renamed"})
                elif operation == "create":
                    record.create(self.new_values(record))
                else:
                    record.unlink()
                raise Undo
        except Undo:
            return True
        except (AccessError, MissingError):
            return False
        finally:
            self.env.invalidate_all()

    def new_values(self, record):
        values = {"name": "New", "stage_id": record.stage_id.id, "lead_type": record.lead_type,
                  "company_id": record.company_id.id}
        return dict(values, action="note", body="x") if record._name == "stage.automation.rule" else values

    def test_every_combination_of_the_four_groups(self):
        for (lead_level, opportunity_level), user in self.users.items():
            levels = dict(zip(KINDS, (lead_level, opportunity_level), strict=True))
            for lead_type, operation in product(("lead", "opportunity", "both"), ("read", "write", "create", "unlink")):
                for records in (self.rules, self.triggers):
                    record = records[lead_type]
                    with self.subTest(lead=lead_level, opportunity=opportunity_level, model=record._name,
                                      lead_type=lead_type, operation=operation):
                        self.assertEqual(self.allowed(record, operation, user),
                                         self.expected(levels, lead_type, operation))

    def test_value_lines_follow_their_rule(self):
        lead_updater = self.users["update", "read"]
        for lead_type, allowed in (("lead", True), ("opportunity", False), ("both", False)):
            with self.subTest(lead_type=lead_type):
                lines = self.rules[lead_type].value_ids
                self.assertEqual(self.allowed(lines, "write", lead_updater, {"value": "2"}), allowed)
