"""Export and import of a pipeline's automation: round trips, mapping, idempotency, bad files and rights."""

import copy
import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import StageAutomationCase
from .series import in_pipelines


@tagged("post_install", "-at_install", "stage_automation_transfer")
class TestTransfer(StageAutomationCase):
    """Pipeline "Automation pipeline" of the common fixture, with one rule or trigger of each kind of
    parameter, exported by a sales manager and imported into a pipeline of another company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Transfer = cls.env["stage.automation.transfer"]
        cls.other_company = cls.env["res.company"].create({"name": "Transfer Company B"})
        cls.manager.write({"company_ids": [Command.link(cls.other_company.id)]})
        company = cls.env.company.id
        rule = cls.rule
        cls.call = rule(cls, name="Call", action="activity", activity_type_id=cls.call_type.id, summary="Call",
                        activity_auto_close=True, team_id=cls.team.id, company_id=company)
        cls.chained = rule(cls, name="Chained note", sequence=20, after_previous=True, timing="delay", delay=2,
                           delay_unit="hours", team_id=cls.team.id, company_id=company)
        cls.notify = rule(cls, name="Tell two people", stage_id=cls.stage_qualified.id, action="notify",
                          summary="Qualified", body="{{ object.name }} is qualified", recipient="users",
                          recipient_user_ids=[Command.set((cls.manager | cls.salesman).ids)], team_id=cls.team.id,
                          company_id=company, filter_domain="[('probability', '>', 10)]")
        cls.assign = rule(cls, name="Give to the salesman", stage_id=cls.stage_qualified.id, sequence=20,
                          action="change_user", user_id=cls.salesman.id, team_id=cls.team.id, company_id=company)
        cls.reminder = rule(cls, name="Reminder", stage_id=cls.stage_proposal.id, action="note", body="Soon",
                            timing="before_date", delay=1, date_field_id=cls.field_deadline.id, at_time=9.0,
                            team_id=cls.team.id, company_id=company)
        cls.priority = rule(cls, name="Priority", stage_id=cls.stage_proposal.id, sequence=20, action="write",
                            team_id=cls.team.id, company_id=company, value_ids=[Command.create({
                                "field_id": cls.env.ref("crm.field_crm_lead__priority").id, "value": "2"})])
        cls.webhook_rule = rule(cls, name="Tell the shop", stage_id=cls.stage_proposal.id, sequence=30,
                                action="webhook", outgoing_url="https://shop.example.com/hook",
                                team_id=cls.team.id, company_id=company)
        cls.win = rule(cls, name="Win", stage_id=cls.stage_proposal.id, sequence=40, action="change_stage",
                       target_stage_id=cls.stage_won.id, team_id=cls.team.id, company_id=company)
        cls.booking = rule(cls, name="Book", stage_id=cls.stage_won.id, action="book_resource",
                           team_id=cls.team.id, company_id=company)
        cls.cancel = rule(cls, name="Cancel the booking", stage_id=cls.stage_won.id, sequence=20,
                          action="cancel_booking", cancel_booking_rule_id=cls.booking.id, team_id=cls.team.id,
                          company_id=company)
        Trigger = cls.env["stage.automation.trigger"]
        cls.paid = Trigger.create({"name": "Paid", "code": "transfer_paid", "stage_id": cls.stage_won.id,
                                   "trigger_type": "webhook", "team_id": cls.team.id, "company_id": company})
        cls.paid.action_generate_token()
        cls.hot = Trigger.create({"name": "Hot", "code": "transfer_hot", "stage_id": cls.stage_proposal.id,
                                  "trigger_type": "field_changed", "team_id": cls.team.id, "company_id": company,
                                  "field_id": cls.env.ref("crm.field_crm_lead__priority").id, "field_value": "3"})
        cls.env["stage.automation.constant"].create({"team_id": cls.team.id, "name": "shop_url",
                                                     "value": "https://shop.example.com", "description": "Shop"})
        cls.target = cls.pipeline("Imported pipeline", cls.other_company)

    @classmethod
    def pipeline(cls, name, company, **renamed):
        """A pipeline with stages named as the fixture's (``renamed``: old name → new name)."""
        team = cls.env["crm.team"].create({"name": name, "company_id": company.id})
        for sequence, stage in enumerate((cls.stage_new, cls.stage_qualified, cls.stage_proposal, cls.stage_won)):
            cls.env["crm.stage"].create({"name": renamed.get(stage.name, stage.name), **in_pipelines(team),
                                         "sequence": 101 + sequence, "is_won": stage.is_won})
        return team

    def as_user(self, user):
        """The transfer model as ``user``, working in both companies (as the company switcher allows)."""
        return self.Transfer.with_user(user).with_context(
            allowed_company_ids=(self.env.company | self.other_company).ids)

    def export(self, team):
        return self.as_user(self.manager).export_pipeline(team.id)

    @staticmethod
    def own(report):
        """The report's lines of the fixture's stages: rules for every pipeline of the shared stages (the
        demo data's) are there already, and left as they are."""
        items = [item for item in report["items"] if item["type"] == "constant" or item["stage"].startswith("SA ")]
        counts = dict.fromkeys(("created", "updated", "unchanged", "skipped"), 0)
        for item in items:
            counts[item["status"]] += 1
        return counts, sorted(f"{item['name']}: {note}" for item in items for note in item["notes"])

    def rules_of(self, team):
        return self.Rule.with_context(active_test=False).search([("team_id", "=", team.id)])

    def stage_of(self, file, name):
        return next(stage for stage in file["stages"] if stage["name"] == name)

    def test_the_file_holds_the_rules_in_order_and_no_secret(self):
        file = self.export(self.team)
        self.assertEqual((file["format"], file["version"], file["pipeline"]),
                         ("stage_automation.pipeline", 1, "Automation pipeline"))
        proposal = self.stage_of(file, "SA Proposal")
        self.assertEqual([rule["name"] for rule in proposal["rules"]], ["Reminder", "Priority", "Tell the shop", "Win"])
        self.assertEqual(proposal["rules"][0]["date_field_id"], {"model": "crm.lead", "name": "date_deadline"})
        self.assertEqual(proposal["rules"][1]["values"], [{"field": "priority", "value": "2"}])
        self.assertEqual(proposal["rules"][3]["target_stage_id"], {"stage": "SA Won"})
        notify = self.stage_of(file, "SA Qualified")["rules"][0]
        self.assertEqual(notify["recipient_user_ids"], [
            {"login": "sa_manager", "name": "Sales Manager"}, {"login": "sa_salesman", "name": "Salesman"}])
        self.assertEqual(self.stage_of(file, "SA New")["rules"][0]["activity_type_id"],
                         {"xmlid": "mail.mail_activity_data_call", "name": "Call"})
        won = self.stage_of(file, "SA Won")
        self.assertEqual(won["rules"][1]["cancel_booking_rule_id"], {"rule": won["rules"][0]["key"]})
        self.assertEqual(file["constants"], [{"name": "shop_url", "value": "https://shop.example.com",
                                              "description": "Shop"}])
        text = json.dumps(file)
        for secret in ("token", "author_id", "outgoing_secret", self.webhook_rule.outgoing_secret, "assign_last"):
            self.assertNotIn(secret, text)
        self.assertEqual(self.export(self.team), file, "the same file at each export")

    def test_round_trip_into_a_pipeline_of_another_company(self):
        file = self.export(self.team)
        report = self.as_user(self.manager).import_pipeline(self.target.id, file)
        self.assertEqual(self.own(report), ({"created": 13, "updated": 0, "unchanged": 0, "skipped": 0}, [
            "Paid: generate its token on the trigger: tokens are never exported."]))
        again = self.export(self.target)
        self.assertEqual(again, dict(file, pipeline="Imported pipeline"))
        imported = self.rules_of(self.target)
        self.assertEqual(len(imported), 10)
        self.assertEqual(set(imported.company_id.ids), {self.other_company.id})
        self.assertEqual(imported.author_id, self.manager, "the importer's rights, as if they typed the rules")
        cancel = imported.filtered(lambda r: r.action == "cancel_booking")
        self.assertEqual(cancel.cancel_booking_rule_id, imported.filtered(lambda r: r.action == "book_resource"))
        target_stage = imported.filtered(lambda r: r.action == "change_stage").target_stage_id
        self.assertEqual(target_stage.stage_automation_team_ids, self.target)
        webhook = imported.filtered(lambda r: r.action == "webhook")
        self.assertTrue(webhook.outgoing_secret)
        self.assertNotEqual(webhook.outgoing_secret, self.webhook_rule.outgoing_secret, "a fresh secret")
        triggers = self.env["stage.automation.trigger"].search([("team_id", "=", self.target.id)])
        self.assertEqual(sorted(triggers.mapped("code")), ["transfer_hot", "transfer_paid"])
        self.assertFalse(triggers.filtered("has_token"), "tokens are never exported")

    def test_renamed_stage_and_missing_user_are_reported_before_anything_is_written(self):
        target = self.pipeline("Renamed pipeline", self.other_company, **{"SA Qualified": "SA Qualification"})
        file = self.export(self.team)
        qualified = self.stage_of(file, "SA Qualified")
        ghost = {"login": "ghost", "name": "Ghost Seller"}  # a user of the database the file comes from
        qualified["rules"][0]["recipient_user_ids"][1] = dict(ghost, xmlid="their_module.user_ghost")
        qualified["rules"][1]["user_id"] = dict(ghost, xmlid="ghost")
        Transfer = self.as_user(self.manager)

        preview = Transfer.import_preview(target.id, file)
        self.assertFalse(self.rules_of(target), "a preview writes nothing")
        self.assertIn({"name": "SA Qualified", "target_id": False, "target": False}, preview["stages"])
        self.assertIn("Tell two people: its stage “SA Qualified” is not mapped to a stage of the pipeline.",
                      self.own(preview)[1])

        qualification = target.env["crm.stage"].search([("stage_automation_team_ids", "in", target.ids),
                                                        ("name", "=", "SA Qualification")])
        stage_map = {"SA Qualified": qualification.id}
        preview = Transfer.import_preview(target.id, file, stage_map)
        self.assertFalse(self.rules_of(target), "a preview writes nothing")
        expected_problems = [
            "Tell two people: Users “Ghost Seller” was not found: imported archived, without it.",
            "Give to the salesman: New responsible “Ghost Seller” was not found: imported archived, without it.",
            "Give to the salesman: Rule “Give to the salesman”: choose the new responsible.",
            "Paid: generate its token on the trigger: tokens are never exported.",
        ]
        self.assertEqual(self.own(preview), ({"created": 12, "updated": 0, "unchanged": 0, "skipped": 1},
                                             sorted(expected_problems)))

        report = Transfer.import_pipeline(target.id, file, stage_map)
        self.assertEqual(self.own(report), self.own(preview))
        notify = self.rules_of(target).filtered(lambda r: r.name == "Tell two people")
        self.assertFalse(notify.active, "imported archived: it would not reach everyone")
        self.assertEqual(notify.recipient_user_ids, self.manager)
        self.assertEqual(notify.stage_id, qualification)

        again = self.export(target)
        expected = copy.deepcopy(file)
        expected["pipeline"] = "Renamed pipeline"
        qualified = self.stage_of(expected, "SA Qualified")
        qualified["name"] = "SA Qualification"
        del qualified["rules"][1]  # skipped: a fixed assignment needs its user
        qualified["rules"][0]["recipient_user_ids"] = [{"login": "sa_manager", "name": "Sales Manager"}]
        qualified["rules"][0]["active"] = False
        self.assertEqual(again, expected)

    def test_importing_again_updates_instead_of_duplicating(self):
        file = self.export(self.team)
        Transfer = self.as_user(self.manager)
        first = Transfer.import_pipeline(self.target.id, file)
        rules = self.rules_of(self.target)
        again = Transfer.import_pipeline(self.target.id, file)
        self.assertEqual(self.own(again)[0], {"created": 0, "updated": 0, "unchanged": self.own(first)[0]["created"],
                                              "skipped": 0})
        self.assertEqual(self.rules_of(self.target), rules)

        changed = rules.filtered(lambda r: r.name == "Reminder")
        changed.write({"delay": 5, "body": "Changed"})
        rules.filtered(lambda r: r.action == "write").value_ids.value = "0"
        report = Transfer.import_pipeline(self.target.id, file)
        self.assertEqual(self.own(report)[0]["updated"], 2)
        self.assertEqual((changed.delay, changed.body), (1, "Soon"))
        self.assertEqual(self.rules_of(self.target), rules)
        self.assertEqual(self.export(self.target), dict(file, pipeline="Imported pipeline"))

        # The pipeline exported into itself: every rule is already there.
        report = Transfer.import_pipeline(self.team.id, file)
        self.assertEqual(report["counts"]["created"], 0)

    def test_texts_travel_in_every_installed_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.call.update_field_translations("summary", {"fr_FR": "Appeler"})
        file = self.export(self.team)
        call = self.stage_of(file, "SA New")["rules"][0]
        self.assertEqual(call["translations"], {"fr_FR": {"summary": "Appeler"}})
        call["translations"]["fr_BE"] = call["translations"].pop("fr_FR")  # another variant of French
        self.as_user(self.manager).import_pipeline(self.target.id, file)
        imported = self.rules_of(self.target).filtered(lambda r: r.name == "Call")
        self.assertEqual(imported.with_context(lang="fr_FR").summary, "Appeler")
        self.assertEqual(imported.with_context(lang="en_US").summary, "Call")

    def test_a_trigger_code_taken_in_the_company_is_not_stolen(self):
        target = self.pipeline("Same company", self.env.company)
        report = self.as_user(self.manager).import_pipeline(target.id, self.export(self.team))
        triggers = self.env["stage.automation.trigger"].search([("team_id", "=", target.id)])
        self.assertFalse({"transfer_hot", "transfer_paid"} & set(triggers.mapped("code")))
        self.assertIn("Hot: the code “transfer_hot” is used by another trigger: integrations must use this "
                      "trigger's own code.", report["problems"])
        self.assertEqual(self.hot.code, "transfer_hot")

    def test_bad_files_are_refused_with_a_reason_and_write_nothing(self):
        good = self.export(self.team)
        proposal_index = [stage["name"] for stage in good["stages"]].index("SA Proposal")

        def changed(change):
            file = copy.deepcopy(good)
            change(file)
            return file

        def rule(file):
            return file["stages"][proposal_index]["rules"][0]

        cases = [
            ("{not json", "The file is not JSON"),
            ([], "the file must be a JSON object."),
            (changed(lambda f: f.update(format="other")), "This is not an automation file"),
            (changed(lambda f: f.update(version=2)), "written by a newer version of Stage Automation"),
            (changed(lambda f: f.update(version="1")), "The file has no valid version number."),
            (changed(lambda f: f.pop("stages")), "“stages” is missing."),
            (changed(lambda f: rule(f).update(action="teleport")),
             f"stages[{proposal_index}].rules[0].action: the action “teleport” does not exist in this database"),
            (changed(lambda f: rule(f).update(delay="1")),
             f"stages[{proposal_index}].rules[0].delay: “1” is not a value of the expected type."),
            (changed(lambda f: rule(f).update(timing="someday")), "is not one of the choices of this field."),
            (changed(lambda f: rule(f).update(flux_capacitor=True)), "“flux_capacitor” is not known"),
            (changed(lambda f: rule(f).update(date_field_id="date_deadline")), "must be a JSON object."),
            (changed(lambda f: rule(f).update(date_field_id={"name": "date_deadline"})), "not a reference"),
            (changed(lambda f: rule(f).update(key=rule(f)["key"]) or f["stages"][proposal_index]["rules"].append(
                rule(f))), "is given twice."),
            (changed(lambda f: rule(f).update(translations={"fr_FR": {"action": "note"}})), "“action” is not known"),
        ]
        before = self.Rule.with_context(active_test=False).search_count([])
        Transfer = self.as_user(self.manager)
        for file, message in cases:
            for method in (Transfer.import_pipeline, Transfer.import_preview):
                with self.subTest(message=message, method=method.__name__), self.assertRaises(UserError) as caught:
                    method(self.target.id, file)
                self.assertIn(message, caught.exception.args[0])
        with self.assertRaises(UserError):
            Transfer.import_pipeline(self.target.id, good, {"No such stage": False})
        with self.assertRaises(UserError):
            Transfer.import_pipeline(self.target.id, good, {"SA New": self.stage_new.id})  # another pipeline's
        with self.assertRaises(UserError):
            Transfer.import_pipeline(self.target.id, good, [["SA New", False]])
        self.assertEqual(self.Rule.with_context(active_test=False).search_count([]), before)
        self.assertFalse(self.env["stage.automation.constant"].search([("team_id", "=", self.target.id)]))

    def test_an_import_gives_no_more_rights_than_the_rule_form(self):
        file = self.export(self.team)
        lead_only = new_test_user(
            self.env, login="sa_transfer_lead_only",
            company_ids=[Command.set((self.env.company | self.other_company).ids)],
            groups="sales_team.group_sale_salesman_all_leads,stage_automation.group_stage_automation_lead_update")
        reader = new_test_user(
            self.env, login="sa_transfer_reader", groups="sales_team.group_sale_salesman_all_leads,"
            "stage_automation.group_stage_automation_lead_read,stage_automation.group_stage_automation_opportunity_read")
        before = self.Rule.with_context(active_test=False).search_count([])
        with self.assertRaises(AccessError):
            self.as_user(reader).import_pipeline(self.target.id, file)
        with self.assertRaises(AccessError):  # the file's rules are for leads and opportunities
            self.as_user(lead_only).import_pipeline(self.target.id, file)
        self.assertEqual(self.Rule.with_context(active_test=False).search_count([]), before)

        # Speaking in someone else's name is the administrator's: the rule is refused, the others written.
        stage = self.stage_of(file, "SA Qualified")
        stage["rules"][0].update(notify_author="user", notify_author_user_id={"login": "sa_salesman"})
        report = self.as_user(self.manager).import_pipeline(self.target.id, file)
        refused = next(item for item in report["items"] if item["name"] == "Tell two people")
        self.assertEqual(refused["status"], "skipped")
        self.assertIn("only an administrator may send notifications in the name of Salesman", refused["notes"][0])
        self.assertFalse(self.rules_of(self.target).filtered(lambda r: r.name == "Tell two people"))
