from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "stage_automation_ui")
class TestLeadUpdatesUi(HttpCase):
    """The views of a lead reload when the job that ran its rules says so (static/tests/lead_updates.test.js).

    The job's bus notification is sent once its transaction commits, which
    the test transaction of a tour never does: the web client is tested with
    Odoo's unit test framework and its mock server, the notification itself in
    ``TestRunAfterSave``.
    """

    def test_open_lead_views_reload_when_their_rules_ran(self):
        from odoo.addons.web.tests.test_js import HOOTCommon, unit_test_error_checker  # noqa: PLC0415 - its test classes stay out of this module

        suite = HOOTCommon._generate_hash(None, "@stage_automation")
        self.browser_js(
            f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&id={suite}", "", "", login="admin",
            timeout=600, success_signal="[HOOT] Test suite succeeded", error_checker=unit_test_error_checker)
