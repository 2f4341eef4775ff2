"""compat.py, one test per difference between Odoo 18 and 19 it covers: each fails on the series where the
name would be wrong if the addon used the other series' API instead (see the test's docstring)."""

import warnings

import psycopg2

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.stage_automation import compat

from . import series
from .common import StageAutomationSecurityCase
from .series import in_pipelines


@tagged("post_install", "-at_install", "stage_automation_security")
class TestCompat(StageAutomationSecurityCase):

    def test_series_is_the_running_one(self):
        self.assertIn(compat.SERIES, (18, 19))
        self.assertEqual(compat.CONSTRAINTS_RUN_AS_SUPERUSER, compat.SERIES >= 19)

    def test_sql_constraints_exist_and_read_as_odoo_says_them(self):
        """19 ignores ``_sql_constraints``: without ``models.Constraint`` the duplicate would be saved; the
        message is read through 18's ``_as_validation_error`` or 19's ``_sql_error_to_message``."""
        Constant = self.env["stage.automation.constant"]
        Constant.create({"team_id": self.team.id, "name": "code"})
        with self.assertRaises(psycopg2.IntegrityError) as caught, mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Constant.create({"team_id": self.team.id, "name": "code"})
            self.env.flush_all()
        message = compat.sql_error_message(self.env, caught.exception)
        self.assertIn("The operation cannot be completed", message)
        self.assertIn("A pipeline cannot have two constants of the same name.", message)

    def test_qweb_errors_are_recognised(self):
        """18 raises ``QWebException``, 19 ``QWebError`` (with its details in ``error.qweb``)."""
        view = self.env["ir.ui.view"].create({
            "name": "broken", "type": "qweb", "key": "stage_automation.compat_broken",
            "arch": '<t t-name="stage_automation.compat_broken"><span t-out="1/0"/></t>'})
        with self.assertRaises(compat.QWEB_ERROR) as caught:
            self.env["ir.qweb"]._render(view.id)
        detail, template = compat.qweb_error_details(caught.exception)
        self.assertIn("division by zero", detail)
        self.assertTrue(template)
        self.assertIsNone(compat.qweb_error_details(ValueError("not a rendering")))

    def test_partner_found_by_the_leads_email(self):
        """18's ``_find_matching_partner(email_only=True)`` takes no argument on 19."""
        partner = self.env["res.partner"].create({"name": "Azure", "email": "compat@example.com"})
        lead = self.env["crm.lead"].create({"name": "Compat", "email_from": "compat@example.com"})
        self.assertEqual(compat.find_partner_by_email(lead), partner)

    def test_field_access_is_checked_without_deprecation(self):
        """19 deprecates ``check_field_access_rights``: the check refuses the same and warns about nothing."""
        reader = new_test_user(self.env, login="sa_compat_reader",
                               groups="sales_team.group_sale_salesman,stage_automation.group_stage_automation_lead_read")
        Rule = self.env["stage.automation.rule"]
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            compat.check_field_access(Rule.with_user(self.attacker), "read", ["outgoing_secret", "no_such_field"])
            compat.check_field_access(Rule.with_user(reader).sudo(), "read", ["outgoing_secret"])
            with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.orm.models"):
                compat.check_field_access(Rule.with_user(reader), "read", ["outgoing_secret"])

    def test_domains_combine_without_deprecation(self):
        """19 deprecates ``odoo.osv.expression``: ``Domain`` combines them."""
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            both = compat.domain_and([[("id", "=", self.team.id)], [("name", "=", self.team.name)]])
            either = compat.domain_or([[("id", "=", self.team.id)], [("id", "=", 0)]])
        self.assertEqual(self.env["crm.team"].search(both), self.team)
        self.assertEqual(self.env["crm.team"].search(either), self.team)

    def test_rights_constraints_run_as_the_user(self):
        """19 runs ``@api.constrains`` as superuser: a check of the author's rights would pass for anyone."""
        values = {"name": "As admin", "stage_id": self.stage_new.id, "action": "notify", "body": "Hi",
                  "notify_author": "user", "notify_author_user_id": self.admin.id}
        with self.assertRaisesRegex(ValidationError, "only an administrator"):
            self.env["stage.automation.rule"].with_user(self.attacker).create(values)
        self.assertTrue(self.env["stage.automation.rule"].create(values), "the superuser may")

    def test_groups_are_classified_by_series(self):
        """18 puts the groups in a category, 19 in a privilege (``category_id`` is gone from groups)."""
        read = self.env.ref("stage_automation.group_stage_automation_lead_read")
        self.assertEqual(read.full_name, "Lead Automation / Read")
        if compat.GROUP_PRIVILEGES:
            self.assertEqual(read.privilege_id.category_id, self.env.ref("base.module_category_sales"))
        else:
            self.assertEqual(read.category_id, self.env.ref("stage_automation.module_category_stage_automation_lead"))

    def test_groups_read_in_a_language_loaded_after_the_install(self):
        """19's privileges are made from the categories at install time: a language loaded later translates
        them only through their own entries in the catalogues."""
        self.env["res.lang"]._activate_lang("pl_PL")
        self.env["ir.module.module"]._load_module_terms(["stage_automation"], ["pl_PL"], overwrite=True)
        read = self.env.ref("stage_automation.group_stage_automation_lead_read").with_context(lang="pl_PL")
        self.assertEqual(read.full_name, "Automatyzacja leadów / Odczyt")

    def test_stage_pipelines(self):
        """18's ``crm.stage.team_id`` is 19's ``team_ids``: one field reads and searches both."""
        other = self.env["crm.team"].create({"name": "Compat pipeline"})
        shared = self.env["crm.stage"].create({"name": "Compat shared", **in_pipelines()})
        self.assertEqual(self.stage_new.stage_automation_team_ids, self.team)
        self.assertFalse(shared.stage_automation_team_ids)
        Stage = self.env["crm.stage"]
        found = Stage.search(["|", ("stage_automation_team_ids", "=", False),
                              ("stage_automation_team_ids", "in", self.team.ids)])
        self.assertIn(self.stage_new, found)
        self.assertIn(shared, found)
        self.assertNotIn(self.stage_new, Stage.search([("stage_automation_team_ids", "in", other.ids)]))
        self.assertTrue(self.stage_new._stage_automation_in_pipeline(self.team))
        self.assertFalse(self.stage_new._stage_automation_in_pipeline(other))
        self.assertTrue(shared._stage_automation_in_pipeline(other))

    def test_phone_fields_exist(self):
        """19 has no ``mobile`` on leads, contacts and users."""
        for model in ("crm.lead", "res.partner", "res.users"):
            for fname in compat.PHONE_FIELDS:
                self.assertIn(fname, self.env[model]._fields)
        lead = self.env["crm.lead"].create({"name": "Phone", "phone": "+32 2 555 01 01"})
        self.assertEqual(compat.first_phone(lead), "+32 2 555 01 01")
        self.assertFalse(compat.first_phone(self.env["crm.lead"].create({"name": "No phone"})))

    def test_mail_templates_reading_variables_can_be_saved(self):
        """19 renders a mail template when it is saved: ``vars`` and ``constants`` must be known then."""
        self.env["stage.automation.constant"].create({"team_id": self.team.id, "name": "discount", "value": "5%"})
        self.env["crm.lead"].create({"name": "Any lead"})
        template = self.env["mail.template"].create({
            "name": "Code", "model_id": self.env.ref("crm.model_crm_lead").id,
            "subject": "Code {{ vars.code }}, {{ constants.discount }}",
            "body_html": "<p>Discount <t t-out='constants.discount'/>, code <t t-out='vars[\"code\"]'/></p>"})
        template.subject = "Again {{ vars.other }}"
        self.assertTrue(template.exists())

    def test_rpc_and_batch_names(self):
        """Moved on 19: the XML-RPC controller (``rpc`` addon), the ORM's batch size (``odoo.orm``); only the
        tests use them (``tests/series.py``)."""
        self.assertEqual(series.RPC_FAULT_CODE_ACCESS_ERROR, 4)
        self.assertGreater(series.UPDATE_BATCH_SIZE, 1)

    def test_a_rule_failing_a_constraint_still_says_why(self):
        with self.assertRaisesRegex(ValidationError, "add at least one field to set"):
            self.env["stage.automation.rule"].create({"name": "Empty", "stage_id": self.stage_new.id,
                                                       "action": "write"})
