from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import StageAutomationCase
from .series import USER_GROUPS, in_pipelines


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestBoard(StageAutomationCase):
    """The automation board: what it shows of a pipeline, and its moves and copies, with their rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Board = cls.env["stage.automation.board"]
        cls.export = cls.env["crm.team"].create({"name": "Export pipeline", "use_leads": True})
        Stage = cls.env["crm.stage"]
        cls.export_new = Stage.create({"name": "EX New", "sequence": 101, **in_pipelines(cls.export)})
        cls.export_qualified = Stage.create({"name": "EX Qualified", "sequence": 102, **in_pipelines(cls.export)})
        cls.export_proposal = Stage.create({"name": "EX Proposal", "sequence": 103, **in_pipelines(cls.export)})
        cls.welcome = cls.Rule.create({
            "name": "Welcome", "stage_id": cls.stage_qualified.id, "team_id": cls.team.id, "action": "note",
            "body": "Welcome", "sequence": 10})
        cls.call = cls.Rule.create({
            "name": "Call", "stage_id": cls.stage_qualified.id, "team_id": cls.team.id, "action": "call",
            "timing": "delay", "delay": 2, "delay_unit": "days", "working_hours": True, "sequence": 20,
            "filter_domain": "[('probability', '>', 10)]"})
        cls.reminder = cls.Rule.create({
            "name": "Reminder", "stage_id": cls.stage_qualified.id, "team_id": cls.team.id, "action": "notify",
            "timing": "before_date", "delay": 1, "delay_unit": "days", "date_field_id": cls.field_deadline.id,
            "at_time": 9.0, "summary": "Pay", "body": "Pay soon", "recipient": "users",
            "recipient_user_ids": [cls.manager.id], "sequence": 30, "active": False})
        cls.thanks = cls.Rule.create({
            "name": "Thanks", "stage_id": cls.stage_qualified.id, "team_id": cls.team.id, "action": "note",
            "body": "Thanks", "after_previous": True, "sequence": 40})
        cls.paid = cls.env["stage.automation.trigger"].create({
            "name": "Paid", "code": "board_paid", "stage_id": cls.stage_won.id, "team_id": cls.team.id,
            "trigger_type": "webhook", "allow_backward": True})
        cls.reader = new_test_user(
            cls.env, login="sa_board_reader", groups="sales_team.group_sale_salesman,"
            "stage_automation.group_stage_automation_lead_read,stage_automation.group_stage_automation_opportunity_read")

    def board(self, team=None, user=None):
        board = self.Board.with_user(user or self.manager).get_board((team or self.team).id)
        return {stage["name"]: stage for stage in board["stages"]}, board

    def column(self, stage, team=None):
        return self.Rule.with_context(active_test=False).search(
            [("stage_id", "=", stage.id), ("team_id", "in", [False, (team or self.team).id])])

    def test_columns_follow_the_pipeline_with_rules_in_execution_order(self):
        columns, board = self.board()
        self.assertEqual(board["team"]["name"], "Automation pipeline")
        self.assertIn({"id": self.export.id, "name": "Export pipeline"}, board["teams"])
        self.assertTrue(board["can_edit"])
        names = list(columns)
        self.assertLess(names.index("SA New"), names.index("SA Qualified"))
        self.assertNotIn("EX New", names, "a stage of another pipeline is not a column")
        self.assertEqual([rule["name"] for rule in columns["SA Qualified"]["rules"]],
                         ["Welcome", "Call", "Reminder", "Thanks"])
        self.assertEqual([trigger["name"] for trigger in columns["SA Won"]["triggers"]], ["Paid"])
        self.assertTrue(columns["SA Won"]["triggers"][0]["allow_backward"])
        self.assertEqual(columns["SA Won"]["triggers"][0]["icon"], "fa-plug")

    def test_cards_say_action_timing_condition_recipients_and_state(self):
        welcome, call, reminder, thanks = self.board()[0]["SA Qualified"]["rules"]
        self.assertEqual((welcome["timing"], welcome["action"], welcome["icon"]),
                         ("now", "Log a note", "fa-sticky-note"))
        self.assertEqual((call["timing"], call["action"], call["icon"]), ("+2 days", "Schedule a call", "fa-phone"))
        self.assertTrue(call["working_hours"])
        self.assertEqual(call["condition"], "[('probability', '>', 10)]")
        self.assertFalse(welcome["condition"])
        self.assertEqual(call["recipients"], "Responsible")
        self.assertFalse(welcome["recipients"], "a note has no recipients")
        self.assertEqual(reminder["timing"], "1 day before Expected Closing, 09:00")
        self.assertEqual(reminder["recipients"], "Sales Manager")
        self.assertFalse(reminder["active"])
        self.assertEqual(thanks["timing"], "after previous")

    def test_pending_runs_are_counted_for_the_pipeline_and_opened(self):
        self.lead(stage_id=self.stage_new.id).stage_id = self.stage_qualified
        self.lead(stage_id=self.stage_new.id, team_id=self.export.id).stage_id = self.stage_qualified
        cards = {rule["name"]: rule for rule in self.board()[0]["SA Qualified"]["rules"]}
        self.assertEqual(cards["Call"]["pending_count"], 1, "the lead of the other pipeline is not counted")
        self.assertEqual(cards["Welcome"]["pending_count"], 0, "an immediate rule is done")
        action = self.Board.with_user(self.manager).action_pending_runs(self.call.id, self.team.id)
        runs = self.Run.search(action["domain"])
        self.assertEqual(runs.rule_id, self.call)
        self.assertEqual(runs.state, "pending")

    def test_actions_are_grouped_and_described_with_those_of_other_addons(self):
        catalog = type(self.Rule)._action_catalog
        self.patch(type(self.Rule), "_action_catalog", lambda rule: {
            key: entry for key, entry in catalog(rule).items() if key != "webhook"})
        groups = {group["key"]: group for group in self.Board.get_catalog()["actions"]}
        self.assertEqual(list(groups)[:4], ["employees", "customers", "documents", "crm"])
        call = next(action for action in groups["employees"]["actions"] if action["key"] == "call")
        self.assertEqual((call["name"], call["icon"]), ("Schedule a call", "fa-phone"))
        self.assertTrue(call["description"])
        webhook = next(action for action in groups["custom"]["actions"] if action["key"] == "webhook")
        self.assertEqual((webhook["icon"], webhook["description"]), ("fa-puzzle-piece", ""),
                         "an action nobody placed is listed under Custom, with its name")
        keys = [action["key"] for group in groups.values() for action in group["actions"]]
        self.assertCountEqual(keys, [key for key, _name in self.Rule._fields["action"].selection])

    def test_drag_reorders_within_a_stage_writing_only_the_moved_rule(self):
        self.Board.with_user(self.manager).move_rule(
            self.reminder.id, self.team.id, self.stage_qualified.id,
            [self.welcome.id, self.reminder.id, self.call.id, self.thanks.id])
        self.assertEqual(self.column(self.stage_qualified), self.welcome | self.reminder | self.call | self.thanks)
        self.assertEqual(self.column(self.stage_qualified).mapped("name"), ["Welcome", "Reminder", "Call", "Thanks"])
        self.assertEqual(self.reminder.author_id, self.manager)
        self.assertEqual(self.welcome.author_id, self.env.user, "a rule left in place is not rewritten")

    def test_drag_to_the_top_and_to_another_stage(self):
        board = self.Board.with_user(self.manager)
        board.move_rule(self.call.id, self.team.id, self.stage_qualified.id,
                        [self.call.id, self.welcome.id, self.reminder.id, self.thanks.id])
        self.assertEqual(self.column(self.stage_qualified).mapped("name"), ["Call", "Welcome", "Reminder", "Thanks"])
        board.move_rule(self.welcome.id, self.team.id, self.stage_proposal.id, [self.welcome.id])
        self.assertEqual(self.welcome.stage_id, self.stage_proposal)
        self.assertEqual(self.column(self.stage_qualified).mapped("name"), ["Call", "Reminder", "Thanks"])

    def test_drag_renumbers_when_neighbours_leave_no_room(self):
        self.call.sequence = 11
        self.Board.with_user(self.manager).move_rule(
            self.thanks.id, self.team.id, self.stage_qualified.id,
            [self.welcome.id, self.thanks.id, self.call.id, self.reminder.id])
        self.assertEqual(self.column(self.stage_qualified).mapped("name"), ["Welcome", "Thanks", "Call", "Reminder"])
        self.assertEqual(self.column(self.stage_qualified).mapped("sequence"), [10, 20, 30, 40])

    def test_a_chained_rule_cannot_be_dragged_first(self):
        with self.assertRaises(UserError):
            self.Board.with_user(self.manager).move_rule(self.thanks.id, self.team.id, self.stage_proposal.id,
                                                         [self.thanks.id])
        self.assertEqual(self.thanks.stage_id, self.stage_qualified)

    def test_bad_moves_are_refused_and_write_nothing(self):
        board = self.Board.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "is not a stage of pipeline"):
            board.move_rule(self.call.id, self.team.id, self.export_new.id, [self.call.id])
        with self.assertRaisesRegex(UserError, "does not exist"):
            board.move_rule(999999999, self.team.id, self.stage_new.id, [999999999])
        with self.assertRaisesRegex(UserError, "does not exist"):
            board.move_rule(self.call.id, self.team.id, "1; DROP TABLE crm_stage", [self.call.id])
        with self.assertRaisesRegex(UserError, "out of date"):
            board.move_rule(self.call.id, self.team.id, self.stage_new.id, [self.call.id, self.welcome.id])
        with self.assertRaisesRegex(UserError, "out of date"):
            board.move_rule(self.call.id, self.team.id, self.stage_qualified.id,
                            [self.call.id, self.welcome.id, self.welcome.id, self.reminder.id, self.thanks.id])
        other = self.Rule.create({"name": "Export only", "stage_id": self.export_new.id, "team_id": self.export.id,
                                  "action": "note", "body": "Hi"})
        with self.assertRaisesRegex(UserError, "is not part of pipeline"):
            board.move_rule(other.id, self.team.id, self.stage_new.id, [other.id])
        self.assertEqual(self.call.stage_id, self.stage_qualified)
        self.assertEqual(other.stage_id, self.export_new)

    def test_copy_one_rule_to_a_stage_of_another_pipeline(self):
        copy_id = self.Board.with_user(self.manager).copy_rule(
            self.call.id, self.team.id, self.export.id, self.export_proposal.id)
        copy = self.Rule.browse(copy_id)
        self.assertEqual((copy.name, copy.stage_id, copy.team_id), ("Call", self.export_proposal, self.export))
        self.assertEqual((copy.timing, copy.delay, copy.working_hours), ("delay", 2, True))
        self.assertEqual(copy.author_id, self.manager)
        with self.assertRaisesRegex(UserError, "is not a stage of pipeline"):
            self.Board.with_user(self.manager).copy_rule(self.call.id, self.team.id, self.export.id,
                                                         self.stage_new.id)

    def test_copy_a_stage_previews_then_applies(self):
        board = self.Board.with_user(self.manager)
        count = self.Rule.search_count([])
        preview = board.preview_copy(self.team.id, self.export.id, self.stage_qualified.id)
        self.assertEqual(self.Rule.search_count([]), count, "a preview writes nothing")
        self.assertEqual(preview["lines"], [{
            "stage": "SA Qualified", "target_stage": "EX Qualified",
            "rules": ["Welcome", "Call", "Reminder", "Thanks"], "triggers": []}])
        self.assertEqual(preview["count"], 4)
        self.assertEqual(board.apply_copy(self.team.id, self.export.id, self.stage_qualified.id), 4)
        copies = self.column(self.export_qualified, self.export)
        self.assertEqual(copies.mapped("name"), ["Welcome", "Call", "Reminder", "Thanks"])
        self.assertEqual(copies.team_id, self.export)
        self.assertEqual(copies.mapped("active"), [True, True, False, True])
        self.assertTrue(copies[-1].after_previous)

    def test_copy_the_pipeline_matches_stages_by_position(self):
        board = self.Board.with_user(self.manager)
        shared = self.Rule.create({"name": "Everywhere", "stage_id": self.env.ref("crm.stage_lead1").id,
                                   "action": "note", "body": "Hi"})
        preview = board.preview_copy(self.team.id, self.export.id)
        lines = {line["stage"]: line for line in preview["lines"]}
        self.assertEqual(lines["SA New"]["target_stage"], "EX New")
        self.assertEqual(lines["SA Qualified"]["target_stage"], "EX Qualified")
        self.assertFalse(lines["SA Won"]["target_stage"], "the export pipeline has one stage less")
        self.assertNotIn("Everywhere", lines[shared.stage_id.name]["rules"])
        self.assertTrue(any("Everywhere" in sentence for sentence in preview["skipped"]))
        self.assertTrue(any("SA Won" in sentence for sentence in preview["skipped"]))
        self.assertEqual(preview["count"], 4, "the trigger of SA Won has nowhere to go")
        self.assertEqual(board.apply_copy(self.team.id, self.export.id), 4)
        self.assertFalse(self.env["stage.automation.trigger"].search([("team_id", "=", self.export.id)]))
        self.assertEqual(self.Rule.search_count([("name", "=", "Everywhere")]), 1)

    def test_copy_to_the_same_pipeline_is_refused(self):
        with self.assertRaisesRegex(UserError, "another pipeline"):
            self.Board.with_user(self.manager).preview_copy(self.team.id, self.team.id)

    def test_salesman_gets_no_board_and_cannot_move_or_copy(self):
        board = self.Board.with_user(self.salesman)
        with self.assertRaises(AccessError):
            board.get_board(self.team.id)
        with self.assertRaises(AccessError):
            board.move_rule(self.call.id, self.team.id, self.stage_qualified.id,
                            [self.call.id, self.welcome.id, self.reminder.id, self.thanks.id])
        with self.assertRaises(AccessError):
            board.copy_rule(self.call.id, self.team.id, self.export.id, self.export_new.id)
        with self.assertRaises(AccessError):
            board.apply_copy(self.team.id, self.export.id)
        self.assertEqual(self.column(self.stage_qualified).mapped("name"), ["Welcome", "Call", "Reminder", "Thanks"])

    def test_reader_sees_the_board_read_only(self):
        columns, board = self.board(user=self.reader)
        self.assertFalse(board["can_edit"])
        self.assertEqual(len(columns["SA Qualified"]["rules"]), 4)
        with self.assertRaises(AccessError):
            self.Board.with_user(self.reader).move_rule(
                self.call.id, self.team.id, self.stage_qualified.id,
                [self.call.id, self.welcome.id, self.reminder.id, self.thanks.id])
        with self.assertRaises(AccessError):
            self.Board.with_user(self.reader).preview_copy(self.team.id, self.export.id)
        self.assertEqual(self.column(self.stage_qualified).mapped("name"), ["Welcome", "Call", "Reminder", "Thanks"])

    def test_placeholders_offer_constants_earlier_variables_and_the_fields_one_may_save(self):
        self.env["stage.automation.constant"].create({"team_id": self.team.id, "name": "discount", "value": "10%"})
        self.Rule.create({"name": "Draw a code", "stage_id": self.stage_qualified.id, "team_id": self.team.id,
                          "action": "generate_code", "sequence": 15})
        self.Rule.create({"name": "Draw a late code", "stage_id": self.stage_qualified.id, "team_id": self.team.id,
                          "action": "generate_code", "variable_name": "late", "sequence": 50})
        editor = self.env.ref("mail.group_mail_template_editor")
        # With Odoo's "restrict template rendering", only template editors write any expression.
        self.env.ref("base.group_user").implied_ids -= editor
        self.manager[USER_GROUPS] |= editor
        placeholders = self.Board.with_user(self.manager).get_placeholders(
            self.stage_qualified.id, self.team.id, 40, self.thanks.id)
        self.assertEqual([(c["name"], c["value"]) for c in placeholders["constants"]], [("discount", "10%")])
        self.assertEqual([(v["name"], v["rule"]) for v in placeholders["variables"]], [("code", "Draw a code")])
        self.assertFalse(placeholders["allowed_expressions"], "a template editor may insert any field")
        restricted = new_test_user(self.env, login="sa_board_restricted", groups="sales_team.group_sale_manager")
        allowed = self.Board.with_user(restricted).get_placeholders(
            self.stage_new.id, self.team.id)["allowed_expressions"]
        self.assertIn("object.partner_id.email", allowed)
        self.assertNotIn("object.create_uid.password", allowed)
        with self.assertRaises(AccessError):
            self.Board.with_user(self.salesman).get_placeholders(self.stage_new.id, self.team.id)

    def test_the_board_reads_in_a_number_of_queries_independent_of_its_rules(self):
        board = self.Board.with_user(self.manager)
        board.get_board(self.team.id)  # caches (views, translations) filled
        queries = []
        for _round in range(2):
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            board.get_board(self.team.id)
            queries.append(self.cr.sql_log_count - start)
            for stage in (self.stage_new, self.stage_proposal, self.stage_won):
                self.Rule.create([{"name": f"More {n}", "stage_id": stage.id, "team_id": self.team.id,
                                   "action": "notify", "summary": "Hi", "body": "Hi", "recipient": "users",
                                   "recipient_user_ids": [self.manager.id], "timing": "before_date", "delay": 1,
                                   "date_field_id": self.field_deadline.id} for n in range(10)])
        self.assertEqual(queries[0], queries[1], "30 more rules, no more queries")
        self.assertLessEqual(queries[0], 25)
