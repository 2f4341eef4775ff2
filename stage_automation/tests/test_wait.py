from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import StageAutomationCase
from .series import in_pipelines

T0 = "2026-03-04 10:00:00"

REPLY = """From: Azure <azure@example.com>
To: salesman@example.com
Subject: Re: {subject}
Message-ID: <reply-{token}@example.com>
In-Reply-To: {parent}
References: {parent}
Date: Wed, 04 Mar 2026 14:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{text}
"""


@tagged("post_install", "-at_install", "stage_automation_timing")
class TestWait(StageAutomationCase):
    """"Wait": the chain pauses for a period, or until the client writes."""

    def wait_rule(self, **values):
        return self.rule(**{"name": "Wait", "sequence": 10, "action": "wait", "body": False, **values})

    def then_note(self, body="Go on"):
        return self.rule(name="Then", sequence=20, after_previous=True, body=body)

    def enter(self, **values):
        lead = self.lead(**values)
        with self.at(T0):
            lead.stage_id = self.stage_new
        return lead

    def reply(self, lead, parent_message_id, text, subject="Hello", token="1"):
        raw = REPLY.format(subject=subject, parent=parent_message_id, text=text, token=token)
        thread_id = self.env["mail.thread"].message_process("crm.lead", raw)
        self.assertEqual(thread_id, lead.id, "the reply is routed to the lead")

    def test_wait_for_a_period_then_go_on(self):
        wait = self.wait_rule(wait_delay=2, wait_unit="hours")
        then = self.then_note()
        lead = self.enter()
        run = self.runs(lead, wait)
        self.assertEqual(run.state, "paused")
        self.assertEqual(str(run.due_at), "2026-03-04 12:00:00")
        self.assertIn("Waiting until", run.reason)
        self.assertEqual(self.runs(lead, then).state, "waiting")
        triggers = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("stage_automation.ir_cron_dispatch_runs").id)])
        self.assertIn("2026-03-04 12:00:00", [str(call_at) for call_at in triggers.mapped("call_at")],
                      "the dispatcher wakes at the end of the wait")
        with self.at("2026-03-04 11:59:00"):
            self.dispatch()
        self.assertEqual(run.state, "paused")
        with self.at("2026-03-04 12:00:00"):
            self.dispatch()
        self.assertEqual((run.state, run.reason), ("done", "Waited 2 hours."))
        self.assertEqual(self.runs(lead, then).state, "done")

    def test_the_client_writes_by_email_and_the_chain_goes_on_with_the_code(self):
        """The chain of the issue: a code, an e-mail with it to the client, a wait for the answer, then the next
        rule, when the client's reply comes back through the mail gateway."""
        generate = self.rule(name="Code", sequence=1, action="generate_code", body=False, code_length=6)
        email = self.rule(name="E-mail", sequence=2, after_previous=True, action="email_customer",
                          summary="Your code", body="Your code is {{ vars.code }}.")
        wait = self.wait_rule(after_previous=True, wait_mode="reply", wait_delay=3, wait_unit="days",
                              wait_timeout="stop", body="Waiting for {{ object.partner_name }} to answer.")
        then = self.then_note("The client answered: {{ vars.client_reply }} (code {{ vars.code }})")
        lead = self.enter()
        code = self.runs(lead, generate).outputs["code"]
        sent = lead.message_ids.filtered(lambda message: message.subject == "Your code")
        self.assertEqual(self.runs(lead, email).state, "done", self.runs(lead, email).reason)
        self.assertIn(f"Your code is {code}.", sent.body)
        self.assertEqual(sent.partner_ids.email, "azure@example.com")
        run = self.runs(lead, wait)
        self.assertEqual(run.state, "paused")
        self.assertEqual(str(run.due_at), "2026-03-07 10:00:00")
        self.assertIn("Waiting for Azure to answer.", self.notes(lead)[0].body)

        with self.at("2026-03-04 14:00:00"):
            self.reply(lead, sent.message_id, f"Here is my code: {code}\n\n> Your code is {code}.",
                       subject="Your code")
            self.assertEqual(str(run.due_at), "2026-03-04 14:00:00", "the wait ends now")
            self.dispatch()
        self.assertEqual(run.state, "done")
        self.assertIn("The client wrote", run.reason)
        self.assertEqual(run.wait_reply_message_id.message_type, "email")
        self.assertEqual(run.outputs, {"client_replied": True, "client_reply": f"Here is my code: {code}",
                                       "client_contact": "email"})
        self.assertEqual(self.runs(lead, then).state, "done")
        self.assertIn(f"The client answered: Here is my code: {code} (code {code})", self.notes(lead)[0].body)

    def test_a_portal_comment_ends_the_wait(self):
        wait = self.wait_rule(wait_mode="reply", wait_delay=0)
        then = self.then_note()
        lead = self.enter()
        run = self.runs(lead, wait)
        self.assertEqual((run.state, run.due_at), ("paused", False))
        self.assertEqual(run.reason, "Waiting for the client to get in touch.")
        portal = new_test_user(self.env, login="sa_portal", groups="base.group_portal", name="Azure portal",
                               email="azure.portal@example.com")
        lead.message_post(body="I accept", message_type="comment", subtype_xmlid="mail.mt_comment",
                          author_id=portal.partner_id.id)
        self.dispatch()
        self.assertEqual((run.state, self.runs(lead, then).state), ("done", "done"))
        self.assertEqual(run.outputs["client_reply"], "I accept")

    def test_a_call_a_form_or_a_callback_request_of_the_client_ends_the_wait(self):
        Trigger = self.env["stage.automation.trigger"]
        for event, values in (
            ("incoming_call", {"phone": "+32 470 11 22 33"}),
            ("missed_call", {"phone": "+32 470 11 22 33"}),
            ("callback_request", {"email": "azure@example.com"}),
        ):
            with self.subTest(event=event):
                self.Rule.search([("stage_id", "=", self.stage_new.id)]).unlink()
                wait = self.wait_rule(wait_mode="reply", wait_delay=0)
                then = self.then_note("Contact: {{ vars.client_contact }}")
                lead = self.enter(phone="+32 470 11 22 33")
                with self.at("2026-03-04 11:00:00"):
                    Trigger.stage_automation_event(event, values)
                    self.dispatch()
                run = self.runs(lead, wait)
                self.assertEqual((run.state, self.runs(lead, then).state), ("done", "done"), run.reason)
                label = dict(run._fields["wait_contact"]._description_selection(self.env))[event]
                self.assertRegex(run.reason, rf"^The client got in touch \({label}\) on .+: the next rules go on\.$")
                self.assertEqual(str(run.wait_contact_at), "2026-03-04 11:00:00")
                self.assertEqual(run.outputs, {"client_replied": True, "client_reply": "", "client_contact": event})
                lead.action_archive()
        self.Rule.search([("stage_id", "=", self.stage_new.id)]).unlink()
        wait = self.wait_rule(wait_mode="reply", wait_delay=0)
        lead = self.enter()
        with self.at("2026-03-04 11:00:00"):
            Trigger._fire_form("form_submitted", {"email": "azure@example.com", "form": "contact"})
            self.dispatch()
        self.assertEqual((self.runs(lead, wait).state, self.runs(lead, wait).wait_contact), ("done", "form_submitted"))

    def test_employees_messages_and_notes_do_not_end_the_wait(self):
        wait = self.wait_rule(wait_mode="reply", wait_delay=0)
        lead = self.enter()
        lead.with_user(self.salesman).message_post(body="Did you get our e-mail?", message_type="comment",
                                                   subtype_xmlid="mail.mt_comment")
        lead.message_post(body="Internal", subtype_xmlid="mail.mt_note")
        self.dispatch()
        self.assertEqual(self.runs(lead, wait).state, "paused")

    def test_a_rule_s_email_to_the_customer_of_a_lead_without_responsible_does_not_end_the_wait(self):
        wait = self.wait_rule(wait_mode="reply", wait_delay=0)
        remind = self.rule(name="Remind", sequence=20, action="email_customer", summary="Reminder", body="Hello")
        lead = self.lead(user_id=False)
        with self.at(T0):
            lead.stage_id = self.stage_new
        self.dispatch()
        self.assertEqual(self.runs(lead, remind).state, "done")
        self.assertEqual(self.runs(lead, wait).state, "paused", "OdooBot wrote it, not the client")

    def test_no_answer_in_time_goes_on_or_stops_as_chosen(self):
        for timeout, wait_state, then_state in (("continue", "done", "done"), ("stop", "skipped", "skipped")):
            with self.subTest(timeout=timeout):
                self.Rule.search([("stage_id", "=", self.stage_new.id)]).unlink()
                wait = self.wait_rule(wait_mode="reply", wait_delay=1, wait_unit="days", wait_timeout=timeout)
                then = self.then_note()
                lead = self.enter()
                with self.at("2026-03-05 10:00:00"):
                    self.dispatch()
                run = self.runs(lead, wait)
                self.assertEqual((run.state, self.runs(lead, then).state), (wait_state, then_state))
                self.assertIn("did not get in touch within 1 day", run.reason)
                if timeout == "continue":
                    self.assertEqual(run.outputs, {"client_replied": False, "client_reply": "", "client_contact": ""})

    def test_leaving_the_stage_cancels_the_wait_and_a_later_message_changes_nothing(self):
        wait = self.wait_rule(wait_mode="reply", wait_delay=2, wait_unit="days")
        then = self.then_note()
        lead = self.enter()
        lead.stage_id = self.stage_qualified
        self.assertEqual((self.runs(lead, wait).state, self.runs(lead, then).state), ("cancelled", "cancelled"))
        lead.message_post(body="Too late", message_type="comment", subtype_xmlid="mail.mt_comment",
                          author_id=self.env["res.partner"].create({"name": "Azure", "email": "azure@example.com"}).id)
        with self.at("2026-03-10 10:00:00"):
            self.dispatch()
        self.assertEqual((self.runs(lead, wait).state, self.runs(lead, then).state), ("cancelled", "cancelled"))
        self.assertFalse(self.runs(lead, wait).wait_reply_message_id)

    def test_wait_refuses_no_duration(self):
        with self.assertRaisesRegex(ValidationError, "say how long to wait"):
            self.wait_rule(wait_mode="period", wait_delay=0)
        with self.assertRaisesRegex(ValidationError, "say how long to wait"):
            self.wait_rule(wait_mode="reply", wait_delay=-1)

    def test_a_wait_that_cannot_compute_its_end_fails_and_stops_the_chain(self):
        self.env.company.resource_calendar_id = False
        wait = self.wait_rule(wait_delay=2, wait_unit="work_days")
        then = self.then_note()
        lead = self.enter()
        run = self.runs(lead, wait)
        self.assertEqual(run.state, "failed")
        self.assertIn("Cannot compute the end of the wait: no working schedule", run.reason)
        self.assertEqual(self.runs(lead, then).state, "skipped")

    # ------------------------------------------------------------
    # UNTIL THE LEAD REACHES A STAGE, IS WON OR IS LOST
    # ------------------------------------------------------------

    def test_the_lead_reaching_the_awaited_stage_ends_the_wait_and_the_chain_goes_on_there(self):
        control = self.rule(name="Control", sequence=5, timing="delay", delay=1, delay_unit="days")
        wait = self.wait_rule(wait_mode="stage", wait_stage_id=self.stage_proposal.id, wait_delay=3,
                              wait_unit="days", wait_timeout="stop")
        then = self.then_note("Now in {{ object.stage_id.name }}")
        lead = self.enter()
        run = self.runs(lead, wait)
        self.assertEqual((run.state, str(run.due_at)), ("paused", "2026-03-07 10:00:00"))
        self.assertRegex(run.reason, r"^Waiting for the lead to reach stage “SA Proposal”, until .+ at the latest\.$")
        with self.at("2026-03-05 09:00:00"):
            lead.stage_id = self.stage_proposal
            self.assertEqual(self.runs(lead, control).reason,
                             "Cancelled: the lead left stage “SA New” for “SA Proposal”.")
            self.assertEqual((run.state, str(run.due_at)), ("paused", "2026-03-05 09:00:00"), "the wait ends now")
            self.assertEqual(self.runs(lead, then).state, "waiting")
            self.dispatch()
        self.assertEqual(run.state, "done")
        self.assertRegex(run.reason, r"^The lead reached stage “SA Proposal” on .+: the next rules go on\.$")
        self.assertEqual(str(run.wait_reached_at), "2026-03-05 09:00:00")
        self.assertEqual(self.runs(lead, then).state, "done", "the chain goes on in the stage the lead reached")
        self.assertIn("Now in SA Proposal", self.notes(lead)[0].body)
        with self.at("2026-03-08 10:00:00"):
            lead.stage_id = self.stage_qualified
            self.dispatch()
        self.assertEqual((run.state, self.runs(lead, then).state), ("done", "done"))

    def test_the_chain_carried_into_the_reached_stage_stops_when_the_lead_leaves_it(self):
        wait = self.wait_rule(wait_mode="stage", wait_stage_id=self.stage_proposal.id, wait_delay=0)
        then = self.rule(name="Then", sequence=20, after_previous=True, timing="delay", delay=2, delay_unit="hours")
        lead = self.enter()
        with self.at("2026-03-04 11:00:00"):
            lead.stage_id = self.stage_proposal
            self.dispatch()
        self.assertEqual(self.runs(lead, wait).state, "done")
        later = self.runs(lead, then)
        self.assertEqual((later.state, str(later.due_at)), ("pending", "2026-03-04 13:00:00"))
        self.assertTrue(later.carried_over)
        with self.at("2026-03-04 12:00:00"):
            lead.stage_id = self.stage_qualified
        self.assertEqual(later.state, "cancelled")
        self.assertEqual(later.reason, "Cancelled: the lead left stage “SA Proposal” for “SA Qualified”.")

    def test_a_move_to_another_stage_cancels_the_wait_as_leaving_the_stage_always_does(self):
        wait = self.wait_rule(wait_mode="stage", wait_stage_id=self.stage_proposal.id, wait_delay=0)
        then = self.then_note()
        lead = self.enter()
        with self.at("2026-03-04 11:00:00"):
            lead.stage_id = self.stage_qualified
            self.assertEqual((self.runs(lead, wait).state, self.runs(lead, then).state), ("cancelled", "cancelled"))
            lead.stage_id = self.stage_proposal
            self.dispatch()
        self.assertEqual((self.runs(lead, wait).state, self.runs(lead, then).state), ("cancelled", "cancelled"))
        self.assertFalse(self.runs(lead, wait).wait_reached_at)

    def test_a_wait_until_won_ends_when_the_lead_is_won_other_waits_are_cancelled(self):
        won = self.wait_rule(wait_mode="won", wait_delay=0)
        then = self.then_note("Won: {{ object.stage_id.name }}")
        reach = self.wait_rule(name="Reach", sequence=30, wait_mode="stage", wait_stage_id=self.stage_proposal.id,
                               wait_delay=0)
        lead = self.enter()
        self.assertEqual(self.runs(lead, won).reason, "Waiting for the lead to be won.")
        with self.at("2026-03-04 11:00:00"):
            lead.action_set_won()
            self.dispatch()
        self.assertTrue(lead.stage_id.is_won)
        self.assertRegex(self.runs(lead, won).reason, r"^The lead was won on .+: the next rules go on\.$")
        self.assertEqual(self.runs(lead, then).state, "done")
        self.assertIn(f"Won: {lead.stage_id.name}", self.notes(lead)[0].body)
        self.assertEqual(self.runs(lead, reach).reason, "Cancelled: the lead was won.")

    def test_a_wait_until_lost_ends_when_the_lead_is_lost_not_when_it_is_archived(self):
        wait = self.wait_rule(wait_mode="lost", wait_delay=0)
        then = self.then_note("Sorry to see you go")
        lead = self.enter()
        with self.at("2026-03-04 11:00:00"):
            lead.action_set_lost()
            self.dispatch()
        self.assertFalse(lead.active)
        self.assertRegex(self.runs(lead, wait).reason, r"^The lead was lost on .+: the next rules go on\.$")
        self.assertEqual(self.runs(lead, then).state, "done", "the chain goes on for the lost lead")
        self.assertIn("Sorry to see you go", self.notes(lead)[0].body)

        archived = self.enter(name="Archived")
        archived.action_archive()
        self.assertEqual(self.runs(archived, wait).reason, "Cancelled: the lead was archived.")
        self.assertEqual(self.runs(archived, then).state, "cancelled")

    def test_the_awaited_stage_not_reached_in_time_goes_on_or_stops_as_chosen(self):
        cases = (
            ("continue", "done", "done",
             "The wait for the lead to reach stage “SA Proposal” ended after 1 day: the next rules go on."),
            ("stop", "skipped", "skipped",
             "Skipped: the wait for the lead to reach stage “SA Proposal” ended after 1 day; the next rules do not "
             "run."),
        )
        for timeout, wait_state, then_state, reason in cases:
            with self.subTest(timeout=timeout):
                self.Rule.search([("stage_id", "=", self.stage_new.id)]).unlink()
                wait = self.wait_rule(wait_mode="stage", wait_stage_id=self.stage_proposal.id, wait_delay=1,
                                      wait_unit="days", wait_timeout=timeout)
                then = self.then_note()
                lead = self.enter()
                with self.at("2026-03-05 10:00:00"):
                    self.dispatch()
                run = self.runs(lead, wait)
                self.assertEqual((run.state, self.runs(lead, then).state, run.reason), (wait_state, then_state, reason))
                with self.at("2026-03-05 11:00:00"):
                    lead.stage_id = self.stage_proposal
                    self.dispatch()
                self.assertEqual(run.state, wait_state, "a wait that is over is not reached any more")
                self.assertFalse(run.wait_reached_at)
                lead.action_archive()

    def test_what_a_wait_for_the_lead_awaits_must_be_able_to_happen(self):
        with self.assertRaisesRegex(ValidationError, "choose the stage to wait for"):
            self.wait_rule(wait_mode="stage", wait_delay=0)
        with self.assertRaisesRegex(ValidationError, "already in stage “SA New”; choose another stage"):
            self.wait_rule(wait_mode="stage", wait_stage_id=self.stage_new.id, wait_delay=0)
        with self.assertRaisesRegex(ValidationError, "is already won"):
            self.wait_rule(stage_id=self.stage_won.id, wait_mode="won", wait_delay=0)
        other = self.env["crm.team"].create({"name": "Other pipeline"})
        elsewhere = self.env["crm.stage"].create({"name": "Elsewhere", **in_pipelines(other)})
        with self.assertRaisesRegex(ValidationError, "belongs to pipeline “Other pipeline”"):
            self.wait_rule(wait_mode="stage", wait_stage_id=elsewhere.id, wait_delay=0)
        with self.assertRaisesRegex(ValidationError, "does not get there in time"):
            self.wait_rule(wait_mode="won", wait_delay=2, wait_timeout=False)
