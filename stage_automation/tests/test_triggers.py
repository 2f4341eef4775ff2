from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import StageAutomationCase
from .series import MOBILE, in_pipelines


class TriggerCase(StageAutomationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Trigger = cls.env["stage.automation.trigger"]
        cls.Log = cls.env["stage.automation.trigger.log"]

    def trigger(self, **values):
        """An application trigger moving leads to "SA Proposal", unless told otherwise."""
        values = {"name": "Trigger", "code": "answered", "stage_id": self.stage_proposal.id,
                  "trigger_type": "application", **values}
        return self.Trigger.create(values)

    def logs(self, lead):
        return self.Log.search([("lead_id", "=", lead.id)])


@tagged("post_install", "-at_install", "stage_automation_triggers")
class TestTriggerSemantics(TriggerCase):

    def test_moves_forward_and_runs_the_target_stage_rules(self):
        self.trigger()
        rule = self.rule(stage_id=self.stage_proposal.id, body="Proposal for {{ object.name }}")
        lead = self.lead()
        result = lead.stage_automation_fire("answered", {"source": "test"})
        self.assertEqual(result, [{
            "lead_id": lead.id, "moved": True, "from_stage_id": self.stage_qualified.id,
            "to_stage_id": self.stage_proposal.id, "reason": False,
        }])
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.runs(lead, rule).state, "done")
        log = self.logs(lead)
        self.assertTrue(log.moved)
        self.assertEqual(log.payload, {"source": "test"})
        self.assertEqual(log.reason, "Moved from “SA Qualified” to “SA Proposal”.")

    def test_never_moves_backward_unless_allowed(self):
        trigger = self.trigger(stage_id=self.stage_new.id)
        lead = self.lead()
        result = lead.stage_automation_fire("answered")
        self.assertFalse(result[0]["moved"])
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertIn("only moves forward", result[0]["reason"])
        self.assertFalse(self.logs(lead).moved)
        trigger.allow_backward = True
        self.assertTrue(lead.stage_automation_fire("answered")[0]["moved"])
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_a_lead_already_there_is_not_moved_again(self):
        self.trigger()
        rule = self.rule(stage_id=self.stage_proposal.id)
        lead = self.lead(stage_id=self.stage_proposal.id)
        result = lead.stage_automation_fire("answered")
        self.assertEqual(result[0]["reason"], "Not moved: the lead is already in stage “SA Proposal”.")
        self.assertEqual(len(self.runs(lead, rule)), 1, "no new entry, so no new run")

    def test_won_lost_and_archived_leads_are_not_moved(self):
        self.trigger()
        won = self.lead(stage_id=self.stage_won.id)
        lost = self.lead()
        lost.action_set_lost()
        archived = self.lead()
        archived.active = False
        results = (won | lost | archived).stage_automation_fire("answered")
        self.assertEqual([r["moved"] for r in results], [False, False, False])
        self.assertEqual(results[0]["reason"], "Not moved: the lead is won.")
        self.assertEqual(results[1]["reason"], "Not moved: the lead is lost or archived.")
        self.assertEqual(lost.stage_id, self.stage_qualified)

    def test_stages_skipped_over_activate_nothing(self):
        """From New straight to Proposal: Qualified's rules do not run, and its triggers never fire later."""
        skipped_rule = self.rule(stage_id=self.stage_qualified.id)
        self.trigger(name="Qualified", code="qualified", stage_id=self.stage_qualified.id)
        self.trigger()
        lead = self.lead(stage_id=self.stage_new.id)
        lead.stage_automation_fire("answered")
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertFalse(self.runs(lead, skipped_rule))
        result = lead.stage_automation_fire("qualified")
        self.assertFalse(result[0]["moved"], "a trigger of a stage left behind does not pull the lead back")

    def test_condition_on_the_lead(self):
        self.trigger(filter_domain="[('expected_revenue', '>=', 1000)]")
        small, big = self.lead(expected_revenue=10), self.lead(expected_revenue=5000)
        results = (small | big).stage_automation_fire("answered")
        self.assertEqual([r["moved"] for r in results], [False, True])
        self.assertEqual(results[0]["reason"], "Not moved: the lead does not match the trigger's condition.")

    def test_pipeline_of_the_target_stage(self):
        self.trigger()
        other_team = self.env["crm.team"].create({"name": "Other pipeline"})
        lead = self.lead(team_id=other_team.id, stage_id=self.stage_qualified.id)
        result = lead.stage_automation_fire("answered")
        self.assertFalse(result[0]["moved"])
        self.assertIn("does not apply", result[0]["reason"])

    def test_one_event_moves_to_the_furthest_stage_and_logs_every_trigger(self):
        triggers = self.trigger(name="To qualified", code="a", stage_id=self.stage_qualified.id,
                                trigger_type="incoming_call")
        triggers |= self.trigger(name="To proposal", code="b", stage_id=self.stage_proposal.id,
                                 trigger_type="incoming_call")
        skipped_rule = self.rule(stage_id=self.stage_qualified.id)
        lead = self.lead(stage_id=self.stage_new.id, phone="+32 470 12 34 56")
        results = self.Trigger.stage_automation_event("incoming_call", {"phone": "+32470123456"})
        self.assertEqual(results[0]["to_stage_id"], self.stage_proposal.id)
        self.assertFalse(self.runs(lead, skipped_rule))
        logs = self.logs(lead).filtered(lambda log: log.trigger_id in triggers)
        self.assertEqual(len(logs), 2)
        self.assertIn("of the same event moved the lead", logs.filtered(lambda log: not log.moved).reason)

    def test_loop_guard_counts_trigger_moves(self):
        self.env["ir.config_parameter"].set_param("stage_automation.loop_max_moves", 2)
        self.trigger(allow_backward=True)
        self.trigger(name="Back", code="back", stage_id=self.stage_qualified.id, allow_backward=True)
        lead = self.lead()
        lead.stage_automation_fire("answered")
        lead.stage_automation_fire("back")
        result = lead.stage_automation_fire("answered")
        self.assertFalse(result[0]["moved"])
        self.assertIn("Loop guard", result[0]["reason"])


