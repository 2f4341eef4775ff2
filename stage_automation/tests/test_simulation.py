from datetime import date, datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, html2plaintext

from odoo.addons.sms.tests.common import MockSMS

from .common import StageAutomationCase
from .series import MOBILE, shared_by

FRIDAY = "2026-03-06 16:30:00"  # 17:30 in Brussels, after work; the Monday after is a holiday
ENTRY = "2026-03-04 10:00:00"  # a Wednesday
# Every table the actions write to: none of them may get a row from a simulation.
TOUCHED_TABLES = (
    "stage_automation_run", "stage_automation_run_activity_rel", "mail_message", "mail_mail", "mail_notification",
    "mail_activity", "mail_followers", "mail_blacklist", "phone_blacklist", "sms_sms", "queue_job",
    "calendar_event", "calendar_attendee", "crm_lead", "res_partner", "link_tracker", "link_tracker_code",
    "ir_attachment", "ir_cron_trigger", "bus_bus", "stage_automation_trigger_log", "discuss_channel",
)


class SimulationCase(StageAutomationCase):
    """Simulations asked by the sales manager, then the real entry they foretell."""

    def simulate(self, lead, stage=None, at=ENTRY, user=None):
        simulation = self.env["stage.automation.simulation"].with_user(user or self.manager)
        return simulation.simulate(lead.id, (stage or self.stage_new).id, at=at)

    def row(self, result, rule):
        return next(row for row in result["rules"] if row["rule_id"] == rule.id)

    def moment(self, row):
        return fields.Datetime.to_datetime(row["moment"])


