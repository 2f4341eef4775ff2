from datetime import date

from markupsafe import Markup

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.addons.mail.tests.common import MockEmail

from .common import StageAutomationCase


@tagged("post_install", "-at_install", "stage_automation_actions")
class TestActions(StageAutomationCase, MockEmail):
    """The first actions, each seen in Odoo's own tables."""

    def mails(self, lead, subject):
        """The e-mails of the rule (crm's own assignment e-mails go by other subjects)."""
        return self.env["mail.mail"].search([("model", "=", "crm.lead"), ("res_id", "=", lead.id),
                                             ("subject", "=", subject)])

    def enter(self, rule, **lead_values):
        lead = self.lead(**lead_values)
        with self.at("2026-03-04 10:00:00"):
            lead.stage_id = rule.stage_id
        return lead, self.runs(lead, rule)

    def test_activity_for_the_responsible_with_deadline_and_templated_summary(self):
        rule = self.rule(action="activity", activity_type_id=self.call_type.id,
                         summary="Call {{ object.partner_name }}", body="Budget: {{ object.expected_revenue }}",
                         activity_deadline_days=2)
        lead, run = self.enter(rule, expected_revenue=1500)
        activity = lead.activity_ids
        self.assertEqual(run.state, "done")
        self.assertEqual(activity.activity_type_id, self.call_type)
        self.assertEqual(activity.summary, "Call Azure")
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(activity.date_deadline, date(2026, 3, 6))
        self.assertIn("Budget: 1500", activity.note)
        self.assertEqual(run.activity_ids, activity)

    def test_activity_for_fixed_users_and_auto_close_on_leaving(self):
        rule = self.rule(action="activity", activity_type_id=self.todo_type.id, summary="Check",
                         recipient="users", recipient_user_ids=[self.manager.id, self.salesman.id],
                         activity_auto_close=True)
        lead, run = self.enter(rule)
        self.assertEqual(lead.activity_ids.user_id, self.manager | self.salesman)
        lead.stage_id = self.stage_qualified
        self.assertFalse(lead.activity_ids)
        done = self.env["mail.message"].search([("model", "=", "crm.lead"), ("res_id", "=", lead.id),
                                                ("mail_activity_type_id", "=", self.todo_type.id)])
        self.assertEqual(len(done), 2)
        self.assertIn("left the stage", done[0].body)

    def test_activity_without_anyone_to_assign_fails_clearly(self):
        rule = self.rule(action="activity", activity_type_id=self.call_type.id)
        lead, run = self.enter(rule, user_id=False)
        self.assertEqual(run.state, "failed")
        self.assertIn("no responsible", run.reason)
        self.assertFalse(lead.activity_ids)

    def test_notify_the_team(self):
        self.team.member_ids = self.manager | self.salesman
        rule = self.rule(action="notify", recipient="team", summary="Heads up", body="{{ object.name }} moved")
        lead, run = self.enter(rule)
        message = self.env["mail.message"].search([("model", "=", "crm.lead"), ("res_id", "=", lead.id),
                                                   ("message_type", "=", "user_notification"),
                                                   ("subject", "=", "Heads up")])
        self.assertEqual(run.state, "done")
        self.assertEqual(message.partner_ids, self.manager.partner_id | self.salesman.partner_id)
        self.assertEqual(message.subject, "Heads up")
        self.assertIn("Lead moved", message.body)

    def test_notification_from_the_chosen_author_also_to_other_users(self):
        rule = self.rule(action="notify", summary="Signed", recipient_extra_user_ids=[(6, 0, self.manager.ids)],
                         notify_author="responsible")
        lead, run = self.enter(rule)
        message = self.env["mail.message"].search([("model", "=", "crm.lead"), ("res_id", "=", lead.id),
                                                   ("subject", "=", "Signed")])
        self.assertEqual(message.partner_ids, self.salesman.partner_id | self.manager.partner_id)
        self.assertEqual(message.author_id, self.salesman.partner_id)
        rule.write({"notify_author": "user", "notify_author_user_id": self.manager.id, "summary": "Second"})
        lead, run = self.enter(rule, name="Second")
        message = self.env["mail.message"].search([("subject", "=", "Second")])
        self.assertEqual(message.author_id, self.manager.partner_id)
        rule.notify_author = "odoobot"
        lead, run = self.enter(rule, name="Third")
        self.assertEqual(self.env["mail.message"].search([("res_id", "=", lead.id), ("subject", "=", "Second")]
                                                         ).author_id, self.env.ref("base.partner_root"))


        rule = self.rule(action="note", body="Partner: {{ object.partner_name }}\nSecond line")
        lead, run = self.enter(rule)
        note = self.notes(lead)[0]
        self.assertIn("Partner: Azure", note.body)
        self.assertIn("<br>", note.body)
        self.assertTrue(note.subtype_id.internal)

    def test_email_to_the_responsible_inline(self):
        rule = self.rule(name="Tell the salesman", action="email_responsible", summary="New: {{ object.name }}",
                         body="Look at it")
        lead, run = self.enter(rule)
        mail = self.mails(lead, "New: Lead")
        self.assertEqual((run.state, run.reason),
                         ("done", "E-mail “New: Lead” queued for Salesman; the run says when it is sent."))
        self.assertEqual(mail.subject, "New: Lead")
        self.assertEqual(mail.recipient_ids, self.salesman.partner_id)
        self.assertIn("Look at it", mail.body_html)
        trace = lead.message_ids.filtered(lambda m: "Tell the salesman" in m.body)
        self.assertEqual(trace.body,
                         Markup("<p>Automation rule “Tell the salesman” e-mailed Salesman: “New: Lead”.</p>"))
        self.assertEqual((trace.message_type, trace.author_id), ("notification", self.env.ref("base.partner_root")))
        self.assertTrue(trace.subtype_id.internal)
        self.assertFalse(trace.notification_ids, "a log of the lead notifies nobody")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_email_to_employees_follows_its_sending(self):
        rule = self.rule(action="email_responsible", summary="New: {{ object.name }}", body="Look at it")
        template = self.env["mail.template"].create({
            "name": "Internal", "model_id": self.env.ref("crm.model_crm_lead").id, "auto_delete": True,
            "subject": "Lead {{ object.name }}", "body_html": "<p>Hi</p>"})
        from_template = self.rule(name="Template", sequence=20, action="email_responsible",
                                  mail_template_id=template.id, body=False)
        _lead, sent = self.enter(rule, name="Sent")
        _lead, refused = self.enter(rule, name="Refused")
        lead, deleted = self.enter(from_template, name="Deleted")
        with self.mock_mail_gateway(mail_unlink_sent=True):
            send_email = self.send_email_mocked.side_effect

            def refuse(server, message, *args, **kwargs):
                if message["Subject"] == "New: Refused":
                    raise MailDeliveryException("552 Mailbox full")
                return send_email(server, message, *args, **kwargs)
            self.send_email_mocked.side_effect = refuse
            self.send_emails()
        self.assertEqual((sent.state, sent.reason), ("done", "E-mail “New: Sent” sent to salesman@example.com."))
        self.assertEqual((refused.state, refused.reason),
                         ("failed", "Failed: the e-mail “New: Refused” to salesman@example.com could not be "
                                    "delivered (552 Mailbox full)."))
        self.assertEqual(deleted.reason, "E-mail “Lead Deleted” sent to salesman@example.com.",
                         "told before the template's e-mail is deleted")
        self.assertFalse(self.mails(lead, "Lead Deleted"))

    def test_email_to_the_responsible_from_a_template_goes_to_employees_only(self):
        template = self.env["mail.template"].create({
            "name": "Internal", "model_id": self.env.ref("crm.model_crm_lead").id,
            "subject": "Lead {{ object.name }}", "body_html": "<p>Hi</p>", "partner_to": "{{ object.partner_id.id }}",
            "email_to": "{{ object.email_from }}",
        })
        rule = self.rule(action="email_responsible", mail_template_id=template.id, body=False)
        lead, run = self.enter(rule)
        mail = self.mails(lead, "Lead Lead")
        self.assertEqual(run.state, "done")
        self.assertEqual(mail.recipient_ids, self.salesman.partner_id)
        self.assertFalse(mail.email_to)
        self.assertEqual(mail.subject, "Lead Lead")

    def test_email_to_someone_without_address_fails_and_sends_nothing(self):
        self.salesman.partner_id.email = False
        rule = self.rule(action="email_responsible", summary="Hi", body="Hi")
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "failed")
        self.assertIn("Salesman", run.reason)
        self.assertFalse(self.mails(lead, "Hi"))

    def test_change_user(self):
        rule = self.rule(action="change_user", user_id=self.manager.id)
        lead, run = self.enter(rule)
        self.assertEqual(lead.user_id, self.manager)
        self.assertIn("Sales Manager", run.reason)

    def test_change_stage_cancels_the_old_stage_and_runs_the_new_one_through_the_queue(self):
        pending = self.rule(name="Pending", timing="delay", delay=1)
        mover = self.rule(name="Move", sequence=5, action="change_stage", target_stage_id=self.stage_proposal.id)
        on_proposal = self.rule(name="On proposal", stage_id=self.stage_proposal.id)
        lead, run = self.enter(mover)
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(run.state, "done")
        self.assertEqual(self.runs(lead, pending).state, "cancelled")
        self.assertEqual(self.runs(lead, on_proposal).state, "pending")
        with self.at("2026-03-04 10:00:00"):
            self.dispatch()
        self.assertEqual(self.runs(lead, on_proposal).state, "done")

    def test_write_fields_with_templated_values(self):
        tag = self.env["crm.tag"].create({"name": "Hot"})
        rule = self.rule(action="write", body=False, value_ids=[
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__description").id,
                    "value": "From {{ object.partner_name }}"}),
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__priority").id, "value": "3"}),
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__expected_revenue").id, "value": "2500.5"}),
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__date_deadline").id, "value": "2026-04-01"}),
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__user_id").id, "value": "Sales Manager"}),
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__tag_ids").id, "value": "Hot"}),
        ])
        lead, run = self.enter(rule)
        self.assertEqual(run.state, "done")
        self.assertIn("From Azure", lead.description)
        self.assertEqual((lead.priority, lead.expected_revenue), ("3", 2500.5))
        self.assertEqual(lead.date_deadline, date(2026, 4, 1))
        self.assertEqual(lead.user_id, self.manager)
        self.assertEqual(lead.tag_ids, tag)

    def test_write_a_bad_value_fails_with_the_field_name_and_writes_nothing(self):
        rule = self.rule(action="write", body=False, value_ids=[
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__description").id, "value": "changed"}),
            (0, 0, {"field_id": self.env.ref("crm.field_crm_lead__expected_revenue").id, "value": "a lot"}),
        ])
        lead, run = self.enter(rule, description="unchanged")
        self.assertEqual(run.state, "failed")
        self.assertIn("Expected Revenue", run.reason)
        self.assertIn("unchanged", lead.description)

    def test_loop_guard_stops_rules_moving_a_lead_back_and_forth(self):
        self.env["ir.config_parameter"].set_param("stage_automation.loop_max_moves", 4)
        forth = self.rule(name="Forth", action="change_stage", target_stage_id=self.stage_proposal.id)
        back = self.rule(name="Back", stage_id=self.stage_proposal.id, action="change_stage",
                         target_stage_id=self.stage_new.id)
        lead = self.lead()
        with self.at("2026-03-04 10:00:00"):
            lead.stage_id = self.stage_new
            for _round in range(10):
                if not self.dispatch():
                    break
        moves = self.Run.search([("lead_id", "=", lead.id), ("state", "=", "done")])
        self.assertEqual(len(moves), 4)
        guarded = self.Run.search([("lead_id", "=", lead.id), ("state", "=", "failed")])
        self.assertEqual(len(guarded), 1)
        self.assertIn("Loop guard", guarded.reason)
        self.assertFalse(self.Run.search([("lead_id", "=", lead.id), ("state", "in", ("pending", "running"))]))
        self.assertTrue(forth.run_count and back.run_count)