@tagged("post_install", "-at_install", "stage_automation_triggers")
class TestTriggerValidation(TriggerCase):

    def test_code_unique_per_company(self):
        self.trigger()
        with self.assertRaises(ValidationError):
            self.trigger(name="Same code")
        other = self.env["res.company"].create({"name": "Other company"})
        first = self.trigger(code="per-company", company_id=self.env.company.id)
        second = self.trigger(code="per-company", company_id=other.id)
        self.assertTrue(first and second)

    def test_code_made_from_the_name_unless_written(self):
        trigger = self.Trigger.create({"name": "Réponse reçue / Odpowiedź", "stage_id": self.stage_proposal.id})
        self.assertEqual(trigger.code, "reponse_recue_odpowiedz")
        self.assertEqual(self.trigger(name="Other name", code="kept").code, "kept")

    def test_triggers_named_alike_or_duplicated_get_numbered_codes(self):
        values = {"name": "Webhook", "stage_id": self.stage_proposal.id, "trigger_type": "webhook"}
        first, second = self.Trigger.create([values, {**values, "stage_id": self.stage_won.id}])
        third = self.Trigger.create(values)
        self.assertEqual([first.code, second.code, third.code], ["webhook", "webhook_2", "webhook_3"])
        self.assertEqual(first.copy().code, "webhook_4")

    def test_bad_domain_field_and_pipeline(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self.trigger(code="c1", filter_domain="[('no_such_field', '=', 1)]")
        with self.assertRaisesRegex(ValidationError, "choose the field"):
            self.trigger(code="c2", trigger_type="field_changed")
        with self.assertRaisesRegex(ValidationError, "cannot be watched"):
            self.trigger(code="c3", trigger_type="field_changed",
                         field_id=self.env.ref("crm.field_crm_lead__stage_id").id)
        with self.assertRaisesRegex(ValidationError, "not a valid value"):
            self.trigger(code="c4", trigger_type="field_changed",
                         field_id=self.env.ref("crm.field_crm_lead__expected_revenue").id, field_value="a lot")
        other_team = self.env["crm.team"].create({"name": "Other pipeline"})
        with self.assertRaisesRegex(ValidationError, "belongs to pipeline"):
            self.trigger(code="c5", team_id=other_team.id)

    def test_unknown_code_and_bad_arguments(self):
        lead = self.lead()
        with self.assertRaisesRegex(UserError, "“nope”"):
            lead.stage_automation_fire("nope")
        self.trigger()
        with self.assertRaisesRegex(UserError, "payload must be a dictionary"):
            lead.stage_automation_fire("answered", payload=["x"])
        with self.assertRaisesRegex(UserError, "do not exist: 999999"):
            (lead | lead.browse(999999)).stage_automation_fire("answered")
        with self.assertRaisesRegex(UserError, "Unknown event “dance”"):
            self.Trigger.stage_automation_event("dance", {"phone": "+32470123456"})
        with self.assertRaisesRegex(UserError, "“phone” or “email”"):
            self.Trigger.stage_automation_event("incoming_call", {"name": "Azure"})
        with self.assertRaisesRegex(UserError, "cannot be used"):
            self.Trigger.stage_automation_event("incoming_call", {"phone": "12"})
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertFalse(self.logs(lead))

    def test_users_without_the_automation_groups_cannot_fire(self):
        self.trigger()
        lead = self.lead()
        with self.assertRaises(AccessError):
            lead.with_user(self.salesman).stage_automation_fire("answered")
        with self.assertRaises(AccessError):
            self.Trigger.with_user(self.salesman).stage_automation_event("incoming_call", {"phone": "+32470123456"})
        integrator = new_test_user(
            self.env, login="sa_integrator", groups="sales_team.group_sale_salesman_all_leads,"
                                                    "stage_automation.group_stage_automation_opportunity_read")
        self.assertTrue(lead.with_user(integrator).stage_automation_fire("answered")[0]["moved"])


    def test_events_move_only_the_leads_the_caller_may_change(self):
        self.trigger(trigger_type="incoming_call")
        own_leads_only = new_test_user(
            self.env, login="sa_own_integrator", groups="sales_team.group_sale_salesman,"
                                                        "stage_automation.group_stage_automation_opportunity_read")
        mine = self.lead(name="Mine", user_id=own_leads_only.id, phone="+32 470 12 34 56")
        theirs = self.lead(name="Theirs", phone="+32 470 12 34 56")
        results = self.Trigger.with_user(own_leads_only).stage_automation_event(
            "incoming_call", {"phone": "+32470123456"})
        self.assertEqual([result["lead_id"] for result in results], [mine.id])
        self.assertEqual((mine.stage_id, theirs.stage_id), (self.stage_proposal, self.stage_qualified))
        self.assertFalse(self.logs(theirs))
        with self.assertRaisesRegex(UserError, "do not exist: 999999"):
            self.env["crm.lead"].browse(999999).with_user(own_leads_only).stage_automation_fire("answered")

    def test_rpc_values_of_the_wrong_kind_get_a_clear_error(self):
        self.trigger(trigger_type="incoming_call")
        lead = self.lead(phone="+32 470 12 34 56")
        with self.assertRaisesRegex(UserError, "“email” must be a text"):
            self.Trigger.stage_automation_event("incoming_call", {"email": ["azure@example.com"]})
        with self.assertRaisesRegex(UserError, "only texts, numbers"):
            self.Trigger.stage_automation_event("incoming_call", {"phone": "+32470123456", "at": datetime.now()})
        with self.assertRaisesRegex(UserError, "only texts, numbers"):
            lead.stage_automation_fire("answered", {"at": datetime.now()})
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertFalse(self.logs(lead))
        results = self.Trigger.stage_automation_event("incoming_call", {"phone": 32470123456, "country": "BE"})
        self.assertEqual([result["lead_id"] for result in results], [lead.id], "digits sent as a number")

    def test_a_code_names_the_trigger_of_each_lead_s_company(self):
        other = self.env["res.company"].create({"name": "Other company"})
        self.env.user.company_ids |= other
        other_stage = self.env["crm.stage"].create({"name": "Other proposal", "sequence": 103})
        self.trigger(code="signed", company_id=self.env.company.id)
        self.trigger(code="signed", company_id=other.id, stage_id=other_stage.id)
        here = self.lead(name="Here")
        there = self.lead(name="There", company_id=other.id, team_id=False, user_id=False)
        results = (here | there).stage_automation_fire("signed")
        self.assertEqual([(r["lead_id"], r["moved"]) for r in results], [(here.id, True), (there.id, True)])
        self.assertEqual((here.stage_id, there.stage_id), (self.stage_proposal, other_stage))

    def test_firing_by_code_skips_the_event_filter(self):
        self.trigger(trigger_type="form_submitted", form_name="pricing")
        lead = self.lead()
        self.assertTrue(lead.stage_automation_fire("answered")[0]["moved"])

    def test_forward_follows_the_pipeline_order_when_sequences_tie(self):
        second = self.env["crm.stage"].create({"name": "SA Tie B", "sequence": 200, **in_pipelines(self.team)})
        first = self.env["crm.stage"].create({"name": "SA Tie A", "sequence": 200, **in_pipelines(self.team)})
        self.assertEqual(self.env["crm.stage"].search([("id", "in", (first | second).ids)]), first | second,
                         "the pipeline shows A before B although B was created first")
        self.trigger(code="back", stage_id=first.id)
        lead = self.lead(stage_id=second.id)
        self.assertIn("only moves forward", lead.stage_automation_fire("back")[0]["reason"])


@tagged("post_install", "-at_install", "stage_automation_triggers")
class TestTriggerEvents(TriggerCase):

    def test_calls_match_numbers_written_in_national_formats(self):
        self.trigger(trigger_type="incoming_call")
        self.trigger(name="Missed", code="missed", trigger_type="missed_call", stage_id=self.stage_won.id)
        belgium, france = self.env.ref("base.be"), self.env.ref("base.fr")
        by_mobile = self.lead(name="Belgian", country_id=belgium.id, **{MOBILE: "0470 12 34 56"})
        partner = self.env["res.partner"].create({"name": "Dupont", "country_id": france.id, "phone": "06 12 34 56 78"})
        by_partner = self.lead(name="French", partner_id=partner.id)
        stranger = self.lead(name="Other number", country_id=belgium.id, phone="0470 12 34 99")
        results = self.Trigger.stage_automation_event("incoming_call", {"phone": "+32 (0)470/12.34.56"})
        self.assertEqual([r["lead_id"] for r in results], [by_mobile.id])
        self.assertEqual(by_mobile.stage_id, self.stage_proposal)
        results = self.Trigger.stage_automation_event("incoming_call", {"phone": "0033 6 12 34 56 78"})
        self.assertEqual([r["lead_id"] for r in results], [by_partner.id])
        self.assertEqual(stranger.stage_id, self.stage_qualified)
        self.Trigger.stage_automation_event("missed_call", {"phone": "06 12 34 56 78", "country": "FR"})
        self.assertEqual(by_partner.stage_id, self.stage_won, "a missed call fires the missed-call triggers")

    def test_form_submitted_matches_by_email_and_filters_on_the_form(self):
        self.trigger(trigger_type="form_submitted", form_name="pricing")
        self.trigger(name="Callback", code="cb", trigger_type="callback_request", stage_id=self.stage_won.id)
        lead = self.lead(email_from="Azure <AZURE@example.com>")
        results = self.Trigger.stage_automation_event("form_submitted",
                                                      {"email": "azure@example.com", "form": "contact"})
        self.assertFalse(results[0]["moved"])
        self.assertEqual(results[0]["reason"], "Not moved: no trigger matches the event's details.")
        self.Trigger.stage_automation_event("form_submitted", {"email": "azure@example.com", "form": "Pricing page"})
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.Trigger.stage_automation_event("callback_request", {"email": "azure@example.com"})
        self.assertEqual(lead.stage_id, self.stage_won)

    def test_email_received_through_the_mail_gateway(self):
        self.trigger(trigger_type="email_received")
        lead = self.lead(email_from="azure@example.com")
        message = lead.message_post(body="Our offer", message_type="comment",
                                    subtype_xmlid="mail.mt_note", author_id=self.manager.partner_id.id)
        raw = (
            "From: {sender}\r\n"
            "To: sales@example.com\r\n"
            f"Subject: Re: {lead.name}\r\n"
            f"In-Reply-To: {message.message_id}\r\n"
            "Message-ID: <reply-{number}@example.com>\r\n"
            "Content-Type: text/plain\r\n\r\n"
            "Yes, we are interested.\r\n"
        )
        self.manager.email = "manager@example.com"
        self.env["mail.thread"].message_process("crm.lead", raw.format(sender="Manager <manager@example.com>",
                                                                       number=1))
        self.assertEqual(lead.stage_id, self.stage_qualified, "an employee answering by e-mail is not the customer")
        self.env["mail.thread"].message_process("crm.lead", raw.format(sender="Azure <azure@example.com>", number=2))
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.logs(lead).payload["subject"], f"Re: {lead.name}")

    def test_message_sent_by_an_employee_not_a_note(self):
        self.trigger(trigger_type="message_sent")
        lead = self.lead()
        lead.with_user(self.manager).message_post(body="Internal", subtype_xmlid="mail.mt_note",
                                                  message_type="comment")
        self.assertEqual(lead.stage_id, self.stage_qualified)
        lead.with_user(self.manager).message_post(body="Dear colleagues", subtype_xmlid="mail.mt_comment",
                                                  message_type="comment", partner_ids=self.salesman.partner_id.ids)
        self.assertEqual(lead.stage_id, self.stage_qualified, "only employees get it")
        customer = self.env["res.partner"].create({"name": "Azure", "email": "azure@example.com"})
        lead.with_user(self.manager).message_post(body="Dear customer", subtype_xmlid="mail.mt_comment",
                                                  message_type="comment", partner_ids=customer.ids)
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_responsible_changed_to_a_given_user(self):
        self.trigger(trigger_type="user_changed", user_id=self.manager.id)
        lead = self.lead()
        other = new_test_user(self.env, login="sa_other", groups="sales_team.group_sale_salesman")
        lead.write({"user_id": other.id, "team_id": self.team.id})
        self.assertEqual(lead.stage_id, self.stage_qualified)
        lead.write({"user_id": self.manager.id, "team_id": self.team.id})
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_field_changed_to_a_value(self):
        self.trigger(trigger_type="field_changed", field_id=self.env.ref("crm.field_crm_lead__priority").id,
                     field_value="3")
        lead = self.lead()
        lead.priority = "1"
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertFalse(self.logs(lead).moved)
        lead.priority = "3"
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_field_changed_also_when_the_write_recomputes_it(self):
        self.trigger(trigger_type="field_changed", field_id=self.env.ref("crm.field_crm_lead__email_from").id)
        lead = self.lead(email_from="old@example.com")
        customer = self.env["res.partner"].create({"name": "Azure", "email": "new@example.com"})
        lead.partner_id = customer
        self.assertEqual(lead.email_from, "new@example.com", "Odoo copies the customer's e-mail to the lead")
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_field_changed_without_value_fires_on_any_real_change(self):
        self.trigger(trigger_type="field_changed", field_id=self.env.ref("crm.field_crm_lead__tag_ids").id)
        lead = self.lead()
        lead.write({"name": "Renamed"})
        self.assertFalse(self.logs(lead), "a write that does not touch the field costs nothing")
        lead.tag_ids = self.env["crm.tag"].create({"name": "Hot"})
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_resource_booked(self):
        self.trigger(trigger_type="resource_booked")
        lead = self.lead()
        self.env["calendar.event"].create({
            "name": "Demo room", "opportunity_id": lead.id, "start": "2026-12-01 09:00:00",
            "stop": "2026-12-01 10:00:00", "partner_ids": [(4, self.manager.partner_id.id)]})
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(self.logs(lead).payload["name"], "Demo room")

    def test_a_failing_trigger_never_breaks_the_save_that_fired_it(self):
        self.trigger(trigger_type="field_changed", field_id=self.env.ref("crm.field_crm_lead__priority").id)
        lead = self.lead()
        with patch.object(type(self.Trigger), "_fire", side_effect=RuntimeError("broken")), \
                mute_logger("odoo.addons.stage_automation.models.stage_automation_trigger"):
            lead.write({"priority": "2", "description": "Saved"})
        self.assertEqual((lead.priority, lead.description), ("2", "<p>Saved</p>"))
        self.assertEqual(lead.stage_id, self.stage_qualified)

    def test_events_without_a_trigger_cost_no_query(self):
        lead = self.lead()
        self.env["stage.automation.trigger"]._active_types()  # warm the cache
        with self.assertQueryCount(0):
            self.env["stage.automation.trigger"]._fire_event("email_received", lead)
