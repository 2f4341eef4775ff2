"""A run's reason is stored as a message and its values, and each reader reads it in their own
language, with dates in their own time zone; reasons stored as text before stay readable."""

from datetime import datetime

from odoo.exceptions import UserError
from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools.translate import _lt

from .common import StageAutomationCase
from .series import by_series


@tagged("post_install", "-at_install", "stage_automation_runs")
class TestRunReasons(StageAutomationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")

    def _skipped_run(self):
        rule = self.rule(filter_domain="[('name', '=', 'Someone else')]")
        lead = self.lead()
        lead.stage_id = self.stage_new
        return self.runs(lead, rule)

    def test_one_run_reads_in_each_readers_language(self):
        run = self._skipped_run()
        self.assertEqual(run.state, "skipped")
        self.assertEqual(run.reason_data["source"], "Skipped: the lead does not match the condition.")
        self.assertEqual(run.with_context(lang="en_US").reason, "Skipped: the lead does not match the condition.")
        self.assertEqual(run.with_context(lang="fr_FR").reason, "Ignorée : la piste ne remplit pas la condition.")

    def test_values_are_kept_and_dates_shown_in_the_readers_time_zone(self):
        run = self._skipped_run()
        run._set_reason(_lt("Waiting until %(moment)s.", moment=datetime(2026, 3, 4, 9, 30)))
        self.assertEqual(run.reason_data["args"], {"moment": {"datetime": "2026-03-04T09:30:00"}})
        in_paris = run.with_context(lang="fr_FR", tz="Europe/Paris").reason
        self.assertIn("En attente jusqu'au", in_paris)
        self.assertIn("10:30", in_paris)
        in_new_york = run.with_context(lang="en_US", tz="America/New_York").reason
        # Odoo 19 writes a date in the language's own format, 18 in Babel's medium one.
        self.assertTrue(in_new_york.startswith(by_series("Waiting until Mar 4, 2026", "Waiting until 03/04/2026")),
                        in_new_york)
        self.assertIn("4:30", in_new_york)

    def test_a_stage_exit_reason_keeps_the_stage_names_as_values(self):
        rule = self.rule(timing="delay", delay=1, delay_unit="hours")
        lead = self.lead()
        lead.stage_id = self.stage_new
        lead.stage_id = self.stage_proposal
        run = self.runs(lead, rule)
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(run.reason_data["args"], {"old": "SA New", "new": "SA Proposal"})
        self.assertEqual(run.with_context(lang="fr_FR").reason,
                         "Annulé : la piste a quitté l'étape « SA New » pour « SA Proposal ».")

    def test_runs_are_found_by_a_word_of_their_reason_or_of_its_values(self):
        run = self._skipped_run()
        self.assertEqual(self.Run.search([("id", "=", run.id), ("reason", "ilike", "does not match")]), run)
        self.assertFalse(self.Run.search([("id", "=", run.id), ("reason", "not ilike", "does not match")]))
        run._set_reason(_lt("Cancelled by %(user)s.", user="Jeanne Martin"))
        self.assertEqual(self.Run.search([("id", "=", run.id), ("reason", "ilike", "jeanne")]), run)
        # Typed by anyone in a search box or sent over RPC: a clear error, and the text is only ever a value.
        # (Odoo 19 turns a number compared with ilike into its text before the field sees it.)
        for operator, value in (("=", "x"), ("in", ["x"]), *by_series([("ilike", 42)], [])):
            with self.subTest(operator=operator), self.assertRaises(UserError):
                self.Run.search([("reason", operator, value)])
        self.assertFalse(self.Run.search([("id", "=", run.id), ("reason", "ilike", "%') OR 1=1 --")]))

    def test_reasons_stored_as_text_before_stay_readable_after_the_upgrade(self):
        run = self._skipped_run()
        other = self._skipped_run()
        self.env.flush_all()
        # The database as 18.0.1.1.0 left it: the sentence in a text column, in the mover's language.
        self.env.cr.execute("ALTER TABLE stage_automation_run ADD COLUMN reason text")
        self.env.cr.execute(
            "UPDATE stage_automation_run SET reason = 'Ignorée : la piste ne remplit pas la condition.', "
            "reason_data = NULL WHERE id = %s", [run.id])
        script = load_script("stage_automation/migrations/18.0.1.2.0/post-migrate.py", "stage_automation_post_1_2")
        script.migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(run.reason_data, {"text": "Ignorée : la piste ne remplit pas la condition."})
        self.assertEqual(run.with_context(lang="en_US").reason, "Ignorée : la piste ne remplit pas la condition.")
        self.assertEqual(other.with_context(lang="fr_FR").reason, "Ignorée : la piste ne remplit pas la condition.")
        self.env.cr.execute("SELECT 1 FROM information_schema.columns "
                            "WHERE table_name = 'stage_automation_run' AND column_name = 'reason'")
        self.assertFalse(self.env.cr.rowcount, "the old column is dropped")
