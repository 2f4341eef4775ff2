import hmac
import re

from werkzeug import urls

from odoo import api, models
from odoo.tools.mail import URL_REGEX, append_content_to_html
from odoo.tools.misc import hmac as signed

TRACKING_SCOPE = "stage_automation-tracking"
TRACKING_PATH = "/stage_automation/track/"


def tracking_token(record, scope):
    """The token of a tracking address naming ``record``, signed for ``scope`` (each model has its own)."""
    record.ensure_one()
    return signed(record.env(su=True), scope, record.id)


def tracked_record(records, record_id, token, scope):
    """The record a tracking address names, or an empty recordset when its token does not match."""
    record = records.browse(record_id).exists()
    if record and hmac.compare_digest(tracking_token(record, scope), token or ""):
        return record
    return records.browse()


def tracked_html(env, body, link_suffix, pixel_path):
    """``body`` with its links going through Odoo's link tracker, each followed by ``link_suffix`` (read by
    the tracking routes), and an invisible pixel at ``pixel_path`` telling when it is viewed."""
    body = env["mail.render.mixin"].sudo()._shorten_links(body, {})
    # Markup.replace() escapes plain text arguments: the links are replaced as what the body is.
    Wrapper = body.__class__
    for href, url in set(re.findall(URL_REGEX, body)):
        parsed = urls.url_parse(url, scheme="http")
        if parsed.scheme.startswith("http") and parsed.path.startswith("/r/"):
            body = body.replace(Wrapper(href), Wrapper(href.replace(url, f"{url}{link_suffix}")))
    pixel = urls.url_join(env["stage.automation.run"].get_base_url(), pixel_path)
    return append_content_to_html(
        body, f'<img src="{pixel}" alt="" width="1" height="1" style="display:none"/>', plaintext=False)


class StageAutomationRun(models.Model):
    """Open and click tracking of the e-mails a run sends, feeding the "viewed" and "clicked" triggers."""

    _inherit = "stage.automation.run"  # pylint: disable=consider-merging-classes-inherited

    def _tracking_token(self):
        return tracking_token(self, TRACKING_SCOPE)

    @api.model
    def _stage_automation_from_tracking_token(self, run_id, token):
        return tracked_record(self, run_id, token, TRACKING_SCOPE)

    def _track_email_body(self, body_html):
        """``body_html`` with its links going through Odoo's link tracker and a pixel telling when it is viewed."""
        self.ensure_one()
        if not body_html:
            return body_html
        token = self._tracking_token()
        return tracked_html(
            self.env, body_html, f"/sa/{self.id}/{token}", f"{TRACKING_PATH}{self.id}/{token}/blank.gif")

    def _stage_automation_tracked(self, trigger_type, payload):
        self.ensure_one()
        return self.env["stage.automation.trigger"].sudo()._fire_event_safely(
            trigger_type, self.lead_id, payload=payload, event=payload)