@tagged("post_install", "-at_install", "stage_automation_simulation")
class TestSimulation(SimulationCase, MockSMS):
    """What the simulation foretells is what the real entry then does: same moments, same outcomes, same
    recipients, same rendered texts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env.ref("resource.resource_calendar_std")  # Mon-Fri 8-12, 13-17
        cls.calendar.tz = "Europe/Brussels"
        cls.env.company.resource_calendar_id = cls.calendar
        cls.env["resource.calendar.leaves"].create({
            "name": "Public holiday", "calendar_id": cls.calendar.id,
            "date_from": datetime(2026, 3, 8, 23, 0), "date_to": datetime(2026, 3, 9, 22, 59)})
        cls.salesman.write({"tz": "Europe/Brussels", MOBILE: "+32 470 00 00 01"})
        cls.env["stage.automation.constant"].create({"team_id": cls.team.id, "name": "discount", "value": "SPRING"})

    def test_every_timing_mode_is_simulated_at_the_moment_the_real_run_is_due(self):
        rules = {
            "immediate": self.rule(name="Immediate", sequence=1),
            "minutes": self.rule(name="Minutes", sequence=2, timing="delay", delay=30, delay_unit="minutes"),
            "hours": self.rule(name="Hours", sequence=3, timing="delay", delay=5, delay_unit="hours"),
            "days at 9": self.rule(name="Days at 9", sequence=4, timing="delay", delay=2, delay_unit="days",
                                   at_time=9.0),
            "working days": self.rule(name="Working days", sequence=5, timing="delay", delay=1,
                                      delay_unit="work_days"),
            "before date": self.rule(name="Before date", sequence=6, timing="before_date", delay=1,
                                     delay_unit="days", date_field_id=self.field_deadline.id, at_time=9.0),
            "after date": self.rule(name="After date", sequence=7, timing="after_date", delay=2,
                                    delay_unit="days", date_field_id=self.field_deadline.id),
            "working hours": self.rule(name="Working hours", sequence=8, timing="delay", delay=1,
                                       delay_unit="hours", working_hours=True),
            "after previous": self.rule(name="After previous", sequence=9, timing="delay", delay=1,
                                        delay_unit="hours", after_previous=True),
            "empty date": self.rule(name="Empty date", sequence=10, timing="after_date", delay=1, delay_unit="days",
                                    date_field_id=self.env.ref("crm.field_crm_lead__date_closed").id),
        }
        lead = self.lead(date_deadline=date(2026, 3, 20))
        result = self.simulate(lead, at=FRIDAY)
        rows = {name: self.row(result, rule) for name, rule in rules.items()}
        expected = {
            "immediate": datetime(2026, 3, 6, 16, 30),
            "minutes": datetime(2026, 3, 6, 17, 0),
            "hours": datetime(2026, 3, 6, 21, 30),
            "days at 9": datetime(2026, 3, 8, 8, 0),  # 09:00 in Brussels
            "working days": datetime(2026, 3, 10, 16, 30),  # Monday is a holiday
            "before date": datetime(2026, 3, 19, 8, 0),
            "after date": datetime(2026, 3, 21, 23, 0),  # the date is midnight in Brussels
            "working hours": datetime(2026, 3, 10, 7, 0),  # 18:30 Friday: Tuesday 08:00
            "after previous": datetime(2026, 3, 10, 8, 0),
        }
        self.assertEqual({name: self.moment(row) for name, row in rows.items() if name in expected}, expected)
        self.assertEqual(rows["empty date"]["outcome"], "skipped")
        self.assertEqual(rows["after previous"]["after"], "Working hours")

        with self.at(FRIDAY):
            lead.stage_id = self.stage_new
        for name, rule in rules.items():
            run = self.runs(lead, rule)
            if name == "after previous":
                self.assertEqual(run.state, "waiting")
            elif name == "empty date":
                self.assertEqual((run.state, run.reason), ("skipped", rows[name]["reason"]))
            else:
                self.assertEqual(run.due_at, expected[name], name)
        with self.at(expected["working hours"]):
            self.dispatch()
        self.assertEqual(self.runs(lead, rules["after previous"]).due_at, expected["after previous"])

    def test_a_failing_condition_skips_its_rule_and_the_chain_after_it_as_the_real_entry_does(self):
        gate = self.rule(name="Big deals", filter_domain="[('expected_revenue', '>', 1000)]")
        chained = self.rule(name="Chained", sequence=20, after_previous=True)
        further = self.rule(name="Further", sequence=30, after_previous=True, timing="delay", delay=1,
                            delay_unit="days")
        independent = self.rule(name="Independent", sequence=40, timing="delay", delay=1, delay_unit="hours")
        elsewhere = self.env["crm.team"].create({"name": "Elsewhere"})
        self.stage_new.write(shared_by(self.team, elsewhere))
        other_pipeline = self.rule(name="Elsewhere", sequence=50, team_id=elsewhere.id)
        lead = self.lead(expected_revenue=10)
        result = self.simulate(lead)
        self.assertEqual([row["name"] for row in result["rules"]],
                         ["Big deals", "Chained", "Further", "Independent", "Elsewhere"])
        rows = {rule: self.row(result, rule) for rule in (gate, chained, further, independent, other_pipeline)}
        self.assertEqual([rows[rule]["outcome"] for rule in rows],
                         ["skipped", "skipped", "skipped", "runs", "not_applicable"])
        self.assertFalse(rows[gate]["condition"])
        self.assertEqual(rows[further]["after"], "Chained")

        with self.at(ENTRY):
            lead.stage_id = self.stage_new
        for rule in (gate, chained, further):
            run = self.runs(lead, rule)
            self.assertEqual((run.state, run.reason), ("skipped", rows[rule]["reason"]))
        self.assertEqual(self.runs(lead, independent).due_at, self.moment(rows[independent]))
        self.assertFalse(self.runs(lead, other_pipeline))

    def test_a_rule_moving_the_lead_on_cancels_what_is_still_pending_as_the_real_entry_does(self):
        before = self.rule(name="Before", sequence=10)
        move = self.rule(name="Move", sequence=20, action="change_stage", target_stage_id=self.stage_proposal.id)
        same_moment = self.rule(name="Same moment", sequence=30)
        later = self.rule(name="Later", sequence=5, timing="delay", delay=1, delay_unit="hours")
        chained = self.rule(name="Chained", sequence=40, after_previous=True)
        lead = self.lead()
        result = self.simulate(lead)
        outcomes = {rule: self.row(result, rule)["outcome"] for rule in (before, move, same_moment, later, chained)}
        self.assertEqual(list(outcomes.values()), ["runs", "runs", "cancelled", "cancelled", "cancelled"])

        with self.at(ENTRY):
            lead.stage_id = self.stage_new
        states = {rule: self.runs(lead, rule).state for rule in outcomes}
        self.assertEqual(list(states.values()), ["done", "done", "cancelled", "cancelled", "cancelled"])

    def test_the_rule_and_the_lead_open_the_dialog_on_what_they_know(self):
        rule, lead = self.rule(), self.lead()
        self.assertEqual(rule.action_simulate()["context"]["default_stage_id"], self.stage_new.id)
        self.assertEqual(lead.action_stage_automation_simulate()["context"]["default_lead_id"], lead.id)

    def test_recipients_and_rendered_texts_are_those_the_real_run_uses(self):
        self.salesman.email = "salesman@example.com"
        notify = self.rule(name="Notify", action="notify", recipient="team", summary="New: {{ object.name }}",
                           body="Offer {{ constants.discount }} for {{ object.partner_name }}")
        self.team.member_ids = self.manager | self.salesman
        activity = self.rule(name="Activity", sequence=20, action="activity", activity_type_id=self.call_type.id,
                             summary="Call {{ object.partner_name }}", body="About {{ object.name }}",
                             activity_deadline_days=2)
        email = self.rule(name="E-mail", sequence=30, action="email_responsible", summary="Lead {{ object.name }}",
                          body="Look at {{ object.email_from }}")
        customer = self.rule(name="Customer", sequence=40, action="email_customer",
                             summary="Hello {{ object.partner_name }}", body="See https://example.com/offer")
        sms = self.rule(name="SMS", sequence=50, action="sms_customer", body="Code {{ constants.discount }}")
        lead = self.lead(**{MOBILE: "+32 470 12 34 56"}, name="Big deal")
        result = self.simulate(lead)
        rows = {rule: self.row(result, rule) for rule in (notify, activity, email, customer, sms)}
        self.assertTrue(all(row["outcome"] == "runs" for row in rows.values()), rows)
        self.assertEqual(sorted(rows[notify]["recipients"]), ["Sales Manager", "Salesman"])
        self.assertEqual(rows[notify]["subject"], "New: Big deal")
        self.assertEqual(rows[customer]["to"], "azure@example.com")
        self.assertIn("https://example.com/offer", rows[customer]["body"], "a plain link: nothing is tracked")
        self.assertEqual(rows[sms]["to"], "+32470123456")

        with self.mockSMSGateway(), self.at(ENTRY):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead).mapped("state"), ["done"] * 5)
        notification = self.notifications(lead, "New: Big deal")
        self.assertEqual(notification.body, rows[notify]["body"])
        self.assertEqual(sorted(notification.partner_ids.mapped("name")), sorted(rows[notify]["recipients"]))
        scheduled = self.runs(lead, activity).activity_ids
        self.assertEqual((scheduled.summary, scheduled.note, scheduled.user_id.name),
                         (rows[activity]["subject"], rows[activity]["body"], rows[activity]["recipients"][0]))
        self.assertIn(["Due on", scheduled.date_deadline.strftime("%m/%d/%Y")], rows[activity]["details"])
        mail = self.env["mail.mail"].search([("subject", "=", rows[email]["subject"])])
        self.assertEqual((mail.body_html, mail.recipient_ids.name), (rows[email]["body"], "Salesman"))
        message = lead.message_ids.filtered(lambda m: m.subject == rows[customer]["subject"])
        self.assertEqual(message.partner_ids.email, rows[customer]["to"])
        # The real e-mail is the simulated one with its links tracked (the link tracker of its link, made then),
        # stored as the messages' HTML is.
        tracked = self.runs(lead, customer)._track_email_body(rows[customer]["body"])
        self.assertEqual(message.body, message._fields["body"].convert_to_cache(tracked, message))
        self.assertEqual(self.env["sms.sms"].search([("number", "=", rows[sms]["to"])]).body, rows[sms]["body"])

    def test_values_produced_at_run_time_are_shown_as_such(self):
        code = self.rule(name="Code", action="generate_code")
        note = self.rule(name="Note", sequence=20, body="Your code: {{ vars.code }} ({{ constants.discount }})")
        unknown = self.rule(name="Unknown", sequence=30, body="{{ vars.nowhere }}")
        lead = self.lead()
        result = self.simulate(lead)
        self.assertEqual(self.row(result, code)["outputs"], ["code"])
        row = self.row(result, note)
        self.assertEqual(html2plaintext(row["body"]), "Your code: [value produced at run time] (SPRING)")
        self.assertTrue(row["uncertain"])
        self.assertEqual(self.row(result, unknown)["outcome"], "failed", "no earlier rule publishes it")

        with self.at(ENTRY):
            lead.stage_id = self.stage_new
        self.assertEqual(self.runs(lead, unknown).reason, f"Failed: {self.row(result, unknown)['reason']}")
        code_value = self.runs(lead, code).outputs["code"]
        self.assertIn(f"<p>Your code: {code_value} (SPRING)</p>", self.notes(lead).mapped("body"))

    def test_a_wait_for_the_client_makes_the_next_moments_unknown(self):
        wait = self.rule(name="Wait", action="wait", wait_mode="reply", wait_delay=2, wait_unit="days", body=False)
        after = self.rule(name="After", sequence=20, after_previous=True)
        result = self.simulate(self.lead())
        self.assertEqual(self.row(result, wait)["details"][0][0], "Until")
        self.assertTrue(self.row(result, after)["uncertain"])

    def test_a_wait_for_a_stage_makes_the_next_moments_unknown(self):
        wait = self.rule(name="Wait", action="wait", wait_mode="stage", wait_stage_id=self.stage_proposal.id,
                         wait_delay=0, body=False)
        after = self.rule(name="After", sequence=20, after_previous=True)
        result = self.simulate(self.lead())
        self.assertIn("It waits for the lead to reach a stage, be won or be lost: when, and whether, is only known at "
                      "run time.", self.row(result, wait)["uncertain"])
        self.assertTrue(self.row(result, after)["uncertain"])

    def test_triggers_of_the_stage_say_which_events_would_move_the_lead(self):
        Trigger = self.env["stage.automation.trigger"]
        form = Trigger.create({"name": "Form", "stage_id": self.stage_proposal.id, "trigger_type": "form_submitted",
                               "form_name": "quote"})
        guarded = Trigger.create({"name": "Guarded", "stage_id": self.stage_proposal.id,
                                  "trigger_type": "application", "filter_domain": "[('priority', '=', '3')]"})
        back = Trigger.create({"name": "Back", "stage_id": self.stage_new.id, "trigger_type": "email_received"})
        lead = self.lead()
        triggers = {row["trigger_id"]: row for row in self.simulate(lead, self.stage_proposal)["triggers"]}
        self.assertEqual(set(triggers), {form.id, guarded.id})
        self.assertEqual((triggers[form.id]["moves"], triggers[form.id]["filter"]), (True, "form “quote”"))
        self.assertFalse(triggers[guarded.id]["moves"])
        self.assertIn("condition", triggers[guarded.id]["reason"])
        self.assertIn("only moves forward", self.simulate(lead)["triggers"][0]["reason"])
        self.assertEqual(self.simulate(lead)["triggers"][0]["trigger_id"], back.id)
        self.assertTrue(lead.stage_automation_fire(form.code)[0]["moved"])


@tagged("post_install", "-at_install", "stage_automation_simulation")
class TestSimulationNoTrace(SimulationCase):
    """A simulation of a stage where every kind of rule waits writes nothing, anywhere."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.resource_calendar_id = cls.env.ref("resource.resource_calendar_std")
        cls.customer = cls.env["res.partner"].create({"name": "Azure", "email": "azure@example.com",
                                                      MOBILE: "+32 470 12 34 56"})
        cls.manager[MOBILE] = "+32 470 00 00 02"
        Rule = cls.env["stage.automation.rule"]
        common = {"stage_id": cls.env.ref("crm.stage_lead2").id}
        city = cls.env.ref("crm.field_crm_lead__city")
        specs = [
            {"action": "activity", "activity_type_id": cls.env.ref("mail.mail_activity_data_todo").id,
             "summary": "Call"},
            {"action": "task", "summary": "To do"}, {"action": "call", "summary": "Call"},
            {"action": "meeting", "summary": "Meet", "event_with_customer": True},
            {"action": "notify", "body": "Hi"}, {"action": "note", "body": "Note"}, {"action": "post", "body": "Post"},
            {"action": "log", "body": "Log"}, {"action": "email_responsible", "body": "Mail"},
            {"action": "email_customer", "summary": "Offer", "body": "See https://example.com/offer"},
            {"action": "sms_customer", "body": "SMS"}, {"action": "sms_employees", "body": "SMS",
                                                        "recipient": "users", "recipient_user_ids": [cls.manager.id]},
            {"action": "change_user", "assign_mode": "round_robin", "assign_user_ids": [cls.manager.id]},
            {"action": "write", "value_ids": [Command.create({"field_id": city.id, "value": "Namur"})]},
            {"action": "generate_code", "code_field_id": cls.env.ref("crm.field_crm_lead__street2").id},
            {"action": "blacklist"}, {"action": "book_resource", "summary": "Book"}, {"action": "cancel_booking"},
            {"action": "convert", "convert_target": "contact"},
            {"action": "create_company", "value_ids": [Command.create({"field_id": cls.env.ref(
                "base.field_res_partner__name").id, "value": "Corp"})]},
            {"action": "create_lead", "value_ids": [Command.create({"field_id": cls.env.ref(
                "crm.field_crm_lead__name").id, "value": "Next"})]},
            {"action": "repeat_lead"}, {"action": "create_lead_contact"},
            {"action": "partner_read", "partner_field_ids": [cls.env.ref("base.field_res_partner__city").id]},
            {"action": "crm_read", "crm_read_field_ids": [cls.env.ref("crm.field_crm_lead__name").id]},
            {"action": "document", "report_id": cls.env.ref("stage_automation.action_report_crm_lead_summary").id},
            {"action": "webhook", "outgoing_url": "https://hooks.example.com/lead"},
            {"action": "wait", "wait_mode": "period", "wait_delay": 1, "wait_unit": "hours", "body": "Waiting"},
            {"action": "change_stage", "target_stage_id": cls.env.ref("crm.stage_lead3").id},
            {"action": "unlink", "timing": "delay", "delay": 1, "delay_unit": "days"},
        ]
        cls.rules = Rule.create([{"name": spec["action"], "sequence": position, **common, **spec}
                                 for position, spec in enumerate(specs)])
        cls.env["stage.automation.trigger"].create({"name": "Form", "stage_id": common["stage_id"],
                                                    "trigger_type": "form_submitted"})
        cls.lead_record = cls.env["crm.lead"].create({
            "name": "Traceless", "type": "opportunity", "user_id": cls.manager.id, "partner_id": cls.customer.id,
            "email_from": "azure@example.com", MOBILE: "+32 470 12 34 56", "partner_name": "Azure",
            "stage_id": cls.env.ref("crm.stage_lead1").id})

    def counts(self):
        self.env.flush_all()
        return {table: self.env.execute_query(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))[0][0]
                for table in TOUCHED_TABLES}

    def writes(self):
        """Rows inserted, updated or deleted by this transaction so far, in any table, rolled back or not."""
        self.env.flush_all()
        return self.env.execute_query(SQL(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_all_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"))

    def test_simulating_every_action_writes_nothing_and_sends_nothing(self):
        stage = self.env.ref("crm.stage_lead2")
        counts, writes = self.counts(), dict(self.writes())
        self.assertIn("crm_lead", writes, "PostgreSQL counts the writes of this transaction (the fixture's)")
        result = self.simulate(self.lead_record, stage)
        self.assertEqual(dict(self.writes()), writes, "no row written, not even one rolled back")
        self.assertEqual(self.counts(), counts)
        outcomes = {row["name"]: (row["outcome"], row["reason"]) for row in result["rules"]
                    if row["rule_id"] in self.rules.ids}
        self.assertEqual(len(outcomes), len(self.rules))
        self.assertEqual({name: outcome for name, (outcome, _reason) in outcomes.items() if outcome != "runs"},
                         {"unlink": "cancelled"}, outcomes)  # due after the move to the next stage
        self.assertEqual(result["triggers"][0]["moves"], True)
        # Through the dialog too: it computes its report without being saved.
        wizard = self.env["stage.automation.simulation.wizard"].with_user(self.manager).new(
            {"lead_id": self.lead_record.id, "stage_id": stage.id})
        self.assertIn("Traceless", wizard.result)
        self.assertEqual(dict(self.writes()), writes)
        self.assertEqual(self.counts(), counts)


@tagged("post_install", "-at_install", "stage_automation_simulation")
class TestSimulationAccess(SimulationCase):
    """A simulation reads with the rights of the person asking, never more."""

    def test_a_salesman_cannot_simulate_a_lead_of_another_team(self):
        salesman = new_test_user(
            self.env, login="sa_sim_salesman", groups="sales_team.group_sale_salesman,"
                                                      "stage_automation.group_stage_automation_opportunity_read")
        rule = self.rule(body="Secret {{ object.name }}")
        mine = self.lead(user_id=salesman.id, name="Mine")
        theirs = self.lead(user_id=self.manager.id, name="Theirs",
                           team_id=self.env["crm.team"].create({"name": "Their team"}).id)
        self.assertEqual(self.row(self.simulate(mine, user=salesman), rule)["body"], "<p>Secret Mine</p>")
        with self.assertRaises(AccessError):
            self.simulate(theirs, user=salesman)

    def test_someone_without_the_automation_read_right_cannot_simulate(self):
        outsider = new_test_user(self.env, login="sa_sim_outsider", groups="sales_team.group_sale_salesman_all_leads")
        with self.assertRaises(AccessError):
            self.simulate(self.lead(), user=outsider)

    def test_malformed_arguments_get_a_clear_error_and_change_nothing(self):
        """What a caller sends over RPC is checked before anything is read: ids that are no record's, a
        moment that is no date."""
        self.rule(body="Hello {{ object.name }}")
        lead = self.lead()
        messages = len(lead.message_ids)
        Simulation = self.env["stage.automation.simulation"]
        new = self.stage_new.id
        for lead_id, stage_id, at in ((0, new, None), ("1; DROP TABLE crm_lead", new, None), (lead.id, 10**9, None),
                                      (lead.id, [new], None), (lead.id, new, "next tuesday"),
                                      (lead.id, new, {"at": 1})):
            with self.subTest(lead_id=lead_id, stage_id=stage_id, at=at), self.assertRaises(UserError):
                Simulation.simulate(lead_id, stage_id, at=at)
        self.assertFalse(self.runs(lead))
        self.assertEqual(len(lead.message_ids), messages)
